use thiserror::Error;

/// Everything that can be wrong with an allocation's input. Never a panic: every message says
/// which record and which field.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AllocationError {
    #[error("negative value for {field} of {subject}")]
    Negative { subject: String, field: String },
    #[error("{field} must lie between 0 and 1, not {value}")]
    ShareOutOfRange { field: String, value: String },
    #[error("weights of {what} add up to {sum}, not 1")]
    WeightsDoNotAddUp { what: String, sum: String },
    #[error("unknown indicator {indicator} in {context}")]
    UnknownIndicator { indicator: String, context: String },
    #[error("Kita {kita} has no value for indicator {indicator}")]
    MissingValue { kita: String, indicator: String },
    #[error("pillar {pillar}: budget {budget} ct is above the district's total {total} ct")]
    PillarAboveTotal {
        pillar: String,
        budget: i64,
        total: i64,
    },
    #[error("the pillars' budgets add up to {sum} ct, above the district's total {total} ct")]
    PillarsAboveTotal { sum: i64, total: i64 },
    #[error("pillar {pillar}: the FTE step {step} does not divide the minimum position {minimum}")]
    StepDoesNotDivideMinimum {
        pillar: String,
        step: String,
        minimum: String,
    },
    #[error("pillar {pillar}: {reason}")]
    InvalidPillar { pillar: String, reason: String },
    #[error("{field} of {subject} is {value}, outside the plausible range {min} to {max}")]
    OutOfRange {
        subject: String,
        field: String,
        value: String,
        min: String,
        max: String,
    },
    #[error("the concept has no pillars")]
    EmptyConcept,
    #[error("duplicate id {0}")]
    DuplicateId(String),
    #[error("nothing to share by: every weight in {0} is zero")]
    NothingToShareBy(String),
    #[error("arithmetic overflow in {0}")]
    Overflow(String),
    #[error("no amount for year {year}: {reason}")]
    InvalidYear { year: i32, reason: String },
}

pub type Result<T, E = AllocationError> = std::result::Result<T, E>;
