//! Demo content of the knowledge store. The workshop "Zwischenbilanz II" (9 Nov 2021) as its
//! documentation records it: agenda, theme rooms, every discussion point, the three cooperation
//! ideas and the ministry's closing review. These are real content, not synthetic. Next to it a
//! few role profiles and staffing ideas of several districts, marked as examples (synthetic,
//! "(Beispiel)" in the title), so that reuse and comparison can be tried. Idempotent.

use anyhow::Result;
use chrono::NaiveDate;
use srb_app::content::{
    self, Agreement, CooperationModelContent, CostShare, Employer, RoleProfileContent,
    StaffingIdeaContent, Task, WayOfWorking,
};
use srb_storage::{
    Audience, ContributionData, ContributionKind as K, DocumentData, DocumentFilter, DocumentKind,
    DocumentStatus, Page, Publication, SessionData, SessionKind, Storage, WorkshopData,
    WorkshopFormat, WorkshopSeed,
};

pub const WORKSHOP_TITLE: &str = "Zwischenbilanz II: Konzeption Sozialraumbudget";

#[derive(Debug, Default)]
pub struct KnowledgeReport {
    pub workshops: usize,
    pub contributions: usize,
    pub documents: usize,
}

fn s(v: &str) -> String {
    v.to_owned()
}

fn list(items: &[&str]) -> Vec<String> {
    items.iter().map(|i| s(i)).collect()
}

fn c(kind: K, body: &str, tags: &[&str]) -> ContributionData {
    let mut tags = list(tags);
    tags.sort();
    ContributionData {
        session_id: 0,
        district_ags: None,
        kind,
        body: s(body),
        tags,
    }
}

fn session(
    kind: SessionKind,
    title: &str,
    from: &str,
    to: Option<&str>,
    moderators: &[&str],
) -> SessionData {
    SessionData {
        workshop_id: 0,
        kind,
        title: s(title),
        position: None,
        starts_at: Some(s(from)),
        ends_at: to.map(s),
        moderators: list(moderators),
        inputs: Vec::new(),
        description: None,
    }
}

const INTRO: &str = "Die ersten 100 Tage nach dem Stichtag der Fertigstellung der Konzeptionsentwicklung zur Mittelverteilung des Sozialraumbudgets (§ 25 Abs. 5 KiTaG) sind vorüber. Unterschiedliche Konzeptionen bringen unterschiedliche Herangehensweisen hervor, die im Rahmen dieser Arbeitstagung sichtbar wurden und Chancen und Grenzen des Sozialraumbudgets deutlich gemacht haben. In Zusammenarbeit mit dem Institut für Sozialpädagogische Forschung Mainz gGmbH (ism) wurde die zweite Arbeitstagung angestoßen. Viele Teilnehmende erschienen in ihrer noch ungewohnten Funktion der Koordination und bereicherten die Themenräume mit bereits gemachten Erfahrungen und daraus entstandenen Fragestellungen.

Unter dem Motto „Zwischenbilanz II: Konzeption Sozialraumbudget“ konnten nach dem 6. Mai 2021 nun auch am 09.11.2021 offene Fragen und praktische Umsetzungen im Zusammenhang mit dem Sozialraumbudget diskutiert werden. Die Grundstruktur der letzten Zwischenbilanz wurde beibehalten: Die Teilnehmenden nutzten vier Themenräume, um anhand kurzer Inputs Fragen, Anmerkungen und Problemstellungen in die Runde zu geben und an gemeinsamen Lösungsstrategien zu arbeiten. Abgerundet wurde der Austausch durch eine Rückschau der Eindrücke aus den einzelnen Räumen von Sissi Westrich (Ministerium für Bildung).";

