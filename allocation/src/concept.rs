//! A district's concept (Konzeption) applied to its Kitas: pillars, eligibility, methods, caps
//! and floors, positions in FTE steps. Every cent of the budget ends up with a Kita or in a
//! reported leftover.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::apportion::largest_remainder;
use crate::error::{AllocationError, Result};
use crate::index::{Contribution, KitaIndex, NeedIndex};
use crate::money::{check_range, div_floor, mul_floor, to_i64, Cents, Rounding, MAX_CENTS};
use crate::par;
pub use crate::reason::Reason;
use crate::state::check_share;

/// A Kita as the engine sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KitaInput {
    pub id: String,
    pub name: String,
    pub places: i64,
    #[serde(default)]
    pub places_under3: i64,
    #[serde(default)]
    pub social_space: Option<String>,
    #[serde(default)]
    pub family_center: bool,
    /// Needs staff its operating licence requires (BE-relevant).
    #[serde(default)]
    pub be_relevant: bool,
    /// Indicator values; `None` when the value is missing.
    #[serde(default)]
    pub indicators: BTreeMap<String, Option<Decimal>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PillarBudget {
    /// A share of the district's total (0.30 = 30 %).
    Share(Decimal),
    /// A fixed amount.
    Amount(Cents),
    /// A number of full-time positions at the pillar's cost rate.
    Fte(Decimal),
}

/// What a position costs and how it is cut.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Staffing {
    /// Cost of one full-time position per year (pay grade with employer costs).
    pub cost_per_fte: Cents,
    /// Surcharge on the cost rate for training (0.01 = 1 %).
    #[serde(default)]
    pub training_surcharge: Decimal,
    /// Weekly hours of a full-time position.
    #[serde(default = "default_hours")]
    pub weekly_hours: Decimal,
    /// Positions are given in multiples of this (0.25, 0.1).
    pub fte_step: Decimal,
    /// A Kita gets at least this much or nothing.
    #[serde(default)]
    pub min_fte: Decimal,
}

fn default_hours() -> Decimal {
    Decimal::from(39)
}

impl Staffing {
    fn cost_with_surcharge(&self) -> Decimal {
        Decimal::from(self.cost_per_fte) * (Decimal::ONE + self.training_surcharge)
    }

