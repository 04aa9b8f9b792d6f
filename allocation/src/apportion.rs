//! Largest-remainder apportionment: whole units shared by weight so that they add up exactly.

use rust_decimal::Decimal;

use crate::error::{AllocationError, Result};
use crate::money::to_i64;

/// Shares `total` whole units in proportion to `weights` (each ≥ 0, not all zero): each gets the
/// whole part of its quota, and the units left go one each to the largest remainders; ties go
/// to the lower index. The caller orders items by a stable key (an id), which makes the result
/// independent of input order.
pub fn largest_remainder(total: i64, weights: &[Decimal], what: &str) -> Result<Vec<i64>> {
    if total < 0 {
        return Err(AllocationError::Negative {
            subject: what.to_owned(),
            field: "total".to_owned(),
        });
    }
    if weights.iter().any(|w| w.is_sign_negative() && !w.is_zero()) {
        return Err(AllocationError::Negative {
            subject: what.to_owned(),
            field: "weight".to_owned(),
        });
    }
    let sum: Decimal = weights
        .iter()
        .try_fold(Decimal::ZERO, |acc, w| acc.checked_add(*w))
        .ok_or_else(|| AllocationError::Overflow(what.to_owned()))?;
    if sum.is_zero() {
        if total == 0 {
            return Ok(vec![0; weights.len()]);
        }
        return Err(AllocationError::NothingToShareBy(what.to_owned()));
    }
    let total_d = Decimal::from(total);
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given = 0i64;
    for (i, w) in weights.iter().enumerate() {
        // quota = total * w / sum, computed as (w / sum) * total to stay in range.
        let quota = (*w / sum)
            .checked_mul(total_d)
            .ok_or_else(|| AllocationError::Overflow(what.to_owned()))?;
        let whole = quota.floor();
        let n = to_i64(whole, what)?;
        given += n;
        shares.push(n);
        remainders.push((quota - whole, i));
    }
    // Decimal division rounds at 28 digits; the whole parts may then overshoot by a unit.
    let mut left = total - given;
    if left < 0 {
        remainders.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        for (_, i) in remainders.iter() {
            if left == 0 {
                break;
            }
            if shares[*i] > 0 {
                shares[*i] -= 1;
                left += 1;
            }
        }
        return Ok(shares);
    }
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders.iter().filter(|(_, i)| !weights[*i].is_zero()) {
        if left == 0 {
            break;
        }
        shares[*i] += 1;
        left -= 1;
    }
    debug_assert_eq!(left, 0);
    Ok(shares)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn thirds_go_to_the_first_on_a_tie() {
        let w = [d("1"), d("1"), d("1")];
        assert_eq!(largest_remainder(100, &w, "t").unwrap(), vec![34, 33, 33]);
    }

    #[test]
    fn largest_remainder_wins_the_spare_unit() {
        // Quotas 1.5, 2.7, 5.8 of 10: whole parts 1, 2, 5 = 8; the two spare units go to
        // 5.8 (.8) and 2.7 (.7).
        let w = [d("15"), d("27"), d("58")];
        assert_eq!(largest_remainder(10, &w, "t").unwrap(), vec![1, 3, 6]);
    }

    #[test]
    fn zero_weights_get_nothing() {
        let w = [d("0"), d("1"), d("0")];
        assert_eq!(largest_remainder(7, &w, "t").unwrap(), vec![0, 7, 0]);
        assert!(largest_remainder(7, &[d("0")], "t").is_err());
        assert!(largest_remainder(7, &[d("-1"), d("2")], "t").is_err());
    }
}
