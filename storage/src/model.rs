//! Records as stored. Enumerations are stored as their SCREAMING_CASE names in TEXT columns so the
//! same SQL and the same row types serve both backends.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::fmt;

pub(crate) use srb_domain::text_enum;
/// A string from the database that names no known variant: the schema's CHECK constraints make
/// this a bug, not bad input. Enumerations are defined with `srb_domain::text_enum!`.
pub use srb_domain::UnknownVariant;

text_enum!(
    /// Legal form of a Jugendamtsbezirk.
    DistrictKind {
        Landkreis = "LANDKREIS",
        KreisfreieStadt = "KREISFREIE_STADT",
        GrosseKreisangehoerigeStadt = "GROSSE_KREISANGEHOERIGE_STADT",
    }
);

text_enum!(
    /// Öffentlicher or freier Träger.
    Ownership { Public = "PUBLIC", Independent = "INDEPENDENT" }
);

text_enum!(
    ProviderKind {
        Kommunal = "KOMMUNAL",
        Katholisch = "KATHOLISCH",
        Evangelisch = "EVANGELISCH",
        Awo = "AWO",
        Drk = "DRK",
        Paritaetisch = "PARITAETISCH",
        Elterninitiative = "ELTERNINITIATIVE",
        Sonstige = "SONSTIGE",
    }
);

