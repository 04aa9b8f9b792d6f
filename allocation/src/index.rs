//! The need index: weighted indicator terms, each normalised against the district's Kitas.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{AllocationError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Normalization {
    /// The value itself.
    Raw,
    /// Value / district mean (1 = average).
    RatioToMean,
    /// (value − mean) / standard deviation.
    ZScore,
    /// (value − min) / (max − min), 0..1.
    MinMax,
    /// Share of the other Kitas with a lower value (ties count half), 0..1.
    PercentRank,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A higher value means more need (SGB-II quota).
    #[default]
    MoreIsWorse,
    /// A higher value means less need; the normalised value is mirrored.
    MoreIsBetter,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    pub indicator: String,
    pub weight: Decimal,
    pub normalization: Normalization,
    #[serde(default)]
    pub direction: Direction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// A missing value is an error naming the Kita and the indicator.
    #[default]
    Error,
    /// Use the mean of the Kitas that have a value.
    DistrictMean,
    /// The Kita gets no index and is not eligible where an index is needed.
    Exclude,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedIndex {
    pub terms: Vec<Term>,
    #[serde(default)]
    pub missing: MissingPolicy,
}

/// One term's part of a Kita's index. A Kita's contributions come in the order of the
/// concept's terms (which name the indicator and weight once for all Kitas).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The value used (after the missing-value policy).
    pub value: Decimal,
    pub normalized: Decimal,
    /// The term's weight × normalized.
    pub contribution: Decimal,
    /// The value was missing and replaced by the district mean.
    pub imputed: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum KitaIndex {
    Computed {
        index: Decimal,
        contributions: Vec<Contribution>,
    },
    /// Missing data and the policy says exclude.
    Excluded { indicator: String },
}

impl NeedIndex {
    pub fn validate(&self, known: &dyn Fn(&str) -> bool) -> Result<()> {
        if self.terms.is_empty() {
            return Ok(());
        }
        let sum: Decimal = self.terms.iter().map(|t| t.weight).sum();
        if sum != Decimal::ONE || self.terms.iter().any(|t| t.weight.is_sign_negative()) {
            return Err(AllocationError::WeightsDoNotAddUp {
                what: "need index".into(),
                sum: sum.to_string(),
            });
        }
        for t in &self.terms {
            if !known(&t.indicator) {
                return Err(AllocationError::UnknownIndicator {
                    indicator: t.indicator.clone(),
                    context: "need index".into(),
                });
            }
        }
        Ok(())
    }

