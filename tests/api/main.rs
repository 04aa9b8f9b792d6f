//! End-to-end tests of the running server: one binary, every test on every backend.

mod architecture;
mod auth;
mod backup;
mod browser;
mod browser_monitoring;
mod browser_plans;
mod fuzz;
mod hostile;
mod http;
mod knowledge;
mod migrations;
mod monitoring;
mod ops;
mod outbox;
mod plans;
mod read_matrix;
mod records;
mod relevance;
mod roles;
mod search;
mod small_counts;
mod web;
mod web_forms;
mod web_plans;