    /// Cost of one FTE step, in cents (exact decimal).
    fn step_cost(&self) -> Decimal {
        self.cost_with_surcharge() * self.fte_step
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The same share for every eligible Kita, or a share by places.
    Base { by_places: bool },
    /// By need: places × index, or the index alone (negative indices count as zero).
    Proportional { by_places: bool },
    /// An amount per unit of an indicator (per child in SGB-II households, say); scaled down
    /// when the budget is short.
    PerUnit {
        indicator: String,
        amount_per_unit: Cents,
    },
    /// Named Kitas with a stated amount and reason.
    Fixed { grants: Vec<Grant> },
    /// Index bands give fixed positions: a Kita gets the FTE of the highest band its index
    /// reaches. When the budget is short, Kitas are funded by rank, most need first, until it
    /// ends. Needs staffing.
    Tiers { bands: Vec<Tier> },
    /// Requests from Träger, funded in order until the budget ends; the first request that
    /// does not fit gets the rest if `partial`, and nobody after it is funded. Needs staffing.
    Applications {
        requests: Vec<Application>,
        order: ApplicationOrder,
        #[serde(default)]
        partial: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tier {
    /// The band starts at this index (inclusive).
    pub min_index: Decimal,
    pub fte: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub kita_id: String,
    pub fte: Decimal,
    /// Lower comes first when ordering by priority.
    #[serde(default)]
    pub priority: u32,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationOrder {
    /// Highest need index first.
    NeedIndex,
    /// The stated priority, then need.
    Priority,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grant {
    pub kita_id: String,
    pub amount: Cents,
    pub reason: String,
}

/// Who can receive money from a pillar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    All,
    IndexAbove(Decimal),
    IndexAboveMean,
    /// The N Kitas with the highest index.
    TopN(usize),
    /// The highest p share of Kitas by index (0.25 = top quarter, rounded up).
    TopShare(Decimal),
    IndicatorAtLeast {
        indicator: String,
        value: Decimal,
    },
    FamilyCenter,
    BeRelevant,
    InSocialSpaces(BTreeSet<String>),
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
}

impl Rule {
    fn indicators<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Rule::IndicatorAtLeast { indicator, .. } => out.push(indicator),
            Rule::And(rules) | Rule::Or(rules) => rules.iter().for_each(|r| r.indicators(out)),
            Rule::Not(r) => r.indicators(out),
            _ => {}
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Limit {
    Amount(Cents),
    /// In FTE, converted at the pillar's cost rate.
    Fte(Decimal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FloorAction {
    /// A Kita below the floor is raised to it (the others give up the difference).
    Lift,
    /// A Kita below the floor gets nothing; its share goes to the others.
    Drop,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Floor {
    pub limit: Limit,
    pub action: FloorAction,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pillar {
    pub id: String,
    pub name: String,
    pub budget: PillarBudget,
    #[serde(default)]
    pub staffing: Option<Staffing>,
    pub method: Method,
    #[serde(default = "all")]
    pub eligibility: Rule,
    #[serde(default)]
    pub cap: Option<Limit>,
    #[serde(default)]
    pub floor: Option<Floor>,
    /// Phase-in ("schrittweise"): a Kita's amount moves by at most this share of its previous
    /// amount (0.1 = ±10 %); what that frees or costs is balanced within the pillar. Applies to
    /// Kitas with a previous amount for this pillar.
    #[serde(default)]
    pub phase_in: Option<Decimal>,
    /// Positions are rounded per social space (one position shared by its small Kitas) and
    /// attributed to the Kitas by share. Kitas without a social space form a pool of their own.
    /// Per-Kita caps, floors and phase-in cannot be combined with pooling (an error says so).
    #[serde(default)]
    pub pool_by_social_space: bool,
}

fn all() -> Rule {
    Rule::All
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Concept {
    pub pillars: Vec<Pillar>,
    pub need_index: NeedIndex,
    #[serde(default)]
    pub rounding: Rounding,
    /// A pillar's leftover (rounding to steps, caps, short demand) goes to the next pillar in
    /// order instead of staying unspent; the last pillar's leftover is what remains.
    #[serde(default)]
    pub move_leftovers: bool,
}

/// Everything a computation depends on; its hash identifies the result.
impl Concept {
    /// Every indicator the concept names: index terms, eligibility rules, per-unit methods.
    fn indicators<'a>(&'a self, out: &mut Vec<&'a str>) {
        out.extend(self.need_index.terms.iter().map(|t| t.indicator.as_str()));
        for p in &self.pillars {
            p.eligibility.indicators(out);
            if let Method::PerUnit { indicator, .. } = &p.method {
                out.push(indicator);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConceptInput {
    /// The district's total for the concept (usually the whole personnel budget).
    pub budget: Cents,
    pub concept: Concept,
    pub kitas: Vec<KitaInput>,
    /// A previous result's amounts, by Kita id and pillar id: the base for phase-in and for
    /// each Kita's change.
    #[serde(default)]
    pub previous: BTreeMap<String, BTreeMap<String, Cents>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PillarResult {
    pub id: String,
    pub name: String,
    pub budget: Cents,
    /// Leftover of the previous pillar carried into this one (with `move_leftovers`).
    pub received: Cents,
    pub allocated: Cents,
    /// budget + received − allocated: not given to any Kita (rounding to FTE steps, caps,
    /// short demand). Never lost: reported, or passed on to the next pillar.
    pub leftover: Cents,
    pub fte: Decimal,
}

/// A Kita's part of one pillar; a Kita's pillar results come in the order of
/// [`ConceptResult::pillars`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KitaPillarResult {
    pub eligible: bool,
    /// Why (not) eligible: structured, and as German text through `Display`.
    pub reason: Reason,
    /// The Kita's share of the pillar before caps, floors and rounding (0..1, at 18 places).
    pub raw_share: Decimal,
    pub capped: bool,
    pub floored: bool,
    pub amount: Cents,
    pub fte: Decimal,
    pub weekly_hours: Decimal,
    /// The amount in the previous result, where one was given.
    pub previous_amount: Option<Cents>,
    /// Held within the phase-in corridor.
    pub phased: bool,
    /// With pooling: the social space whose positions this Kita shares.
    pub pool: Option<String>,
    /// With pooling: this Kita's share of its pool's positions (a pool's shares add up to 1).
    pub attribution: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KitaResult {
    pub id: String,
    pub name: String,
    /// Places as computed with (results stored before this field read as 0).
    #[serde(default)]
    pub places: i64,
    pub index: Option<Decimal>,
    /// 1 = most need; none without an index.
    pub rank: Option<usize>,
    /// Per term of the need index, in the order of [`ConceptResult::index_terms`].
    pub contributions: Vec<Contribution>,
    pub pillars: Vec<KitaPillarResult>,
    pub amount: Cents,
    pub fte: Decimal,
    /// Sum of the previous amounts, where the previous result knew this Kita.
    pub previous_amount: Option<Cents>,
    /// amount − previous amount.
    pub change: Option<Cents>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConceptResult {
    /// SHA-256 of the canonical input: the same input gives the same result, byte for byte.
    pub input_hash: String,
    pub budget: Cents,
    /// Part of the total no pillar claims.
    pub unassigned: Cents,
    pub pillars: Vec<PillarResult>,
    /// The need index's terms (indicator, weight, normalisation), named once for all Kitas.
    pub index_terms: Vec<crate::index::Term>,
    pub kitas: Vec<KitaResult>,
    pub measures: crate::measures::Measures,
}

/// Largest indicator value accepted (counts and rates alike).
pub const MAX_INDICATOR: i64 = 1_000_000_000;
/// Largest number of places of one Kita.
pub const MAX_PLACES: i64 = 100_000;

/// Every number in the input within a plausible range, so that no arithmetic further on can
/// overflow: checked once here instead of at every operation.
fn check_ranges(input: &ConceptInput) -> Result<()> {
    if input.budget < 0 {
        return Err(AllocationError::Negative {
            subject: "district".into(),
            field: "budget".into(),
        });
    }
    check_range("district", "budget", input.budget, 0, MAX_CENTS)?;
    let big = Decimal::from(MAX_INDICATOR);
    par::try_map(input.kitas.len(), |i| {
        let k = &input.kitas[i];
        // The subject is only spelled out for an error: this runs for every Kita.
        let subject = || format!("Kita {}", k.id);
        if k.places < 0 || k.places_under3 < 0 {
            return Err(AllocationError::Negative {
                subject: subject(),
                field: "places".into(),
            });
        }
        if k.places > MAX_PLACES || k.places_under3 > MAX_PLACES {
            check_range(&subject(), "places", k.places, 0, MAX_PLACES)?;
            check_range(&subject(), "places_under3", k.places_under3, 0, MAX_PLACES)?;
        }
        for (name, v) in &k.indicators {
            if let Some(v) = v {
                // |v| ≤ MAX_INDICATOR on the mantissa: no decimal comparison per value.
                let limit = (MAX_INDICATOR as u128).checked_mul(10u128.pow(v.scale()));
                if limit.is_none_or(|l| v.mantissa().unsigned_abs() > l) {
                    check_range(&subject(), name, *v, -big, big)?;
                }
            }
        }
        Ok(())
    })?;
    for (kita, by_pillar) in &input.previous {
        for (pillar, amount) in by_pillar {
            check_range(
                &format!("previous result of Kita {kita}"),
                pillar,
                *amount,
                0,
                MAX_CENTS,
            )?;
        }
    }
    for t in &input.concept.need_index.terms {
        check_range(
            "need index",
            &t.indicator,
            t.weight,
            Decimal::ZERO,
            Decimal::ONE,
        )?;
    }
    for p in &input.concept.pillars {
        let subject = format!("pillar {}", p.id);
        if let Some(s) = &p.staffing {
            check_range(&subject, "cost_per_fte", s.cost_per_fte, 1, MAX_CENTS)?;
            check_range(
                &subject,
                "training_surcharge",
                s.training_surcharge,
                Decimal::ZERO,
                Decimal::ONE,
            )?;
            check_range(
                &subject,
                "fte_step",
                s.fte_step,
                Decimal::new(1, 2),
                Decimal::TEN,
            )?;
            check_range(
                &subject,
                "min_fte",
                s.min_fte,
                Decimal::ZERO,
                Decimal::ONE_HUNDRED,
            )?;
            check_range(
                &subject,
                "weekly_hours",
                s.weekly_hours,
                Decimal::ZERO,
                Decimal::from(60),
            )?;
        }
        match &p.budget {
            PillarBudget::Share(x) => {
                check_range(&subject, "budget share", *x, Decimal::ZERO, Decimal::ONE)?
            }
            PillarBudget::Amount(a) => check_range(&subject, "budget", *a, 0, MAX_CENTS)?,
            PillarBudget::Fte(n) => check_range(
                &subject,
                "budget FTE",
                *n,
                Decimal::ZERO,
                Decimal::from(100_000),
            )?,
        }
        if let Some(x) = p.phase_in {
            check_range(&subject, "phase_in", x, Decimal::ZERO, Decimal::ONE)?;
        }
        if p.pool_by_social_space && (p.cap.is_some() || p.floor.is_some() || p.phase_in.is_some())
        {
            return Err(AllocationError::InvalidPillar {
                pillar: p.id.clone(),
                reason: "caps, floors and phase-in apply per Kita and cannot be combined with pooling by social space".into(),
            });
        }
        for limit in [p.cap, p.floor.map(|f| f.limit)].into_iter().flatten() {
            match limit {
                Limit::Amount(a) => check_range(&subject, "limit", a, 0, MAX_CENTS)?,
                Limit::Fte(f) => check_range(
                    &subject,
                    "limit FTE",
                    f,
                    Decimal::ZERO,
                    Decimal::from(1_000),
                )?,
            }
        }
        match &p.method {
            Method::PerUnit {
                amount_per_unit, ..
            } => check_range(&subject, "amount_per_unit", *amount_per_unit, 0, MAX_CENTS)?,
            Method::Fixed { grants } => {
                for g in grants {
                    check_range(&subject, "grant", g.amount, 0, MAX_CENTS)?;
                }
            }
            Method::Tiers { bands } => {
                for b in bands {
                    check_range(
                        &subject,
                        "tier FTE",
                        b.fte,
                        Decimal::ZERO,
                        Decimal::from(1_000),
                    )?;
                }
            }
            Method::Applications { requests, .. } => {
                for r in requests {
                    check_range(
                        &subject,
                        "requested FTE",
                        r.fte,
                        Decimal::ZERO,
                        Decimal::from(1_000),
                    )?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Computes a concept for a district's Kitas.
pub fn compute(input: &ConceptInput) -> Result<ConceptResult> {
    check_ranges(input)?;
    let concept = &input.concept;
    if concept.pillars.is_empty() {
        return Err(AllocationError::EmptyConcept);
    }
    // Kitas in id order: the result does not depend on input order.
    let mut kitas: Vec<&KitaInput> = input.kitas.iter().collect();
    // The platform hands Kitas over in id order already: then checking is all it takes.
    // Strictly ascending also means no id twice.
    if !kitas.is_sorted_by(|a, b| a.id < b.id) {
        par::sort(&mut kitas, |a, b| a.id.cmp(&b.id));
        for pair in kitas.windows(2) {
            if pair[0].id == pair[1].id {
                return Err(AllocationError::DuplicateId(pair[0].id.clone()));
            }
        }
    }
    // The indicators the concept names that at least one Kita has: checked per name (most
    // Kitas have all of them, so each check ends at the first Kita).
    let mut named = Vec::new();
    concept.indicators(&mut named);
    let known: BTreeSet<&str> = named
        .into_iter()
        .filter(|name| kitas.iter().any(|k| k.indicators.contains_key(*name)))
        .collect();
    concept
        .need_index
        .validate(&|i: &str| known.contains(i) || kitas.is_empty())?;

    let indices = concept.need_index.compute(
        &kitas
            .iter()
            .map(|k| (k.id.as_str(), &k.indicators))
            .collect::<Vec<_>>(),
    )?;
    let index_of: Vec<Option<Decimal>> = indices
        .iter()
        .map(|i| match i {
            KitaIndex::Computed { index, .. } if !concept.need_index.terms.is_empty() => {
                Some(*index)
            }
            _ => None,
        })
        .collect();
    let (ranks, by_need) = ranks(&index_of);

    let with_index = index_of.iter().flatten().count();
    let mean_index = if with_index == 0 {
        Decimal::ZERO
    } else {
        index_of.iter().flatten().sum::<Decimal>() / Decimal::from(with_index)
    };
    let budgets = pillar_budgets(concept, input.budget)?;
    let unit = concept.rounding.unit();
    let mut pillar_results = Vec::new();
    let mut per_kita: Vec<Vec<KitaPillarResult>> =
        par::map(kitas.len(), |_| Vec::with_capacity(concept.pillars.len()));
    let mut carried: Cents = 0;
    let ctx = Ctx {
        kitas: &kitas,
        index: &index_of,
        ranks: &ranks,
        known: &known,
        with_index,
        mean_index,
    };
    for (pillar, budget) in concept.pillars.iter().zip(&budgets) {
        let received = carried;
        let (allocated, fte) = allocate_pillar(
            pillar,
            budget + received,
            unit,
            &ctx,
            &input.previous,
            &mut per_kita,
        )?;
        let leftover = budget + received - allocated;
        if concept.move_leftovers {
            carried = leftover;
        }
        pillar_results.push(PillarResult {
            id: pillar.id.clone(),
            name: pillar.name.clone(),
            budget: *budget,
            received,
            allocated,
            leftover,
            fte,
        });
    }
    let unassigned = input.budget - budgets.iter().sum::<Cents>();
    let kita_results: Vec<KitaResult> = par::map_zip(indices, per_kita, |i, idx, pillars| {
        let k = kitas[i];
        KitaResult {
            id: k.id.clone(),
            name: k.name.clone(),
            places: k.places,
            index: index_of[i],
            rank: ranks[i],
            contributions: match idx {
                KitaIndex::Computed { contributions, .. } => contributions,
                KitaIndex::Excluded { .. } => Vec::new(),
            },
            amount: pillars.iter().map(|p| p.amount).sum(),
            fte: pillars.iter().map(|p| p.fte).sum(),
            previous_amount: input
                .previous
                .get(&k.id)
                .map(|by_pillar| by_pillar.values().sum()),
            change: input.previous.get(&k.id).map(|by_pillar| {
                pillars.iter().map(|p| p.amount).sum::<Cents>() - by_pillar.values().sum::<Cents>()
            }),
            pillars,
        }
    });
    let (measures, input_hash) = par::join(
        kitas.len(),
        || {
            let places: Vec<i64> = kitas.iter().map(|k| k.places).collect();
            let amounts: Vec<i64> = kita_results.iter().map(|k| k.amount).collect();
            crate::measures::measures(&places, &amounts, &index_of, &by_need)
        },
        || hash_sorted(input, &kitas),
    );
    Ok(ConceptResult {
        input_hash,
        budget: input.budget,
        unassigned,
        pillars: pillar_results,
        index_terms: concept.need_index.terms.clone(),
        kitas: kita_results,
        measures,
    })
}

/// [`compute`] for many districts at once (the whole state), side by side on the machine's
/// threads; results in the order of the inputs.
pub fn compute_all(inputs: &[ConceptInput]) -> Vec<Result<ConceptResult>> {
    use rayon::prelude::*;
    inputs.par_iter().map(compute).collect()
}

/// SHA-256 of the input in canonical form: Kitas in id order, maps sorted (every map in the
/// input is a BTreeMap), previous amounts included. The concept goes in as JSON (it is small);
/// Kitas and previous amounts as length-prefixed binary, which costs a fraction of JSON per Kita.
pub fn input_hash(input: &ConceptInput) -> String {
    let mut kitas: Vec<&KitaInput> = input.kitas.iter().collect();
    if !kitas.is_sorted_by(|a, b| a.id < b.id) {
        par::sort(&mut kitas, |a, b| a.id.cmp(&b.id));
    }
    hash_sorted(input, &kitas)
}

/// [`input_hash`] with the Kitas already in id order.
fn hash_sorted(input: &ConceptInput, kitas: &[&KitaInput]) -> String {
    use sha2::{Digest, Sha256};

    /// Collects small pieces and hands them to the hasher in blocks.
    struct Canon(Sha256, Vec<u8>);
    impl Canon {
        fn new() -> Self {
            Canon(Sha256::new(), Vec::with_capacity(8192 + 256))
        }
        fn bytes(&mut self, v: &[u8]) {
            self.1.extend_from_slice(v);
            if self.1.len() >= 8192 {
                self.0.update(&self.1);
                self.1.clear();
            }
        }
        fn int(&mut self, v: i64) {
            self.bytes(&v.to_le_bytes());
        }
        fn str(&mut self, v: &str) {
            self.bytes(&(v.len() as u32).to_le_bytes());
            self.bytes(v.as_bytes());
        }
        fn flag(&mut self, v: bool) {
            self.bytes(&[v as u8]);
        }
        fn digest(mut self) -> [u8; 32] {
            self.0.update(&self.1);
            self.0.finalize().into()
        }
    }
    impl std::io::Write for Canon {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.bytes(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    // Kitas are hashed in chunks of a fixed size, and the chunks' digests in order: the same
    // value however many threads share the chunks.
    let chunk_digest = |chunk: &[&KitaInput]| {
        let mut h = Canon::new();
        for k in chunk {
            h.str(&k.id);
            h.str(&k.name);
            h.int(k.places);
            h.int(k.places_under3);
            h.flag(k.social_space.is_some());
            h.str(k.social_space.as_deref().unwrap_or(""));
            h.flag(k.family_center);
            h.flag(k.be_relevant);
            h.int(k.indicators.len() as i64);
            for (key, value) in &k.indicators {
                h.str(key);
                h.flag(value.is_some());
                // Mantissa and scale: 1.0 and 1.00 are different inputs, as in JSON.
                h.bytes(&value.unwrap_or_default().serialize());
            }
        }
        h.digest()
    };
    const CHUNK: usize = 1024;
    let chunks: Vec<&[&KitaInput]> = kitas.chunks(CHUNK).collect();
    let digests = par::map_over(kitas.len(), &chunks, |c| chunk_digest(c));

    let mut h = Canon::new();
    h.str("srb-allocation input 3");
    h.int(input.budget);
    // Serialising plain data into a hasher cannot fail.
    let _ = serde_json::to_writer(&mut h, &input.concept);
    h.int(kitas.len() as i64);
    for d in &digests {
        h.bytes(d);
    }
    h.int(input.previous.len() as i64);
    for (kita, amounts) in &input.previous {
        h.str(kita);
        h.int(amounts.len() as i64);
        for (pillar, amount) in amounts {
            h.str(pillar);
            h.int(*amount);
        }
    }
    h.digest().iter().map(|b| format!("{b:02x}")).collect()
}

/// Also returns the Kitas with an index in rank order.
fn ranks(index: &[Option<Decimal>]) -> (Vec<Option<usize>>, Vec<usize>) {
    // Sorted as (index, Kita) pairs rather than Kitas looked up per comparison, the index as
    // an integer of ten-billionths... exactly: indices have at most INDEX_PLACES places.
    let places = crate::index::INDEX_PLACES;
    let mut pairs: Vec<(i128, usize)> = index
        .iter()
        .enumerate()
        .filter_map(|(i, x)| x.map(|x| (x, i)))
        .map(|(x, i)| {
            let scale = x.scale().min(places);
            // Exact: the index is a sum of values rounded to INDEX_PLACES places.
            debug_assert!(x.scale() <= places);
            (x.mantissa() * 10i128.pow(places - scale), i)
        })
        .collect();
    par::sort(&mut pairs, |a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out = vec![None; index.len()];
    let order: Vec<usize> = pairs.into_iter().map(|(_, i)| i).collect();
    for (r, i) in order.iter().enumerate() {
        out[*i] = Some(r + 1);
    }
    (out, order)
}

fn pillar_budgets(concept: &Concept, total: Cents) -> Result<Vec<Cents>> {
    let unit = concept.rounding.unit();
    let mut out = Vec::new();
    for p in &concept.pillars {
        // Ranges (positive cost and step, shares within 0..1, no negative amounts) were checked
        // by `check_ranges` before.
        if let Some(s) = &p.staffing {
            if !(s.min_fte % s.fte_step).is_zero() {
                return Err(AllocationError::StepDoesNotDivideMinimum {
                    pillar: p.id.clone(),
                    step: s.fte_step.to_string(),
                    minimum: s.min_fte.to_string(),
                });
            }
        }
        let budget = match &p.budget {
            PillarBudget::Share(share) => {
                // Whole units, rounded down: a share never takes more than it says.
                let cents = Decimal::from(total) * share;
                to_i64((cents / Decimal::from(unit)).floor(), "pillar budget")? * unit
            }
            PillarBudget::Amount(a) => *a,
            PillarBudget::Fte(n) => {
                let s = p
                    .staffing
                    .as_ref()
                    .ok_or_else(|| AllocationError::InvalidPillar {
                        pillar: p.id.clone(),
                        reason: "a budget in FTE needs a cost rate (staffing)".into(),
                    })?;
                to_i64((s.cost_with_surcharge() * n).ceil(), "pillar budget")?
            }
        };
        if budget > total {
            return Err(AllocationError::PillarAboveTotal {
                pillar: p.id.clone(),
                budget,
                total,
            });
        }
        out.push(budget);
    }
    let sum: Cents = out.iter().sum();
    if sum > total {
        return Err(AllocationError::PillarsAboveTotal { sum, total });
    }
    Ok(out)
}

struct Ctx<'a> {
    kitas: &'a [&'a KitaInput],
    index: &'a [Option<Decimal>],
    ranks: &'a [Option<usize>],
    known: &'a BTreeSet<&'a str>,
    /// Kitas with an index, and the mean of their indices (computed once, not per Kita).
    with_index: usize,
    mean_index: Decimal,
}

/// What could make a rule fail for any Kita, checked once per pillar instead of per Kita.
fn check_rule(rule: &Rule, ctx: &Ctx<'_>, pillar: &str) -> Result<()> {
    match rule {
        Rule::TopShare(p) => check_share("top share", *p),
        Rule::IndicatorAtLeast { indicator, .. }
            if !ctx.known.contains(indicator.as_str()) && !ctx.kitas.is_empty() =>
        {
            Err(AllocationError::UnknownIndicator {
                indicator: indicator.clone(),
                context: format!("eligibility of pillar {pillar}"),
            })
        }
        Rule::And(rules) | Rule::Or(rules) => {
            rules.iter().try_for_each(|r| check_rule(r, ctx, pillar))
        }
        Rule::Not(r) => check_rule(r, ctx, pillar),
        _ => Ok(()),
    }
}

/// Evaluates a rule (checked by [`check_rule`]) for Kita `i`: eligible or not, and why.
fn eligible(rule: &Rule, i: usize, ctx: &Ctx<'_>) -> (bool, Reason) {
    let k = ctx.kitas[i];
    let idx = ctx.index[i];
    let with_index = ctx.with_index;
    let rank = |considered: usize| match ctx.ranks[i] {
        Some(r) => (
            r <= considered,
            Reason::Rank {
                rank: r,
                of: with_index,
                considered,
                met: r <= considered,
            },
        ),
        None => (false, Reason::NoIndex),
    };
    match rule {
        Rule::All => (true, Reason::AllKitas),
        Rule::IndexAbove(t) => match idx {
            Some(v) => (
                v > *t,
                Reason::IndexAbove {
                    index: v,
                    threshold: *t,
                    met: v > *t,
                },
            ),
            None => (false, Reason::NoIndex),
        },
        Rule::IndexAboveMean => match idx {
            Some(v) => (
                v > ctx.mean_index,
                Reason::IndexAboveMean {
                    index: v,
                    mean: ctx.mean_index,
                    met: v > ctx.mean_index,
                },
            ),
            None => (false, Reason::NoIndex),
        },
        Rule::TopN(n) => rank(*n),
        Rule::TopShare(p) => {
            use rust_decimal::prelude::ToPrimitive;
            // A share within 0..1 (checked) of a count: always a count again.
            rank(
                (Decimal::from(with_index) * p)
                    .ceil()
                    .to_usize()
                    .unwrap_or(with_index),
            )
        }
        Rule::IndicatorAtLeast { indicator, value } => {
            match k.indicators.get(indicator).copied().flatten() {
                Some(v) => (
                    v >= *value,
                    Reason::IndicatorAtLeast {
                        indicator: Arc::from(indicator.as_str()),
                        value: v,
                        threshold: *value,
                        met: v >= *value,
                    },
                ),
                None => (
                    false,
                    Reason::IndicatorMissing {
                        indicator: Arc::from(indicator.as_str()),
                    },
                ),
            }
        }
        Rule::FamilyCenter => (
            k.family_center,
            Reason::FamilyCenter {
                met: k.family_center,
            },
        ),
        Rule::BeRelevant => (k.be_relevant, Reason::BeRelevant { met: k.be_relevant }),
        Rule::InSocialSpaces(spaces) => {
            let inside = k.social_space.as_ref().is_some_and(|s| spaces.contains(s));
            (
                inside,
                Reason::SocialSpace {
                    space: k.social_space.clone(),
                    met: inside,
                },
            )
        }
        Rule::And(rules) | Rule::Or(rules) => {
            // `and` fails at the first part that fails, `or` holds at the first that holds;
            // otherwise all parts are the reason.
            let decisive = matches!(rule, Rule::Or(_));
            let mut reasons = Vec::with_capacity(rules.len());
            for r in rules {
                let (ok, why) = eligible(r, i, ctx);
                if ok == decisive {
                    return (ok, why);
                }
                reasons.push(why);
            }
            (!decisive, Reason::Each { reasons })
        }
        Rule::Not(r) => {
            let (ok, why) = eligible(r, i, ctx);
            (
                !ok,
                Reason::Not {
                    inner: Box::new(why),
                },
            )
        }
    }
}

/// A Kita's limits in the distribution's units.
#[derive(Clone, Copy)]
struct Bounds {
    cap: Option<i64>,
    floor: Option<(i64, FloorAction)>,
    /// The minimum position: fewer units than this (but more than none) is no position.
    min: i64,
}

/// Shares `total` units by weight with caps and floors: what a cap cuts off goes to the Kitas
/// still below theirs until nothing moves; a Kita below its floor is lifted to it or dropped.
/// Returns units per item and whether each was capped / floored. Each round fixes or removes at
/// least one item, so this ends after at most `n` rounds.
fn distribute(
    total: i64,
    weights: &[Decimal],
    bounds: &[Bounds],
    what: &str,
) -> Result<(Vec<i64>, Vec<bool>, Vec<bool>)> {
    let n = weights.len();
    let mut fixed: Vec<Option<i64>> = vec![None; n];
    let mut capped = vec![false; n];
    let mut floored = vec![false; n];
    // The weights as integers where they fit: comparisons without decimal divisions.
    let exact = crate::apportion::as_integers(weights);
    loop {
        let remaining = total - fixed.iter().flatten().sum::<i64>();
        let free: Vec<usize> = (0..n)
            .filter(|i| fixed[*i].is_none() && !weights[*i].is_zero())
            .collect();
        let mut units = vec![0i64; n];
        for i in 0..n {
            if let Some(f) = fixed[i] {
                units[i] = f;
            }
        }
        if free.is_empty() || remaining <= 0 {
            return Ok((units, capped, floored));
        }
        // Water-filling: a Kita is capped when its cap lies below its proportional share at
        // the final level λ = remaining / weight of the uncapped. Taking Kitas by ascending
        // cap / weight settles all caps in one pass instead of one round per wave of excess.
        let newly_capped = match &exact {
            Some(w) => water_fill_exact(remaining, w, &free, bounds),
            None => None,
        }
        .unwrap_or_else(|| water_fill(remaining, weights, &free, bounds));
        if !newly_capped.is_empty() {
            for i in newly_capped {
                let cap = bounds[i].cap.unwrap_or(0);
                // A cap below the minimum position leaves no position at all.
                fixed[i] = Some(if cap < bounds[i].min { 0 } else { cap });
                capped[i] = true;
            }
            continue;
        }
        // Minimum positions, judged by the exact share: with a fixed pot, a smaller weight
        // means a smaller share, so the Kitas that keep a position are the largest weights,
        // as many as can each reach their minimum. All others are dropped in one step.
        if free.iter().any(|i| bounds[*i].min > 1) {
            let keeping = match &exact {
                Some(w) => keep_exact(remaining, w, &free, bounds),
                None => None,
            };
            let (by_weight, keep) =
                keeping.unwrap_or_else(|| keep_decimal(remaining, weights, &free, bounds));
            if keep < by_weight.len() {
                for i in &by_weight[keep..] {
                    floored[*i] = true;
                    fixed[*i] = Some(0);
                }
                continue;
            }
        }
        let w: Vec<Decimal> = free.iter().map(|i| weights[*i]).collect();
        let shares = largest_remainder(remaining, &w, what)?;
        for (k, i) in free.iter().enumerate() {
            units[*i] = shares[k];
        }
        // Rounding never lifts a Kita above its cap (its quota is at most the cap, a whole
        // number); this catches it should that ever change.
        let over: Vec<usize> = free
            .iter()
            .copied()
            .filter(|i| bounds[*i].cap.is_some_and(|c| units[*i] > c))
            .collect();
        if !over.is_empty() {
            for i in over {
                let cap = bounds[i].cap.unwrap_or(0);
                // A cap below the minimum position leaves no position at all.
                fixed[i] = Some(if cap < bounds[i].min { 0 } else { cap });
                capped[i] = true;
            }
            continue;
        }
        let under: Vec<usize> = free
            .iter()
            .copied()
            .filter(|i| bounds[*i].floor.is_some_and(|(f, _)| units[*i] < f))
            .collect();
        if let Some(&i) = under.iter().min_by_key(|i| {
            (
                units[**i] - bounds[**i].floor.map(|f| f.0).unwrap_or(0),
                **i,
            )
        }) {
            // The Kita furthest below its floor is settled first, one at a time: lifting one
            // may push others under theirs.
            let (f, action) = bounds[i].floor.expect("has floor");
            floored[i] = true;
            let lifted = f.min(remaining);
            fixed[i] = Some(match action {
                FloorAction::Lift if lifted >= bounds[i].min => lifted,
                _ => 0,
            });
            continue;
        }
        // Below the minimum position: all such Kitas are dropped together and the rest is
        // shared again among the others (whose shares can only grow).
        let small: Vec<usize> = free
            .iter()
            .copied()
            .filter(|i| units[*i] > 0 && units[*i] < bounds[*i].min)
            .collect();
        if small.is_empty() {
            return Ok((units, capped, floored));
        }
        for i in small {
            floored[i] = true;
            fixed[i] = Some(0);
        }
    }
}

/// The free Kitas by descending weight, and how many of the first keep their minimum
/// position: pot × w / (sum of the weights so far) ≥ minimum, without a division.
fn keep_decimal(
    remaining: i64,
    weights: &[Decimal],
    free: &[usize],
    bounds: &[Bounds],
) -> (Vec<usize>, usize) {
    let mut by_weight = free.to_vec();
    par::sort(&mut by_weight, |a, b| {
        weights[*b].cmp(&weights[*a]).then(a.cmp(b))
    });
    let pot = Decimal::from(remaining);
    let mut sum = Decimal::ZERO;
    let mut keep = 0;
    for (k, i) in by_weight.iter().enumerate() {
        sum += weights[*i];
        if pot * weights[*i] >= Decimal::from(bounds[*i].min) * sum {
            keep = k + 1;
        }
    }
    (by_weight, keep)
}

/// [`keep_decimal`] on integer weights; none when the products could outgrow 128 bits.
fn keep_exact(
    remaining: i64,
    weights: &[i128],
    free: &[usize],
    bounds: &[Bounds],
) -> Option<(Vec<usize>, usize)> {
    let total = free
        .iter()
        .try_fold(0i128, |acc, i| acc.checked_add(weights[*i]))?;
    let max_min = free.iter().map(|i| bounds[*i].min).max().unwrap_or(0);
    (remaining.max(max_min).max(1) as i128).checked_mul(total)?;
    let mut by_weight = free.to_vec();
    par::sort(&mut by_weight, |a, b| {
        weights[*b].cmp(&weights[*a]).then(a.cmp(b))
    });
    let mut sum = 0i128;
    let mut keep = 0;
    for (k, i) in by_weight.iter().enumerate() {
        sum += weights[*i];
        if remaining as i128 * weights[*i] >= bounds[*i].min as i128 * sum {
            keep = k + 1;
        }
    }
    Some((by_weight, keep))
}

/// The Kitas whose cap lies below their share at the final water level, by ascending
/// cap / weight (decimal quotients; see [`water_fill_exact`]).
fn water_fill(
    remaining: i64,
    weights: &[Decimal],
    free: &[usize],
    bounds: &[Bounds],
) -> Vec<usize> {
    let mut by_ratio: Vec<(Decimal, usize)> = par::map(free.len(), |k| {
        let i = free[k];
        bounds[i].cap.map(|c| (Decimal::from(c) / weights[i], i))
    })
    .into_iter()
    .flatten()
    .collect();
    par::sort(&mut by_ratio, |a, b| a.cmp(b));
    let mut level_amount = Decimal::from(remaining);
    let mut level_weight: Decimal = free.iter().map(|i| weights[*i]).sum();
    let mut newly_capped = Vec::new();
    for (ratio, i) in by_ratio {
        // ratio ≥ amount / weight, without a division per Kita.
        if level_weight.is_zero() || ratio * level_weight >= level_amount {
            break;
        }
        let cap = bounds[i].cap.unwrap_or(0);
        level_amount -= Decimal::from(cap);
        level_weight -= weights[i];
        newly_capped.push(i);
    }
    newly_capped
}

/// [`water_fill`] on integer weights: cap / weight compared by cross-multiplication, exactly
/// and without a division; none when the products could outgrow 128 bits.
fn water_fill_exact(
    remaining: i64,
    weights: &[i128],
    free: &[usize],
    bounds: &[Bounds],
) -> Option<Vec<usize>> {
    let total_weight = free
        .iter()
        .try_fold(0i128, |acc, i| acc.checked_add(weights[*i]))?;
    let max_cap = free
        .iter()
        .filter_map(|i| bounds[*i].cap)
        .max()
        .unwrap_or(0);
    // Every product below is at most max(cap, remaining) × total weight.
    (max_cap.max(remaining).max(1) as i128).checked_mul(total_weight)?;
    let mut by_ratio: Vec<(i64, i128, usize)> = free
        .iter()
        .filter_map(|i| bounds[*i].cap.map(|c| (c, weights[*i], *i)))
        .collect();
    par::sort(&mut by_ratio, |a, b| {
        (a.0 as i128 * b.1)
            .cmp(&(b.0 as i128 * a.1))
            .then(a.2.cmp(&b.2))
    });
    let mut level_amount = remaining as i128;
    let mut level_weight = total_weight;
    let mut newly_capped = Vec::new();
    for (cap, w, i) in by_ratio {
        // cap / w ≥ amount / weight ⇔ cap × weight ≥ amount × w (weights positive).
        if level_weight <= 0 || cap as i128 * level_weight >= level_amount * w {
            break;
        }
        level_amount -= cap as i128;
        level_weight -= w;
        newly_capped.push(i);
    }
    Some(newly_capped)
}

/// Each Kita's raw share of a pillar, w / Σw, at [`SHARE_PLACES`] places (rounded half to
/// even): in integers where the weights allow, otherwise by decimal division.
struct Shares {
    exact: Option<(Vec<i128>, i128)>,
    sum: Decimal,
}

/// Decimal places of a raw share: enough to tell apart the shares of a million Kitas.
pub const SHARE_PLACES: u32 = 18;

impl Shares {
    fn of(weights: &[Decimal]) -> Self {
        let exact = crate::apportion::as_integers(weights).and_then(|w| {
            let sum = w.iter().try_fold(0i128, |acc, x| acc.checked_add(*x))?;
            // Every w × 10^18 must fit; w ≤ Σw.
            sum.checked_mul(10i128.pow(SHARE_PLACES))?;
            Some((w, sum))
        });
        Shares {
            exact,
            sum: weights.iter().sum(),
        }
    }

    fn get(&self, weights: &[Decimal], i: usize) -> Decimal {
        if self.sum.is_zero() || weights[i].is_zero() {
            return Decimal::ZERO;
        }
        match &self.exact {
            Some((w, sum)) => {
                let num = w[i] * 10i128.pow(SHARE_PLACES);
                let (q, r) = (num / sum, num % sum);
                let q = if 2 * r > *sum || (2 * r == *sum && q % 2 == 1) {
                    q + 1
                } else {
                    q
                };
                Decimal::from_i128_with_scale(q, SHARE_PLACES)
            }
            None => (weights[i] / self.sum).round_dp(SHARE_PLACES),
        }
    }
}

/// Pooling by social space: positions in steps per pool (largest remainder between pools,
/// minimum position per pool), then each pool's positions and money attributed to its Kitas by
/// weight. FTE are attributed in ten-thousandths and money in cents, each by largest
/// remainder, so both add up to the pool's exactly.
#[allow(clippy::too_many_arguments)]
fn pooled(
    p: &Pillar,
    total_units: i64,
    unit_cost: Decimal,
    weights: &[Decimal],
    min: i64,
    ctx: &Ctx<'_>,
    ok: &[bool],
    reasons: &[Reason],
    previous_amount: &[Option<Cents>],
) -> Result<Vec<KitaPillarResult>> {
    let s = needs_staffing(p)?;
    let n = weights.len();
    let mut pools: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let key = match &ctx.kitas[i].social_space {
            Some(space) => space.clone(),
            None => format!("Kita {}", ctx.kitas[i].id),
        };
        pools.entry(key).or_default().push(i);
    }
    let pool_list: Vec<(&String, &Vec<usize>)> = pools.iter().collect();
    let pool_weights: Vec<Decimal> = pool_list
        .iter()
        .map(|(_, members)| members.iter().map(|i| weights[*i]).sum())
        .collect();
    let bounds: Vec<Bounds> = pool_list
        .iter()
        .map(|_| Bounds {
            cap: None,
            floor: None,
            min,
        })
        .collect();
    let shares = Shares::of(weights);
    let (pool_units, _, pool_dropped) = distribute(total_units, &pool_weights, &bounds, &p.id)?;
    let mut out: Vec<KitaPillarResult> = (0..n)
        .map(|i| KitaPillarResult {
            eligible: ok[i],
            reason: reasons[i].clone(),
            raw_share: shares.get(weights, i),
            capped: false,
            floored: false,
            amount: 0,
            fte: Decimal::ZERO,
            weekly_hours: Decimal::ZERO,
            previous_amount: previous_amount[i],
            phased: false,
            pool: None,
            attribution: None,
        })
        .collect();
    let ten_thousandths = Decimal::from(10_000);
    for (k, (name, members)) in pool_list.iter().enumerate() {
        let w: Vec<Decimal> = members.iter().map(|i| weights[*i]).collect();
        let total_w = pool_weights[k];
        for (m, i) in members.iter().enumerate() {
            if !w[m].is_zero() {
                out[*i].pool = Some((*name).clone());
                out[*i].attribution = Some(w[m] / total_w);
                out[*i].floored = pool_dropped[k];
            }
        }
        if pool_units[k] == 0 || total_w.is_zero() {
            continue;
        }
        let cents = to_i64(
            (Decimal::from(pool_units[k]) * unit_cost).floor(),
            "pool amount",
        )?;
        let fte = Decimal::from(pool_units[k]) * s.fte_step;
        let fte_parts = largest_remainder(to_i64(fte * ten_thousandths, "pool FTE")?, &w, &p.id)?;
        let cent_parts = largest_remainder(cents, &w, &p.id)?;
        for (m, i) in members.iter().enumerate() {
            let f = Decimal::from(fte_parts[m]) / ten_thousandths;
            out[*i].amount = cent_parts[m];
            out[*i].fte = f;
            out[*i].weekly_hours = f * s.weekly_hours;
        }
    }
    Ok(out)
}

fn needs_staffing(p: &Pillar) -> Result<&Staffing> {
    p.staffing
        .as_ref()
        .ok_or_else(|| AllocationError::InvalidPillar {
            pillar: p.id.clone(),
            reason: "tiers and applications are given in FTE and need a cost rate (staffing)"
                .into(),
        })
}

/// An FTE amount in whole steps; it must be a multiple of the step.
fn steps_of(p: &Pillar, s: &Staffing, fte: Decimal) -> Result<i64> {
    if !(fte % s.fte_step).is_zero() {
        return Err(AllocationError::InvalidPillar {
            pillar: p.id.clone(),
            reason: format!("{fte} FTE is not a multiple of the step {}", s.fte_step),
        });
    }
    if !fte.is_zero() && fte < s.min_fte {
        return Err(AllocationError::InvalidPillar {
            pillar: p.id.clone(),
            reason: format!("{fte} FTE is below the minimum position {}", s.min_fte),
        });
    }
    to_i64(fte / s.fte_step, "FTE steps")
}

/// Funds demands in the given order until the budget ends. The first that does not fit gets
/// the rest when `partial` (if that reaches the minimum position); nobody after it is funded,
/// so a lower-ranked request never overtakes a higher-ranked one. Returns the units and the
/// indices funded short.
fn fund_in_order(
    total: i64,
    demand: &[i64],
    order: &[usize],
    partial: bool,
    min: i64,
) -> (Vec<i64>, Vec<usize>) {
    let mut units = vec![0i64; demand.len()];
    let mut short = Vec::new();
    let mut left = total;
    let mut exhausted = false;
    for &i in order {
        if !exhausted && demand[i] <= left {
            units[i] = demand[i];
            left -= demand[i];
            continue;
        }
        if !exhausted && partial && left >= min.max(1) {
            units[i] = left;
            left = 0;
        }
        exhausted = true;
        short.push(i);
    }
    (units, short)
}

fn allocate_pillar(
    p: &Pillar,
    budget: Cents,
    unit: Cents,
    ctx: &Ctx<'_>,
    previous: &BTreeMap<String, BTreeMap<String, Cents>>,
    out: &mut [Vec<KitaPillarResult>],
) -> Result<(Cents, Decimal)> {
    let n = ctx.kitas.len();
    check_rule(&p.eligibility, ctx, &p.id)?;
    let (mut ok, mut reasons): (Vec<bool>, Vec<Reason>) =
        par::unzip(n, |i| eligible(&p.eligibility, i, ctx));
    let place = |i: usize| Decimal::from(ctx.kitas[i].places);
    // Weights, and for per-unit the demand each Kita would get at the full rate.
    let mut demand: Option<Vec<Cents>> = None;
    let mut fixed_grants: Option<Vec<Cents>> = None;
    // Demand in steps, the order to fund it in, and whether the last one may be partial.
    let mut ordered: Option<(Vec<i64>, Vec<usize>, bool)> = None;
    let weights: Vec<Decimal> = match &p.method {
        Method::Base { by_places } => par::map(n, |i| {
            if !ok[i] {
                Decimal::ZERO
            } else if *by_places {
                place(i)
            } else {
                Decimal::ONE
            }
        }),
        Method::Proportional { by_places } => par::map(n, |i| {
            let idx = ctx.index[i].unwrap_or(Decimal::ZERO).max(Decimal::ZERO);
            if !ok[i] {
                Decimal::ZERO
            } else if *by_places {
                place(i) * idx
            } else {
                idx
            }
        }),
        Method::PerUnit {
            indicator,
            amount_per_unit,
        } => {
            if !ctx.known.contains(indicator.as_str()) && n > 0 {
                return Err(AllocationError::UnknownIndicator {
                    indicator: indicator.clone(),
                    context: format!("pillar {}", p.id),
                });
            }
            let d = par::try_map(n, |i| {
                let k = ctx.kitas[i];
                let units = if ok[i] {
                    k.indicators
                        .get(indicator)
                        .copied()
                        .flatten()
                        .unwrap_or(Decimal::ZERO)
                } else {
                    Decimal::ZERO
                };
                if units.is_sign_negative() && !units.is_zero() {
                    return Err(AllocationError::Negative {
                        subject: format!("Kita {}", k.id),
                        field: indicator.clone(),
                    });
                }
                match mul_floor(units, *amount_per_unit) {
                    Some(d) => Ok(d),
                    None => to_i64(
                        (units * Decimal::from(*amount_per_unit)).floor(),
                        "per-unit demand",
                    ),
                }
            })?;
            let w = par::map(n, |i| Decimal::from(d[i]));
            demand = Some(d);
            w
        }
        Method::Fixed { grants } => {
            let mut g = vec![0; n];
            for grant in grants {
                let i = ctx
                    .kitas
                    .iter()
                    .position(|k| k.id == grant.kita_id)
                    .ok_or_else(|| AllocationError::InvalidPillar {
                        pillar: p.id.clone(),
                        reason: format!("grant for unknown Kita {}", grant.kita_id),
                    })?;
                g[i] += grant.amount;
                reasons[i] = Reason::Grant {
                    text: grant.reason.clone(),
                };
                ok[i] = true;
            }
            let sum: Cents = g.iter().sum();
            if sum > budget {
                return Err(AllocationError::PillarAboveTotal {
                    pillar: p.id.clone(),
                    budget: sum,
                    total: budget,
                });
            }
            let w = g.iter().map(|x| Decimal::from(*x)).collect();
            fixed_grants = Some(g);
            w
        }
        Method::Tiers { bands } => {
            let s = needs_staffing(p)?;
            let mut demand = vec![0i64; n];
            for i in 0..n {
                let band = ctx.index[i].filter(|_| ok[i]).and_then(|x| {
                    bands
                        .iter()
                        .filter(|b| x >= b.min_index)
                        .max_by(|a, b| a.min_index.cmp(&b.min_index))
                });
                match band {
                    Some(b) => {
                        demand[i] = steps_of(p, s, b.fte)?;
                        reasons[i] = Reason::Tier {
                            eligible: Box::new(std::mem::replace(&mut reasons[i], Reason::NoIndex)),
                            min_index: b.min_index,
                            fte: b.fte,
                        };
                    }
                    None if ok[i] => {
                        let eligible = std::mem::replace(&mut reasons[i], Reason::NoIndex);
                        reasons[i] = Reason::NoTier {
                            eligible: Box::new(eligible),
                        };
                    }
                    None => {}
                }
            }
            let mut order: Vec<usize> = (0..n).filter(|i| demand[*i] > 0).collect();
            order.sort_by_key(|i| (ctx.ranks[*i].unwrap_or(usize::MAX), *i));
            ordered = Some((demand, order, false));
            vec![Decimal::ZERO; n]
        }
        Method::Applications {
            requests,
            order: how,
            partial,
        } => {
            let s = needs_staffing(p)?;
            let mut demand = vec![0i64; n];
            let mut priority = vec![u32::MAX; n];
            for (i, reason) in reasons.iter_mut().enumerate() {
                if ok[i] {
                    *reason = Reason::NoApplication;
                }
            }
            for r in requests {
                let i = ctx
                    .kitas
                    .iter()
                    .position(|k| k.id == r.kita_id)
                    .ok_or_else(|| AllocationError::InvalidPillar {
                        pillar: p.id.clone(),
                        reason: format!("application for unknown Kita {}", r.kita_id),
                    })?;
                if !ok[i] {
                    continue;
                }
                demand[i] += steps_of(p, s, r.fte)?;
                priority[i] = priority[i].min(r.priority);
                reasons[i] = Reason::Application {
                    fte: r.fte,
                    text: r.reason.clone(),
                };
            }
            let mut order: Vec<usize> = (0..n).filter(|i| demand[*i] > 0).collect();
            let rank = |i: usize| ctx.ranks[i].unwrap_or(usize::MAX);
            match how {
                ApplicationOrder::NeedIndex => order.sort_by_key(|i| (rank(*i), *i)),
                ApplicationOrder::Priority => order.sort_by_key(|i| (priority[*i], rank(*i), *i)),
            }
            ordered = Some((demand, order, *partial));
            vec![Decimal::ZERO; n]
        }
    };
    let shares = Shares::of(&weights);
    let raw_share = |i: usize| shares.get(&weights, i);

    // The distribution's unit: an FTE step, or the rounding unit of money.
    let (unit_cost, total_units) = match &p.staffing {
        Some(s) => {
            let c = s.step_cost();
            (c, to_i64((Decimal::from(budget) / c).floor(), "FTE steps")?)
        }
        None => (Decimal::from(unit), budget / unit),
    };
    // A limit in the distribution's units: caps round down (never above the cap), floors up
    // (never below the floor).
    let to_units = |l: Limit, up: bool| -> Result<i64> {
        let cents = match (l, &p.staffing) {
            (Limit::Amount(a), _) => Decimal::from(a),
            (Limit::Fte(f), Some(s)) => f * s.cost_with_surcharge(),
            (Limit::Fte(_), None) => {
                return Err(AllocationError::InvalidPillar {
                    pillar: p.id.clone(),
                    reason: "a limit in FTE needs a cost rate (staffing)".into(),
                })
            }
        };
        let units = cents / unit_cost;
        to_i64(if up { units.ceil() } else { units.floor() }, "limit")
    };
    let cap = p.cap.map(|l| to_units(l, false)).transpose()?;
    let floor = p
        .floor
        .map(|f| to_units(f.limit, true).map(|u| (u, f.action)))
        .transpose()?;
    let min = match &p.staffing {
        Some(s) => to_i64((s.min_fte / s.fte_step).ceil(), "minimum position")?,
        None => 0,
    };
    let mut bounds: Vec<Bounds> = (0..n).map(|_| Bounds { cap, floor, min }).collect();
    let previous_amount: Vec<Option<Cents>> = if previous.is_empty() {
        vec![None; n]
    } else {
        par::map(n, |i| {
            previous
                .get(&ctx.kitas[i].id)
                .and_then(|m| m.get(&p.id))
                .copied()
        })
    };
    let mut phased = vec![false; n];
    if let Some(x) = p.phase_in {
        // The corridor around the previous amount, in the pillar's units: the upper bound
        // rounds down and the lower bound up, so the result stays inside it.
        for (i, b) in bounds.iter_mut().enumerate() {
            if let Some(prev) = previous_amount[i] {
                let prev = Decimal::from(prev);
                let upper = to_i64((prev * (Decimal::ONE + x) / unit_cost).floor(), "phase-in")?;
                let lower = to_i64((prev * (Decimal::ONE - x) / unit_cost).ceil(), "phase-in")?;
                b.cap = Some(b.cap.map_or(upper, |c| c.min(upper)));
                if lower > 0 && b.floor.is_none_or(|(f, _)| f < lower) {
                    b.floor = Some((lower, FloorAction::Lift));
                }
                phased[i] = true;
            }
        }
    }
    if let Some(d) = &demand {
        // Per unit: nobody gets more than the full rate.
        let own = par::try_map(n, |i| match (d[i], div_floor(d[i], unit_cost)) {
            (0, _) => Ok(0),
            (_, Some(own)) => Ok(own),
            (d, None) => to_i64((Decimal::from(d) / unit_cost).floor(), "per-unit cap"),
        })?;
        for (b, own) in bounds.iter_mut().zip(own) {
            b.cap = Some(b.cap.map_or(own, |c| c.min(own)));
        }
    }
    let (units, capped, floored) = if let Some(g) = &fixed_grants {
        // Fixed grants are what they say, in the pillar's unit.
        let mut u = Vec::with_capacity(n);
        for x in g {
            u.push(to_i64((Decimal::from(*x) / unit_cost).floor(), "grant")?);
        }
        (u, vec![false; n], vec![false; n])
    } else if let Some((demand, order, partial)) = &ordered {
        // Caps hold here too; a cap below the minimum position leaves no position.
        let mut capped = vec![false; n];
        let demand: Vec<i64> = demand
            .iter()
            .enumerate()
            .map(|(i, d)| match bounds[i].cap {
                Some(c) if *d > c => {
                    capped[i] = true;
                    if c < min {
                        0
                    } else {
                        c
                    }
                }
                _ => *d,
            })
            .collect();
        let (units, short) = fund_in_order(total_units, &demand, order, *partial, min);
        for i in short {
            let before = std::mem::replace(&mut reasons[i], Reason::NoIndex);
            reasons[i] = before.not_funded();
        }
        (units, capped, vec![false; n])
    } else if p.pool_by_social_space {
        let results = pooled(
            p,
            total_units,
            unit_cost,
            &weights,
            min,
            ctx,
            &ok,
            &reasons,
            &previous_amount,
        )?;
        let sums = (
            results.iter().map(|r| r.amount).sum(),
            results.iter().map(|r| r.fte).sum(),
        );
        par::push_each(out, results);
        return Ok(sums);
    } else {
        distribute(total_units, &weights, &bounds, &p.id)?
    };
    // Most Kitas get nothing from a targeted pillar: no arithmetic for them.
    let amounts: Vec<Cents> = par::map(n, |i| match units[i] {
        0 => 0,
        u => to_i64((Decimal::from(u) * unit_cost).floor(), "amount").unwrap_or(0),
    });
    let allocated: Cents = amounts.iter().sum();
    let fte = match &p.staffing {
        Some(s) => Decimal::from(units.iter().sum::<i64>()) * s.fte_step,
        None => Decimal::ZERO,
    };
    // Written straight into each Kita's list: no pillar-wide copy in between.
    par::push_zip(out, reasons, |i, reason| {
        let (fte, hours) = match &p.staffing {
            Some(_) if units[i] == 0 => (Decimal::ZERO, Decimal::ZERO),
            Some(s) => {
                let fte = Decimal::from(units[i]) * s.fte_step;
                (fte, fte * s.weekly_hours)
            }
            None => (Decimal::ZERO, Decimal::ZERO),
        };
        KitaPillarResult {
            eligible: ok[i],
            reason,
            raw_share: raw_share(i),
            capped: capped[i],
            floored: floored[i],
            amount: amounts[i],
            fte,
            weekly_hours: hours,
            previous_amount: previous_amount[i],
            phased: phased[i] && (capped[i] || floored[i]),
            pool: None,
            attribution: None,
        }
    });
    Ok((allocated, fte))
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn water_filling_in_integers_caps_the_same_kitas_as_in_decimals(
            rows in proptest::collection::vec((1i64..1_000_000, 0u32..=4, proptest::option::of(0i64..5_000)), 1..60),
            remaining in 0i64..100_000,
        ) {
            let weights: Vec<Decimal> = rows.iter().map(|(m, s, _)| Decimal::new(*m, *s)).collect();
            let bounds: Vec<Bounds> = rows
                .iter()
                .map(|(_, _, cap)| Bounds { cap: *cap, floor: None, min: 0 })
                .collect();
            let free: Vec<usize> = (0..rows.len()).collect();
            let exact = crate::apportion::as_integers(&weights).unwrap();
            proptest::prop_assert_eq!(
                water_fill_exact(remaining, &exact, &free, &bounds).unwrap(),
                water_fill(remaining, &weights, &free, &bounds)
            );
        }

        #[test]
        fn raw_shares_in_integers_are_the_decimal_quotients_rounded(
            rows in proptest::collection::vec((0i64..1_000_000_000, 0u32..=9), 1..80),
        ) {
            let weights: Vec<Decimal> = rows.iter().map(|(m, s)| Decimal::new(*m, *s)).collect();
            let shares = Shares::of(&weights);
            proptest::prop_assume!(shares.exact.is_some() && !shares.sum.is_zero());
            for i in 0..weights.len() {
                proptest::prop_assert_eq!(
                    shares.get(&weights, i),
                    (weights[i] / shares.sum).round_dp(SHARE_PLACES)
                );
            }
        }

        #[test]
        fn minimum_positions_in_integers_keep_the_same_kitas_as_in_decimals(
            rows in proptest::collection::vec((1i64..1_000_000, 0u32..=4, 0i64..6), 1..60),
            remaining in 0i64..200,
        ) {
            let weights: Vec<Decimal> = rows.iter().map(|(m, s, _)| Decimal::new(*m, *s)).collect();
            let bounds: Vec<Bounds> = rows
                .iter()
                .map(|(_, _, min)| Bounds { cap: None, floor: None, min: *min })
                .collect();
            let free: Vec<usize> = (0..rows.len()).collect();
            let exact = crate::apportion::as_integers(&weights).unwrap();
            proptest::prop_assert_eq!(
                keep_exact(remaining, &exact, &free, &bounds).unwrap(),
                keep_decimal(remaining, &weights, &free, &bounds)
            );
        }
    }
}
