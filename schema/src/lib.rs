//! The GraphQL schema of srb-werkstatt. Thin: resolvers authorise, parse input into the storage
//! crate's types and call [`srb_storage::Storage`]; relations go through batch loaders.

pub mod auth;
mod domain;
pub mod error;
mod guard;
pub mod ids;
mod loaders;
pub mod mutation;
pub mod plan;
pub mod planning;
pub mod query;
pub mod types;

use std::sync::Arc;

use async_graphql::{Context, EmptySubscription, MergedObject, Request, Schema};
use srb_storage::Storage;

pub use auth::Viewer;
pub use error::Code;

#[derive(MergedObject, Default)]
pub struct Query(query::RecordsQuery, query::AccountQuery, plan::PlanQuery);

#[derive(MergedObject, Default)]
pub struct Mutation(
    mutation::RecordsMutation,
    mutation::AccountMutation,
    plan::PlanMutation,
);

pub type SrbSchema = Schema<Query, Mutation, EmptySubscription>;

/// How much one request may ask for.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Depth: the deepest sensible query (district → kitas → edges → node → provider →
        // district → …) stays well below. Complexity: a full page of 100 Kitas with all fields
        // and relations fits.
        Self {
            depth: 12,
            complexity: 5_000,
        }
    }
}

pub fn build(storage: Arc<dyn Storage>, limits: Limits) -> SrbSchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .data(storage)
        .limit_depth(limits.depth)
        .limit_complexity(limits.complexity)
        .finish()
}

/// The SDL as committed in `schema/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .finish()
        .sdl()
}

/// Attaches what every execution needs: the caller and a fresh set of batch loaders. The web UI
/// and the HTTP endpoint both go through this, so both see the same authorisation.
pub fn prepare(request: Request, storage: Arc<dyn Storage>, viewer: Viewer) -> Request {
    request.data(viewer).data(loaders::loaders(storage))
}

pub(crate) fn ctx_storage<'a>(ctx: &Context<'a>) -> &'a Arc<dyn Storage> {
    ctx.data_unchecked::<Arc<dyn Storage>>()
}

pub(crate) fn ctx_viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    ctx.data_unchecked::<Viewer>()
}
