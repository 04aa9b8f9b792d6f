//! Runs and official plans.

use std::sync::{Arc, OnceLock};

use async_graphql::{Context, Json, Object, SimpleObject, ID};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use srb_storage::{self as st, Storage};

use crate::error::{internal, OrGqlError};
use crate::ids::{self, NodeType};
use crate::planning::{self, RunPayload};
use crate::records::District;
use crate::{ctx_storage, ctx_viewer};

use super::*;
use crate::explain::*;

// ---------------------------------------------------------------------------------------------
// Runs

/// Eine gespeicherte Berechnung: unveränderlich, mit Prüfsumme der Eingaben.
pub struct AllocationRun {
    pub(crate) run: st::AllocationRun,
    /// Decompressed from the stored result on first use: a list of runs asking for ids and
    /// amounts does not read every result.
    pub(crate) payload: OnceLock<Arc<RunPayload>>,
}

impl AllocationRun {
    pub(crate) fn new(run: st::AllocationRun) -> Self {
        Self {
            run,
            payload: OnceLock::new(),
        }
    }

    /// A run just computed: its payload is at hand.
    pub(crate) fn computed(run: st::AllocationRun, payload: RunPayload) -> Self {
        Self {
            run,
            payload: OnceLock::from(Arc::new(payload)),
        }
    }

    pub(crate) fn payload(&self) -> async_graphql::Result<&Arc<RunPayload>> {
        if let Some(p) = self.payload.get() {
            return Ok(p);
        }
        let p = planning::payload(&self.run).map_err(internal)?;
        Ok(self.payload.get_or_init(|| Arc::new(p)))
    }
}

#[derive(SimpleObject)]
pub struct PillarAllocation {
    pub id: String,
    pub name: String,
    pub budget: Decimal,
    /// Vom vorigen Baustein übernommener Rest.
    pub received: Decimal,
    pub allocated: Decimal,
    pub leftover: Decimal,
    pub fte: Decimal,
    /// Wochenstunden aller Stellenanteile der Säule (Summe über die Kitas).
    pub weekly_hours: Decimal,
}

#[derive(SimpleObject)]
pub struct DistributionMeasures {
    pub kitas_reached: i32,
    pub kitas_total: i32,
    pub places_reached: i64,
    pub places_total: i64,
    /// Gini-Koeffizient der Euro je Platz (0 = gleich verteilt).
    pub gini_per_place: Decimal,
    /// Anteil des Budgets an das Viertel der Kitas mit dem höchsten Bedarf.
    pub share_to_top_quarter: Option<Decimal>,
    /// Rangkorrelation zwischen Bedarf und Euro je Platz (folgt die Verteilung dem Bedarf?).
    pub need_correlation: Option<Decimal>,
}

impl From<&srb_allocation::measures::Measures> for DistributionMeasures {
    fn from(m: &srb_allocation::measures::Measures) -> Self {
        Self {
            kitas_reached: m.kitas_reached as i32,
            kitas_total: m.kitas_total as i32,
            places_reached: m.places_reached,
            places_total: m.places_total,
            gini_per_place: m.gini_per_place,
            share_to_top_quarter: m.share_to_top_quarter,
            need_correlation: m.need_correlation,
        }
    }
}