/// The documented workshop Zwischenbilanz II, ready to store (also the model of synthetic corpora).
pub fn workshop() -> WorkshopSeed {
    use SessionKind::*;
    let fachkraefte = vec![
        c(K::Observation, "Einige Träger haben sich schon Gedanken gemacht, die Arbeit attraktiver zu gestalten.", &["Attraktivität", "Träger"]),
        c(K::Recommendation, "Eine konzertierte Aktion wäre wichtig, zur Gewinnung von Fachkräften in allen sozialen Berufen.", &["Fachkräftegewinnung"]),
        c(K::Recommendation, "Es darf keine Kannibalisierung zwischen den Berufen geben.", &["Fachkräftegewinnung"]),
        c(K::Observation, "Die Vorschläge zur Gewinnung und zum Halten von Personal sind selbstverständlich – aber in der Praxis noch nicht umgesetzt.", &["Fachkräftegewinnung", "Praxis"]),
        c(K::Observation, "Funktionsstellen in Kitas/Differenzierung: WiFF-Studie.", &["Binnendifferenzierung"]),
        c(K::Observation, "Das SR-Budget ist eine Chance für eine Binnendifferenzierung und für Karrieren in der Kita.", &["Binnendifferenzierung", "Karriere"]),
        c(K::Observation, "Es bestehen Informationsdefizite in den Kitas zum Thema SR-Budget.", &["Information"]),
        c(K::Observation, "Kitas stehen sehr stark unter Druck, Leitung braucht Zeit – und jetzt noch Kita-Sozialarbeit.", &["Belastung", "Leitung"]),
        c(K::Observation, "Verfügungszeiten werden auch im neuen Gesetz nicht berücksichtigt.", &["KiTaG", "Arbeitszeit"]),
        c(K::Observation, "Junge Leute wollen eher 75 %-Stellen.", &["Arbeitszeit"]),
        c(K::Observation, "Vor Ort ist das SR-Budget in den Kitas noch nicht angekommen, der Kita-Beirat ist hier eher Thema.", &["Information"]),
        c(K::Observation, "Es besteht vor Ort die Angst, dass viele gute Leute in die Kita-Sozialarbeit abwandern.", &["Abwanderung"]),
        c(K::Observation, "Das SR-Budget macht den Arbeitsplatz Kita attraktiver.", &["Attraktivität"]),
        c(K::Observation, "Derzeit ist der Umstieg auf das neue Gesetz eher mit Schwierigkeiten verbunden, Potenziale werden nicht gesehen.", &["KiTaG"]),
        c(K::Question, "Was heißt überhaupt Fachkräfte? Müssen das Sozialpädagog:innen und Sozialarbeiter:innen sein?", &["Zugangsprofil"]),
        c(K::Recommendation, "Das Zugangsprofil ist nicht festgelegt, es muss auch Quereinstiege geben können, z. B. Erzieher:innen mit Zusatzausbildungen.", &["Quereinstieg", "Zugangsprofil"]),
        ContributionData {
            district_ags: Some(s("07316")),
            ..c(K::Observation, "Es gibt Kooperationsvereinbarungen mit freien Trägern zur Kita-Sozialarbeit (Neustadt/Weinstraße).", &["Trägerkooperation"])
        },
        c(K::Observation, "Die jeweilige Teamstruktur ist von Bedeutung.", &["Team"]),
        c(K::Observation, "Konflikte im Team führen zu Fluktuationen.", &["Fluktuation", "Team"]),
        c(K::Observation, "Elternmitwirkung: Forderungen der Eltern führen in der Praxis oft zu Druck auf die Fachkräfte.", &["Belastung", "Eltern"]),
        c(K::Observation, "In Teamstrukturen reinzusehen ist nicht einfach.", &["Team"]),
        c(K::Observation, "Einige haben noch nicht das Regelpersonal besetzt und scheuen sich jetzt, andere Personen einzustellen.", &["Stellenbesetzung"]),
        c(K::Question, "Sind unbefristete Arbeitsverträge überhaupt möglich, wenn alle 5 Jahre evaluiert wird?", &["Befristung", "Evaluation"]),
        c(K::Observation, "Landesamt muss Betriebserlaubnisse ändern, wenn Kinderzahl sich ändert.", &["Betriebserlaubnis"]),
        c(K::Observation, "Einige Träger haben sich davon distanziert, Fachkräfte über das SR-Budget anzustellen.", &["Träger"]),
        c(K::Recommendation, "Die Zahlen aus 2019 sind schon wieder überholt, wir müssen aktuell mit unseren Indikatoren bleiben.", &["Daten", "Indikatoren"]),
        c(K::Observation, "Die Frage der Sachmittel ist ein Problem.", &["Sachkosten"]),
        c(K::Observation, "Bundesweites Interesse an RLP-Entwicklung.", &[]),
        c(K::Question, "Thema: Was sollen wir alles noch machen …", &["Belastung"]),
        c(K::Ambivalence, "Kita-Sozialarbeit als neuer „Player“ im System: Auf der einen Seite fühlen sich Leitungen dadurch belehrt, auf der anderen Seite besteht die Tendenz, ungeliebte Aufgaben auf die Kita-Sozialarbeit abzuwälzen.", &["Kita-Sozialarbeit", "Leitung"]),
    ];
    let traeger = vec![
        c(K::Question, "In den Sozialräumen gibt es Kitas mit unterschiedlichen Trägern: Wie nutzt das Jugendamt die erwünschte Trägervielfalt im Rahmen des Sozialraumbudgets, insbesondere bei der Anstellung von Kita-Sozialarbeit? Dabei tauchen Fragen auf, die es in Kooperationsverhandlungen zu klären gilt, im Besonderen die ‚Hutfrage‘, damit einher die Finanzierung und der grundlegende Umgang mit dem Subsidiaritätsprinzip.", &["Hutfrage", "Subsidiarität", "Trägervielfalt"]),
        c(K::Question, "**Wer hat den Hut auf?** Wer hat die Dienst- und Fachaufsicht? Das Jugendamt soll die Kita-Sozialarbeit koordinieren und entwickelt das Konzept; alle sollen sich an das Konzept halten. Liegt die Dienst- und Fachaufsicht jedoch bei den freien Trägern: Wie läuft dann die Planung, etwa der Arbeits- und Urlaubszeiten des Personals? Wie gelingt es, die Evaluation an die Koordination im Jugendamt zurückzukoppeln?", &["Dienst- und Fachaufsicht", "Hutfrage"]),
        c(K::Question, "Was für Möglichkeiten hat die Koordination, wenn die freien Träger den Hut aufhaben? Wo melden sich die Kita-Sozialarbeitenden krank, wie werden Arbeitszeiten geregelt?", &["Hutfrage", "Koordination"]),
        c(K::Idea, "**Idee I:** Zum Thema Familienzentrum haben die freien Träger bereits Tandems gebildet. Darauf aufbauend wurden gemeinsam mit dem Jugendamt drei Vereinbarungen entwickelt: 1) Kreisverwaltung und Kita-Sozialarbeit-(KiSa-)Träger, 2) Kreisverwaltung und Kita-Träger, 3) KiSa-Träger mit den Kita-Trägern. Die notwendigen Sachkosten übernimmt das Jugendamt. Der KiSa-Träger wendet sich an den Kita-Träger, um die Personalkosten hereinzuholen. Das Jugendamt hätte gerne die Dienst- und Fachaufsicht, sie bleibt aber bei den freien Trägern; das Jugendamt informiert, ist Mediator und koordiniert.", &["Kooperationsmodell", "Trägerkooperation"]),
        c(K::Quote, "„Wenn Kita-Träger auch Träger der KiSas sind, bestünde die Gefahr, dass die Fachkräfte doch wieder im Regelbetrieb der Kita eingesetzt werden.“", &["Hutfrage", "Trägerkooperation"]),
        c(K::Quote, "„Wir wollen die freien Träger unterstützen.“", &["Trägerkooperation"]),
        c(K::Question, "Wer bezahlt die Kita-Sozialarbeit? Besitzen alle freien Träger die Kompetenz, in alle Kitas hineinzuwirken?", &["Finanzierung"]),
        c(K::Idea, "**Idee II:** Kita-Sozialarbeit soll sozialräumlich gesehen werden und nicht auf eine einzelne Kita ausgerichtet sein. Freie Träger sind interessiert, Stellen der Kita-Sozialarbeit zu übernehmen, zeigen sich aber verhalten gegenüber einer Eigenbeteiligung. Die Kommune soll für die freien Träger den 40-%-Anteil sowie die Sachkosten übernehmen, die über das SRB nicht getragen werden. Das Jugendamt steigt als Anstellungsträger ein und bietet Kita-Sozialarbeit flächendeckend an, sodass alle Kitas ein grundsätzliches Angebot erhalten. In der Pilotphase bleibt es alleiniger Anstellungsträger; im Laufe des Prozesses können freie Träger eingebunden werden.", &["Finanzierung", "Kooperationsmodell", "Sozialraum"]),
        c(K::Question, "Das Jugendamt trägt die Gesamtverantwortung und hat die Steuerung inne: Was bedeutet unter diesen Voraussetzungen Steuerung? Was kann eine Kita im Sinne einer sozialräumlichen Orientierung tatsächlich umsetzen, und was gehört auf die Ebene der Koordinationsstellen der Kita-Sozialarbeit, auch mit anderen Bereichen der Jugendhilfe?", &["Koordination", "Steuerung"]),
        c(K::Observation, "Die freien Träger haben bemerkt, dass über eine Stelle der Kita-Sozialarbeit Einfluss zu nehmen ist, und zeigen verstärkt Interesse.", &["Trägervielfalt"]),
        c(K::Idea, "**Idee III:** Kita-Träger sind Träger der Kita-Sozialarbeit und verpflichten sich, die Bedarfe aller Kitas sozialräumlich zu decken. Eine eigens eingerichtete Koordinationsstelle (nicht aus dem SRB finanziert) übernimmt die strukturelle Einbettung im Jugendamt, auch hinsichtlich der Potenziale der Kita-Sozialarbeit für die Jugendhilfeplanung.", &["Jugendhilfeplanung", "Kooperationsmodell", "Koordination"]),
        c(K::Question, "**Was heißt hier Subsidiaritätsprinzip?** Muss man das Angebot an die freien Träger weitergeben?", &["Subsidiarität"]),
        c(K::Observation, "Ist ein freier Träger gut aufgestellt und hat die Kompetenz, die Aufgaben zu übernehmen, ist es wünschenswert, dass er hier Verantwortung übernimmt. Eine weiterführende Auslegung des Subsidiaritätsprinzips stellt die Kooperation von Jugendamt und freien Trägern stärker in den Fokus: Es geht um ein Aufteilen der relevanten Aufgaben. Die Kosten und die Folgen der kommunalen öffentlichen Daseinsvorsorge liegen bei den Kommunen.", &["Daseinsvorsorge", "Subsidiarität"]),
        c(K::Quote, "„Die Frage, die sich stellt, ist: Wer ist an welcher Stelle gut geeignet?“", &["Subsidiarität"]),
        c(K::Recommendation, "Wenn die freien Träger ins Spiel kommen, braucht es eine Koordinationsstelle, die klar vom Jugendamt moderiert wird. Auf Jugendamtsebene soll der Austausch stattfinden, damit die Bedarfe Eingang in die Bedarfsplanung finden. Sind die Kommunikationswege undeutlich, läuft die sozialräumliche Arbeit ins Leere.", &["Bedarfsplanung", "Koordination"]),
        c(K::Conclusion, "**Wo ist die Kita-Sozialarbeit gut aufgehoben?** Die Frage nach den Hüten scheint zentral, insbesondere dann, wenn die freien Träger die Dienst- und Fachaufsicht erhalten und das Jugendamt die öffentliche Daseinsvorsorge zu verantworten hat. Es entsteht Koordinationsbedarf – dieser muss finanziert werden!", &["Finanzierung", "Hutfrage", "Koordination"]),
    ];
    let steuern = vec![c(
        K::Quote,
        "„Grenzen ziehen aber auch Brücken bilden“ (Zitat einer Teilnehmenden)",
        &["Schnittstellen"],
    )];
    let abschluss = vec![
        c(K::Observation, "Wie in der letzten Runde der Zwischenbilanz hat Frau Westrich (BM) in den Themenräumen die Diskussionen der Entsandten der Jugendamtsbezirke verfolgt, sich beteiligt und Fragen direkt beantwortet. Sie hat die Arbeitstagung als gelungenen Erfahrungsaustausch wahrgenommen: Die Vertretungen der Jugendämter beschäftigen sich in sehr unterschiedlicher Art, auf unterschiedlicher Ebene und mit unterschiedlicher Nähe zur Praxis in den Kitas mit dem Sozialraumbudget. Den Erfolg macht sie daran fest, dass die Teilnehmenden gegenseitig von ihrer Professionalität profitieren konnten.", &["Erfahrungsaustausch"]),
        c(K::Ambivalence, "Die Regelungen des Landes bieten viel Freiheit, auf die erhobene Bedarfssituation einzugehen – zum Beispiel, wie Kita-Sozialarbeit zu gestalten ist (als Lotsenfunktion, Einzelfallarbeit, Weiterentwicklung zu Kommunikations- und Familienzentren). Auf der anderen Seite steht die Herausforderung, sehr viel Sorgfalt und Zeit für die Profilschärfung aufzubringen.", &["Kita-Sozialarbeit", "Profilschärfung"]),
        c(K::Ambivalence, "Die Vielfalt der Beratungs- und Begleitungsleistungen, die das Sozialraumbudget ermöglicht, wird als Bereicherung erlebt, birgt aber die Gefahr von Doppelstrukturen. Schnittstellen sind zu klären – z. B. zur Fachberatung, Leitung und zu den Beratungsstellen –, Profile zu klären und deutlich zu kommunizieren.", &["Doppelstrukturen", "Profilschärfung", "Schnittstellen"]),
        c(K::Quote, "„Grenzen ziehen und Brücken bauen“ (Ausspruch einer Teilnehmerin, aufgegriffen von Frau Westrich)", &["Schnittstellen"]),
        c(K::Recommendation, "Organisierte Reflexionsorte werden notwendig, um die Jugendhilfeplanung weiterzuentwickeln: das jährliche Gespräch im Sozialraum, um die Profilschärfung voranzubringen und gemeinsam den Prozess zu betrachten. Wo sind die Stolpersteine, wo muss umgesteuert werden, was kann so bleiben und ausgebaut werden?", &["Jugendhilfeplanung", "Reflexion", "Sozialraum"]),
        c(K::Recommendation, "Koordination, Monitoring und Evaluation als einen Kreislauf des Geschehens zu betrachten, ist zentral. Dazu zählt die Möglichkeit veränderter Sozialräume und das Erfordernis, die Datenlage regelmäßig mit der Frage zu überdenken: *Welche Daten bilden in unserem Jugendamtsbezirk Benachteiligung ab?*", &["Daten", "Evaluation", "Monitoring"]),
        c(K::Recommendation, "Die Informationen müssen in der Kita, bei den pädagogischen Fachkräften ankommen: Es muss verständlich werden, was die Grundlage für die Verteilung der Mittel des Sozialraumbudgets bildet und wie sich die einzelne Kita in die Konzeption für das Ganze einordnet. Dafür ist eine entsprechende Koordination notwendig.", &["Information", "Koordination", "Transparenz"]),
        c(K::Ambivalence, "Der Fachkräftemangel wird sich nicht entspannen; befürchtet wird, dass der Ausbau der Ganztagsbetreuung an Grundschulen pädagogische Fachkräfte aus dem Kita-System abzieht. Auf der anderen Seite steht als „Pfund“, dass das Sozialraumbudget durch eine andere fachliche Perspektive pädagogisches Personal in der Kita binden kann.", &["Fachkräftemangel", "Ganztag"]),
        c(K::Recommendation, "Appell: Was mit dem Sozialraumbudget bewirkt werden kann, muss deutlicher hervorgehoben werden, z. B. durch Antworten auf Fragen wie: Welche Chancen bietet ein Familienzentrum? Welche Chancen bietet Kita-Sozialarbeit? Welchen Gewinn haben die Kitas und die Familien in Rheinland-Pfalz davon?", &["Familienzentrum", "Kita-Sozialarbeit", "Öffentlichkeitsarbeit"]),
        c(K::Conclusion, "Es ist mit den Konzeptionen und vielerorts mit den Koordinationsstellen vieles „gespurt“. Jetzt ist es vor allem wichtig, allen Zeit für die Entwicklung zu geben. Entwicklungszeit lassen und Gelassenheit – das haben sich viele heute verordnet.", &["Entwicklungszeit"]),
    ];
    let mut begruessung = session(
        AgendaItem,
        "Begrüßung: Was heißt hier Zwischenbilanz?!",
        "10:00",
        Some("10:15"),
        &[
            "Sissi Westrich (BM)",
            "Heinz Müller (ism)",
            "Prof. Dr. Armin Schneider (IBEB)",
        ],
    );
    begruessung.description = Some(s("Die Grundstruktur der letzten Zwischenbilanz wurde beibehalten: vier Themenräume mit kurzen Inputs, danach eine Rückschau aus dem Ministerium."));
    let mut fk = session(
        ThemeRoom,
        "Fachkräfte halten und gewinnen",
        "10:15",
        Some("11:45"),
        &["Prof. Dr. Armin Schneider (IBEB)"],
    );
    fk.inputs = list(&[
        "Input mit Präsentationsfolien (Prof. Dr. Armin Schneider, Koblenz, 9. November 2021)",
    ]);
    let profile = session(
        ThemeRoom,
        "Aufgabenbeschreibungen entwickeln und Profile schärfen",
        "10:15",
        Some("11:45"),
        &["Dr. Svenja Peters", "Madeleine Jung"],
    );
    let mut tk = session(
        ThemeRoom,
        "Trägerkooperation",
        "12:00",
        Some("13:30"),
        &["Dr. Marina Swat", "Dr. Franziska Larrà"],
    );
    tk.description = Some(s(
        "Beteiligte: Jugendamt mit eigenen Kitas, freie Träger von Kitas, freie Träger ohne Kita.",
    ));
    let sk = session(
        ThemeRoom,
        "Sozialraumbudget steuern und koordinieren",
        "12:00",
        Some("13:30"),
        &["Heinz Müller (ism)", "Madeleine Jung"],
    );
    let mut ab = session(
        AgendaItem,
        "Abschluss: Was heißt jetzt Zwischenbilanz?",
        "13:30",
        Some("13:45"),
        &["Sissi Westrich (Ministerium für Bildung)"],
    );
    ab.inputs = list(&[
        "Rückschau der Eindrücke aus den Themenräumen (Sissi Westrich, Ministerium für Bildung)",
    ]);
    WorkshopSeed {
        workshop: WorkshopData {
            district_ags: None,
            title: s(WORKSHOP_TITLE),
            held_on: NaiveDate::from_ymd_opt(2021, 11, 9).expect("valid date"),
            format: WorkshopFormat::Online,
            organisers: list(&[
                "IBEB Koblenz",
                "Institut für Sozialpädagogische Forschung Mainz gGmbH (ism)",
                "Ministerium für Bildung Rheinland-Pfalz",
            ]),
            description: Some(s(INTRO)),
            publication: Publication::Public,
            synthetic: false,
        },
        sessions: vec![
            (
                session(
                    AgendaItem,
                    "Einwahl und technischer Checkup",
                    "09:45",
                    Some("10:00"),
                    &[],
                ),
                vec![],
            ),
            (begruessung, vec![]),
            (fk, fachkraefte),
            (profile, vec![]),
            (session(Break, "Pause", "11:45", Some("12:00"), &[]), vec![]),
            (tk, traeger),
            (sk, steuern),
            (ab, abschluss),
            (
                session(AgendaItem, "Ende der Veranstaltung", "13:45", None, &[]),
                vec![],
            ),
        ],
    }
}

