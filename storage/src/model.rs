//! Records as stored. Enumerations are stored as their SCREAMING_CASE names in TEXT columns so the
//! same SQL and the same row types serve both backends.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A string from the database that names no known variant: the schema's CHECK constraints make
/// this a bug, not bad input.
#[derive(Debug, thiserror::Error)]
#[error("unknown {kind} '{value}' in the database")]
pub struct UnknownVariant {
    kind: &'static str,
    value: String,
}

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownVariant;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(UnknownVariant { kind: stringify!($name), value: other.to_owned() }),
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = UnknownVariant;
            fn try_from(s: String) -> Result<Self, Self::Error> { s.parse() }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

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

text_enum!(
    Role { Admin = "ADMIN", Ministry = "MINISTRY", Coordinator = "COORDINATOR", Facilitator = "FACILITATOR" }
);

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

/// A district's demo records: names are unique within the district, and Kitas refer to their
/// provider and social space by name.
#[derive(Debug, Clone, Default)]
pub struct DemoDistrict {
    pub district_ags: String,
    pub social_spaces: Vec<SocialSpaceData>,
    pub providers: Vec<ProviderData>,
    pub kitas: Vec<DemoKita>,
}

#[derive(Debug, Clone)]
pub struct DemoKita {
    pub data: KitaData,
    pub provider_name: String,
    pub social_space_name: String,
}
