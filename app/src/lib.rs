//! The services of srb-werkstatt: what every door (GraphQL, the web pages, the CLI, the demo
//! loader, the search indexer) calls, with the same rules. No GraphQL and no HTTP here: errors
//! are domain errors (`srb_domain::InputError`, `planning::PlanError`) that each door maps to
//! its own form.

pub mod accounts;
pub mod content;
pub mod knowledge;
pub mod markdown;
pub mod monitoring;
pub mod planning;
pub mod search_docs;
