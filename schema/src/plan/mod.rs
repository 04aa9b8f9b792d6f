//! The allocation side of the graph: indicators and their import, cost rates, concepts, the
//! state distribution, runs, official plans, comparisons, explanations and exports. Resolvers
//! authorise and translate; the work is in [`crate::planning`] and the engine.

mod compare;
mod concepts;
mod imports;
mod mutation;
mod query;
mod runs;
mod state;

pub use compare::*;
pub use concepts::*;
pub use imports::*;
pub use mutation::*;
pub use query::*;
pub use runs::*;
pub use state::*;

use async_graphql::Context;
use srb_storage as st;

use crate::error::{bad_input, not_found};
use crate::planning::PlanError;
use crate::shared::{check_year, euros};

/// Runs listed per district and year.
pub const MAX_RUNS: i64 = 100;

pub(crate) fn plan_error(e: PlanError) -> async_graphql::Error {
    match e {
        PlanError::Input { field, message } => bad_input(&field, message),
        PlanError::NotFound(what) => not_found(match what {
            "District" => "Der Bezirk",
            "Concept" => "Die Konzeption",
            _ => "Der Datensatz",
        }),
        PlanError::Storage(e) => crate::error::from_storage(e),
    }
}

pub(crate) async fn district_record(
    ctx: &Context<'_>,
    ags: &str,
) -> async_graphql::Result<st::District> {
    crate::shared::district_at(ctx, ags, "districtAgs").await
}