    /// Index of every Kita, given each Kita's id and indicator values (in the same order).
    ///
    /// Normalised values and contributions are decimals rounded to [`INDEX_PLACES`] places; the
    /// index is the exact sum of the contributions, so an explanation always adds up.
    pub fn compute(
        &self,
        kitas: &[(&str, &BTreeMap<String, Option<Decimal>>)],
    ) -> Result<Vec<KitaIndex>> {
        let n = kitas.len();
        // Each term's values with the missing-value policy applied, and the Kitas it misses:
        // the terms side by side for a large district, errors in term order as sequentially.
        // Every Kita's values for all terms in one ordered walk through its map (a merge with
        // the term names in order), instead of a lookup per term: rows of `width` values.
        let width = self.terms.len();
        let mut by_name: Vec<(&str, usize)> = self
            .terms
            .iter()
            .enumerate()
            .map(|(k, t)| (t.indicator.as_str(), k))
            .collect();
        by_name.sort();
        let mut rows: Vec<Option<Decimal>> = vec![None; n * width];
        crate::par::fill_rows(&mut rows, width, |i, row| {
            let mut names = by_name.iter().peekable();
            for (key, value) in kitas[i].1 {
                while let Some((name, k)) = names.peek() {
                    match (*name).cmp(key.as_str()) {
                        std::cmp::Ordering::Less => {
                            names.next();
                        }
                        std::cmp::Ordering::Equal => {
                            row[*k] = *value;
                            names.next();
                        }
                        std::cmp::Ordering::Greater => break,
                    }
                }
            }
        });
        let rows = &rows;
        let term_values = |(k, t): (usize, &Term)| -> Result<TermValues> {
            let raw: Vec<Option<Decimal>> = (0..n).map(|i| rows[i * width + k]).collect();
            let mut sum = Decimal::ZERO;
            let mut present = 0usize;
            for (i, v) in raw.iter().enumerate() {
                if let Some(v) = v {
                    if v.is_sign_negative() && !v.is_zero() {
                        return Err(AllocationError::Negative {
                            subject: format!("Kita {}", kitas[i].0),
                            field: t.indicator.clone(),
                        });
                    }
                    sum += *v;
                    present += 1;
                }
            }
            let m = if present == 0 {
                Decimal::ZERO
            } else {
                sum / Decimal::from(present)
            };
            let mut filled = Vec::with_capacity(n);
            let mut missing = Vec::new();
            for (i, v) in raw.iter().enumerate() {
                match (v, self.missing) {
                    (Some(v), _) => filled.push((*v, false)),
                    (None, MissingPolicy::Error) => {
                        return Err(AllocationError::MissingValue {
                            kita: kitas[i].0.to_owned(),
                            indicator: t.indicator.clone(),
                        })
                    }
                    (None, MissingPolicy::DistrictMean) => filled.push((m, true)),
                    (None, MissingPolicy::Exclude) => {
                        missing.push(i);
                        filled.push((m, true));
                    }
                }
            }
            Ok((filled, missing))
        };
        let per_term: Vec<TermValues> = if n < crate::par::PARALLEL_FROM {
            self.terms
                .iter()
                .enumerate()
                .map(term_values)
                .collect::<Result<_>>()?
        } else {
            use rayon::prelude::*;
            let all: Vec<Result<_>> = self.terms.par_iter().enumerate().map(term_values).collect();
            all.into_iter().collect::<Result<_>>()?
        };
        // A Kita missing several values is excluded for the first term's indicator.
        let mut excluded: Vec<Option<&str>> = vec![None; n];
        for (t, (_, missing)) in self.terms.iter().zip(&per_term) {
            for i in missing {
                excluded[*i].get_or_insert(&t.indicator);
            }
        }
        let per_term: Vec<Vec<(Decimal, bool)>> = per_term.into_iter().map(|(f, _)| f).collect();
        // Normalise over the Kitas that take part (the excluded ones do not shift the scale).
        let part: Vec<bool> = excluded.iter().map(Option::is_none).collect();
        let term = |(t, values): (&Term, &Vec<(Decimal, bool)>)| {
            let values: Vec<Decimal> = values.iter().map(|(v, _)| *v).collect();
            normalize(&values, &part, t.normalization, t.direction)
        };
        // The terms side by side for a large district.
        let normalized: Vec<Vec<Decimal>> = if n < crate::par::PARALLEL_FROM {
            self.terms.iter().zip(&per_term).map(term).collect()
        } else {
            use rayon::prelude::*;
            self.terms.par_iter().zip(&per_term).map(term).collect()
        };
        Ok(crate::par::map(n, |i| {
            if let Some(indicator) = excluded[i] {
                return KitaIndex::Excluded {
                    indicator: indicator.to_owned(),
                };
            }
            let mut index = 0i128;
            let contributions: Vec<Contribution> = self
                .terms
                .iter()
                .enumerate()
                .map(|(k, t)| {
                    let nv = normalized[k][i];
                    let contribution = weighted(t.weight, nv);
                    index += contribution.mantissa();
                    Contribution {
                        value: per_term[k][i].0,
                        normalized: nv,
                        contribution,
                        imputed: per_term[k][i].1,
                    }
                })
                .collect();
            KitaIndex::Computed {
                // Exact: every contribution has INDEX_PLACES places.
                index: Decimal::from_i128_with_scale(index, INDEX_PLACES),
                contributions,
            }
        }))
    }
}

/// A term's value per Kita (and whether it was imputed), and the Kitas missing it.
type TermValues = (Vec<(Decimal, bool)>, Vec<usize>);

/// Decimal places of normalised values, contributions and so of the index. Normalising runs in
/// binary floating point (IEEE 754 operations are correctly rounded, so the same input gives the
/// same bits on every platform) and is then rounded here; all arithmetic after it is exact.
pub const INDEX_PLACES: u32 = 9;

