//! The allocation engine of srb-werkstatt: pure computation, no IO, no async, no SQL, no
//! GraphQL. Inputs and results are serde types, so concepts can be stored as JSON.
//!
//! - [`state`]: the Land's budget of a year, its split between the districts (state key) and
//!   the co-financing of personnel costs.
//! - [`concept`]: a district's concept applied to its Kitas: need index ([`index`]), pillars,
//!   eligibility, methods, caps and floors, positions in FTE steps; every cent explained.
//! - [`compare`]: two results side by side (scenarios, or a year against the last).
//! - [`measures`]: coverage, Gini, share to the most disadvantaged quarter, need correlation.
//!
//! Money is whole cents (`i64`), rates are exact decimals, and every sum adds up to the cent:
//! what is not allocated is reported as leftover, never lost.

pub mod apportion;
pub mod compare;
pub mod concept;
mod error;
pub mod index;
pub mod measures;
pub mod money;
pub mod state;

pub use concept::{compute, Concept, ConceptInput, ConceptResult, KitaInput, Pillar};
pub use error::{AllocationError, Result};
pub use money::{Cents, Rounding};
