//! Monitoring across the state: what each district was allocated and drew, the positions its
//! budget funds and how many are filled, its concept's review and the age of its data; the
//! positions register and spending a coordinator keeps. Figures about positions pass the
//! small-count rule (`srb_domain::monitoring::suppress`) for every reader who may not read the
//! district's non-public data.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use srb_domain::monitoring::{self as rules, Flag, FlagInputs};
use srb_domain::{InputError, PositionStatus, Reader};
use srb_storage::{self as st, Storage};

use crate::planning::{self, input, PlanError};

/// The first year of the Sozialraumbudget: time series start here.
pub const FIRST_YEAR: i32 = 2021;

impl From<InputError> for PlanError {
    fn from(e: InputError) -> Self {
        PlanError::Input {
            field: e.field,
            message: e.message,
        }
    }
}

/// Positions of one district (or the state) in one year, by status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PositionFigures {
    pub positions: i64,
    pub planned_fte_e4: i64,
    pub filled: i64,
    pub filled_fte_e4: i64,
    pub vacant: i64,
    pub vacant_fte_e4: i64,
    pub open: i64,
    pub open_fte_e4: i64,
    /// Vacant for [`rules::LONG_VACANCY_MONTHS`] or longer, at the year's reading day.
    pub long_vacancies: i64,
    pub longest_vacancy_months: Option<u32>,
}

impl PositionFigures {
    fn add_group(&mut self, status: PositionStatus, positions: i64, fte_e4: i64) {
        self.positions += positions;
        self.planned_fte_e4 += fte_e4;
        match status {
            PositionStatus::Filled => {
                self.filled += positions;
                self.filled_fte_e4 += fte_e4;
            }
            PositionStatus::Vacant => {
                self.vacant += positions;
                self.vacant_fte_e4 += fte_e4;
            }
            PositionStatus::Planned => {
                self.open += positions;
                self.open_fte_e4 += fte_e4;
            }
        }
    }

    fn add(&mut self, o: &PositionFigures) {
        self.add_group(PositionStatus::Filled, o.filled, o.filled_fte_e4);
        self.add_group(PositionStatus::Vacant, o.vacant, o.vacant_fte_e4);
        self.add_group(PositionStatus::Planned, o.open, o.open_fte_e4);
        self.long_vacancies += o.long_vacancies;
        self.longest_vacancy_months = self.longest_vacancy_months.max(o.longest_vacancy_months);
    }

    /// The counts the small-count rule looks at.
    fn counts(&self) -> Vec<i64> {
        // Vacant and planned positions identify nobody; filled ones are people.
        vec![self.positions, self.filled]
    }
}

/// One district in one year.
#[derive(Debug, Clone)]
pub struct DistrictRow {
    pub ags: String,
    pub name: String,
    pub plan: Option<st::PlanFact>,
    /// Cents drawn.
    pub spent: i64,
    pub spent_percent: Option<Decimal>,
    /// `None`: withheld from this reader (the small-count rule).
    pub positions: Option<PositionFigures>,
    /// The concept in force: the latest decided one.
    pub concept: Option<st::ConceptFact>,
    pub last_review: Option<NaiveDate>,
    /// The oldest of the indicators' latest Stichtage; none without data.
    pub oldest_reference_date: Option<NaiveDate>,
    pub stale_indicators: i64,
    pub flags: Vec<Flag>,
    /// The reader may read this district's non-public data.
    pub known: bool,
}

/// State totals of one year.
#[derive(Debug, Clone)]
pub struct YearTotals {
    pub year: i32,
    pub districts_with_plan: i64,
    pub budget: i64,
    pub allocated: i64,
    pub spent: i64,
    pub spent_percent: Option<Decimal>,
    /// `None`: withheld.
    pub positions: Option<PositionFigures>,
}

/// FTE of one role and pillar across the state (what the money pays for).
#[derive(Debug, Clone)]
pub struct UseRow {
    pub role: st::PositionRole,
    pub pillar_name: String,
    /// `None`: withheld.
    pub figures: Option<(i64, i64)>,
}