fn doc(
    kind: DocumentKind,
    district: Option<&str>,
    title: &str,
    category: Option<&str>,
    content: String,
    tags: &[&str],
    synthetic: bool,
) -> DocumentData {
    let mut tags = list(tags);
    tags.sort();
    DocumentData {
        kind,
        district_ags: district.map(s),
        title: s(title),
        category: category.map(s),
        status: DocumentStatus::Published,
        publication: Publication::Public,
        content,
        tags,
        forked_from: None,
        synthetic,
    }
}

fn share(payer: &str, percent: Option<&str>) -> CostShare {
    CostShare {
        payer: s(payer),
        percent: percent.map(s),
    }
}

fn agreement(a: &str, b: &str, subject: &str) -> Agreement {
    Agreement {
        parties: list(&[a, b]),
        subject: s(subject),
    }
}

/// The three ideas of the Trägerkooperation room, as cooperation models (real content).
fn cooperation_models() -> Vec<DocumentData> {
    let one = CooperationModelContent {
        description: Some(s("Aufbauend auf den Tandems, die die freien Träger zum Thema Familienzentrum bereits gebildet haben, wurden gemeinsam mit dem Jugendamt drei Vereinbarungen entwickelt. Das Jugendamt informiert, ist Mediator und koordiniert.")),
        employer: Some(Employer::FreierTraegerOhneKita),
        employer_note: Some(s("Ein freier Träger als KiSa-Träger, getrennt von den Kita-Trägern.")),
        line_supervision: Some(s("freier Träger (KiSa-Träger)")),
        professional_supervision: Some(s("freier Träger (KiSa-Träger); das Jugendamt hätte sie gerne")),
        personnel_costs: vec![share("Kita-Träger (der KiSa-Träger holt die Personalkosten dort herein)", None)],
        material_costs: vec![share("Jugendamt", Some("100"))],
        agreements: vec![
            agreement("Kreisverwaltung", "KiSa-Träger", "Kita-Sozialarbeit"),
            agreement("Kreisverwaltung", "Kita-Träger", "Kita-Sozialarbeit in den Kitas des Trägers"),
            agreement("KiSa-Träger", "Kita-Träger", "Einsatz und Personalkosten der Kita-Sozialarbeit"),
        ],
        advantages: list(&[
            "baut auf bestehenden Tandems der freien Träger auf (Familienzentrum)",
            "unterstützt die freien Träger in ihrer Arbeit",
            "Fachkräfte der Kita-Sozialarbeit bleiben vom Regelbetrieb der Kita getrennt",
        ]),
        risks: list(&[
            "Dienst- und Fachaufsicht liegen nicht beim Jugendamt, das das Konzept verantwortet",
            "Wenn Kita-Träger auch Träger der KiSas sind, droht der Einsatz im Regelbetrieb der Kita",
        ]),
    };
    let two = CooperationModelContent {
        description: Some(s("Kita-Sozialarbeit wird sozialräumlich gesehen, nicht auf eine einzelne Kita ausgerichtet. Das Jugendamt steigt als Anstellungsträger ein und bietet Kita-Sozialarbeit flächendeckend an; in der Pilotphase bleibt es alleiniger Anstellungsträger, später können freie Träger eingebunden werden.")),
        employer: Some(Employer::Jugendamt),
        employer_note: Some(s("in der Pilotphase allein; freie Träger später möglich")),
        line_supervision: Some(s("Jugendamt")),
        professional_supervision: Some(s("Jugendamt")),
        personnel_costs: vec![
            share("Sozialraumbudget (Landesmittel)", None),
            share("Kommune, auch für Stellen bei freien Trägern (der 40-%-Anteil)", Some("40")),
        ],
        material_costs: vec![share("Kommune (soweit nicht über das SRB getragen)", None)],
        agreements: vec![],
        advantages: list(&[
            "alle Kitas erhalten ein grundsätzliches Angebot",
            "das Jugendamt trägt die Gesamtverantwortung und steuert",
        ]),
        risks: list(&[
            "freie Träger zeigen sich verhalten gegenüber einer Eigenbeteiligung",
            "zu klären: was eine Kita selbst umsetzen kann und was auf die Ebene der Koordination gehört",
        ]),
    };
    let three = CooperationModelContent {
        description: Some(s("Kita-Träger sind Träger der Kita-Sozialarbeit und verpflichten sich, die Bedarfe aller Kitas sozialräumlich zu decken. Eine eigens eingerichtete Koordinationsstelle im Jugendamt übernimmt die strukturelle Einbettung, auch für die Jugendhilfeplanung.")),
        employer: Some(Employer::KitaTraeger),
        employer_note: None,
        line_supervision: Some(s("Kita-Träger")),
        professional_supervision: None,
        personnel_costs: vec![],
        material_costs: vec![],
        agreements: vec![agreement("Jugendamt", "Kita-Träger", "sozialräumliche Deckung der Bedarfe aller Kitas")],
        advantages: list(&[
            "Kita-Sozialarbeit ist in die Jugendhilfeplanung eingebettet",
            "Trägervielfalt wird genutzt",
        ]),
        risks: list(&[
            "die Koordinationsstelle ist nicht aus dem SRB zu finanzieren",
            "Gefahr des Einsatzes im Regelbetrieb der Kita",
        ]),
    };
    vec![
        doc(
            DocumentKind::CooperationModel,
            None,
            "Idee I: Tandems freier Träger mit drei Vereinbarungen",
            None,
            content::write(&one),
            &["Zwischenbilanz II", "Hutfrage", "Familienzentrum"],
            false,
        ),
        doc(
            DocumentKind::CooperationModel,
            None,
            "Idee II: Jugendamt als Anstellungsträger, sozialräumlich und flächendeckend",
            None,
            content::write(&two),
            &["Zwischenbilanz II", "Hutfrage", "Sozialraum"],
            false,
        ),
        doc(
            DocumentKind::CooperationModel,
            None,
            "Idee III: Kita-Träger als Träger der Kita-Sozialarbeit mit Koordinationsstelle",
            None,
            content::write(&three),
            &["Zwischenbilanz II", "Hutfrage", "Jugendhilfeplanung"],
            false,
        ),
    ]
}

