//! Two results side by side: per Kita what changes, who gains and who loses, and how every
//! measure moves. Kitas are matched by id; one present in only one result counts as zero in
//! the other.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::concept::ConceptResult;
use crate::measures::Measures;
use crate::money::Cents;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KitaChange {
    pub id: String,
    pub name: String,
    pub amount_a: Cents,
    pub amount_b: Cents,
    /// b − a.
    pub difference: Cents,
    pub fte_a: Decimal,
    pub fte_b: Decimal,
    pub rank_a: Option<usize>,
    pub rank_b: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Kitas in id order.
    pub kitas: Vec<KitaChange>,
    pub gainers: usize,
    pub losers: usize,
    pub unchanged: usize,
    /// Sum of all gains (≥ 0) and of all losses (≤ 0).
    pub gained: Cents,
    pub lost: Cents,
    pub allocated_a: Cents,
    pub allocated_b: Cents,
    pub measures_a: Measures,
    pub measures_b: Measures,
    pub gini_change: Decimal,
    pub share_to_top_quarter_change: Option<Decimal>,
    pub need_correlation_change: Option<Decimal>,
}

pub fn compare(a: &ConceptResult, b: &ConceptResult) -> Comparison {
    let mut rows: BTreeMap<&str, KitaChange> = BTreeMap::new();
    for k in &a.kitas {
        rows.insert(
            &k.id,
            KitaChange {
                id: k.id.clone(),
                name: k.name.clone(),
                amount_a: k.amount,
                amount_b: 0,
                difference: 0,
                fte_a: k.fte,
                fte_b: Decimal::ZERO,
                rank_a: k.rank,
                rank_b: None,
            },
        );
    }
    for k in &b.kitas {
        let row = rows.entry(&k.id).or_insert_with(|| KitaChange {
            id: k.id.clone(),
            name: k.name.clone(),
            amount_a: 0,
            amount_b: 0,
            difference: 0,
            fte_a: Decimal::ZERO,
            fte_b: Decimal::ZERO,
            rank_a: None,
            rank_b: None,
        });
        row.amount_b = k.amount;
        row.fte_b = k.fte;
        row.rank_b = k.rank;
    }
    let mut kitas: Vec<KitaChange> = rows.into_values().collect();
    for k in &mut kitas {
        k.difference = k.amount_b - k.amount_a;
    }
    let diff = |f: fn(&Measures) -> Option<Decimal>| match (f(&a.measures), f(&b.measures)) {
        (Some(x), Some(y)) => Some(y - x),
        _ => None,
    };
    Comparison {
        gainers: kitas.iter().filter(|k| k.difference > 0).count(),
        losers: kitas.iter().filter(|k| k.difference < 0).count(),
        unchanged: kitas.iter().filter(|k| k.difference == 0).count(),
        gained: kitas.iter().map(|k| k.difference.max(0)).sum(),
        lost: kitas.iter().map(|k| k.difference.min(0)).sum(),
        allocated_a: a.kitas.iter().map(|k| k.amount).sum(),
        allocated_b: b.kitas.iter().map(|k| k.amount).sum(),
        gini_change: b.measures.gini_per_place - a.measures.gini_per_place,
        share_to_top_quarter_change: diff(|m| m.share_to_top_quarter),
        need_correlation_change: diff(|m| m.need_correlation),
        measures_a: a.measures.clone(),
        measures_b: b.measures.clone(),
        kitas,
    }
}