#[derive(Debug, Clone)]
pub struct StateMonitoring {
    pub year: i32,
    pub as_of: NaiveDate,
    pub today: NaiveDate,
    pub totals: YearTotals,
    pub districts: Vec<DistrictRow>,
    pub series: Vec<YearTotals>,
    pub uses: Vec<UseRow>,
}

fn positions_by_district_year(
    facts: &st::MonitoringFacts,
    today: NaiveDate,
    year: i32,
) -> HashMap<(String, i32), PositionFigures> {
    let mut out: HashMap<(String, i32), PositionFigures> = HashMap::new();
    for g in &facts.position_groups {
        out.entry((g.district_ags.clone(), g.year))
            .or_default()
            .add_group(g.status, g.positions, g.fte_e4);
    }
    let as_of = rules::as_of(year, today);
    for v in &facts.vacancies {
        let f = out.entry((v.district_ags.clone(), year)).or_default();
        f.longest_vacancy_months = Some(rules::months_between(v.since, as_of));
        f.long_vacancies = v.long;
    }
    out
}

/// The monitoring of `year` for every district, as `reader` may see it.
pub async fn state_monitoring(
    storage: &dyn Storage,
    reader: &Reader,
    year: i32,
    today: NaiveDate,
) -> Result<StateMonitoring, PlanError> {
    let districts = storage.districts().await?;
    let facts = storage
        .monitoring_facts(year, None, rules::long_vacancy_cutoff(year, today))
        .await?;
    Ok(assemble(&districts, &facts, reader, year, today))
}