fn task(key: &str, text: &str) -> Task {
    Task {
        key: s(key),
        text: s(text),
    }
}

/// Example profiles: the Koblenz one is the origin the Mainz-Bingen one was forked from.
fn kisa_koblenz() -> RoleProfileContent {
    RoleProfileContent {
        role_label: None,
        purpose: Some(s("Kita-Sozialarbeit unterstützt Familien im Sozialraum früh und niedrigschwellig und entlastet die Kita-Teams in sozialen Fragen.")),
        tasks: vec![
            task("k1", "Beratung von Eltern in der Kita (offene Sprechstunde)"),
            task("k2", "Lotsenfunktion zu Beratungsstellen, Jugendamt und Gesundheitshilfe"),
            task("k3", "Elterncafés und Gruppenangebote"),
            task("k4", "Fallberatung für das Kita-Team"),
            task("k5", "Vernetzung im Sozialraum (Stadtteilkonferenz)"),
            task("k6", "Dokumentation und jährlicher Bericht an die Koordination"),
        ],
        target_groups: list(&["Eltern", "Kinder", "Kita-Team"]),
        ways_of_working: vec![WayOfWorking::Lotsenfunktion, WayOfWorking::Einzelfallarbeit, WayOfWorking::Gruppenangebote, WayOfWorking::Vernetzung],
        qualifications: list(&["Soziale Arbeit (B. A.)", "Sozialpädagogik", "Erzieher:in mit Zusatzausbildung"]),
        lateral_entry: true,
        access_notes: Some(s("Quereinstieg für Erzieher:innen mit systemischer Zusatzausbildung.")),
        fte: Some(s("0.5")),
        kitas_served: Some(2),
        employer: Some(Employer::Jugendamt),
        line_supervision: Some(s("Jugendamt, Abteilungsleitung")),
        professional_supervision: Some(s("Koordination Kita-Sozialarbeit")),
        cooperation_partners: list(&["Erziehungsberatungsstelle", "Frühe Hilfen", "Familienzentrum"]),
    }
}