/// Roles live with the access rules.
pub use srb_domain::Role;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct District {
    pub ags: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: DistrictKind,
    pub nuts3: Option<String>,
    pub area_km2: Option<f64>,
    pub population: Option<i64>,
    pub population_reference_date: Option<NaiveDate>,
    pub parent_ags: Option<String>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct SocialSpace {
    pub id: i64,
    pub district_ags: String,
    pub name: String,
    pub description: Option<String>,
    pub synthetic: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Provider {
    pub id: i64,
    pub district_ags: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub ownership: Ownership,
    #[sqlx(try_from = "String")]
    pub kind: ProviderKind,
    pub synthetic: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Kita {
    pub id: i64,
    pub district_ags: String,
    pub name: String,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub places: i32,
    pub places_under3: i32,
    pub provider_id: Option<i64>,
    pub social_space_id: Option<i64>,
    pub family_center: bool,
    pub synthetic: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: Option<String>,
    #[serde(skip)]
    pub password_hash: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub district_ags: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Never shows the password hash.
impl fmt::Debug for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("role", &self.role)
            .field("district_ags", &self.district_ags)
            .finish_non_exhaustive()
    }
}

/// An API token as its owner sees it on the account page (never its secret or hash).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// After this the token no longer signs in.
    pub expires_at: Option<DateTime<Utc>>,
    /// The last request with it, to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor_user_id: Option<i64>,
    pub entity_type: String,
    pub entity_id: String,
    pub district_ags: Option<String>,
    pub action: String,
    pub old_version: Option<i32>,
    pub new_version: Option<i32>,
    pub details: String,
}

/// Validated content of a social space; see `srb-schema` for the parsing.
#[derive(Debug, Clone, Serialize)]
pub struct SocialSpaceData {
    pub district_ags: String,
    pub name: String,
    pub description: Option<String>,
    pub synthetic: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderData {
    pub district_ags: String,
    pub name: String,
    pub ownership: Ownership,
    pub kind: ProviderKind,
    pub synthetic: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct KitaData {
    pub district_ags: String,
    pub name: String,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub places: i32,
    pub places_under3: i32,
    pub provider_id: Option<i64>,
    pub social_space_id: Option<i64>,
    pub family_center: bool,
    pub synthetic: bool,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct KitaFilter {
    pub district_ags: Option<String>,
    pub social_space_id: Option<i64>,
    pub provider_id: Option<i64>,
    /// Case-insensitive substring of the name.
    pub name_contains: Option<String>,
    pub family_center: Option<bool>,
    pub tag: Option<String>,
    pub include_deleted: bool,
}

/// Keyset page over ascending ids: rows after `after` (exclusive) and before `before`
/// (exclusive); `limit` rows from the start, or from the end when `from_end` is set.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub after: Option<i64>,
    pub before: Option<i64>,
    pub limit: i64,
    pub from_end: bool,
}

/// A page of rows in ascending id order, and whether more rows lie beyond it in the paging
/// direction.
#[derive(Debug, Clone)]
pub struct PageOf<T> {
    pub rows: Vec<T>,
    pub has_more: bool,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub district_ags: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
}

/// What a soft-delete mutation does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    Delete,
    Restore,
}

text_enum!(
    /// A count of children (or places) or a share between 0 and 1.
    IndicatorUnit { Count = "COUNT", Share = "SHARE" }
);

text_enum!(
    /// What an indicator value describes.
    IndicatorLevel { Kita = "KITA", SocialSpace = "SOCIAL_SPACE", District = "DISTRICT" }
);

text_enum!(
    /// Whether a higher value means more need (SGB-II share) or less (say, staff per child).
    IndicatorDirection { MoreIsNeed = "MORE_IS_NEED", LessIsNeed = "LESS_IS_NEED" }
);

text_enum!(
    /// Life cycle of a concept: only drafts change; a decided concept is copied into a new draft.
    ConceptStatus { Draft = "DRAFT", Decided = "DECIDED", Archived = "ARCHIVED" }
);

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct IndicatorDefinition {
    pub id: i64,
    /// None: defined for the whole state (the state key's indicators).
    pub district_ags: Option<String>,
    pub key: String,
    pub label: String,
    #[sqlx(try_from = "String")]
    pub unit: IndicatorUnit,
    #[sqlx(try_from = "String")]
    pub level: IndicatorLevel,
    #[sqlx(try_from = "String")]
    pub direction: IndicatorDirection,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndicatorDefinitionData {
    pub district_ags: Option<String>,
    pub key: String,
    pub label: String,
    pub unit: IndicatorUnit,
    pub level: IndicatorLevel,
    pub direction: IndicatorDirection,
    pub description: Option<String>,
}

/// What a value describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Subject {
    Kita(i64),
    SocialSpace(i64),
    /// The district of the value itself.
    District,
}

impl Subject {
    pub fn key(self, district_ags: &str) -> String {
        match self {
            Subject::Kita(id) => format!("kita:{id}"),
            Subject::SocialSpace(id) => format!("space:{id}"),
            Subject::District => format!("district:{district_ags}"),
        }
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct IndicatorValue {
    pub id: i64,
    pub indicator_id: i64,
    pub year: i32,
    pub district_ags: String,
    pub subject: String,
    pub kita_id: Option<i64>,
    pub social_space_id: Option<i64>,
    /// An exact decimal as text (`0.125`, `42`).
    pub value: String,
    pub reference_date: NaiveDate,
    pub source: String,
    pub import_id: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIndicatorValue {
    pub indicator_id: i64,
    pub subject: Subject,
    /// Canonical decimal text: the same number is always the same text, so a repeated import
    /// compares equal.
    pub value: String,
    pub reference_date: NaiveDate,
    pub source: String,
}

/// Values of one district and data year, stored all or nothing.
#[derive(Debug, Clone)]
pub struct IndicatorImport {
    pub district_ags: String,
    pub year: i32,
    pub file_name: String,
    pub file_sha256: String,
    pub rows: i64,
    pub values: Vec<NewIndicatorValue>,
}

/// How current one indicator's values of a district are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorCurrency {
    pub indicator_id: i64,
    /// The latest data year with values.
    pub year: i32,
    /// The latest Stichtag among that year's values.
    pub reference_date: chrono::NaiveDate,
    pub values: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOutcome {
    /// None when nothing changed: then nothing was written at all.
    pub import_id: Option<i64>,
    pub inserted: i64,
    pub updated: i64,
    pub unchanged: i64,
}

#[derive(Debug, Clone, Default)]
pub struct ValueFilter {
    pub district_ags: Vec<String>,
    pub year: Option<i32>,
    pub indicator_ids: Vec<i64>,
    pub kita_ids: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CostRate {
    pub id: i64,
    /// None: the state's default for every district.
    pub district_ags: Option<String>,
    pub role: String,
    pub year: i32,
    pub cost_per_fte: i64,
    pub source: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CostRateData {
    pub district_ags: Option<String>,
    pub role: String,
    pub year: i32,
    pub cost_per_fte: i64,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Concept {
    pub id: i64,
    pub district_ags: String,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub status: ConceptStatus,
    pub decided_on: Option<NaiveDate>,
    pub valid_from: Option<i32>,
    pub valid_to: Option<i32>,
    pub derived_from_id: Option<i64>,
    /// The rule document (JSON), as the engine reads it.
    pub document: String,
    /// When the concept is due for review (set apart from its content).
    pub review_due: Option<NaiveDate>,
    pub synthetic: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ConceptData {
    pub district_ags: String,
    pub name: String,
    pub status: ConceptStatus,
    pub decided_on: Option<NaiveDate>,
    pub valid_from: Option<i32>,
    pub valid_to: Option<i32>,
    pub derived_from_id: Option<i64>,
    pub document: String,
    pub synthetic: bool,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AllocationRun {
    pub id: i64,
    pub district_ags: String,
    pub concept_id: i64,
    pub concept_version: i32,
    pub year: i32,
    pub budget: i64,
    pub allocated: i64,
    pub previous_run_id: Option<i64>,
    pub input_hash: String,
    pub engine_version: String,
    /// The full result: JSON, gzip-compressed (the planning service reads and writes it).
    #[serde(skip)]
    pub result: Vec<u8>,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewRun {
    pub district_ags: String,
    pub concept_id: i64,
    pub concept_version: i32,
    pub year: i32,
    pub budget: i64,
    pub allocated: i64,
    pub previous_run_id: Option<i64>,
    pub input_hash: String,
    pub engine_version: String,
    /// gzip-compressed JSON.
    pub result: Vec<u8>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct OfficialPlan {
    pub district_ags: String,
    pub year: i32,
    pub run_id: i64,
    pub named_by: Option<i64>,
    pub named_at: DateTime<Utc>,
}