/// weight × normalized, rounded half to even to INDEX_PLACES places and held at exactly that
/// scale. In 128-bit integers: a decimal multiplication and rounding per Kita and term cost
/// several times as much.
fn weighted(weight: Decimal, normalized: Decimal) -> Decimal {
    let scale = weight.scale() + normalized.scale();
    let product = weight.mantissa().checked_mul(normalized.mantissa());
    let places = match product {
        Some(p) if scale <= INDEX_PLACES => p.checked_mul(10i128.pow(INDEX_PLACES - scale)),
        Some(p) if scale - INDEX_PLACES <= 30 => {
            let div = 10i128.pow(scale - INDEX_PLACES);
            let (q, r) = (p / div, p % div);
            // Half to even, on magnitudes (the sign goes with the quotient).
            let twice = 2 * r.abs();
            Some(if twice > div || (twice == div && q % 2 != 0) {
                q + p.signum()
            } else {
                q
            })
        }
        _ => None,
    };
    match places {
        Some(m) => Decimal::from_i128_with_scale(m, INDEX_PLACES),
        None => {
            let mut d = (weight * normalized).round_dp(INDEX_PLACES);
            d.rescale(INDEX_PLACES);
            d
        }
    }
}

/// A decimal as a float: mantissa over a power of ten, each step correctly rounded (so the
/// same bits on every platform), and much cheaper than a general conversion.
fn as_f64(d: Decimal) -> f64 {
    const POWERS: [f64; 29] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22, 1e23, 1e24, 1e25, 1e26, 1e27, 1e28,
    ];
    d.mantissa() as f64 / POWERS[d.scale() as usize]
}

fn to_index_decimal(x: f64) -> Decimal {
    if !x.is_finite() {
        return Decimal::ZERO;
    }
    let scaled = (x * 1e9).round();
    Decimal::from_i128_with_scale(scaled as i128, INDEX_PLACES)
}