/// The figures of `facts` for `districts`, as `reader` may see them.
pub fn assemble(
    districts: &[st::District],
    facts: &st::MonitoringFacts,
    reader: &Reader,
    year: i32,
    today: NaiveDate,
) -> StateMonitoring {
    let positions = positions_by_district_year(facts, today, year);
    let plans: HashMap<(&str, i32), &st::PlanFact> = facts
        .plans
        .iter()
        .map(|p| ((p.district_ags.as_str(), p.year), p))
        .collect();
    let spent: HashMap<(&str, i32), i64> = facts
        .spending
        .iter()
        .map(|(d, y, s)| ((d.as_str(), *y), *s))
        .collect();
    let mut concepts: HashMap<&str, &st::ConceptFact> = HashMap::new();
    for c in &facts.concepts {
        // Ordered by decision date: the last one decided is in force.
        concepts.insert(c.district_ags.as_str(), c);
    }
    let reviews: HashMap<&str, NaiveDate> = facts
        .last_reviews
        .iter()
        .map(|(d, day)| (d.as_str(), *day))
        .collect();
    let mut currency: HashMap<&str, (NaiveDate, i64)> = HashMap::new();
    for (d, _, day) in &facts.currency {
        let e = currency.entry(d.as_str()).or_insert((*day, 0));
        e.0 = e.0.min(*day);
        if rules::is_stale(*day, today) {
            e.1 += 1;
        }
    }
    let known: Vec<bool> = districts
        .iter()
        .map(|d| reader.can_read_private(Some(&d.ags)))
        .collect();
    let year_finished = rules::as_of(year, today) < today;

    let years: Vec<i32> = (FIRST_YEAR..=year).collect();
    let mut series = Vec::new();
    let mut shown_this_year = Vec::new();
    for &y in &years {
        let figures: Vec<PositionFigures> = districts
            .iter()
            .map(|d| {
                positions
                    .get(&(d.ags.clone(), y))
                    .cloned()
                    .unwrap_or_default()
            })
            .collect();
        let cells: Vec<(Vec<i64>, bool)> = figures
            .iter()
            .zip(&known)
            .map(|(f, k)| (f.counts(), *k))
            .collect();
        let suppression = rules::suppress(&cells);
        let mut total = PositionFigures::default();
        figures.iter().for_each(|f| total.add(f));
        let (mut budget, mut allocated, mut spent_sum, mut with_plan) = (0, 0, 0, 0);
        for d in districts {
            if let Some(p) = plans.get(&(d.ags.as_str(), y)) {
                budget += p.budget;
                allocated += p.allocated;
                with_plan += 1;
            }
            spent_sum += spent.get(&(d.ags.as_str(), y)).copied().unwrap_or(0);
        }
        series.push(YearTotals {
            year: y,
            districts_with_plan: with_plan,
            budget,
            allocated,
            spent: spent_sum,
            spent_percent: rules::spent_percent(spent_sum, allocated),
            positions: (!suppression.total_withheld).then_some(total),
        });
        if y == year {
            shown_this_year = figures
                .into_iter()
                .zip(suppression.withheld)
                .map(|(f, w)| (!w).then_some(f))
                .collect();
        }
    }

    let rows: Vec<DistrictRow> = districts
        .iter()
        .zip(&known)
        .zip(shown_this_year)
        .map(|((d, known), figures)| {
            let plan = plans.get(&(d.ags.as_str(), year)).map(|p| (*p).clone());
            let spent = spent.get(&(d.ags.as_str(), year)).copied().unwrap_or(0);
            let concept = concepts.get(d.ags.as_str()).map(|c| (*c).clone());
            let (oldest, stale) = currency
                .get(d.ags.as_str())
                .map(|(day, stale)| (Some(*day), *stale))
                .unwrap_or((None, 0));
            let mut flags = rules::flags(
                &FlagInputs {
                    has_plan: plan.is_some(),
                    allocated: plan.as_ref().map_or(0, |p| p.allocated),
                    spent,
                    year_finished,
                    longest_vacancy_months: figures.as_ref().and_then(|f| f.longest_vacancy_months),
                    review_due: concept.as_ref().and_then(|c| c.review_due),
                    oldest_reference_date: oldest,
                },
                today,
            );
            if figures.is_none() {
                flags.retain(|f| *f != Flag::LongVacancy);
            }
            DistrictRow {
                ags: d.ags.clone(),
                name: d.name.clone(),
                spent_percent: plan
                    .as_ref()
                    .and_then(|p| rules::spent_percent(spent, p.allocated)),
                plan,
                spent,
                positions: figures,
                concept,
                last_review: reviews.get(d.ags.as_str()).copied(),
                oldest_reference_date: oldest,
                stale_indicators: stale,
                flags,
                known: *known,
            }
        })
        .collect();

    // What the money pays for: FTE by role and pillar, each cell checked with and without the
    // reader's own district (a coordinator could subtract their own positions).
    let everything = known.iter().all(|k| *k);
    let own = reader.district();
    let mut uses: HashMap<(st::PositionRole, String), (i64, i64, i64)> = HashMap::new();
    for g in &facts.uses {
        let e = uses
            .entry((g.role, g.pillar_name.clone()))
            .or_insert((0, 0, 0));
        e.0 += g.positions;
        e.1 += g.fte_e4;
        if Some(g.district_ags.as_str()) != own {
            e.2 += g.positions;
        }
    }
    let mut uses: Vec<_> = uses.into_iter().collect();
    uses.sort_by(|a, b| {
        b.1 .1
            .cmp(&a.1 .1)
            .then_with(|| (a.0 .0.as_str(), &a.0 .1).cmp(&(b.0 .0.as_str(), &b.0 .1)))
    });
    let cells: Vec<(Vec<i64>, bool)> = uses
        .iter()
        .map(|(_, (n, _, others))| (vec![*n, *others], everything))
        .collect();
    let suppression = rules::suppress(&cells);
    let uses = uses
        .into_iter()
        .zip(suppression.withheld)
        .map(|(((role, pillar_name), (n, fte, _)), w)| UseRow {
            role,
            pillar_name,
            figures: (!w).then_some((n, fte)),
        })
        .collect();

    let totals = series.last().cloned().unwrap_or(YearTotals {
        year,
        districts_with_plan: 0,
        budget: 0,
        allocated: 0,
        spent: 0,
        spent_percent: None,
        positions: None,
    });
    StateMonitoring {
        year,
        as_of: rules::as_of(year, today),
        today,
        totals,
        districts: rows,
        series,
        uses,
    }
}

/// A pillar of a district's official plan with what was drawn for it.
#[derive(Debug, Clone)]
pub struct PillarSpending {
    pub pillar_id: String,
    pub name: String,
    /// Cents the plan gives the pillar.
    pub allocated: i64,
    pub fte: Decimal,
    pub spent: i64,
    /// Whole-year entry, or the four quarters.
    pub whole_year: Option<i64>,
    pub quarters: [Option<i64>; 4],
}

