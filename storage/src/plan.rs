//! Persistence of the allocation side: indicator definitions and values with provenance, cost
//! rates, concepts, runs and official plans. A supertrait of [`crate::Storage`], so every store
//! has it; split off only to keep each trait readable.

use async_trait::async_trait;

use crate::model::*;
use crate::{Actor, Result};

#[async_trait]
pub trait PlanStore: Send + Sync {
    /// The state-wide definitions and those of these districts, by district (state first) and key.
    async fn indicator_definitions(
        &self,
        district_ags: &[String],
    ) -> Result<Vec<IndicatorDefinition>>;
    async fn create_indicator_definition(
        &self,
        actor: Actor,
        data: &IndicatorDefinitionData,
    ) -> Result<IndicatorDefinition>;

    /// Values by district, year, indicator and subject.
    async fn indicator_values(&self, filter: &ValueFilter) -> Result<Vec<IndicatorValue>>;
    /// The values of a district and year as the engine needs them, without provenance:
    /// `(kita id, social space id, indicator id, value)`. Several times cheaper to read than
    /// [`PlanStore::indicator_values`] (no dates and timestamps to decode).
    async fn values_for_computation(
        &self,
        district_ags: &str,
        year: i32,
    ) -> Result<Vec<(Option<i64>, Option<i64>, i64, String)>>;
    /// Stores a checked set of values in one transaction: new values are inserted, changed ones
    /// updated, equal ones left alone. When nothing differs, nothing is written (no import
    /// record, no audit entry), so importing the same file twice changes nothing.
    async fn import_indicator_values(
        &self,
        actor: Actor,
        import: &IndicatorImport,
    ) -> Result<ImportOutcome>;
    /// Imports of several districts (the state key's values) in one transaction: all or nothing.
    async fn import_indicator_values_of_many(
        &self,
        actor: Actor,
        imports: &[IndicatorImport],
    ) -> Result<Vec<ImportOutcome>>;
    /// The years with values for a district, newest first, with the count of values.
    async fn indicator_years(&self, district_ags: &str) -> Result<Vec<(i32, i64)>>;
    /// How current a district's data is: per indicator its latest year with values, the latest
    /// Stichtag of that year and the count of values, by indicator id.
    async fn indicator_currency(&self, district_ags: &str) -> Result<Vec<IndicatorCurrency>>;

    /// Creates and updates Kitas of an import in one transaction, each change with its audit
    /// record; an update names the version read (stale: `Conflict`, nothing written). Tags stay.
    async fn import_kitas(
        &self,
        actor: Actor,
        creates: &[KitaData],
        updates: &[(i64, i32, KitaData)],
    ) -> Result<()>;

    /// State defaults and the district's own rates for a year.
    async fn cost_rates(&self, district_ags: &str, year: i32) -> Result<Vec<CostRate>>;
    /// Creates or replaces the rate of a role and year.
    async fn set_cost_rate(&self, actor: Actor, data: &CostRateData) -> Result<CostRate>;

    async fn concepts_by_ids(&self, ids: &[i64]) -> Result<Vec<Concept>>;
    /// By district, name and id.
    async fn concepts_of(
        &self,
        district_ags: &[String],
        include_deleted: bool,
    ) -> Result<Vec<Concept>>;
    async fn create_concept(&self, actor: Actor, data: &ConceptData) -> Result<Concept>;
    /// Replaces the concept's content, given the version read.
    async fn update_concept(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &ConceptData,
    ) -> Result<Concept>;
    async fn set_concept_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Concept>;

    async fn create_run(&self, actor: Actor, run: &NewRun) -> Result<AllocationRun>;
    async fn runs_by_ids(&self, ids: &[i64]) -> Result<Vec<AllocationRun>>;
    /// A district's runs, newest first; of one year only when given.
    async fn runs_of(
        &self,
        district_ags: &str,
        year: Option<i32>,
        limit: i64,
    ) -> Result<Vec<AllocationRun>>;
    /// Names a run the district's official plan for its year, replacing an earlier one.
    async fn set_official_plan(&self, actor: Actor, run_id: i64) -> Result<OfficialPlan>;
    /// Official plans of a year; of these districts, or of all when the list is empty.
    async fn official_plans(&self, year: i32, district_ags: &[String])
        -> Result<Vec<OfficialPlan>>;
}
