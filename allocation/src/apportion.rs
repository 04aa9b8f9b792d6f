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
    if let Some(shares) = exact(total, weights) {
        return Ok(shares);
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

/// The weights as integers at their largest scale; none if that does not fit.
pub(crate) fn as_integers(weights: &[Decimal]) -> Option<Vec<i128>> {
    let scale = weights.iter().map(|w| w.scale()).max().unwrap_or(0);
    weights
        .iter()
        .map(|w| {
            w.mantissa()
                .checked_mul(10i128.checked_pow(scale - w.scale())?)
        })
        .collect()
}

/// Largest remainder in integers: quota and remainder of `total × w / Σw` exactly, no rounding
/// of quotas at all. None when the numbers outgrow 128 bits (the caller then uses decimals).
fn exact(total: i64, weights: &[Decimal]) -> Option<Vec<i64>> {
    let w = as_integers(weights)?;
    let sum = w.iter().try_fold(0i128, |acc, x| acc.checked_add(*x))?;
    if sum <= 0 {
        return None;
    }
    let mut shares = Vec::with_capacity(w.len());
    let mut remainders = Vec::with_capacity(w.len());
    let mut given = 0i64;
    for (i, x) in w.iter().enumerate() {
        let product = (total as i128).checked_mul(*x)?;
        let whole = i64::try_from(product / sum).ok()?;
        given += whole;
        shares.push(whole);
        if *x > 0 {
            remainders.push((product % sum, i));
        }
    }
    let left = usize::try_from(total - given).ok()?;
    // Largest remainders first, ties to the lower index; at most one unit each.
    // The fractional parts add up to `left`, so it is below the number of remainders.
    if left > remainders.len() {
        return None;
    }
    if left > 0 {
        remainders.select_nth_unstable_by(left - 1, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, i) in &remainders[..left] {
            shares[*i] += 1;
        }
    }
    Some(shares)
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
