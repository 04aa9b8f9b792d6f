//! The GraphQL schema of srb-werkstatt. Thin: resolvers authorise, parse input into the storage
//! crate's types and call [`srb_storage::Storage`]; relations go through batch loaders.

mod accounts;
pub mod auth;
pub mod content;
pub mod error;
mod explain;
mod guard;
pub mod ids;
pub mod knowledge;
mod loaders;
pub mod monitoring;
mod node;
mod parse;
pub mod plan;
pub mod records;
pub mod search;
pub mod shape;
mod shared;

use std::sync::Arc;

use srb_app::{markdown, planning};

use async_graphql::{Context, MergedObject, Request, Schema};

pub use auth::Viewer;
pub use error::Code;
/// The store the schema reads, for doors that hand it in (the web pages).
pub use srb_storage::Storage;

#[derive(MergedObject, Default)]
pub struct Query(
    records::RecordsQuery,
    node::NodeQuery,
    accounts::AccountQuery,
    plan::PlanQuery,
    knowledge::KnowledgeQuery,
    monitoring::MonitoringQuery,
    search::SearchQueryRoot,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    records::RecordsMutation,
    accounts::AccountMutation,
    plan::PlanMutation,
    knowledge::KnowledgeMutation,
    monitoring::MonitoringMutation,
);

pub type Subscription = knowledge::KnowledgeSubscription;

pub type SrbSchema = Schema<Query, Mutation, Subscription>;

/// How much one request may ask for.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Depth: the introspection query of GraphiQL and graphql-js (types → fields → type →
        // nine levels of `ofType`) is the deepest legitimate one at 13; the deepest sensible
        // data query (district → kitas → edges → node → provider → district → …) stays well
        // below. Complexity: a full page of 100 Kitas with all fields
        // and relations fits.
        Self {
            depth: 14,
            complexity: 5_000,
        }
    }
}

pub fn build(
    storage: Arc<dyn Storage>,
    search: Arc<dyn srb_search::SearchIndex>,
    limits: Limits,
) -> SrbSchema {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .data(storage)
    .data(search)
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity)
    .finish()
}

/// The SDL as committed in `schema/schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .finish()
    .sdl()
}

/// Attaches what every execution needs: the caller and a fresh set of batch loaders. The web UI
/// and the HTTP endpoint both go through this, so both see the same authorisation.
pub fn prepare(request: Request, storage: Arc<dyn Storage>, viewer: Viewer) -> Request {
    request.data(viewer).data(loaders::loaders(storage))
}

/// The same for a WebSocket connection: its subscriptions see this caller and loaders.
pub fn connection_data(storage: Arc<dyn Storage>, viewer: Viewer) -> async_graphql::Data {
    let mut data = async_graphql::Data::default();
    data.insert(viewer);
    data.insert(loaders::loaders(storage));
    data
}

pub(crate) fn ctx_storage<'a>(ctx: &Context<'a>) -> &'a Arc<dyn Storage> {
    ctx.data_unchecked::<Arc<dyn Storage>>()
}

pub(crate) fn ctx_viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    ctx.data_unchecked::<Viewer>()
}