/// Normalises one term's values against those of the Kitas that take part (`part`).
fn normalize(
    values: &[Decimal],
    part: &[bool],
    how: Normalization,
    dir: Direction,
) -> Vec<Decimal> {
    let taking_part = || {
        values
            .iter()
            .zip(part)
            .filter(|(_, p)| **p)
            .map(|(v, _)| *v)
    };
    let count = part.iter().filter(|p| **p).count();
    if how == Normalization::Raw {
        return values
            .iter()
            .map(|v| {
                let v = v.round_dp(INDEX_PLACES);
                match dir {
                    Direction::MoreIsWorse => v,
                    Direction::MoreIsBetter => -v,
                }
            })
            .collect();
    }
    let f: Vec<f64> = values.iter().map(|v| as_f64(*v)).collect();
    let x: Vec<f64> = match how {
        Normalization::Raw => unreachable!("handled above"),
        Normalization::RatioToMean | Normalization::ZScore => {
            // The mean exactly, then in floating point.
            let mean = if count == 0 {
                Decimal::ZERO
            } else {
                taking_part().sum::<Decimal>() / Decimal::from(count)
            };
            let mean = as_f64(mean);
            if how == Normalization::RatioToMean {
                if mean == 0.0 {
                    vec![1.0; f.len()]
                } else {
                    f.iter().map(|v| v / mean).collect()
                }
            } else {
                let var = f
                    .iter()
                    .zip(part)
                    .filter(|(_, p)| **p)
                    .map(|(v, _)| (v - mean) * (v - mean))
                    .sum::<f64>()
                    / count.max(1) as f64;
                let sd = var.sqrt();
                if sd == 0.0 {
                    vec![0.0; f.len()]
                } else {
                    f.iter().map(|v| (v - mean) / sd).collect()
                }
            }
        }
        Normalization::MinMax => {
            let min = taking_part().min().unwrap_or_default();
            let max = taking_part().max().unwrap_or_default();
            if min == max {
                vec![0.5; f.len()]
            } else {
                let (min, range) = (as_f64(min), as_f64(max - min));
                f.iter().map(|v| (v - min) / range).collect()
            }
        }
        Normalization::PercentRank => {
            // One sort, then each group of equal values: the others below count whole, the
            // other equal ones half.
            // Sorted on exact integer keys (the values at one scale) where they fit.
            let scale = values.iter().map(|v| v.scale()).max().unwrap_or(0);
            let keys: Option<Vec<i128>> = values
                .iter()
                .map(|v| {
                    v.mantissa()
                        .checked_mul(10i128.checked_pow(scale - v.scale())?)
                })
                .collect();
            let mut order: Vec<usize> = (0..values.len()).filter(|i| part[*i]).collect();
            match &keys {
                Some(k) => crate::par::sort(&mut order, |a, b| k[*a].cmp(&k[*b]).then(a.cmp(b))),
                None => crate::par::sort(&mut order, |a, b| {
                    values[*a].cmp(&values[*b]).then(a.cmp(b))
                }),
            }
            let mut out = vec![0.0; values.len()];
            if order.len() <= 1 {
                out.iter_mut().for_each(|x| *x = 0.5);
            }
            let others = order.len().saturating_sub(1).max(1) as f64;
            let mut g = 0;
            while order.len() > 1 && g < order.len() {
                let mut h = g;
                while h + 1 < order.len() && values[order[h + 1]] == values[order[g]] {
                    h += 1;
                }
                let rank = (g as f64 + (h - g) as f64 / 2.0) / others;
                for i in &order[g..=h] {
                    out[*i] = rank;
                }
                g = h + 1;
            }
            out
        }
    };
    x.into_iter()
        .map(|x| {
            to_index_decimal(match (dir, how) {
                (Direction::MoreIsWorse, _) => x,
                // Mirror on the scale's own centre, so the normalised range stays the same.
                (Direction::MoreIsBetter, Normalization::MinMax | Normalization::PercentRank) => {
                    1.0 - x
                }
                (Direction::MoreIsBetter, Normalization::RatioToMean) => 2.0 - x,
                (Direction::MoreIsBetter, _) => -x,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn normalized(how: Normalization, dir: Direction) -> Vec<Decimal> {
        let all = [d("1"), d("2"), d("2"), d("3")];
        normalize(&all, &[true; 4], how, dir)
            .into_iter()
            .map(|v| v.round_dp(4))
            .collect()
    }

    #[test]
    fn each_normalization_by_hand() {
        use Direction::*;
        use Normalization::*;
        // Mean 2; standard deviation √((1 + 0 + 0 + 1) / 4) = √0.5 ≈ 0.7071.
        assert_eq!(
            normalized(Raw, MoreIsWorse),
            [d("1"), d("2"), d("2"), d("3")]
        );
        assert_eq!(
            normalized(RatioToMean, MoreIsWorse),
            [d("0.5"), d("1"), d("1"), d("1.5")]
        );
        assert_eq!(
            normalized(ZScore, MoreIsWorse),
            [d("-1.4142"), d("0"), d("0"), d("1.4142")]
        );
        assert_eq!(
            normalized(MinMax, MoreIsWorse),
            [d("0"), d("0.5"), d("0.5"), d("1")]
        );
        // 2 has one value below and one equal (half): (1 + 0.5) / 3.
        assert_eq!(
            normalized(PercentRank, MoreIsWorse),
            [d("0"), d("0.5"), d("0.5"), d("1")]
        );
        assert_eq!(
            normalized(MinMax, MoreIsBetter),
            [d("1"), d("0.5"), d("0.5"), d("0")]
        );
        assert_eq!(
            normalized(RatioToMean, MoreIsBetter),
            [d("1.5"), d("1"), d("1"), d("0.5")]
        );
    }

    proptest::proptest! {
        #[test]
        fn weighted_in_integers_is_the_decimal_product_rounded_half_even(
            w in 0i64..=1_000_000, ws in 0u32..=6, v in -2_000_000_000_000i64..2_000_000_000_000, vs in 0u32..=9,
        ) {
            let (w, v) = (Decimal::new(w, ws), Decimal::new(v, vs));
            let fast = weighted(w, v);
            proptest::prop_assert_eq!(fast, (w * v).round_dp(INDEX_PLACES));
            proptest::prop_assert_eq!(fast.scale(), INDEX_PLACES);
        }

        #[test]
        fn floats_from_decimals_match_the_general_conversion(m in any_mantissa(), scale in 0u32..=12) {
            use rust_decimal::prelude::ToPrimitive;
            let d = Decimal::new(m, scale);
            let (a, b) = (as_f64(d), d.to_f64().unwrap());
            proptest::prop_assert!((a - b).abs() <= b.abs() * 1e-15, "{} vs {}", a, b);
        }
    }

    fn any_mantissa() -> impl proptest::strategy::Strategy<Value = i64> {
        -1_000_000_000_000_000i64..1_000_000_000_000_000
    }
}
