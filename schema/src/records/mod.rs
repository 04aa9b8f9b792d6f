//! The records of the platform: districts, social spaces, providers and Kitas, and the audit
//! trail of their changes.

mod mutation;
mod query;
mod types;

pub use mutation::*;
pub use query::*;
pub use types::*;
