//! The rules of srb-werkstatt that every door of the platform asks: who is reading, which
//! records they may read and change, which numbers they may see (the small-count rule), and the
//! error a piece of bad input is reported with.
//!
//! Pure: no IO, no async, no SQL, no GraphQL. The storage layer translates [`ListFilter`] into
//! SQL, the search index filters on [`Reader::audience_terms`] and [`record_audiences`], and the
//! services in `app` call the rest; tests hold each translation equal to the rule here.

mod access;
mod input;
pub mod monitoring;
pub mod parse;
mod roles;
pub mod small_count;

pub use access::{record_audiences, ListFilter, Reader, Scope};
pub use input::{InputError, InputResult};
pub use monitoring::{EmployerKind, PositionRole, PositionStatus};
pub use roles::{Publication, Role, UnknownVariant};
pub use small_count::{Disclosure, TermValues, SMALL_COUNT, WITHHELD};
