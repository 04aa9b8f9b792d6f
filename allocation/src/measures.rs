//! Does a concept follow social compensation? Distribution measures over a result.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measures {
    /// Kitas with any money.
    pub kitas_reached: usize,
    pub kitas_total: usize,
    /// Places (children) in Kitas with any money, and in all.
    pub places_reached: i64,
    pub places_total: i64,
    /// Gini coefficient of € per place over all Kitas with places (0 = equal, 1 = all in one).
    pub gini_per_place: Decimal,
    /// Share of the allocated money reaching the quarter of Kitas with the highest need index.
    pub share_to_top_quarter: Option<Decimal>,
    /// Spearman rank correlation between need index and € per place (+1: more need, more money).
    pub need_correlation: Option<Decimal>,
}

/// `by_need` lists the Kitas with an index from the highest index down (the engine's ranks), so
/// the measures need no sort of decimals of their own.
/// Over compact per-Kita columns (places, amounts, indices) rather than the full results, so
/// that the lookups in need order stay in cache for a large district.
pub(crate) fn measures(
    places: &[i64],
    amounts: &[i64],
    index: &[Option<Decimal>],
    by_need: &[usize],
) -> Measures {
    let n = amounts.len();
    let mut kitas_reached = 0;
    let mut places_reached = 0;
    let mut total: i64 = 0;
    for (p, a) in places.iter().zip(amounts) {
        total += a;
        if *a > 0 {
            kitas_reached += 1;
            places_reached += p;
        }
    }
    // € per place as exact fractions amount / places, ordered by cross-multiplication, sorted
    // as compact (amount, places, Kita) triples.
    let mut sorted: Vec<(i64, i64, usize)> = (0..n)
        .filter(|i| places[*i] > 0)
        .map(|i| (amounts[i], places[i], i))
        .collect();
    let cmp_fraction = |(x, p): (i64, i64), (y, q): (i64, i64)| {
        (x as i128 * q as i128).cmp(&(y as i128 * p as i128))
    };
    crate::par::sort(&mut sorted, |a, b| {
        cmp_fraction((a.0, a.1), (b.0, b.1)).then(a.2.cmp(&b.2))
    });
    let gini_per_place = gini_f64(&sorted);

    let quarter = by_need.len().div_ceil(4);
    let share_to_top_quarter = if total > 0 && quarter > 0 {
        let top: i64 = by_need[..quarter].iter().map(|i| amounts[*i]).sum();
        Some((Decimal::from(top) / Decimal::from(total)).round_dp(6))
    } else {
        None
    };

    // Spearman over the Kitas with an index and places: doubled average ranks (integers) of
    // need and of € per place, ascending on both sides.
    let mut need_rank = vec![0i64; n];
    let paired: Vec<usize> = by_need
        .iter()
        .rev()
        .copied()
        .filter(|i| places[*i] > 0)
        .collect();
    doubled_ranks(&paired, |a, b| index[a] == index[b], &mut need_rank);
    let mut money_rank = vec![0i64; n];
    let with_both: Vec<(i64, i64, usize)> = sorted
        .iter()
        .copied()
        .filter(|(_, _, i)| index[*i].is_some())
        .collect();
    doubled_ranks_of(
        &with_both,
        |a, b| cmp_fraction((a.0, a.1), (b.0, b.1)).is_eq(),
        |t| t.2,
        &mut money_rank,
    );
    let need_correlation =
        pearson(paired.iter().map(|i| (need_rank[*i], money_rank[*i]))).map(|c| c.round_dp(6));
    Measures {
        kitas_reached,
        kitas_total: n,
        places_reached,
        places_total: places.iter().sum(),
        gini_per_place,
        share_to_top_quarter,
        need_correlation,
    }
}

/// Twice the average rank (1-based; ties share their mean) of each item of `sorted`, written
/// to `out[item]`. Doubled so that shared ranks stay whole numbers.
fn doubled_ranks(sorted: &[usize], equal: impl Fn(usize, usize) -> bool, out: &mut [i64]) {
    doubled_ranks_of(sorted, |a, b| equal(*a, *b), |i| *i, out)
}

