//! Money is whole cents in `i64`; rates and shares are exact decimals. Rounding is a policy of
//! the calculation, chosen by the district, never an accident of floating point.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::{AllocationError, Result};

/// Whole cents.
pub type Cents = i64;

/// How amounts are rounded, and so the unit every distributed amount is a multiple of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Rounding {
    /// To the cent, half away from zero.
    #[default]
    Cent,
    /// To whole euros, half up.
    EuroHalfUp,
    /// To whole euros, cutting off the cents (as some districts report).
    EuroTruncate,
}

impl Rounding {
    /// The smallest amount, in cents, that results are multiples of.
    pub fn unit(self) -> Cents {
        match self {
            Rounding::Cent => 1,
            Rounding::EuroHalfUp | Rounding::EuroTruncate => 100,
        }
    }

    /// Rounds an amount given in cents to the policy's unit.
    pub fn round_cents(self, cents: Decimal, what: &str) -> Result<Cents> {
        let unit = Decimal::from(self.unit());
        let units = cents / unit;
        let rounded = match self {
            Rounding::Cent | Rounding::EuroHalfUp => {
                units.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
            }
            Rounding::EuroTruncate => units.trunc(),
        };
        to_i64(rounded * unit, what)
    }
}

pub(crate) fn to_i64(d: Decimal, what: &str) -> Result<i64> {
    d.to_i64()
        .ok_or_else(|| AllocationError::Overflow(what.to_owned()))
}

/// Euros (as a decimal) to cents, exactly when the euros have at most two decimals.
pub fn euros(e: Decimal) -> Decimal {
    e * Decimal::ONE_HUNDRED
}

/// Largest amount the engine accepts anywhere (10 billion €): far above any real budget, and
/// small enough that no product of amounts and rates leaves exact decimal arithmetic.
pub const MAX_CENTS: Cents = 1_000_000_000_000;

/// Checks that `value` lies in `min..=max`.
pub(crate) fn check_range<T: PartialOrd + std::fmt::Display>(
    subject: &str,
    field: &str,
    value: T,
    min: T,
    max: T,
) -> Result<()> {
    if value < min || value > max {
        return Err(AllocationError::OutOfRange {
            subject: subject.to_owned(),
            field: field.to_owned(),
            value: value.to_string(),
            min: min.to_string(),
            max: max.to_string(),
        });
    }
    Ok(())
}

/// ⌊v × k⌋ for a non-negative decimal, exactly in 128-bit integers; none where that does not
/// fit (the caller then uses decimals). Cheaper than a decimal product for every Kita.
pub(crate) fn mul_floor(v: Decimal, k: i64) -> Option<i64> {
    let p = v.mantissa().checked_mul(k as i128)?;
    let q = p.div_euclid(10i128.checked_pow(v.scale())?);
    i64::try_from(q).ok()
}

/// ⌊c / d⌋ for a positive decimal `d`, exactly in 128-bit integers; none where that does not
/// fit.
pub(crate) fn div_floor(c: Cents, d: Decimal) -> Option<i64> {
    if d.mantissa() <= 0 {
        return None;
    }
    let num = (c as i128).checked_mul(10i128.checked_pow(d.scale())?)?;
    i64::try_from(num.div_euclid(d.mantissa())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn integer_floor_products_and_quotients_match_decimals(
            m in 0i64..10_000_000_000, scale in 0u32..=10, k in 0i64..10_000_000_000, c in 0i64..1_000_000_000_000,
        ) {
            let v = Decimal::new(m, scale);
            proptest::prop_assert_eq!(
                mul_floor(v, k),
                to_i64((v * Decimal::from(k)).floor(), "t").ok()
            );
            if m > 0 {
                proptest::prop_assert_eq!(
                    div_floor(c, v),
                    to_i64((Decimal::from(c) / v).floor(), "t").ok()
                );
            }
        }
    }
}