/// A district's own monitoring of a year, for those who may read its non-public data.
#[derive(Debug, Clone)]
pub struct DistrictMonitoring {
    pub row: DistrictRow,
    pub series: Vec<YearTotals>,
    pub pillars: Vec<PillarSpending>,
    pub positions: Vec<st::Position>,
    pub reviews: Vec<st::ReviewMeeting>,
    pub concepts: Vec<st::ConceptFact>,
}

/// The pillars (`(id, name)`) and the plan's figures of a district's official plan of a year.
pub async fn plan_pillars(
    storage: &dyn Storage,
    district_ags: &str,
    year: i32,
) -> Result<Option<Vec<srb_allocation::concept::PillarResult>>, PlanError> {
    let Some(plan) = storage
        .official_plans(year, &[district_ags.to_owned()])
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let run = storage
        .runs_by_ids(&[plan.run_id])
        .await?
        .into_iter()
        .next()
        .ok_or(PlanError::NotFound("Run"))?;
    Ok(Some(planning::payload(&run)?.result.pillars))
}

pub async fn district_monitoring(
    storage: &dyn Storage,
    reader: &Reader,
    district: &st::District,
    year: i32,
    today: NaiveDate,
) -> Result<DistrictMonitoring, PlanError> {
    let facts = storage
        .monitoring_facts(
            year,
            Some(&district.ags),
            rules::long_vacancy_cutoff(year, today),
        )
        .await?;
    let state = assemble(std::slice::from_ref(district), &facts, reader, year, today);
    let row = state
        .districts
        .into_iter()
        .next()
        .ok_or(PlanError::NotFound("District"))?;
    let spending = storage.spending_of(&district.ags, year).await?;
    let pillars = plan_pillars(storage, &district.ags, year)
        .await?
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let mine: Vec<&st::SpendingEntry> =
                spending.iter().filter(|s| s.pillar_id == p.id).collect();
            let mut quarters = [None; 4];
            for s in &mine {
                if (1..=4).contains(&s.quarter) {
                    quarters[(s.quarter - 1) as usize] = Some(s.amount);
                }
            }
            PillarSpending {
                whole_year: mine.iter().find(|s| s.quarter == 0).map(|s| s.amount),
                spent: mine.iter().map(|s| s.amount).sum(),
                quarters,
                allocated: p.allocated,
                fte: p.fte,
                pillar_id: p.id,
                name: p.name,
            }
        })
        .collect();
    Ok(DistrictMonitoring {
        row,
        series: state.series,
        pillars,
        positions: storage.positions_of(&district.ags, year).await?,
        reviews: storage.review_meetings_of(&district.ags).await?,
        concepts: facts.concepts,
    })
}

/// A position as entered, before it is checked.
#[derive(Debug, Clone)]
pub struct PositionInput {
    pub year: i32,
    pub title: String,
    pub role: st::PositionRole,
    pub profile_id: Option<i64>,
    pub fte: Decimal,
    pub pay_grade: Option<String>,
    pub employer_kind: st::EmployerKind,
    pub employer_name: String,
    pub line_supervision: String,
    pub professional_supervision: String,
    pub pillar: String,
    pub kitas: Vec<(i64, Decimal)>,
    pub status: PositionStatus,
    pub status_since: NaiveDate,
}

/// A position to save: the field path its problems are reported under, the id and version of
/// the position it updates (none: a new one), and what was entered.
pub type PositionEntry = (String, Option<(i64, i32)>, PositionInput);

/// The pillars a position of `year` may be funded by: those of the year's official plan, or
/// else of the district's decided concepts.
async fn fundable_pillars(
    storage: &dyn Storage,
    district_ags: &str,
    year: i32,
) -> Result<Vec<(String, String)>, PlanError> {
    if let Some(pillars) = plan_pillars(storage, district_ags, year).await? {
        return Ok(pillars.into_iter().map(|p| (p.id, p.name)).collect());
    }
    let mut out = Vec::new();
    for c in storage
        .concepts_of(&[district_ags.to_owned()], false)
        .await?
    {
        if c.status != st::ConceptStatus::Decided {
            continue;
        }
        if let Ok(doc) = planning::parse_document(&c.document) {
            for p in doc.concept.pillars {
                if !out.iter().any(|(id, _): &(String, String)| *id == p.id) {
                    out.push((p.id, p.name));
                }
            }
        }
    }
    Ok(out)
}

