//! Does a concept follow social compensation? Distribution measures over a result.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::concept::{KitaInput, KitaResult};

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

pub(crate) fn measures(kitas: &[&KitaInput], results: &[KitaResult]) -> Measures {
    let reached: Vec<usize> = (0..results.len())
        .filter(|i| results[*i].amount > 0)
        .collect();
    let per_place: Vec<(usize, Decimal)> = (0..results.len())
        .filter(|i| kitas[*i].places > 0)
        .map(|i| {
            (
                i,
                Decimal::from(results[i].amount) / Decimal::from(kitas[i].places),
            )
        })
        .collect();
    let total: i64 = results.iter().map(|r| r.amount).sum();
    let with_index: Vec<usize> = (0..results.len())
        .filter(|i| results[*i].rank.is_some())
        .collect();
    let quarter = with_index.len().div_ceil(4);
    let share_to_top_quarter = if total > 0 && quarter > 0 {
        let top: i64 = with_index
            .iter()
            .filter(|i| results[**i].rank.is_some_and(|r| r <= quarter))
            .map(|i| results[*i].amount)
            .sum();
        Some((Decimal::from(top) / Decimal::from(total)).round_dp(6))
    } else {
        None
    };
    let pairs: Vec<(Decimal, Decimal)> = per_place
        .iter()
        .filter_map(|(i, v)| results[*i].index.map(|x| (x, *v)))
        .collect();
    Measures {
        kitas_reached: reached.len(),
        kitas_total: results.len(),
        places_reached: reached.iter().map(|i| kitas[*i].places).sum(),
        places_total: kitas.iter().map(|k| k.places).sum(),
        gini_per_place: gini(per_place.iter().map(|(_, v)| *v).collect()).round_dp(6),
        share_to_top_quarter,
        need_correlation: spearman(&pairs).map(|c| c.round_dp(6)),
    }
}

/// Gini coefficient of non-negative values: Σ (2i − n − 1) x_i / (n Σ x) over sorted x.
pub fn gini(mut values: Vec<Decimal>) -> Decimal {
    let n = values.len();
    let sum: Decimal = values.iter().sum();
    if n == 0 || sum.is_zero() {
        return Decimal::ZERO;
    }
    values.sort();
    let weighted: Decimal = values
        .iter()
        .enumerate()
        .map(|(i, x)| Decimal::from(2 * (i as i64 + 1) - n as i64 - 1) * x)
        .sum();
    weighted / (Decimal::from(n) * sum)
}

/// Average ranks (ties share the mean rank), 1-based.
fn average_ranks(values: &[Decimal]) -> Vec<Decimal> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].cmp(&values[*b]));
    let mut ranks = vec![Decimal::ZERO; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let r = Decimal::from((i + j + 2) as i64) / Decimal::TWO;
        for k in &order[i..=j] {
            ranks[*k] = r;
        }
        i = j + 1;
    }
    ranks
}

/// Spearman's rank correlation (Pearson on average ranks); none when either side is constant.
pub fn spearman(pairs: &[(Decimal, Decimal)]) -> Option<Decimal> {
    use rust_decimal::MathematicalOps;
    if pairs.len() < 2 {
        return None;
    }
    let a = average_ranks(&pairs.iter().map(|p| p.0).collect::<Vec<_>>());
    let b = average_ranks(&pairs.iter().map(|p| p.1).collect::<Vec<_>>());
    let n = Decimal::from(pairs.len());
    let ma = a.iter().sum::<Decimal>() / n;
    let mb = b.iter().sum::<Decimal>() / n;
    let cov: Decimal = a.iter().zip(&b).map(|(x, y)| (*x - ma) * (*y - mb)).sum();
    let va: Decimal = a.iter().map(|x| (*x - ma) * (*x - ma)).sum();
    let vb: Decimal = b.iter().map(|y| (*y - mb) * (*y - mb)).sum();
    // Square roots taken apart: the product of the variances outgrows decimal range for
    // about a million Kitas.
    let denom = va.sqrt()? * vb.sqrt()?;
    if denom.is_zero() {
        None
    } else {
        Some(cov / denom)
    }
}