#[Object]
impl AllocationRun {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::AllocationRun, self.run.id)
    }
    pub(crate) async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        crate::records::district_by_ags(ctx, &self.run.district_ags).await
    }
    pub(crate) async fn concept(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ConceptObject>> {
        visible_concept(ctx, self.run.concept_id).await
    }
    pub(crate) async fn concept_version(&self) -> i32 {
        self.run.concept_version
    }
    /// Daten- und Haushaltsjahr.
    pub(crate) async fn year(&self) -> i32 {
        self.run.year
    }
    /// Personalbudget, das die Konzeption verteilt.
    pub(crate) async fn budget(&self) -> Decimal {
        euros(self.run.budget)
    }
    pub(crate) async fn allocated(&self) -> Decimal {
        euros(self.run.allocated)
    }
    /// Nicht verteilt (Rundung auf Stellenanteile, Deckel, fehlender Bedarf): ausgewiesen, nie verloren.
    pub(crate) async fn leftover(&self) -> Decimal {
        euros(self.run.budget - self.run.allocated)
    }
    pub(crate) async fn land_amount(&self) -> async_graphql::Result<Decimal> {
        Ok(euros(self.payload()?.budget.financed.land))
    }
    pub(crate) async fn district_share(&self) -> async_graphql::Result<Decimal> {
        Ok(euros(self.payload()?.budget.financed.district))
    }
    pub(crate) async fn traeger_share(&self) -> async_graphql::Result<Decimal> {
        Ok(euros(self.payload()?.budget.financed.traeger))
    }
    /// SHA-256 der Eingaben: gleiche Eingaben, gleiches Ergebnis.
    pub(crate) async fn input_hash(&self) -> &str {
        &self.run.input_hash
    }
    pub(crate) async fn engine_version(&self) -> &str {
        &self.run.engine_version
    }
    /// Wer gerechnet hat (Benutzerkonto-Nummer; leer bei Demo-Daten).
    pub(crate) async fn created_by_user_id(&self) -> Option<ID> {
        self.run.created_by.map(|id| ID(id.to_string()))
    }
    pub(crate) async fn created_at(&self) -> DateTime<Utc> {
        self.run.created_at
    }
    /// Der Plan, mit dem dieser Lauf verglichen wurde (der offizielle Plan des Vorjahres).
    pub(crate) async fn previous_run_id(&self) -> Option<ID> {
        self.run
            .previous_run_id
            .map(|id| ids::encode(NodeType::AllocationRun, id))
    }
    /// Ist dieser Lauf der offizielle Plan des Bezirks für sein Jahr?
    pub(crate) async fn official(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        is_official(ctx_storage(ctx).as_ref(), &self.run).await
    }
    pub(crate) async fn pillars(&self) -> async_graphql::Result<Vec<PillarAllocation>> {
        Ok(pillars_of(self.payload()?))
    }
    pub(crate) async fn measures(&self) -> async_graphql::Result<DistributionMeasures> {
        Ok((&self.payload()?.result.measures).into())
    }
    /// Die Kitas mit ihren Beträgen und Begründungen, nach Kita-Nummer.
    #[graphql(complexity = "2 + child_complexity * 10")]
    pub(crate) async fn kitas(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<KitaAllocation>> {
        kitas_of(ctx, self.payload()?, &self.run.district_ags, self.run.year).await
    }
    /// Das vollständige Ergebnis der Berechnung (JSON), nur für Berechtigte des Bezirks.
    pub(crate) async fn result(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Json<serde_json::Value>> {
        ctx_viewer(ctx).require_private_reader(Some(&self.run.district_ags))?;
        serde_json::to_value(&self.payload()?.result)
            .map(Json)
            .map_err(internal)
    }
}

/// `node(id:)` for runs: none where [`visible_run`] would refuse.
pub(crate) async fn run_node(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<Option<AllocationRun>> {
    let storage = ctx_storage(ctx);
    let Some(run) = storage.runs_by_ids(&[id]).await.gql()?.into_iter().next() else {
        return Ok(None);
    };
    if !ctx_viewer(ctx).can_read_private(Some(&run.district_ags))
        && !is_official(storage.as_ref(), &run).await?
    {
        return Ok(None);
    }
    Ok(Some(AllocationRun::new(run)))
}

pub(crate) async fn is_official(
    storage: &dyn Storage,
    run: &st::AllocationRun,
) -> async_graphql::Result<bool> {
    let plans = storage
        .official_plans(run.year, std::slice::from_ref(&run.district_ags))
        .await
        .gql()?;
    Ok(plans.first().is_some_and(|p| p.run_id == run.id))
}

pub(crate) fn pillars_of(payload: &RunPayload) -> Vec<PillarAllocation> {
    payload
        .result
        .pillars
        .iter()
        .enumerate()
        .map(|(i, p)| PillarAllocation {
            weekly_hours: payload
                .result
                .kitas
                .iter()
                .filter_map(|k| k.pillars.get(i))
                .map(|kp| kp.weekly_hours)
                .sum(),
            id: p.id.clone(),
            name: p.name.clone(),
            budget: euros(p.budget),
            received: euros(p.received),
            allocated: euros(p.allocated),
            leftover: euros(p.leftover),
            fte: p.fte,
        })
        .collect()
}
