//! Seeding: whole districts of demo records and whole documented workshops in one transaction
//! each. Only the demo loader (and imports of documented workshops) write this way; the
//! platform's services write through the other traits, record by record.

use async_trait::async_trait;

use crate::knowledge::{ContributionData, SessionData, Workshop, WorkshopData};
use crate::model::*;
use crate::Result;

#[async_trait]
pub trait SeedStore: Send + Sync {
    /// Stores a district's demo records in one transaction; false (and nothing written) when the
    /// district has demo Kitas already, which makes seeding idempotent.
    async fn seed_demo_district(&self, demo: &DemoDistrict) -> Result<bool>;
    /// A whole documented workshop in one transaction (demo content, imports): None, and nothing
    /// written, when a workshop of this title and date exists already.
    async fn seed_workshop(&self, seed: &WorkshopSeed) -> Result<Option<Workshop>>;
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

/// A workshop with its sessions in agenda order, each with its contributions in order.
#[derive(Debug, Clone)]
pub struct WorkshopSeed {
    pub workshop: WorkshopData,
    /// `workshop_id` and `session_id` of the parts are filled in while storing.
    pub sessions: Vec<(SessionData, Vec<ContributionData>)>,
}
