//! The shared SQL typed against the Sqlite driver.

use super::*;

type Db = Sqlite;
const BACKEND: Backend = Backend::Sqlite;

#[path = "base.rs"]
mod base;
#[path = "knowledge.rs"]
mod knowledge;
#[path = "monitoring.rs"]
mod monitoring;
#[path = "plan.rs"]
mod plan;
