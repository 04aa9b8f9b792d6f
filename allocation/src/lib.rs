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
//!
//! ```
//! use std::collections::BTreeMap;
//! use rust_decimal::Decimal;
//! use srb_allocation::concept::{Method, PillarBudget, Rule};
//! use srb_allocation::index::{MissingPolicy, NeedIndex, Normalization, Term};
//! use srb_allocation::{compute, Concept, ConceptInput, KitaInput, Pillar, Rounding};
//!
//! let kita = |id: &str, places: i64, sgb2: i64| KitaInput {
//!     id: id.into(),
//!     name: format!("Kita {id}"),
//!     places,
//!     places_under3: 0,
//!     social_space: None,
//!     family_center: false,
//!     be_relevant: false,
//!     indicators: BTreeMap::from([("sgb2".to_string(), Some(Decimal::new(sgb2, 2)))]),
//! };
//! // 1,000 € by places × SGB-II quota: weights 50 × 0.2 = 10 and 100 × 0.3 = 30.
//! let input = ConceptInput {
//!     budget: 100_000,
//!     concept: Concept {
//!         pillars: vec![Pillar {
//!             id: "kisa".into(),
//!             name: "Kita-Sozialarbeit".into(),
//!             budget: PillarBudget::Share(Decimal::ONE),
//!             staffing: None,
//!             method: Method::Proportional { by_places: true },
//!             eligibility: Rule::All,
//!             cap: None,
//!             floor: None,
//!             phase_in: None,
//!             pool_by_social_space: false,
//!         }],
//!         need_index: NeedIndex {
//!             terms: vec![Term {
//!                 indicator: "sgb2".into(),
//!                 weight: Decimal::ONE,
//!                 normalization: Normalization::Raw,
//!                 direction: Default::default(),
//!             }],
//!             missing: MissingPolicy::Error,
//!         },
//!         rounding: Rounding::Cent,
//!         move_leftovers: false,
//!     },
//!     kitas: vec![kita("a", 50, 20), kita("b", 100, 30)],
//!     previous: BTreeMap::new(),
//! };
//! let result = compute(&input).unwrap();
//! assert_eq!(result.kitas[0].amount, 25_000); // 250 €
//! assert_eq!(result.kitas[1].amount, 75_000); // 750 €
//! assert_eq!(result.pillars[0].leftover, 0);
//! ```

pub mod apportion;
pub mod compare;
pub mod concept;
mod error;
pub mod index;
pub mod measures;
pub mod money;
mod par;
pub mod reason;
pub mod state;

pub use concept::{compute, Concept, ConceptInput, ConceptResult, KitaInput, Pillar};
pub use error::{AllocationError, Result};
pub use money::{Cents, Rounding};
/// The exact decimal type of the engine's rates, shares and weights.
pub use rust_decimal::Decimal;

/// The engine's version, stamped on every stored result.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
