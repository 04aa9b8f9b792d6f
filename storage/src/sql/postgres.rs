//! The shared SQL typed against the Postgres driver.

use super::*;

type Db = Postgres;
const BACKEND: Backend = Backend::Postgres;

#[path = "base.rs"]
mod base;
#[path = "knowledge.rs"]
mod knowledge;
#[path = "monitoring.rs"]
mod monitoring;
#[path = "plan.rs"]
mod plan;