/// Checks positions of one district (`field` prefixes each problem, e.g. `input.position`)
/// and writes them all, or none.
pub async fn save_positions(
    storage: &dyn Storage,
    actor: Option<i64>,
    district_ags: &str,
    inputs: Vec<PositionEntry>,
    synthetic: bool,
) -> Result<Vec<st::Position>, PlanError> {
    let (writes, problems) = check_positions(storage, district_ags, inputs, synthetic).await?;
    if let Some((field, message)) = problems.into_iter().next() {
        return Err(input(field, message));
    }
    Ok(storage.write_positions(actor, &writes).await?)
}

/// Every entry checked: the writes of the good ones and each bad one's first problem
/// (field, message).
async fn check_positions(
    storage: &dyn Storage,
    district_ags: &str,
    inputs: Vec<PositionEntry>,
    synthetic: bool,
) -> Result<(Vec<st::PositionWrite>, Vec<(String, String)>), PlanError> {
    let mut kita_ids: Vec<i64> = inputs
        .iter()
        .flat_map(|(_, _, p)| p.kitas.iter().map(|(k, _)| *k))
        .collect();
    kita_ids.sort_unstable();
    kita_ids.dedup();
    let kitas: HashMap<i64, st::Kita> = storage
        .kitas_by_ids(&kita_ids)
        .await?
        .into_iter()
        .map(|k| (k.id, k))
        .collect();
    let updated: Vec<i64> = inputs
        .iter()
        .filter_map(|(_, u, _)| u.map(|(id, _)| id))
        .collect();
    let existing: HashMap<i64, st::Position> = storage
        .positions_by_ids(&updated)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let mut pillars: HashMap<i32, Vec<(String, String)>> = HashMap::new();
    let mut writes = Vec::with_capacity(inputs.len());
    let mut problems = Vec::new();
    for (field, update, p) in inputs {
        let checked = check_one(
            storage,
            district_ags,
            &field,
            update,
            p,
            &kitas,
            &existing,
            &mut pillars,
            synthetic,
        )
        .await;
        match checked {
            Ok(w) => writes.push(w),
            Err(PlanError::NotFound("Position")) => problems.push((
                format!("{field}.id"),
                "Diese Stelle gibt es nicht (mehr).".to_owned(),
            )),
            Err(PlanError::Input { field, message }) => problems.push((field, message)),
            Err(e) => return Err(e),
        }
    }
    Ok((writes, problems))
}

