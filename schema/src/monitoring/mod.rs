//! Monitoring: the state overview (allocated against drawn, positions planned against filled,
//! concepts' review, the age of the data), a district's own monitoring, the positions register,
//! spending and review meetings. Resolvers authorise and translate; the figures and the
//! small-count rule are in [`srb_app::monitoring`] and [`srb_domain::monitoring`].

mod mutation;
mod query;

pub use mutation::*;
pub use query::*;

use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use srb_app::monitoring as mon;
use srb_domain::monitoring::{self as rules, fte, Flag};
use srb_storage as st;

use crate::ids::{self, NodeType};
use crate::records::{District, Kita};
use crate::shared::euros;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::PositionStatus")]
/// Stand einer Stelle.
pub enum PositionStatus {
    /// Geplant und finanziert, noch nicht besetzt oder ausgeschrieben.
    Planned,
    Filled,
    Vacant,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::EmployerKind")]
/// Wer die Stelle anstellt („Hutfrage“).
pub enum EmployerKind {
    YouthOffice,
    KitaProvider,
    /// Freier Träger ohne eigene Kitas.
    IndependentProvider,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::PositionRole")]
/// Wofür eine Stelle da ist, landesweit einheitlich.
pub enum PositionRole {
    KitaSocialWork,
    Intercultural,
    /// Betriebserlaubnisrelevantes Mehrpersonal.
    LicenceStaff,
    FamilyCenter,
    Networker,
    KitaGuide,
    Coordination,
    Other,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
/// Warum ein Bezirk in der Übersicht auffällt.
pub enum MonitoringFlag {
    /// Kein offizieller Plan für das Jahr.
    NoPlan,
    /// Abgeschlossenes Jahr, weniger als 80 % der Mittel abgerufen.
    LowSpending,
    /// Mehr abgerufen als zugewiesen (angenommen, aber auffällig).
    Overspent,
    /// Eine Stelle ist seit sechs Monaten oder länger unbesetzt.
    LongVacancy,
    /// Die Überprüfung der Konzeption ist überfällig.
    ReviewOverdue,
    /// Daten älter als zwei Jahre, oder keine Daten.
    StaleData,
}

impl From<Flag> for MonitoringFlag {
    fn from(f: Flag) -> Self {
        match f {
            Flag::NoPlan => Self::NoPlan,
            Flag::LowSpending => Self::LowSpending,
            Flag::Overspent => Self::Overspent,
            Flag::LongVacancy => Self::LongVacancy,
            Flag::ReviewOverdue => Self::ReviewOverdue,
            Flag::StaleData => Self::StaleData,
        }
    }
}

/// Stellen nach Stand; Zahlen über weniger als fünf Stellen sieht nur, wer die Daten des
/// Bezirks lesen darf.
pub struct PositionFigures(pub(crate) mon::PositionFigures);

#[Object]
impl PositionFigures {
    async fn positions(&self) -> i64 {
        self.0.positions
    }
    /// Geplante VZÄ (alle Stellen).
    async fn planned_fte(&self) -> Decimal {
        fte(self.0.planned_fte_e4)
    }
    async fn filled_positions(&self) -> i64 {
        self.0.filled
    }
    async fn filled_fte(&self) -> Decimal {
        fte(self.0.filled_fte_e4)
    }
    async fn vacant_positions(&self) -> i64 {
        self.0.vacant
    }
    async fn vacant_fte(&self) -> Decimal {
        fte(self.0.vacant_fte_e4)
    }
    /// Geplant, noch nicht ausgeschrieben oder besetzt.
    async fn open_positions(&self) -> i64 {
        self.0.open
    }
    async fn open_fte(&self) -> Decimal {
        fte(self.0.open_fte_e4)
    }
    /// Seit sechs Monaten oder länger unbesetzt.
    async fn long_vacancies(&self) -> i64 {
        self.0.long_vacancies
    }
    /// Die längste Vakanz in ganzen Monaten (zum Stichtag des Jahres).
    async fn longest_vacancy_months(&self) -> Option<u32> {
        self.0.longest_vacancy_months
    }
}

/// Landessummen eines Jahres.
pub struct MonitoringTotals(pub(crate) mon::YearTotals);

#[Object]
impl MonitoringTotals {
    async fn year(&self) -> i32 {
        self.0.year
    }
    async fn districts_with_plan(&self) -> i64 {
        self.0.districts_with_plan
    }
    /// Budget der offiziellen Pläne in Euro.
    async fn budget(&self) -> Decimal {
        euros(self.0.budget)
    }
    /// Zugewiesen (offizielle Pläne) in Euro.
    async fn allocated(&self) -> Decimal {
        euros(self.0.allocated)
    }
    /// Abgerufen in Euro.
    async fn spent(&self) -> Decimal {
        euros(self.0.spent)
    }
    /// Abgerufen in Prozent der Zuweisung.
    async fn spent_percent(&self) -> Option<Decimal> {
        self.0.spent_percent
    }
    /// Leer, wenn die Zahlen wegen der Kleinzahlregel zurückgehalten werden.
    async fn positions(&self) -> Option<PositionFigures> {
        self.0.positions.clone().map(PositionFigures)
    }
    /// Die Stellenzahlen werden zurückgehalten („< 5“).
    async fn positions_withheld(&self) -> bool {
        self.0.positions.is_none()
    }
}

/// Lebenszyklus einer beschlossenen Konzeption.
pub struct ConceptLifecycle {
    pub(crate) fact: st::ConceptFact,
    pub(crate) today: NaiveDate,
}

#[Object]
impl ConceptLifecycle {
    async fn id(&self) -> ID {
        ids::encode(NodeType::Concept, self.fact.id)
    }
    async fn name(&self) -> &str {
        &self.fact.name
    }
    /// Beschluss des Jugendhilfeausschusses.
    async fn adopted_on(&self) -> Option<NaiveDate> {
        self.fact.decided_on
    }
    async fn valid_from(&self) -> Option<i32> {
        self.fact.valid_from
    }
    async fn valid_to(&self) -> Option<i32> {
        self.fact.valid_to
    }
    async fn review_due(&self) -> Option<NaiveDate> {
        self.fact.review_due
    }
    async fn review_overdue(&self) -> bool {
        self.fact.review_due.is_some_and(|d| d < self.today)
    }
    async fn version(&self) -> i32 {
        self.fact.version
    }
}

/// Ein Bezirk in der Übersicht eines Jahres.
pub struct DistrictMonitoringRow {
    pub(crate) row: mon::DistrictRow,
    pub(crate) today: NaiveDate,
}

#[Object]
impl DistrictMonitoringRow {
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        crate::records::district_by_ags(ctx, &self.row.ags).await
    }
    async fn district_ags(&self) -> &str {
        &self.row.ags
    }
    async fn name(&self) -> &str {
        &self.row.name
    }
    async fn has_plan(&self) -> bool {
        self.row.plan.is_some()
    }
    /// Budget des offiziellen Plans in Euro.
    async fn budget(&self) -> Option<Decimal> {
        self.row.plan.as_ref().map(|p| euros(p.budget))
    }
    /// Zugewiesen (offizieller Plan) in Euro.
    async fn allocated(&self) -> Option<Decimal> {
        self.row.plan.as_ref().map(|p| euros(p.allocated))
    }
    async fn spent(&self) -> Decimal {
        euros(self.row.spent)
    }
    async fn spent_percent(&self) -> Option<Decimal> {
        self.row.spent_percent
    }
    /// Leer, wenn die Zahlen wegen der Kleinzahlregel zurückgehalten werden.
    async fn positions(&self) -> Option<PositionFigures> {
        self.row.positions.clone().map(PositionFigures)
    }
    async fn positions_withheld(&self) -> bool {
        self.row.positions.is_none()
    }
    /// Die geltende (zuletzt beschlossene) Konzeption.
    async fn concept(&self) -> Option<ConceptLifecycle> {
        self.row.concept.clone().map(|fact| ConceptLifecycle {
            fact,
            today: self.today,
        })
    }
    /// Die letzte Sozialraum- bzw. Überprüfungskonferenz.
    async fn last_review(&self) -> Option<NaiveDate> {
        self.row.last_review
    }
    /// Der älteste der neuesten Stichtage der Indikatoren; leer ohne Daten.
    async fn oldest_reference_date(&self) -> Option<NaiveDate> {
        self.row.oldest_reference_date
    }
    /// Indikatoren, deren neuester Stichtag mehr als zwei Jahre zurückliegt.
    async fn stale_indicators(&self) -> i64 {
        self.row.stale_indicators
    }
    async fn flags(&self) -> Vec<MonitoringFlag> {
        self.row.flags.iter().map(|f| (*f).into()).collect()
    }
}

/// VZÄ einer Rolle und Säule im ganzen Land: wofür das Geld eingesetzt wird.
pub struct PositionUse(pub(crate) mon::UseRow);

#[Object]
impl PositionUse {
    async fn role(&self) -> PositionRole {
        self.0.role.into()
    }
    async fn role_label(&self) -> &'static str {
        self.0.role.german()
    }
    async fn pillar_name(&self) -> &str {
        &self.0.pillar_name
    }
    async fn positions(&self) -> Option<i64> {
        self.0.figures.map(|f| f.0)
    }
    async fn fte(&self) -> Option<Decimal> {
        self.0.figures.map(|f| fte(f.1))
    }
    async fn withheld(&self) -> bool {
        self.0.figures.is_none()
    }
}

/// Monitoring eines Jahres für das ganze Land.
pub struct StateMonitoring(pub(crate) mon::StateMonitoring);

#[Object]
impl StateMonitoring {
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Stichtag der Stellen- und Vakanzangaben (Jahresende, im laufenden Jahr heute).
    async fn as_of(&self) -> NaiveDate {
        self.0.as_of
    }
    async fn totals(&self) -> MonitoringTotals {
        MonitoringTotals(self.0.totals.clone())
    }
    /// Alle 41 Bezirke, nach AGS.
    async fn districts(&self) -> Vec<DistrictMonitoringRow> {
        self.0
            .districts
            .iter()
            .map(|row| DistrictMonitoringRow {
                row: row.clone(),
                today: self.0.today,
            })
            .collect()
    }
    /// Landessummen je Jahr seit 2021.
    async fn series(&self) -> Vec<MonitoringTotals> {
        self.0
            .series
            .iter()
            .cloned()
            .map(MonitoringTotals)
            .collect()
    }
    /// VZÄ nach Rolle und Säule, größte zuerst.
    async fn uses(&self) -> Vec<PositionUse> {
        self.0.uses.iter().cloned().map(PositionUse).collect()
    }
}

/// Eine Säule des offiziellen Plans mit ihren Mittelabrufen.
pub struct PillarSpending(pub(crate) mon::PillarSpending);

#[Object]
impl PillarSpending {
    async fn pillar_id(&self) -> &str {
        &self.0.pillar_id
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Im offiziellen Plan zugewiesen, in Euro.
    async fn allocated(&self) -> Decimal {
        euros(self.0.allocated)
    }
    async fn planned_fte(&self) -> Decimal {
        self.0.fte
    }
    async fn spent(&self) -> Decimal {
        euros(self.0.spent)
    }
    async fn spent_percent(&self) -> Option<Decimal> {
        rules::spent_percent(self.0.spent, self.0.allocated)
    }
    /// Jahreswert, wenn nicht nach Quartalen erfasst.
    async fn whole_year(&self) -> Option<Decimal> {
        self.0.whole_year.map(euros)
    }
    /// Quartale 1 bis 4; leer, wo nichts erfasst ist.
    async fn quarters(&self) -> Vec<Option<Decimal>> {
        self.0.quarters.iter().map(|q| q.map(euros)).collect()
    }
    async fn overspent(&self) -> bool {
        self.0.spent > self.0.allocated
    }
}

/// Eine Kita, für die eine Stelle arbeitet, mit ihrem Anteil.
pub struct PositionKita(pub(crate) st::KitaShare);

#[Object]
impl PositionKita {
    async fn kita_id(&self) -> ID {
        ids::encode(NodeType::Kita, self.0.kita_id)
    }
    async fn kita(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Kita>> {
        crate::records::kita_by_id(ctx, self.0.kita_id).await
    }
    async fn share(&self) -> Decimal {
        self.0.share.parse().unwrap_or_default()
    }
}

/// Ein früherer Stand einer Stelle, aus dem Änderungsprotokoll.
#[derive(SimpleObject)]
pub struct PositionVersion {
    pub version: i32,
    pub changed_at: chrono::DateTime<chrono::Utc>,
    pub status: Option<PositionStatus>,
    pub status_since: Option<NaiveDate>,
    pub fte: Option<Decimal>,
    pub title: Option<String>,
}

/// Eine Stelle des Stellenregisters.
pub struct Position {
    pub(crate) p: st::Position,
    pub(crate) today: NaiveDate,
}

#[Object]
impl Position {
    async fn id(&self) -> ID {
        ids::encode(NodeType::Position, self.p.id)
    }
    async fn version(&self) -> i32 {
        self.p.version
    }
    async fn district_ags(&self) -> &str {
        &self.p.district_ags
    }
    /// Das Förderjahr.
    async fn year(&self) -> i32 {
        self.p.year
    }
    async fn title(&self) -> &str {
        &self.p.title
    }
    async fn role(&self) -> PositionRole {
        self.p.role.into()
    }
    async fn role_label(&self) -> &'static str {
        self.p.role.german()
    }
    /// Das Aufgabenprofil (Dokument der Wissenssammlung), falls verknüpft.
    async fn profile_id(&self) -> Option<ID> {
        self.p
            .profile_id
            .map(|id| ids::encode(NodeType::RoleProfile, id))
    }
    async fn fte(&self) -> Decimal {
        fte(self.p.fte_e4)
    }
    /// Wochenstunden (VZÄ × 39).
    async fn weekly_hours(&self) -> Decimal {
        (fte(self.p.fte_e4) * Decimal::from(39)).normalize()
    }
    async fn pay_grade(&self) -> Option<&str> {
        self.p.pay_grade.as_deref()
    }
    async fn employer_kind(&self) -> EmployerKind {
        self.p.employer_kind.into()
    }
    async fn employer_name(&self) -> &str {
        &self.p.employer_name
    }
    /// Wer die Dienstaufsicht hat.
    async fn line_supervision(&self) -> &str {
        &self.p.line_supervision
    }
    /// Wer die Fachaufsicht hat.
    async fn professional_supervision(&self) -> &str {
        &self.p.professional_supervision
    }
    async fn pillar_id(&self) -> &str {
        &self.p.pillar_id
    }
    async fn pillar_name(&self) -> &str {
        &self.p.pillar_name
    }
    async fn kitas(&self) -> Vec<PositionKita> {
        self.p.kita_shares().into_iter().map(PositionKita).collect()
    }
    async fn status(&self) -> PositionStatus {
        self.p.status.into()
    }
    /// Seit wann der Stand gilt (bei unbesetzten Stellen: unbesetzt seit).
    async fn status_since(&self) -> NaiveDate {
        self.p.status_since
    }
    /// Ganze Monate unbesetzt, zum Stichtag des Förderjahres; leer, wenn besetzt oder geplant.
    async fn vacant_months(&self) -> Option<u32> {
        (self.p.status == st::PositionStatus::Vacant).then(|| {
            rules::months_between(self.p.status_since, rules::as_of(self.p.year, self.today))
        })
    }
    async fn synthetic(&self) -> bool {
        self.p.synthetic
    }
    /// Alle Stände der Stelle, neuester zuerst.
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<PositionVersion>> {
        query::position_history(ctx, self.p.id).await
    }
}

/// Eine Sozialraum- bzw. Überprüfungskonferenz.
pub struct ReviewMeeting(pub(crate) st::ReviewMeeting);

#[Object]
impl ReviewMeeting {
    async fn held_on(&self) -> NaiveDate {
        self.0.held_on
    }
    async fn participants(&self) -> &str {
        &self.0.participants
    }
    async fn outcome(&self) -> &str {
        &self.0.outcome
    }
    /// Die Konzeption, die sie geändert hat.
    async fn concept_id(&self) -> Option<ID> {
        self.0
            .concept_id
            .map(|id| ids::encode(NodeType::Concept, id))
    }
}

/// Das Monitoring eines Bezirks: für die Koordination des Bezirks, das Ministerium und die
/// Administration.
pub struct DistrictMonitoring(pub(crate) mon::DistrictMonitoring, pub(crate) NaiveDate);

#[Object]
impl DistrictMonitoring {
    async fn row(&self) -> DistrictMonitoringRow {
        DistrictMonitoringRow {
            row: self.0.row.clone(),
            today: self.1,
        }
    }
    /// Die Summen des Bezirks je Jahr seit 2021.
    async fn series(&self) -> Vec<MonitoringTotals> {
        self.0
            .series
            .iter()
            .cloned()
            .map(MonitoringTotals)
            .collect()
    }
    /// Die Säulen des offiziellen Plans mit ihren Mittelabrufen.
    async fn pillars(&self) -> Vec<PillarSpending> {
        self.0.pillars.iter().cloned().map(PillarSpending).collect()
    }
    /// Die Stellen des Förderjahres.
    async fn positions(&self) -> Vec<Position> {
        self.0
            .positions
            .iter()
            .cloned()
            .map(|p| Position { p, today: self.1 })
            .collect()
    }
    async fn review_meetings(&self) -> Vec<ReviewMeeting> {
        self.0.reviews.iter().cloned().map(ReviewMeeting).collect()
    }
    /// Die beschlossenen Konzeptionen, nach Beschlussdatum.
    async fn concepts(&self) -> Vec<ConceptLifecycle> {
        self.0
            .concepts
            .iter()
            .cloned()
            .map(|fact| ConceptLifecycle {
                fact,
                today: self.1,
            })
            .collect()
    }
}
