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
            normalized.push(
                values
                    .iter()
                    .map(|(v, _)| normalize(*v, &part, t.normalization, t.direction))
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

fn normalize(v: Decimal, all: &[Decimal], how: Normalization, dir: Direction) -> Decimal {
    let m = mean(all);
    let x = match how {
        Normalization::Raw => v,
        Normalization::RatioToMean => {
            if m.is_zero() {
                Decimal::ONE
            } else {
                v / m
            }
        }
        Normalization::ZScore => {
            let var = if all.is_empty() {
                Decimal::ZERO
            } else {
                all.iter().map(|x| (*x - m) * (*x - m)).sum::<Decimal>() / Decimal::from(all.len())
            };
            match var.sqrt() {
                Some(sd) if !sd.is_zero() => (v - m) / sd,
                _ => Decimal::ZERO,
            }
        }
        Normalization::MinMax => {
            let min = all.iter().copied().min().unwrap_or(v);
            let max = all.iter().copied().max().unwrap_or(v);
            if max == min {
                Decimal::new(5, 1)
            } else {
                (v - min) / (max - min)
            }
        }
        Normalization::PercentRank => {
            if all.len() <= 1 {
                Decimal::new(5, 1)
            } else {
                let less = all.iter().filter(|x| **x < v).count();
                let equal = all.iter().filter(|x| **x == v).count().saturating_sub(1);
                (Decimal::from(less) + Decimal::from(equal) / Decimal::TWO)
                    / Decimal::from(all.len() - 1)
            }
        }
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