/// Checks one position of `district_ags` and makes its write.
#[allow(clippy::too_many_arguments)]
async fn check_one(
    storage: &dyn Storage,
    district_ags: &str,
    field: &str,
    update: Option<(i64, i32)>,
    p: PositionInput,
    kitas: &HashMap<i64, st::Kita>,
    existing: &HashMap<i64, st::Position>,
    pillars: &mut HashMap<i32, Vec<(String, String)>>,
    synthetic: bool,
) -> Result<st::PositionWrite, PlanError> {
    let f = |name: &str| format!("{field}.{name}");
    if let Some((id, _)) = update {
        match existing.get(&id) {
            Some(old) if old.district_ags == district_ags && old.deleted_at.is_none() => {}
            Some(_) => {
                return Err(input(
                    f("id"),
                    "Diese Stelle gehört zu einem anderen Bezirk.",
                ))
            }
            None => return Err(PlanError::NotFound("Position")),
        }
    }
    if !(FIRST_YEAR..=2100).contains(&p.year) {
        return Err(input(
            f("year"),
            format!("{} ist kein Jahr des Sozialraumbudgets.", p.year),
        ));
    }
    let title = srb_domain::parse::name(&f("title"), &p.title)?;
    let fte_e4 = rules::parse_fte(&f("fte"), p.fte)?;
    rules::check_kita_shares(&f("kitas"), &p.kitas)?;
    for (i, (kita, _)) in p.kitas.iter().enumerate() {
        match kitas.get(kita) {
            Some(k) if k.district_ags == district_ags && k.deleted_at.is_none() => {}
            Some(k) => {
                return Err(input(
                    format!("{field}.kitas[{i}].kitaId"),
                    format!(
                        "Die Kita „{}“ liegt in einem anderen Bezirk; eine Stelle arbeitet nur für Kitas des eigenen Bezirks.",
                        k.name
                    ),
                ))
            }
            None => {
                return Err(input(
                    format!("{field}.kitas[{i}].kitaId"),
                    "Diese Kita gibt es nicht.",
                ))
            }
        }
    }
    if let std::collections::hash_map::Entry::Vacant(e) = pillars.entry(p.year) {
        e.insert(fundable_pillars(storage, district_ags, p.year).await?);
    }
    let known = &pillars[&p.year];
    let pillar = p.pillar.trim();
    let Some((pillar_id, pillar_name)) = known
        .iter()
        .find(|(id, name)| id == pillar || name.eq_ignore_ascii_case(pillar))
    else {
        let names: Vec<&str> = known.iter().map(|(_, n)| n.as_str()).collect();
        return Err(input(
            f("pillar"),
            if names.is_empty() {
                format!(
                    "Für {} gibt es weder einen offiziellen Plan noch eine beschlossene Konzeption mit Säulen.",
                    p.year
                )
            } else {
                format!(
                    "„{pillar}“ ist keine Säule der Konzeption; bekannt sind: {}.",
                    names.join(", ")
                )
            },
        ));
    };
    if p.status_since > NaiveDate::from_ymd_opt(p.year + 1, 12, 31).unwrap_or(p.status_since) {
        return Err(input(
            f("statusSince"),
            "Das Datum liegt nach dem Ende des Folgejahres.",
        ));
    }
    let text = |name: &str, v: &str| srb_domain::parse::name(&f(name), v);
    let data = st::PositionData {
        district_ags: district_ags.to_owned(),
        year: p.year,
        title,
        role: p.role,
        profile_id: p.profile_id,
        fte_e4,
        pay_grade: srb_domain::parse::text(&f("payGrade"), p.pay_grade.as_deref())?,
        employer_kind: p.employer_kind,
        employer_name: text("employerName", &p.employer_name)?,
        line_supervision: text("lineSupervision", &p.line_supervision)?,
        professional_supervision: text("professionalSupervision", &p.professional_supervision)?,
        pillar_id: pillar_id.clone(),
        pillar_name: pillar_name.clone(),
        kitas: p
            .kitas
            .iter()
            .map(|(k, s)| st::KitaShare {
                kita_id: *k,
                share: s.normalize().to_string(),
            })
            .collect(),
        status: p.status,
        status_since: p.status_since,
        synthetic,
    };
    Ok(match update {
        None => st::PositionWrite::Create(data),
        Some((id, expected_version)) => st::PositionWrite::Update {
            id,
            expected_version,
            data,
        },
    })
}

/// Checks a year's spending entries against the official plan and records them all, or none.
/// More than the plan gives is accepted (and flagged in the overview).
pub async fn record_spending(
    storage: &dyn Storage,
    actor: Option<i64>,
    district_ags: &str,
    year: i32,
    entries: Vec<(String, st::SpendingData)>,
    synthetic: bool,
) -> Result<st::SpendingOutcome, PlanError> {
    let pillars = official_pillars(storage, district_ags, year).await?;
    record_against(
        storage,
        actor,
        district_ags,
        year,
        &pillars,
        entries,
        synthetic,
    )
    .await
}

/// The pillars of the year's official plan, or the input error that there is none.
async fn official_pillars(
    storage: &dyn Storage,
    district_ags: &str,
    year: i32,
) -> Result<Vec<srb_allocation::concept::PillarResult>, PlanError> {
    plan_pillars(storage, district_ags, year).await?.ok_or_else(|| {
        input(
            "input.year",
            format!(
                "Für {year} gibt es keinen offiziellen Plan; Mittelabrufe werden gegen den offiziellen Plan erfasst."
            ),
        )
    })
}