fn example_documents() -> (Vec<DocumentData>, RoleProfileContent) {
    let koordination = RoleProfileContent {
        role_label: Some(s("Koordination Kita-Sozialarbeit / Sozialraumbudget")),
        purpose: Some(s("Die Koordination steuert das Sozialraumbudget im Jugendamt, hält die Konzeption aktuell und verbindet Kita-Sozialarbeit mit der Jugendhilfeplanung.")),
        tasks: vec![
            task("m1", "Konzeption fortschreiben und dem JHA vorlegen"),
            task("m2", "Indikatoren jährlich aktualisieren"),
            task("m3", "Fachaustausch der Kita-Sozialarbeit leiten"),
            task("m4", "Jährliches Gespräch im Sozialraum organisieren"),
            task("m5", "Mittelabruf und Stellenbesetzung überwachen"),
        ],
        target_groups: list(&["Kita-Sozialarbeit", "Kita-Träger", "Jugendhilfeplanung"]),
        ways_of_working: vec![WayOfWorking::Vernetzung],
        qualifications: list(&["Soziale Arbeit (M. A.)", "Verwaltungsfachkraft mit Erfahrung in der Jugendhilfeplanung"]),
        lateral_entry: false,
        access_notes: None,
        fte: Some(s("1")),
        kitas_served: None,
        employer: Some(Employer::Jugendamt),
        line_supervision: Some(s("Jugendamtsleitung")),
        professional_supervision: Some(s("Jugendamtsleitung")),
        cooperation_partners: list(&["Jugendhilfeplanung", "Kita-Fachberatung"]),
    };
    let ikf = RoleProfileContent {
        role_label: None,
        purpose: Some(s("Die interkulturelle Fachkraft stärkt Kitas mit vielen Kindern nichtdeutscher Familiensprache in der Zusammenarbeit mit Familien.")),
        tasks: vec![
            task("i1", "Elterngespräche mit Sprachmittlung begleiten"),
            task("i2", "Team zu interkultureller Öffnung beraten"),
            task("i3", "Kontakte zu Migrantenorganisationen aufbauen"),
        ],
        target_groups: list(&["Eltern mit Migrationsgeschichte", "Kita-Team"]),
        ways_of_working: vec![WayOfWorking::Lotsenfunktion, WayOfWorking::Vernetzung],
        qualifications: list(&["Soziale Arbeit", "Erzieher:in mit interkultureller Zusatzqualifikation"]),
        lateral_entry: true,
        access_notes: None,
        fte: Some(s("0.75")),
        kitas_served: Some(3),
        employer: Some(Employer::KitaTraeger),
        line_supervision: Some(s("Kita-Träger")),
        professional_supervision: Some(s("Koordination im Jugendamt")),
        cooperation_partners: list(&["Integrationsbeauftragte", "Migrationsberatung"]),
    };
    let idea = |measure: &str, context: &str, evidence: &str| {
        content::write(&StaffingIdeaContent {
            measure: s(measure),
            context: Some(s(context)),
            evidence: Some(s(evidence)),
        })
    };
    let docs = vec![
        doc(DocumentKind::RoleProfile, Some("07111"), "Kita-Sozialarbeit im Sozialraum (Beispiel)", Some("KITA_SOZIALARBEIT"), content::write(&kisa_koblenz()), &["Beispiel", "KiSa"], true),
        doc(DocumentKind::RoleProfile, Some("07315"), "Koordination Sozialraumbudget (Beispiel)", Some("KOORDINATION"), content::write(&koordination), &["Beispiel", "Koordination"], true),
        doc(DocumentKind::RoleProfile, Some("07314"), "Interkulturelle Fachkraft (Beispiel)", Some("INTERKULTURELLE_FACHKRAFT"), content::write(&ikf), &["Beispiel", "IKF"], true),
        doc(DocumentKind::StaffingIdea, Some("07111"), "Funktionsstellen für Binnendifferenzierung (Beispiel)", Some("BINNENDIFFERENZIERUNG"), idea("Erfahrene Erzieher:innen übernehmen mit Stundenanteilen Aufgaben der Kita-Sozialarbeit im eigenen Haus.", "Kitas mit hohem Bedarf, in denen gute Leute sonst in die Kita-Sozialarbeit abwandern.", "Erste Erfahrungen: höhere Bindung im Team (Beispiel)."), &["Beispiel", "Karriere"], true),
        doc(DocumentKind::StaffingIdea, Some("07339"), "75-%-Stellen für Berufseinsteigende (Beispiel)", Some("ARBEITSZEIT"), idea("Stellen der Kita-Sozialarbeit werden auch mit 75 % ausgeschrieben.", "Junge Fachkräfte wünschen sich eher Teilzeit.", "Mehr Bewerbungen auf die zweite Ausschreibung (Beispiel)."), &["Arbeitszeit", "Beispiel"], true),
        doc(DocumentKind::StaffingIdea, Some("07333"), "Quereinstieg mit Zusatzausbildung (Beispiel)", Some("QUALIFIZIEREN"), idea("Erzieher:innen mit systemischer Zusatzausbildung werden für die Kita-Sozialarbeit zugelassen; die Weiterbildung wird gefördert.", "Zu wenige Bewerbungen mit Studium der Sozialen Arbeit.", "Zwei Stellen so besetzt (Beispiel)."), &["Beispiel", "Quereinstieg"], true),
        doc(DocumentKind::StaffingIdea, None, "Konzertierte Aktion für soziale Berufe", Some("GEWINNEN"), idea("Eine gemeinsame Aktion zur Gewinnung von Fachkräften in allen sozialen Berufen, ohne Kannibalisierung zwischen den Berufen.", "Fachkräftemangel in allen sozialen Berufen (Zwischenbilanz II).", "Im Themenraum „Fachkräfte halten und gewinnen“ empfohlen."), &["Zwischenbilanz II", "Fachkräftegewinnung"], false),
    ];
    (docs, kisa_koblenz())
}