/// [`doubled_ranks`] over sorted items of any kind, `item` naming each one's place in `out`.
fn doubled_ranks_of<T>(
    sorted: &[T],
    equal: impl Fn(&T, &T) -> bool,
    item: impl Fn(&T) -> usize,
    out: &mut [i64],
) {
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && equal(&sorted[j + 1], &sorted[i]) {
            j += 1;
        }
        for k in &sorted[i..=j] {
            out[item(k)] = (i + j + 2) as i64;
        }
        i = j + 1;
    }
}

/// Pearson correlation of integer pairs, exact up to the final square roots; none when
/// either side is constant or there are fewer than two pairs.
fn pearson(pairs: impl Iterator<Item = (i64, i64)>) -> Option<Decimal> {
    use rust_decimal::MathematicalOps;
    let (mut n, mut sa, mut sb, mut sab, mut saa, mut sbb) =
        (0i128, 0i128, 0i128, 0i128, 0i128, 0i128);
    for (a, b) in pairs {
        let (a, b) = (a as i128, b as i128);
        n += 1;
        sa += a;
        sb += b;
        sab += a * b;
        saa += a * a;
        sbb += b * b;
    }
    if n < 2 {
        return None;
    }
    // n·Σab − Σa·Σb etc.: the covariance and variances times n², in integers.
    let cov = Decimal::from_i128_with_scale(n * sab - sa * sb, 0);
    let va = Decimal::from_i128_with_scale(n * saa - sa * sa, 0);
    let vb = Decimal::from_i128_with_scale(n * sbb - sb * sb, 0);
    // Square roots taken apart: the product of the variances outgrows decimal range.
    let denom = va.sqrt()? * vb.sqrt()?;
    if denom.is_zero() {
        None
    } else {
        Some(cov / denom)
    }
}

/// Gini coefficient of non-negative values: Σ (2i − n − 1) x_i / (n Σ x) over sorted x.
pub fn gini(mut values: Vec<Decimal>) -> Decimal {
    values.sort();
    let n = values.len();
    gini_sorted(values.into_iter(), n)
}

/// Gini of € per place from (amount, places) pairs in ascending order of amount / places,
/// rounded to six places. A descriptive measure, so binary floating point (sums in a fixed
/// order, so the same bits everywhere) instead of a decimal division per Kita; it agrees with
/// [`gini`] up to the last place.
fn gini_f64(sorted: &[(i64, i64, usize)]) -> Decimal {
    let n = sorted.len();
    let mut sum = 0.0f64;
    let mut weighted = 0.0f64;
    for (i, (amount, places, _)) in sorted.iter().enumerate() {
        let x = *amount as f64 / *places as f64;
        sum += x;
        weighted += (2 * (i as i64 + 1) - n as i64 - 1) as f64 * x;
    }
    if n == 0 || sum == 0.0 {
        return Decimal::ZERO;
    }
    let g = weighted / (n as f64 * sum);
    Decimal::new((g * 1e6).round() as i64, 6)
}

/// [`gini`] of `n` values already in ascending order, in one pass.
fn gini_sorted(values: impl Iterator<Item = Decimal>, n: usize) -> Decimal {
    let mut sum = Decimal::ZERO;
    let mut weighted = Decimal::ZERO;
    for (i, x) in values.enumerate() {
        sum += x;
        weighted += Decimal::from(2 * (i as i64 + 1) - n as i64 - 1) * x;
    }
    if n == 0 || sum.is_zero() {
        return Decimal::ZERO;
    }
    weighted / (Decimal::from(n) * sum)
}

/// Spearman's rank correlation (Pearson on average ranks); none when either side is constant.
pub fn spearman(pairs: &[(Decimal, Decimal)]) -> Option<Decimal> {
    let ranks = |side: fn(&(Decimal, Decimal)) -> Decimal| {
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        order.sort_by_key(|i| side(&pairs[*i]));
        let mut out = vec![0i64; pairs.len()];
        doubled_ranks(&order, |a, b| side(&pairs[a]) == side(&pairs[b]), &mut out);
        out
    };
    let a = ranks(|p| p.0);
    let b = ranks(|p| p.1);
    pearson(a.into_iter().zip(b))
}