/// [`record_spending`] against pillars already read.
async fn record_against(
    storage: &dyn Storage,
    actor: Option<i64>,
    district_ags: &str,
    year: i32,
    pillars: &[srb_allocation::concept::PillarResult],
    entries: Vec<(String, st::SpendingData)>,
    synthetic: bool,
) -> Result<st::SpendingOutcome, PlanError> {
    let existing = storage.spending_of(district_ags, year).await?;
    // A pillar is named by its id or its name.
    let mut entries = entries;
    for (_, e) in entries.iter_mut() {
        let named = e.pillar_id.trim();
        if let Some(p) = pillars
            .iter()
            .find(|p| p.id == named || p.name.eq_ignore_ascii_case(named))
        {
            e.pillar_id = p.id.clone();
        }
    }
    let mut seen: Vec<(&str, i32)> = Vec::new();
    for (field, e) in &entries {
        if !pillars.iter().any(|p| p.id == e.pillar_id) {
            let names: Vec<&str> = pillars.iter().map(|p| p.name.as_str()).collect();
            return Err(input(
                format!("{field}.pillar"),
                format!(
                    "„{}“ ist keine Säule des offiziellen Plans {year}; bekannt sind: {}.",
                    e.pillar_id,
                    names.join(", ")
                ),
            ));
        }
        if e.amount < 0 {
            return Err(input(
                format!("{field}.amount"),
                "Ein Mittelabruf ist nicht negativ.",
            ));
        }
        if seen.contains(&(e.pillar_id.as_str(), e.quarter)) {
            return Err(input(
                format!("{field}.pillar"),
                "Diese Säule steht für diesen Zeitraum zweimal in der Eingabe.",
            ));
        }
        seen.push((e.pillar_id.as_str(), e.quarter));
    }
    // A pillar's year is either one sum or four quarters, never both (they would add twice).
    for (field, e) in &entries {
        let clash = entries
            .iter()
            .map(|(_, o)| (o.pillar_id.as_str(), o.quarter))
            .chain(existing.iter().map(|o| (o.pillar_id.as_str(), o.quarter)))
            .any(|(p, q)| p == e.pillar_id && (q == 0) != (e.quarter == 0));
        if clash {
            return Err(input(
                format!("{field}.quarter"),
                "Für diese Säule gibt es schon Quartalswerte und einen Jahreswert; bitte entweder das ganze Jahr oder die Quartale erfassen.",
            ));
        }
    }
    let data: Vec<st::SpendingData> = entries.into_iter().map(|(_, e)| e).collect();
    Ok(storage
        .record_spending(actor, district_ags, year, &data, synthetic)
        .await?)
}

/// What a spending import did: the problems with row and column, or what was stored.
#[derive(Debug, Clone, Default)]
pub struct SpendingImport {
    pub problems: Vec<srb_sheets::Problem>,
    pub rows: usize,
    pub outcome: Option<st::SpendingOutcome>,
}

/// Reads a spreadsheet of a year's spending and records it all, or nothing when any row has
/// a problem (an unknown pillar, a quarter outside 1 to 4, an amount that is no amount).
pub async fn import_spending(
    storage: &dyn Storage,
    actor: Option<i64>,
    district_ags: &str,
    year: i32,
    bytes: &[u8],
) -> Result<SpendingImport, PlanError> {
    let pillars = official_pillars(storage, district_ags, year).await?;
    let named: Vec<(String, String)> = pillars
        .iter()
        .map(|p| (p.id.clone(), p.name.clone()))
        .collect();
    let rows = match srb_sheets::read_spending(bytes, &named) {
        Ok(rows) => rows,
        Err(problems) => {
            return Ok(SpendingImport {
                problems,
                ..Default::default()
            })
        }
    };
    let entries = rows
        .iter()
        .map(|r| {
            (
                format!("Zeile {}", r.row),
                st::SpendingData {
                    pillar_id: r.pillar_id.clone(),
                    quarter: r.quarter,
                    amount: r.amount,
                },
            )
        })
        .collect();
    match record_against(storage, actor, district_ags, year, &pillars, entries, false).await {
        Ok(outcome) => Ok(SpendingImport {
            problems: Vec::new(),
            rows: rows.len(),
            outcome: Some(outcome),
        }),
        Err(PlanError::Input { field, message }) => {
            let row = field
                .strip_prefix("Zeile ")
                .and_then(|r| r.split('.').next())
                .and_then(|r| r.parse().ok());
            Ok(SpendingImport {
                problems: vec![match row {
                    Some(r) => srb_sheets::Problem::at(r, None, message),
                    None => srb_sheets::Problem::file(message),
                }],
                rows: rows.len(),
                outcome: None,
            })
        }
        Err(e) => Err(e),
    }
}

