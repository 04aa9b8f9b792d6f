//! The need index: weighted indicator terms, each normalised against the district's Kitas.

use std::collections::BTreeMap;

use rust_decimal::{Decimal, MathematicalOps};
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

/// One term's part of a Kita's index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub indicator: String,
    /// The value used (after the missing-value policy).
    pub value: Decimal,
    pub normalized: Decimal,
    pub weight: Decimal,
    /// weight × normalized.
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

fn mean(values: &[Decimal]) -> Decimal {
    if values.is_empty() {
        Decimal::ZERO
    } else {
        values.iter().sum::<Decimal>() / Decimal::from(values.len())
    }
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
    pub fn compute(
        &self,
        kitas: &[(&str, &BTreeMap<String, Option<Decimal>>)],
    ) -> Result<Vec<KitaIndex>> {
        let n = kitas.len();
        let mut excluded: Vec<Option<String>> = vec![None; n];
        let mut per_term: Vec<Vec<(Decimal, bool)>> = Vec::new();
        for t in &self.terms {
            let raw: Vec<Option<Decimal>> = kitas
                .iter()
                .map(|(_, values)| values.get(&t.indicator).copied().flatten())
                .collect();
            let present: Vec<Decimal> = raw.iter().flatten().copied().collect();
            for (i, v) in raw.iter().enumerate() {
                if let Some(v) = v {
                    if v.is_sign_negative() && !v.is_zero() {
                        return Err(AllocationError::Negative {
                            subject: format!("Kita {}", kitas[i].0),
                            field: t.indicator.clone(),
                        });
                    }
                }
            }
            let m = mean(&present);
            let mut filled = Vec::with_capacity(n);
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
                        excluded[i].get_or_insert_with(|| t.indicator.clone());
                        filled.push((m, true));
                    }
                }
            }
            per_term.push(filled);
        }
        // Normalise over the Kitas that take part (the excluded ones do not shift the scale).
        let mut normalized: Vec<Vec<Decimal>> = Vec::new();
        for (t, values) in self.terms.iter().zip(&per_term) {
            let part: Vec<Decimal> = values
                .iter()
                .enumerate()
                .filter(|(i, _)| excluded[*i].is_none())
                .map(|(_, (v, _))| *v)
                .collect();
            let scale = Scale::of(&part, t.normalization);
            normalized.push(
                values
                    .iter()
                    .map(|(v, _)| scale.normalize(*v, t.normalization, t.direction))
                    .collect(),
            );
        }
        Ok((0..n)
            .map(|i| {
                if let Some(indicator) = &excluded[i] {
                    return KitaIndex::Excluded {
                        indicator: indicator.clone(),
                    };
                }
                let contributions: Vec<Contribution> = self
                    .terms
                    .iter()
                    .enumerate()
                    .map(|(k, t)| {
                        let nv = normalized[k][i];
                        Contribution {
                            indicator: t.indicator.clone(),
                            value: per_term[k][i].0,
                            normalized: nv,
                            weight: t.weight,
                            contribution: t.weight * nv,
                            imputed: per_term[k][i].1,
                        }
                    })
                    .collect();
                KitaIndex::Computed {
                    index: contributions.iter().map(|c| c.contribution).sum(),
                    contributions,
                }
            })
            .collect())
    }
}

/// What normalising against the district's values needs, computed once per term.
struct Scale {
    mean: Decimal,
    sd: Decimal,
    min: Decimal,
    max: Decimal,
    sorted: Vec<Decimal>,
}

impl Scale {
    fn of(all: &[Decimal], how: Normalization) -> Self {
        let mean = mean(all);
        let sd = if how == Normalization::ZScore && !all.is_empty() {
            let var = all
                .iter()
                .map(|x| (*x - mean) * (*x - mean))
                .sum::<Decimal>()
                / Decimal::from(all.len());
            var.sqrt().unwrap_or(Decimal::ZERO)
        } else {
            Decimal::ZERO
        };
        let mut sorted = Vec::new();
        if how == Normalization::PercentRank {
            sorted = all.to_vec();
            sorted.sort();
        }
        Self {
            mean,
            sd,
            min: all.iter().copied().min().unwrap_or(Decimal::ZERO),
            max: all.iter().copied().max().unwrap_or(Decimal::ZERO),
            sorted,
        }
    }

    fn normalize(&self, v: Decimal, how: Normalization, dir: Direction) -> Decimal {
        let x = match how {
            Normalization::Raw => v,
            Normalization::RatioToMean => {
                if self.mean.is_zero() {
                    Decimal::ONE
                } else {
                    v / self.mean
                }
            }
            Normalization::ZScore => {
                if self.sd.is_zero() {
                    Decimal::ZERO
                } else {
                    (v - self.mean) / self.sd
                }
            }
            Normalization::MinMax => {
                if self.max == self.min {
                    Decimal::new(5, 1)
                } else {
                    (v - self.min) / (self.max - self.min)
                }
            }
            Normalization::PercentRank => percent_rank_sorted(v, &self.sorted),
        };
        match (dir, how) {
            (Direction::MoreIsWorse, _) => x,
            // Mirror on the scale's own centre, so the normalised range stays the same.
            (Direction::MoreIsBetter, Normalization::MinMax | Normalization::PercentRank) => {
                Decimal::ONE - x
            }
            (Direction::MoreIsBetter, Normalization::RatioToMean) => Decimal::TWO - x,
            (Direction::MoreIsBetter, Normalization::ZScore | Normalization::Raw) => -x,
        }
    }
}

/// Share of the other values below `v`, ties counting half; `sorted` is ascending.
fn percent_rank_sorted(v: Decimal, sorted: &[Decimal]) -> Decimal {
    if sorted.len() <= 1 {
        return Decimal::new(5, 1);
    }
    let less = sorted.partition_point(|x| *x < v);
    let not_more = sorted.partition_point(|x| *x <= v);
    let equal_others = (not_more - less).saturating_sub(1);
    (Decimal::from(less) + Decimal::from(equal_others) / Decimal::TWO)
        / Decimal::from(sorted.len() - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn normalized(how: Normalization, dir: Direction) -> Vec<Decimal> {
        let all = [d("1"), d("2"), d("2"), d("3")];
        let scale = Scale::of(&all, how);
        all.iter()
            .map(|v| scale.normalize(*v, how, dir).round_dp(4))
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
}
