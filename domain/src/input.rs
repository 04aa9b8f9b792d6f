//! The error of a piece of bad input: which field, and why, in German. Each door maps it to its
//! own form (GraphQL `BAD_USER_INPUT` with `extensions.field`, a message next to a form field,
//! a line on the command line).

/// Bad input: the path of the field (`document.pillars[0].method`, `filter.districtAgs`) and a
/// German message for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InputError {
    pub field: String,
    pub message: String,
}

impl InputError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

pub type InputResult<T> = Result<T, InputError>;