/// What a positions import did: the problems with row and column, or what was stored.
#[derive(Debug, Clone, Default)]
pub struct PositionImport {
    pub problems: Vec<srb_sheets::Problem>,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
}

/// The column of the positions sheet a field of a position belongs to.
fn position_column(field: &str) -> Option<String> {
    let name = field.split_once('.').map_or("", |(_, f)| f);
    let index = match name.split(['[', '.']).next().unwrap_or_default() {
        "id" => 0,
        "title" => 2,
        "role" => 3,
        "pillar" => 4,
        "fte" => 5,
        "payGrade" => 6,
        "employerName" => 7,
        "employerKind" => 8,
        "lineSupervision" => 9,
        "professionalSupervision" => 10,
        "kitas" => 11,
        "status" => 12,
        "statusSince" => 13,
        _ => return None,
    };
    Some(srb_sheets::positions::column_of(index))
}

/// Reads the positions register of a year from a spreadsheet (the export's columns) and writes
/// it all, or nothing when any row has a problem: new rows are new positions, rows with a
/// „Nr.“ update that position given the version they were exported with.
pub async fn import_positions(
    storage: &dyn Storage,
    actor: Option<i64>,
    district_ags: &str,
    year: i32,
    bytes: &[u8],
) -> Result<PositionImport, PlanError> {
    let known: Vec<srb_sheets::KnownKita> = planning::district_kitas(storage, district_ags)
        .await?
        .into_iter()
        .map(|k| srb_sheets::KnownKita {
            id: k.id,
            name: k.name,
        })
        .collect();
    let rows = match srb_sheets::read_positions(bytes, &known) {
        Ok(rows) => rows,
        Err(problems) => {
            return Ok(PositionImport {
                problems,
                ..Default::default()
            })
        }
    };
    let entries: Vec<PositionEntry> = rows
        .iter()
        .map(|r| {
            (
                format!("Zeile {}", r.row),
                r.update,
                PositionInput {
                    year,
                    title: r.title.clone(),
                    role: r.role,
                    profile_id: None,
                    fte: r.fte,
                    pay_grade: r.pay_grade.clone(),
                    employer_kind: r.employer_kind,
                    employer_name: r.employer_name.clone(),
                    line_supervision: r.line_supervision.clone(),
                    professional_supervision: r.professional_supervision.clone(),
                    pillar: r.pillar.clone(),
                    kitas: r.kitas.clone(),
                    status: r.status,
                    status_since: r.status_since,
                },
            )
        })
        .collect();
    let (writes, problems) = check_positions(storage, district_ags, entries, false).await?;
    if !problems.is_empty() {
        let problems = problems
            .into_iter()
            .map(|(field, message)| {
                let row = field
                    .strip_prefix("Zeile ")
                    .and_then(|r| r.split('.').next())
                    .and_then(|r| r.parse().ok());
                match row {
                    Some(r) => srb_sheets::Problem::at(r, position_column(&field), message),
                    None => srb_sheets::Problem::file(message),
                }
            })
            .collect();
        return Ok(PositionImport {
            problems,
            rows: rows.len(),
            ..Default::default()
        });
    }
    let updated = rows.iter().filter(|r| r.update.is_some()).count();
    match storage.write_positions(actor, &writes).await {
        Ok(_) => Ok(PositionImport {
            problems: Vec::new(),
            rows: rows.len(),
            created: rows.len() - updated,
            updated,
        }),
        Err(st::StorageError::Conflict { id, .. }) => Ok(PositionImport {
            problems: vec![srb_sheets::Problem::file(format!(
                "Die Stelle Nr. {id} wurde seit dem Herunterladen geändert; bitte das Stellenregister neu herunterladen und die Änderungen dort eintragen. Nichts wurde gespeichert."
            ))],
            rows: rows.len(),
            ..Default::default()
        }),
        Err(e) => Err(e.into()),
    }
}
