//! Why a Kita gets what it gets, for everyone who may read it: indicator definitions and
//! values, a Kita's allocation with its pillars and index terms, under the small-count rule.
//! Knows no district or Kita object, so the records can offer these fields without a circle.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Enum, Object, SimpleObject, ID};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use srb_allocation::index::{Direction, Normalization};
use srb_sheets::export::{self};
use srb_storage as st;

use crate::error::OrGqlError;
use crate::ids::{self, NodeType};
use crate::loaders::{DefinitionsOf, Loaders, OfficialPlanKey};
use crate::planning::{self, RunPayload};
use crate::shared::{check_year, euros};
use crate::{ctx_storage, ctx_viewer};

// ---------------------------------------------------------------------------------------------
// Indicators

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::IndicatorUnit")]
/// Anzahl (Kinder, Plätze) oder Anteil zwischen 0 und 1.
pub enum IndicatorUnit {
    Count,
    Share,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::IndicatorLevel")]
/// Wofür ein Wert gilt: eine Kita, einen Sozialraum oder den ganzen Bezirk.
pub enum IndicatorLevel {
    Kita,
    SocialSpace,
    District,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::IndicatorDirection")]
/// Ob ein höherer Wert mehr oder weniger Bedarf bedeutet.
pub enum IndicatorDirection {
    MoreIsNeed,
    LessIsNeed,
}

/// Ein Indikator: was er misst, in welcher Einheit, wofür er gilt.
pub struct IndicatorDefinition(pub st::IndicatorDefinition);

pub use srb_domain::monitoring::is_stale;

/// How current one indicator's values of a district are.
pub struct IndicatorCurrency {
    pub indicator: IndicatorDefinition,
    pub found: Option<st::IndicatorCurrency>,
    pub stale: bool,
}

#[Object]
impl IndicatorCurrency {
    async fn indicator(&self) -> &IndicatorDefinition {
        &self.indicator
    }
    /// Das neueste Datenjahr mit Werten; leer, wenn es keine gibt.
    async fn latest_year(&self) -> Option<i32> {
        self.found.as_ref().map(|c| c.year)
    }
    /// Der neueste Stichtag dieses Jahres.
    async fn latest_reference_date(&self) -> Option<chrono::NaiveDate> {
        self.found.as_ref().map(|c| c.reference_date)
    }
    /// Zahl der Werte dieses Jahres.
    async fn values(&self) -> i32 {
        self.found.as_ref().map_or(0, |c| c.values as i32)
    }
    /// Ohne Werte, oder der Stichtag liegt mehr als zwei Jahre zurück.
    async fn stale(&self) -> bool {
        self.stale
    }
}

#[Object]
impl IndicatorDefinition {
    pub(crate) async fn id(&self) -> ID {
        ids::encode(NodeType::IndicatorDefinition, self.0.id)
    }
    /// Kurzname, wie ihn Konzeptionen verwenden (`sgb2_anteil`).
    pub(crate) async fn key(&self) -> &str {
        &self.0.key
    }
    /// Spaltenüberschrift in Importdateien.
    pub(crate) async fn label(&self) -> &str {
        &self.0.label
    }
    pub(crate) async fn unit(&self) -> IndicatorUnit {
        self.0.unit.into()
    }
    pub(crate) async fn level(&self) -> IndicatorLevel {
        self.0.level.into()
    }
    pub(crate) async fn direction(&self) -> IndicatorDirection {
        self.0.direction.into()
    }
    pub(crate) async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Landesweit festgelegt (die Kinderzahlen des Landesschlüssels).
    pub(crate) async fn state_wide(&self) -> bool {
        self.0.district_ags.is_none()
    }
}

/// Ein Indikatorwert mit Herkunft.
pub struct IndicatorValue {
    pub(crate) value: st::IndicatorValue,
    pub(crate) definition: Arc<st::IndicatorDefinition>,
    pub(crate) private: bool,
}

#[Object]
impl IndicatorValue {
    pub(crate) async fn indicator(&self) -> IndicatorDefinition {
        IndicatorDefinition((*self.definition).clone())
    }
    pub(crate) async fn year(&self) -> i32 {
        self.value.year
    }
    /// Der Wert; leer, wenn er weniger als 5 Kinder beschreibt und nicht gezeigt werden darf.
    pub(crate) async fn value(&self) -> Option<Decimal> {
        let v: Decimal = self.value.value.parse().ok()?;
        (!masked(&self.definition, v, self.private)).then_some(v)
    }
    /// Der Wert zum Anzeigen (deutsches Zahlenformat, Anteile in Prozent, „< 5“ bei kleinen Zahlen).
    pub(crate) async fn shown(&self) -> String {
        let v: Decimal = self.value.value.parse().unwrap_or_default();
        shown(&self.definition, v, self.private)
    }
    /// Stichtag.
    pub(crate) async fn reference_date(&self) -> NaiveDate {
        self.value.reference_date
    }
    pub(crate) async fn source(&self) -> &str {
        &self.value.source
    }
}

/// The small-count rule for one value (`srb_domain::small_count`).
pub(crate) fn masked(def: &st::IndicatorDefinition, v: Decimal, private: bool) -> bool {
    !private && srb_domain::small_count::is_small(def.unit == st::IndicatorUnit::Count, v)
}

pub(crate) fn german(d: Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

pub(crate) fn shown(def: &st::IndicatorDefinition, v: Decimal, private: bool) -> String {
    if masked(def, v, private) {
        return srb_domain::WITHHELD.to_owned();
    }
    match def.unit {
        st::IndicatorUnit::Share => format!("{} %", german((v * Decimal::ONE_HUNDRED).round_dp(2))),
        st::IndicatorUnit::Count => german(v),
    }
}

pub(crate) async fn kitas_of(
    ctx: &Context<'_>,
    payload: &Arc<RunPayload>,
    district_ags: &str,
    year: i32,
) -> async_graphql::Result<Vec<KitaAllocation>> {
    let explain = Explain::new(ctx, district_ags).await?;
    Ok((0..payload.result.kitas.len())
        .map(|index| KitaAllocation {
            payload: payload.clone(),
            index,
            year,
            explain: explain.clone(),
        })
        .collect())
}

/// What it takes to explain indicator terms: labels, units, and whether small counts show.
#[derive(Clone)]
pub(crate) struct Explain {
    pub(crate) definitions: Arc<HashMap<String, st::IndicatorDefinition>>,
    pub(crate) private: bool,
}

impl Explain {
    pub(crate) async fn new(ctx: &Context<'_>, ags: &str) -> async_graphql::Result<Self> {
        let defs = ctx
            .data_unchecked::<Loaders>()
            .load_one(DefinitionsOf(ags.to_owned()))
            .await
            .map_err(|e| e.into_gql())?
            .unwrap_or_default();
        Ok(Self {
            definitions: Arc::new(defs.iter().map(|d| (d.key.clone(), d.clone())).collect()),
            private: ctx_viewer(ctx).can_read_private(Some(ags)),
        })
    }
}

/// Was eine Kita bekommt und warum.
pub struct KitaAllocation {
    pub(crate) payload: Arc<RunPayload>,
    pub(crate) index: usize,
    pub(crate) year: i32,
    pub(crate) explain: Explain,
}

#[derive(SimpleObject)]
pub struct KitaPillarAllocation {
    pub pillar_id: String,
    pub pillar_name: String,
    pub eligible: bool,
    /// Warum (nicht) berechtigt: Schwellen erreicht oder verfehlt.
    pub reason: String,
    /// Art der Begründung (maschinenlesbar, z. B. `index_above`).
    pub reason_kind: String,
    /// Anteil an der Säule vor Deckeln, Untergrenzen und Rundung; leer, wenn er auf Zahlen
    /// unter 5 schließen ließe.
    pub raw_share: Option<Decimal>,
    /// Durch eine Obergrenze gekürzt.
    pub capped: bool,
    /// Auf eine Untergrenze angehoben (oder darunter gestrichen).
    pub floored: bool,
    /// Durch die schrittweise Einführung begrenzt.
    pub phased: bool,
    pub amount: Decimal,
    pub fte: Decimal,
    pub weekly_hours: Decimal,
    pub previous_amount: Option<Decimal>,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
/// Wie ein Indikator in den Bedarfsindex eingeht.
pub enum IndexNormalization {
    Raw,
    RatioToMean,
    ZScore,
    MinMax,
    PercentRank,
}

/// Beitrag eines Indikators zum Bedarfsindex einer Kita.
#[derive(SimpleObject)]
pub struct IndexTerm {
    pub indicator: String,
    pub label: String,
    pub weight: Decimal,
    pub normalization: IndexNormalization,
    /// Höherer Wert bedeutet mehr Bedarf.
    pub more_is_need: bool,
    /// Der Wert der Kita; leer, wenn er weniger als 5 Kinder beschreibt und nicht gezeigt werden darf.
    pub value: Option<Decimal>,
    pub shown_value: String,
    /// Normierter Wert; leer, wenn er auf Zahlen unter 5 schließen ließe.
    pub normalized: Option<Decimal>,
    /// Gewichteter Beitrag zum Index: positiv hebt, negativ senkt; leer, wenn er auf Zahlen
    /// unter 5 schließen ließe.
    pub contribution: Option<Decimal>,
    /// Der Beitrag zum Anzeigen, „< 5“, wenn er zurückgehalten wird.
    pub shown_contribution: String,
    /// Der Wert fehlte und wurde durch den Bezirksmittelwert ersetzt.
    pub imputed: bool,
}

impl KitaAllocation {
    pub(crate) fn disclosure(&self) -> std::borrow::Cow<'_, srb_domain::Disclosure> {
        self.payload
            .disclosure(self.explain.private, &self.explain.definitions)
    }
}

#[Object]
impl KitaAllocation {
    pub(crate) async fn kita_id(&self) -> ID {
        let id = &self.payload.result.kitas[self.index].id;
        ids::encode(NodeType::Kita, id)
    }
    pub(crate) async fn name(&self) -> &str {
        &self.payload.result.kitas[self.index].name
    }
    pub(crate) async fn year(&self) -> i32 {
        self.year
    }
    /// Bedarfsindex; leer, wenn die Kita keinen hat oder er auf Zahlen unter 5 schließen ließe
    /// (dann steht in `shownNeedIndex` „< 5“).
    pub(crate) async fn need_index(&self) -> Option<Decimal> {
        if !self.disclosure().index(self.index) {
            return None;
        }
        self.payload.result.kitas[self.index].index
    }
    /// Der Bedarfsindex zum Anzeigen: deutsches Zahlenformat, „< 5“, wenn er zurückgehalten wird.
    pub(crate) async fn shown_need_index(&self) -> Option<String> {
        let ix = self.payload.result.kitas[self.index].index?;
        Some(if self.disclosure().index(self.index) {
            german(ix)
        } else {
            srb_domain::WITHHELD.to_owned()
        })
    }
    /// Rang im Bezirk (1 = höchster Bedarf); leer, wenn er zurückgehalten wird.
    pub(crate) async fn rank(&self) -> Option<i32> {
        if !self.disclosure().index(self.index) {
            return None;
        }
        self.payload.result.kitas[self.index].rank.map(|r| r as i32)
    }
    /// Plätze der Kita, mit denen gerechnet wurde.
    pub(crate) async fn places(&self) -> i64 {
        self.payload.result.kitas[self.index].places
    }
    /// Zahl der Kitas mit Index im Bezirk.
    pub(crate) async fn ranked_kitas(&self) -> i32 {
        self.payload
            .result
            .kitas
            .iter()
            .filter(|k| k.rank.is_some())
            .count() as i32
    }
    pub(crate) async fn amount(&self) -> Decimal {
        euros(self.payload.result.kitas[self.index].amount)
    }
    pub(crate) async fn fte(&self) -> Decimal {
        self.payload.result.kitas[self.index].fte
    }
    /// Betrag im offiziellen Plan des Vorjahres.
    pub(crate) async fn previous_amount(&self) -> Option<Decimal> {
        self.payload.result.kitas[self.index]
            .previous_amount
            .map(euros)
    }
    /// Veränderung gegenüber dem Vorjahr.
    pub(crate) async fn change(&self) -> Option<Decimal> {
        self.payload.result.kitas[self.index].change.map(euros)
    }
    pub(crate) async fn pillars(&self) -> Vec<KitaPillarAllocation> {
        let r = &self.payload.result;
        let dis = self.disclosure();
        let defs = &self.explain.definitions;
        let shown = export::Shown {
            disclosure: &dis,
            is_count: &|key| planning::is_count(defs, key),
        };
        r.pillars
            .iter()
            .zip(&r.kitas[self.index].pillars)
            .map(|(p, kp)| KitaPillarAllocation {
                pillar_id: p.id.clone(),
                pillar_name: p.name.clone(),
                eligible: kp.eligible,
                reason: shown.reason(self.index, &kp.reason),
                reason_kind: serde_json::to_value(&kp.reason)
                    .ok()
                    .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
                    .unwrap_or_default(),
                raw_share: dis.statistics().then_some(kp.raw_share),
                capped: kp.capped,
                floored: kp.floored,
                phased: kp.phased,
                amount: euros(kp.amount),
                fte: kp.fte,
                weekly_hours: kp.weekly_hours,
                previous_amount: kp.previous_amount.map(euros),
            })
            .collect()
    }
    /// Welche Indikatoren den Index heben oder senken, und um wie viel.
    pub(crate) async fn index_terms(&self) -> Vec<IndexTerm> {
        let r = &self.payload.result;
        let dis = self.disclosure();
        let k = self.index;
        r.index_terms
            .iter()
            .zip(&r.kitas[k].contributions)
            .enumerate()
            .map(|(ti, (t, c))| {
                let def = self.explain.definitions.get(&t.indicator);
                let (value, shown_value) = if dis.value(k, ti) {
                    let text = match def {
                        Some(d) => shown(d, c.value, true),
                        None => german(c.value),
                    };
                    (Some(c.value), text)
                } else {
                    (None, srb_domain::WITHHELD.to_owned())
                };
                let derived = dis.derived(k, ti);
                IndexTerm {
                    indicator: t.indicator.clone(),
                    label: def
                        .map(|d| d.label.clone())
                        .unwrap_or_else(|| t.indicator.clone()),
                    weight: t.weight,
                    normalization: match t.normalization {
                        Normalization::Raw => IndexNormalization::Raw,
                        Normalization::RatioToMean => IndexNormalization::RatioToMean,
                        Normalization::ZScore => IndexNormalization::ZScore,
                        Normalization::MinMax => IndexNormalization::MinMax,
                        Normalization::PercentRank => IndexNormalization::PercentRank,
                    },
                    more_is_need: t.direction == Direction::MoreIsWorse,
                    value,
                    shown_value,
                    normalized: derived.then_some(c.normalized),
                    contribution: derived.then_some(c.contribution),
                    shown_contribution: if derived {
                        german(c.contribution)
                    } else {
                        srb_domain::WITHHELD.to_owned()
                    },
                    imputed: c.imputed,
                }
            })
            .collect()
    }
}

/// `Kita.allocation(year)`: the Kita's part of its district's official plan. The plan is read
/// once per request through the loader, however many Kitas ask.
pub async fn kita_allocation(
    ctx: &Context<'_>,
    kita: &st::Kita,
    year: i32,
) -> async_graphql::Result<Option<KitaAllocation>> {
    let year = check_year("year", year)?;
    let Some(official) = ctx
        .data_unchecked::<Loaders>()
        .load_one(OfficialPlanKey(kita.district_ags.clone(), year))
        .await
        .map_err(|e| e.into_gql())?
    else {
        return Ok(None);
    };
    let key = kita.id.to_string();
    let Some(index) = official.result.kitas.iter().position(|k| k.id == key) else {
        return Ok(None);
    };
    // Shared with the loader's cache: one copy per request, not one per Kita.
    Ok(Some(KitaAllocation {
        payload: official,
        index,
        year,
        explain: Explain::new(ctx, &kita.district_ags).await?,
    }))
}

/// `Kita.indicatorValues(year)`: for readers of the district's non-public data.
pub async fn kita_indicator_values(
    ctx: &Context<'_>,
    kita: &st::Kita,
    year: i32,
) -> async_graphql::Result<Vec<IndicatorValue>> {
    ctx_viewer(ctx).require_private_reader(Some(&kita.district_ags))?;
    let storage = ctx_storage(ctx);
    let defs: HashMap<i64, Arc<st::IndicatorDefinition>> = storage
        .indicator_definitions(std::slice::from_ref(&kita.district_ags))
        .await
        .gql()?
        .into_iter()
        .map(|d| (d.id, Arc::new(d)))
        .collect();
    let values = storage
        .indicator_values(&st::ValueFilter {
            year: Some(check_year("year", year)?),
            kita_ids: vec![kita.id],
            ..Default::default()
        })
        .await
        .gql()?;
    Ok(values
        .into_iter()
        .filter_map(|v| {
            let definition = defs.get(&v.indicator_id)?.clone();
            Some(IndicatorValue {
                value: v,
                definition,
                private: true,
            })
        })
        .collect())
}