async fn document_exists(storage: &dyn Storage, kind: DocumentKind, title: &str) -> Result<bool> {
    let everything = Audience {
        everything: true,
        ..Default::default()
    };
    let mut after = None;
    loop {
        let page = storage
            .documents(
                &DocumentFilter {
                    kind: Some(kind),
                    include_deleted: true,
                    ..Default::default()
                },
                &everything,
                Page {
                    after,
                    before: None,
                    limit: 100,
                    from_end: false,
                },
            )
            .await?;
        if page.rows.iter().any(|d| d.title == title) {
            return Ok(true);
        }
        match (page.has_more, page.rows.last()) {
            (true, Some(last)) => after = Some(last.id),
            _ => return Ok(false),
        }
    }
}

pub async fn seed(storage: &dyn Storage) -> Result<KnowledgeReport> {
    let mut report = KnowledgeReport::default();
    let seed = workshop();
    let contributions: usize = seed.sessions.iter().map(|(_, c)| c.len()).sum();
    if storage.seeder().seed_workshop(&seed).await?.is_some() {
        report.workshops += 1;
        report.contributions += contributions;
    }
    let (examples, origin_content) = example_documents();
    let mut origin_id = None;
    for data in cooperation_models().into_iter().chain(examples) {
        if document_exists(storage, data.kind, &data.title).await? {
            continue;
        }
        let stored = storage.create_document(None, &data).await?;
        if data.district_ags.as_deref() == Some("07111") && data.kind == DocumentKind::RoleProfile {
            origin_id = Some(stored.id);
        }
        report.documents += 1;
    }
    // Mainz-Bingen took over the Koblenz profile and rewrote two tasks: a reuse to look at.
    const FORK_TITLE: &str = "Kita-Sozialarbeit im Sozialraum (Beispiel, übernommen)";
    if let Some(origin) = origin_id {
        if !document_exists(storage, DocumentKind::RoleProfile, FORK_TITLE).await? {
            let mut fork = origin_content;
            fork.tasks[0].text = s("Beratung von Eltern in der Kita und bei Hausbesuchen");
            fork.tasks[4].text = s("Vernetzung in der Verbandsgemeinde (Netzwerk Frühe Hilfen)");
            fork.kitas_served = Some(3);
            let mut data = doc(
                DocumentKind::RoleProfile,
                Some("07339"),
                FORK_TITLE,
                Some("KITA_SOZIALARBEIT"),
                content::write(&fork),
                &["Beispiel", "KiSa"],
                true,
            );
            data.forked_from = Some((origin, 1));
            storage.create_document(None, &data).await?;
            report.documents += 1;
        }
    }
    Ok(report)
}
