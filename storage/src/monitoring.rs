//! Persistence of monitoring: the positions register, spending (Mittelabruf), review meetings
//! and concepts' review dates, and the few grouped reads the state overview is computed from.
//! A supertrait of [`crate::Storage`], split off only to keep each trait readable.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::model::Concept;
use crate::{Actor, Result};
pub use srb_domain::{EmployerKind, PositionRole, PositionStatus};

/// One Kita a position works for and its share of the position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KitaShare {
    pub kita_id: i64,
    /// An exact decimal, as text.
    pub share: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Position {
    pub id: i64,
    pub district_ags: String,
    pub year: i32,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub role: PositionRole,
    pub profile_id: Option<i64>,
    /// Ten-thousandths of a full-time position.
    pub fte_e4: i64,
    pub pay_grade: Option<String>,
    #[sqlx(try_from = "String")]
    pub employer_kind: EmployerKind,
    pub employer_name: String,
    pub line_supervision: String,
    pub professional_supervision: String,
    pub pillar_id: String,
    pub pillar_name: String,
    /// `[KitaShare]` as JSON.
    pub kitas: String,
    #[sqlx(try_from = "String")]
    pub status: PositionStatus,
    pub status_since: NaiveDate,
    pub synthetic: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl Position {
    pub fn kita_shares(&self) -> Vec<KitaShare> {
        serde_json::from_str(&self.kitas).unwrap_or_default()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PositionData {
    pub district_ags: String,
    pub year: i32,
    pub title: String,
    pub role: PositionRole,
    pub profile_id: Option<i64>,
    pub fte_e4: i64,
    pub pay_grade: Option<String>,
    pub employer_kind: EmployerKind,
    pub employer_name: String,
    pub line_supervision: String,
    pub professional_supervision: String,
    pub pillar_id: String,
    pub pillar_name: String,
    pub kitas: Vec<KitaShare>,
    pub status: PositionStatus,
    pub status_since: NaiveDate,
    pub synthetic: bool,
}

/// A position to write: new, or an update naming the version read.
#[derive(Debug, Clone)]
pub enum PositionWrite {
    Create(PositionData),
    Update {
        id: i64,
        expected_version: i32,
        data: PositionData,
    },
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SpendingEntry {
    pub id: i64,
    pub district_ags: String,
    pub year: i32,
    pub pillar_id: String,
    /// 1 to 4; 0 is the whole year.
    pub quarter: i32,
    /// Cents.
    pub amount: i64,
    pub synthetic: bool,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpendingData {
    pub pillar_id: String,
    pub quarter: i32,
    pub amount: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SpendingOutcome {
    pub inserted: i64,
    pub corrected: i64,
    pub unchanged: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ReviewMeeting {
    pub id: i64,
    pub district_ags: String,
    pub held_on: NaiveDate,
    pub participants: String,
    pub outcome: String,
    pub concept_id: Option<i64>,
    pub synthetic: bool,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ReviewMeetingData {
    pub district_ags: String,
    pub held_on: NaiveDate,
    pub participants: String,
    pub outcome: String,
    pub concept_id: Option<i64>,
    pub synthetic: bool,
}

/// A district's official plan of a year, without its result.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanFact {
    pub district_ags: String,
    pub year: i32,
    pub run_id: i64,
    pub budget: i64,
    pub allocated: i64,
}

/// Positions of a district, year and status.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PositionGroup {
    pub district_ags: String,
    pub year: i32,
    #[sqlx(try_from = "String")]
    pub status: PositionStatus,
    pub positions: i64,
    pub fte_e4: i64,
}

/// Positions of the chosen year of one district, role and pillar (what the money pays for).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UseGroup {
    pub district_ags: String,
    #[sqlx(try_from = "String")]
    pub role: PositionRole,
    pub pillar_name: String,
    pub positions: i64,
    pub fte_e4: i64,
}

/// The vacant positions of the chosen year of one district.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VacancyGroup {
    pub district_ags: String,
    /// The earliest „vacant since“.
    pub since: NaiveDate,
    /// Vacant since the cutoff or earlier.
    pub long: i64,
}

/// A decided concept's life cycle.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConceptFact {
    pub id: i64,
    pub district_ags: String,
    pub name: String,
    pub decided_on: Option<NaiveDate>,
    pub valid_from: Option<i32>,
    pub valid_to: Option<i32>,
    pub review_due: Option<NaiveDate>,
    pub version: i32,
}

/// Everything the monitoring of one year is computed from, for every district (or one).
#[derive(Debug, Clone, Default)]
pub struct MonitoringFacts {
    /// Official plans of every year up to the chosen one.
    pub plans: Vec<PlanFact>,
    /// Spending summed per district and year, up to the chosen one.
    pub spending: Vec<(String, i32, i64)>,
    /// Positions grouped per district, year and status, up to the chosen year.
    pub position_groups: Vec<PositionGroup>,
    /// The chosen year's positions by district, role and pillar.
    pub uses: Vec<UseGroup>,
    /// The chosen year's vacancies by district.
    pub vacancies: Vec<VacancyGroup>,
    /// Decided concepts, by district and decision date.
    pub concepts: Vec<ConceptFact>,
    /// The latest review meeting per district.
    pub last_reviews: Vec<(String, NaiveDate)>,
    /// The latest Stichtag per district and indicator.
    pub currency: Vec<(String, i64, NaiveDate)>,
}

#[async_trait]
pub trait MonitoringStore: Send + Sync {
    async fn positions_by_ids(&self, ids: &[i64]) -> Result<Vec<Position>>;
    /// A district's positions funded in a year, by pillar, title and id.
    async fn positions_of(&self, district_ags: &str, year: i32) -> Result<Vec<Position>>;
    /// Writes positions in one transaction, each with its audit record (which keeps the
    /// version before): all or nothing; a stale version fails with `Conflict`.
    async fn write_positions(
        &self,
        actor: Actor,
        writes: &[PositionWrite],
    ) -> Result<Vec<Position>>;

    async fn spending_of(&self, district_ags: &str, year: i32) -> Result<Vec<SpendingEntry>>;
    /// Records spending in one transaction: new entries inserted, changed ones corrected (the
    /// audit record keeps the old amount), equal ones left alone.
    async fn record_spending(
        &self,
        actor: Actor,
        district_ags: &str,
        year: i32,
        entries: &[SpendingData],
        synthetic: bool,
    ) -> Result<SpendingOutcome>;

    /// Newest first.
    async fn review_meetings_of(&self, district_ags: &str) -> Result<Vec<ReviewMeeting>>;
    async fn create_review_meeting(
        &self,
        actor: Actor,
        data: &ReviewMeetingData,
    ) -> Result<ReviewMeeting>;
    /// Sets when a concept is due for review, given the version read.
    async fn set_concept_review_due(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        review_due: Option<NaiveDate>,
    ) -> Result<Concept>;

    /// The grouped facts of `year` and the years before it; of one district or of all.
    /// Vacancies since `long_vacancy_cutoff` or earlier count as long.
    async fn monitoring_facts(
        &self,
        year: i32,
        district_ags: Option<&str>,
        long_vacancy_cutoff: NaiveDate,
    ) -> Result<MonitoringFacts>;
}
