//! The allocation side of the graph: indicators and their import, cost rates, concepts, the
//! state distribution, runs, official plans, comparisons, explanations and exports. Resolvers
//! authorise and translate; the work is in [`crate::planning`] and the engine.

use std::collections::HashMap;
use std::io::Read;
use std::sync::{Arc, OnceLock};

use async_graphql::{Context, Enum, InputObject, Json, Object, SimpleObject, Upload, ID};
use base64::Engine;
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use srb_allocation::compare::{compare, Comparison};
use srb_allocation::index::{Direction, Normalization};
use srb_allocation::Cents;
use srb_sheets::export::{self, RunInfo};
use srb_storage::{self as st, Role, Storage};

use crate::domain;
use crate::error::{bad_input, forbidden, internal, not_found, OrGqlError};
use crate::guard::RoleGuard;
use crate::ids::{self, NodeType};
use crate::loaders::{DefinitionsOf, Loaders, OfficialPlanKey};
use crate::planning::{self, PlanError, RunPayload, StateParams};
use crate::types::District;
use crate::{ctx_storage, ctx_viewer, Viewer};

/// Runs listed per district and year.
pub const MAX_RUNS: i64 = 100;

fn euros(cents: Cents) -> Decimal {
    Decimal::new(cents, 2)
}

pub(crate) fn plan_error(e: PlanError) -> async_graphql::Error {
    match e {
        PlanError::Input { field, message } => bad_input(&field, message),
        PlanError::NotFound(what) => not_found(match what {
            "District" => "Der Bezirk",
            "Concept" => "Die Konzeption",
            _ => "Der Datensatz",
        }),
        PlanError::Storage(e) => crate::error::from_storage(e),
    }
}

async fn district_record(ctx: &Context<'_>, ags: &str) -> async_graphql::Result<st::District> {
    crate::mutation::district_at(ctx, ags, "districtAgs").await
}

fn check_year(field: &str, year: i32) -> async_graphql::Result<i32> {
    if (2021..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(bad_input(
            field,
            format!("{year} ist kein Jahr des Sozialraumbudgets (2021 bis 2100)."),
        ))
    }
}

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

#[Object]
impl IndicatorDefinition {
    async fn id(&self) -> ID {
        ids::encode(NodeType::IndicatorDefinition, self.0.id)
    }
    /// Kurzname, wie ihn Konzeptionen verwenden (`sgb2_anteil`).
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// Spaltenüberschrift in Importdateien.
    async fn label(&self) -> &str {
        &self.0.label
    }
    async fn unit(&self) -> IndicatorUnit {
        self.0.unit.into()
    }
    async fn level(&self) -> IndicatorLevel {
        self.0.level.into()
    }
    async fn direction(&self) -> IndicatorDirection {
        self.0.direction.into()
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Landesweit festgelegt (die Kinderzahlen des Landesschlüssels).
    async fn state_wide(&self) -> bool {
        self.0.district_ags.is_none()
    }
}

/// Ein Indikatorwert mit Herkunft.
pub struct IndicatorValue {
    value: st::IndicatorValue,
    definition: Arc<st::IndicatorDefinition>,
    private: bool,
}

#[Object]
impl IndicatorValue {
    async fn indicator(&self) -> IndicatorDefinition {
        IndicatorDefinition((*self.definition).clone())
    }
    async fn year(&self) -> i32 {
        self.value.year
    }
    /// Der Wert; leer, wenn er weniger als 5 Kinder beschreibt und nicht gezeigt werden darf.
    async fn value(&self) -> Option<Decimal> {
        let v: Decimal = self.value.value.parse().ok()?;
        (!masked(&self.definition, v, self.private)).then_some(v)
    }
    /// Der Wert zum Anzeigen (deutsches Zahlenformat, Anteile in Prozent, „< 5“ bei kleinen Zahlen).
    async fn shown(&self) -> String {
        let v: Decimal = self.value.value.parse().unwrap_or_default();
        shown(&self.definition, v, self.private)
    }
    /// Stichtag.
    async fn reference_date(&self) -> NaiveDate {
        self.value.reference_date
    }
    async fn source(&self) -> &str {
        &self.value.source
    }
}

/// The small-count rule for one value (`srb_domain::small_count`).
fn masked(def: &st::IndicatorDefinition, v: Decimal, private: bool) -> bool {
    !private && srb_domain::small_count::is_small(def.unit == st::IndicatorUnit::Count, v)
}

fn german(d: Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

fn shown(def: &st::IndicatorDefinition, v: Decimal, private: bool) -> String {
    if masked(def, v, private) {
        return srb_domain::WITHHELD.to_owned();
    }
    match def.unit {
        st::IndicatorUnit::Share => format!("{} %", german((v * Decimal::ONE_HUNDRED).round_dp(2))),
        st::IndicatorUnit::Count => german(v),
    }
}

/// Ein Eintrag des Importberichts: Zeile und Spalte, wie das Tabellenprogramm sie zeigt.
#[derive(SimpleObject)]
pub struct ImportProblem {
    pub row: Option<i32>,
    /// Spaltenbuchstabe und Überschrift, z. B. „C (Anteil SGB II)“.
    pub column: Option<String>,
    pub message: String,
}

impl From<&srb_sheets::Problem> for ImportProblem {
    fn from(p: &srb_sheets::Problem) -> Self {
        Self {
            row: p.row.map(|r| r as i32),
            column: p.column.clone(),
            message: p.message.clone(),
        }
    }
}

/// Ergebnis eines Imports: alles gespeichert oder nichts.
#[derive(SimpleObject)]
pub struct ImportReport {
    /// Die Datei ist fehlerfrei.
    pub ok: bool,
    /// Die Werte wurden gespeichert (nicht bei Fehlern und nicht im Probelauf).
    pub stored: bool,
    pub file_name: String,
    pub rows: i32,
    pub values: i32,
    pub empty_cells: i32,
    pub inserted: i32,
    pub updated: i32,
    pub unchanged: i32,
    /// Alle Fehler; ist die Liste nicht leer, wurde nichts gespeichert.
    pub problems: Vec<ImportProblem>,
    /// Hinweise, die den Import nicht verhindern.
    pub warnings: Vec<ImportProblem>,
}

#[derive(InputObject)]
pub struct ImportIndicatorValuesInput {
    pub district_ags: String,
    /// Datenjahr der Werte; andere Jahre bleiben unberührt.
    pub year: i32,
    /// CSV oder XLSX (höchstens 10 MB).
    pub file: Upload,
    /// Stichtag der Werte (eine Spalte „Stichtag“ in der Datei gilt für ihre Zeile).
    pub reference_date: NaiveDate,
    /// Quelle der Werte (eine Spalte „Quelle“ in der Datei gilt für ihre Zeile).
    pub source: String,
    /// Nur prüfen, nichts speichern.
    #[graphql(default)]
    pub dry_run: bool,
    /// Nur diese Indikatoren (Kurznamen) erwarten; sonst alle Indikatoren der Ebene.
    pub indicators: Option<Vec<String>>,
    /// Wofür die Zeilen stehen: Kitas (Standard) oder Sozialräume (für Indikatoren auf
    /// Sozialraum-Ebene; die Kitas eines Sozialraums übernehmen seine Werte).
    #[graphql(default_with = "IndicatorLevel::Kita")]
    pub level: IndicatorLevel,
}

#[derive(InputObject)]
pub struct ImportStateKeyInput {
    /// Datenjahr der Kinderzahlen.
    pub year: i32,
    /// CSV oder XLSX: eine Zeile je Jugendamtsbezirk (Spalte „Bezirk“ oder „AGS“), Spalten
    /// „Kinder unter 7 Jahren“ und „Kinder unter 7 Jahren in SGB-II-Bedarfsgemeinschaften“.
    pub file: Upload,
    pub reference_date: NaiveDate,
    pub source: String,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct ImportKitasInput {
    pub district_ags: String,
    /// CSV oder XLSX: Kita, Plätze; optional Straße, PLZ, Ort, davon unter 3, Träger, Sozialraum,
    /// Familienzentrum.
    pub file: Upload,
    /// Nur prüfen, nichts speichern.
    #[graphql(default)]
    pub dry_run: bool,
}

/// Ergebnis eines Kita-Imports: alles gespeichert oder nichts.
#[derive(SimpleObject)]
pub struct KitaImportReport {
    pub ok: bool,
    pub stored: bool,
    pub rows: i32,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub problems: Vec<ImportProblem>,
}

#[derive(InputObject)]
pub struct CreateIndicatorDefinitionInput {
    /// Bezirk; leer für einen landesweiten Indikator (nur Administration).
    pub district_ags: Option<String>,
    pub key: String,
    pub label: String,
    pub unit: IndicatorUnit,
    #[graphql(default_with = "IndicatorLevel::Kita")]
    pub level: IndicatorLevel,
    #[graphql(default_with = "IndicatorDirection::MoreIsNeed")]
    pub direction: IndicatorDirection,
    pub description: Option<String>,
}

fn indicator_key(raw: &str) -> async_graphql::Result<String> {
    let key = raw.trim();
    let ok = !key.is_empty()
        && key.len() <= 40
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && key.starts_with(|c: char| c.is_ascii_lowercase());
    if ok {
        Ok(key.to_owned())
    } else {
        Err(bad_input(
            "input.key",
            "Der Kurzname besteht aus Kleinbuchstaben, Ziffern und _ (höchstens 40 Zeichen) und beginnt mit einem Buchstaben.",
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Cost rates

/// Kosten einer Vollzeitstelle einer Rolle in einem Jahr.
pub struct CostRate(pub st::CostRate);

#[Object]
impl CostRate {
    async fn role(&self) -> &str {
        &self.0.role
    }
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Euro je Vollzeitstelle und Jahr (Arbeitgeberbrutto).
    async fn cost_per_fte(&self) -> Decimal {
        euros(self.0.cost_per_fte)
    }
    async fn source(&self) -> &str {
        &self.0.source
    }
    /// Landesweiter Standardsatz (sonst der eigene Satz des Bezirks).
    async fn state_default(&self) -> bool {
        self.0.district_ags.is_none()
    }
}

#[derive(InputObject)]
pub struct SetCostRateInput {
    /// Bezirk; leer für den landesweiten Standardsatz (nur Administration).
    pub district_ags: Option<String>,
    pub role: String,
    pub year: i32,
    /// Euro je Vollzeitstelle und Jahr.
    pub cost_per_fte: Decimal,
    pub source: String,
}

// ---------------------------------------------------------------------------------------------
// Concepts

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::ConceptStatus")]
/// Entwurf, beschlossen (unveränderlich) oder archiviert.
pub enum ConceptStatus {
    Draft,
    Decided,
    Archived,
}

/// Eine Konzeption des Bezirks: Säulen, Bedarfsindex, Regeln, als Dokument für die Berechnung.
pub struct ConceptObject(pub st::Concept);

#[Object(name = "Concept")]
impl ConceptObject {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Concept, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn status(&self) -> ConceptStatus {
        self.0.status.into()
    }
    /// Beschluss des Jugendhilfeausschusses.
    async fn decided_on(&self) -> Option<NaiveDate> {
        self.0.decided_on
    }
    async fn valid_from(&self) -> Option<i32> {
        self.0.valid_from
    }
    async fn valid_to(&self) -> Option<i32> {
        self.0.valid_to
    }
    /// Die Konzeption, aus der diese abgeleitet wurde.
    async fn derived_from(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<ConceptObject>> {
        let Some(id) = self.0.derived_from_id else {
            return Ok(None);
        };
        visible_concept(ctx, id).await
    }
    /// Das Regelwerk (JSON) in der Form, die die Berechnung liest.
    async fn document(&self) -> async_graphql::Result<Json<serde_json::Value>> {
        serde_json::from_str(&self.0.document)
            .map(Json)
            .map_err(internal)
    }
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        crate::types::district_by_ags(ctx, &self.0.district_ags).await
    }
    async fn synthetic(&self) -> bool {
        self.0.synthetic
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Drafts are internal to the district; decided and archived concepts are public documents.
fn can_see_concept(viewer: &Viewer, c: &st::Concept) -> bool {
    c.deleted_at.is_none()
        && (c.status != st::ConceptStatus::Draft || viewer.can_read_private(Some(&c.district_ags)))
}

pub(crate) async fn visible_concept(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<Option<ConceptObject>> {
    let found = ctx_storage(ctx).concepts_by_ids(&[id]).await.gql()?;
    Ok(found
        .into_iter()
        .find(|c| can_see_concept(ctx_viewer(ctx), c))
        .map(ConceptObject))
}

#[derive(InputObject)]
pub struct CreateConceptInput {
    pub district_ags: String,
    pub name: String,
    /// Das Regelwerk (Säulen, Bedarfsindex, Rundung); Fehler nennen den Pfad im Dokument.
    pub document: Json<serde_json::Value>,
    pub valid_from: Option<i32>,
    pub valid_to: Option<i32>,
}

#[derive(InputObject)]
pub struct UpdateConceptInput {
    pub id: ID,
    pub version: i32,
    pub name: Option<String>,
    pub document: Option<Json<serde_json::Value>>,
    pub valid_from: Option<i32>,
    pub valid_to: Option<i32>,
}

#[derive(InputObject)]
pub struct DecideConceptInput {
    pub id: ID,
    pub version: i32,
    /// Datum des Ausschussbeschlusses.
    pub decided_on: NaiveDate,
}

#[derive(InputObject)]
pub struct ArchiveConceptInput {
    pub id: ID,
    pub version: i32,
}

#[derive(InputObject)]
pub struct CopyConceptInput {
    pub id: ID,
    /// Name des neuen Entwurfs.
    pub name: String,
}

/// Checks a document as the engine will read it, and stores it canonically.
fn document_text(value: &serde_json::Value) -> async_graphql::Result<String> {
    let text = value.to_string();
    if text.len() > 1_000_000 {
        return Err(bad_input(
            "input.document",
            "Das Dokument ist zu groß (höchstens 1 MB).",
        ));
    }
    let doc = planning::parse_document(&text).map_err(|e| match e {
        PlanError::Input { field, message } => {
            bad_input(&field.replacen("document", "input.document", 1), message)
        }
        other => plan_error(other),
    })?;
    serde_json::to_string(&doc).map_err(internal)
}

fn period(from: Option<i32>, to: Option<i32>) -> async_graphql::Result<()> {
    if let Some(y) = from {
        check_year("input.validFrom", y)?;
    }
    if let Some(y) = to {
        check_year("input.validTo", y)?;
    }
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            return Err(bad_input(
                "input.validTo",
                "Das Ende des Zeitraums liegt vor seinem Beginn.",
            ));
        }
    }
    Ok(())
}

async fn concept_for_write(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<st::Concept> {
    let id = ids::expect(id, NodeType::Concept, "input.id")?;
    let concept = ctx_storage(ctx)
        .concepts_by_ids(&[id])
        .await
        .gql()?
        .into_iter()
        .find(|c| c.deleted_at.is_none())
        .ok_or_else(|| not_found("Die Konzeption"))?;
    ctx_viewer(ctx).require_district_writer(&concept.district_ags)?;
    Ok(concept)
}

fn data_of(c: &st::Concept) -> st::ConceptData {
    st::ConceptData {
        district_ags: c.district_ags.clone(),
        name: c.name.clone(),
        status: c.status,
        decided_on: c.decided_on,
        valid_from: c.valid_from,
        valid_to: c.valid_to,
        derived_from_id: c.derived_from_id,
        document: c.document.clone(),
        synthetic: c.synthetic,
    }
}

fn require_draft(c: &st::Concept) -> async_graphql::Result<()> {
    if c.status == st::ConceptStatus::Draft {
        Ok(())
    } else {
        Err(bad_input(
            "input.id",
            "Nur Entwürfe können geändert werden; eine beschlossene Konzeption lässt sich als neuer Entwurf kopieren.",
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// State distribution

/// Mittel eines Bezirks in einem Jahr.
pub struct DistrictBudget(planning::DistrictBudget);

#[Object]
impl DistrictBudget {
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        crate::types::district_by_ags(ctx, &self.0.ags).await
    }
    /// Anteil am Landesschlüssel (0 bis 1).
    async fn share(&self) -> Decimal {
        self.0.share
    }
    async fn children_under7(&self) -> i64 {
        self.0.children_under7
    }
    async fn children_under7_sgb2(&self) -> i64 {
        self.0.children_under7_sgb2
    }
    /// Datenjahr der Kinderzahlen (das neueste bis zum Haushaltsjahr).
    async fn key_year(&self) -> i32 {
        self.0.key_year
    }
    async fn reference_date(&self) -> NaiveDate {
        self.0.reference_date
    }
    /// Landesmittel in Euro.
    async fn land_amount(&self) -> Decimal {
        euros(self.0.financed.land)
    }
    /// Personalbudget insgesamt (Landesmittel / Förderquote).
    async fn total(&self) -> Decimal {
        euros(self.0.financed.total)
    }
    /// Eigenanteil des Jugendamts.
    async fn district_share(&self) -> Decimal {
        euros(self.0.financed.district)
    }
    /// Anteil der Kita-Träger.
    async fn traeger_share(&self) -> Decimal {
        euros(self.0.financed.traeger)
    }
}

#[derive(SimpleObject)]
pub struct StateDistribution {
    pub year: i32,
    /// Landesmittel des Jahres in Euro.
    pub total: Decimal,
    /// Mit vorgeschlagenen statt geltenden Parametern berechnet (nicht gespeichert).
    pub proposed: bool,
    pub districts: Vec<DistrictBudget>,
}

/// Vorgeschlagene Parameter (nur Ministerium und Administration); fehlende gelten wie geltend.
#[derive(InputObject, Default)]
pub struct StateParametersInput {
    /// Grundbetrag in Euro im Basisjahr (50.000.000 € 2021).
    pub base_amount: Option<Decimal>,
    pub base_year: Option<i32>,
    /// Jährliche Steigerung (0,025).
    pub growth: Option<Decimal>,
    /// Betrag des Jahres in Euro, der die Berechnung ersetzt.
    pub override_amount: Option<Decimal>,
    /// Gewicht der Kinder unter 7 (0,4); das der Kinder in SGB-II-Bedarfsgemeinschaften ist der Rest.
    pub weight_children: Option<Decimal>,
    /// Förderquote des Landes an den Personalkosten (0,6).
    pub land_rate: Option<Decimal>,
    /// Anteil der Träger am Eigenanteil (0).
    pub traeger_share: Option<Decimal>,
}

// ---------------------------------------------------------------------------------------------
// Runs

/// Eine gespeicherte Berechnung: unveränderlich, mit Prüfsumme der Eingaben.
pub struct AllocationRun {
    run: st::AllocationRun,
    /// Decompressed from the stored result on first use: a list of runs asking for ids and
    /// amounts does not read every result.
    payload: OnceLock<Arc<RunPayload>>,
}

impl AllocationRun {
    fn new(run: st::AllocationRun) -> Self {
        Self {
            run,
            payload: OnceLock::new(),
        }
    }

    /// A run just computed: its payload is at hand.
    fn computed(run: st::AllocationRun, payload: RunPayload) -> Self {
        Self {
            run,
            payload: OnceLock::from(Arc::new(payload)),
        }
    }

    fn payload(&self) -> async_graphql::Result<&Arc<RunPayload>> {
        if let Some(p) = self.payload.get() {
            return Ok(p);
        }
        let p = planning::payload(&self.run).map_err(internal)?;
        Ok(self.payload.get_or_init(|| Arc::new(p)))
    }
}

#[derive(SimpleObject)]
pub struct PillarAllocation {
    pub id: String,
    pub name: String,
    pub budget: Decimal,
    /// Vom vorigen Baustein übernommener Rest.
    pub received: Decimal,
    pub allocated: Decimal,
    pub leftover: Decimal,
    pub fte: Decimal,
}

#[derive(SimpleObject)]
pub struct DistributionMeasures {
    pub kitas_reached: i32,
    pub kitas_total: i32,
    pub places_reached: i64,
    pub places_total: i64,
    /// Gini-Koeffizient der Euro je Platz (0 = gleich verteilt).
    pub gini_per_place: Decimal,
    /// Anteil des Budgets an das Viertel der Kitas mit dem höchsten Bedarf.
    pub share_to_top_quarter: Option<Decimal>,
    /// Rangkorrelation zwischen Bedarf und Euro je Platz (folgt die Verteilung dem Bedarf?).
    pub need_correlation: Option<Decimal>,
}

impl From<&srb_allocation::measures::Measures> for DistributionMeasures {
    fn from(m: &srb_allocation::measures::Measures) -> Self {
        Self {
            kitas_reached: m.kitas_reached as i32,
            kitas_total: m.kitas_total as i32,
            places_reached: m.places_reached,
            places_total: m.places_total,
            gini_per_place: m.gini_per_place,
            share_to_top_quarter: m.share_to_top_quarter,
            need_correlation: m.need_correlation,
        }
    }
}

#[Object]
impl AllocationRun {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::AllocationRun, self.run.id)
    }
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        crate::types::district_by_ags(ctx, &self.run.district_ags).await
    }
    async fn concept(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ConceptObject>> {
        visible_concept(ctx, self.run.concept_id).await
    }
    async fn concept_version(&self) -> i32 {
        self.run.concept_version
    }
    /// Daten- und Haushaltsjahr.
    async fn year(&self) -> i32 {
        self.run.year
    }
    /// Personalbudget, das die Konzeption verteilt.
    async fn budget(&self) -> Decimal {
        euros(self.run.budget)
    }
    async fn allocated(&self) -> Decimal {
        euros(self.run.allocated)
    }
    /// Nicht verteilt (Rundung auf Stellenanteile, Deckel, fehlender Bedarf): ausgewiesen, nie verloren.
    async fn leftover(&self) -> Decimal {
        euros(self.run.budget - self.run.allocated)
    }
    async fn land_amount(&self) -> async_graphql::Result<Decimal> {
        Ok(euros(self.payload()?.budget.financed.land))
    }
    async fn district_share(&self) -> async_graphql::Result<Decimal> {
        Ok(euros(self.payload()?.budget.financed.district))
    }
    async fn traeger_share(&self) -> async_graphql::Result<Decimal> {
        Ok(euros(self.payload()?.budget.financed.traeger))
    }
    /// SHA-256 der Eingaben: gleiche Eingaben, gleiches Ergebnis.
    async fn input_hash(&self) -> &str {
        &self.run.input_hash
    }
    async fn engine_version(&self) -> &str {
        &self.run.engine_version
    }
    /// Wer gerechnet hat (Benutzerkonto-Nummer; leer bei Demo-Daten).
    async fn created_by_user_id(&self) -> Option<ID> {
        self.run.created_by.map(|id| ID(id.to_string()))
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.run.created_at
    }
    /// Der Plan, mit dem dieser Lauf verglichen wurde (der offizielle Plan des Vorjahres).
    async fn previous_run_id(&self) -> Option<ID> {
        self.run
            .previous_run_id
            .map(|id| ids::encode(NodeType::AllocationRun, id))
    }
    /// Ist dieser Lauf der offizielle Plan des Bezirks für sein Jahr?
    async fn official(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        is_official(ctx_storage(ctx).as_ref(), &self.run).await
    }
    async fn pillars(&self) -> async_graphql::Result<Vec<PillarAllocation>> {
        Ok(pillars_of(self.payload()?))
    }
    async fn measures(&self) -> async_graphql::Result<DistributionMeasures> {
        Ok((&self.payload()?.result.measures).into())
    }
    /// Die Kitas mit ihren Beträgen und Begründungen, nach Kita-Nummer.
    #[graphql(complexity = "2 + child_complexity * 10")]
    async fn kitas(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<KitaAllocation>> {
        kitas_of(ctx, self.payload()?, &self.run.district_ags, self.run.year).await
    }
    /// Das vollständige Ergebnis der Berechnung (JSON), nur für Berechtigte des Bezirks.
    async fn result(&self, ctx: &Context<'_>) -> async_graphql::Result<Json<serde_json::Value>> {
        ctx_viewer(ctx).require_private_reader(Some(&self.run.district_ags))?;
        serde_json::to_value(&self.payload()?.result)
            .map(Json)
            .map_err(internal)
    }
}

/// `node(id:)` for runs: none where [`visible_run`] would refuse.
pub(crate) async fn run_node(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<Option<AllocationRun>> {
    let storage = ctx_storage(ctx);
    let Some(run) = storage.runs_by_ids(&[id]).await.gql()?.into_iter().next() else {
        return Ok(None);
    };
    if !ctx_viewer(ctx).can_read_private(Some(&run.district_ags))
        && !is_official(storage.as_ref(), &run).await?
    {
        return Ok(None);
    }
    Ok(Some(AllocationRun::new(run)))
}

async fn is_official(
    storage: &dyn Storage,
    run: &st::AllocationRun,
) -> async_graphql::Result<bool> {
    let plans = storage
        .official_plans(run.year, std::slice::from_ref(&run.district_ags))
        .await
        .gql()?;
    Ok(plans.first().is_some_and(|p| p.run_id == run.id))
}

fn pillars_of(payload: &RunPayload) -> Vec<PillarAllocation> {
    payload
        .result
        .pillars
        .iter()
        .map(|p| PillarAllocation {
            id: p.id.clone(),
            name: p.name.clone(),
            budget: euros(p.budget),
            received: euros(p.received),
            allocated: euros(p.allocated),
            leftover: euros(p.leftover),
            fte: p.fte,
        })
        .collect()
}

async fn kitas_of(
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
struct Explain {
    definitions: Arc<HashMap<String, st::IndicatorDefinition>>,
    private: bool,
}

impl Explain {
    async fn new(ctx: &Context<'_>, ags: &str) -> async_graphql::Result<Self> {
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
    payload: Arc<RunPayload>,
    index: usize,
    year: i32,
    explain: Explain,
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
    fn disclosure(&self) -> std::borrow::Cow<'_, srb_domain::Disclosure> {
        self.payload
            .disclosure(self.explain.private, &self.explain.definitions)
    }
}

#[Object]
impl KitaAllocation {
    async fn kita_id(&self) -> ID {
        let id = &self.payload.result.kitas[self.index].id;
        ids::encode(NodeType::Kita, id)
    }
    async fn name(&self) -> &str {
        &self.payload.result.kitas[self.index].name
    }
    async fn year(&self) -> i32 {
        self.year
    }
    /// Bedarfsindex; leer, wenn die Kita keinen hat oder er auf Zahlen unter 5 schließen ließe
    /// (dann steht in `shownNeedIndex` „< 5“).
    async fn need_index(&self) -> Option<Decimal> {
        if !self.disclosure().index(self.index) {
            return None;
        }
        self.payload.result.kitas[self.index].index
    }
    /// Der Bedarfsindex zum Anzeigen: deutsches Zahlenformat, „< 5“, wenn er zurückgehalten wird.
    async fn shown_need_index(&self) -> Option<String> {
        let ix = self.payload.result.kitas[self.index].index?;
        Some(if self.disclosure().index(self.index) {
            german(ix)
        } else {
            srb_domain::WITHHELD.to_owned()
        })
    }
    /// Rang im Bezirk (1 = höchster Bedarf); leer, wenn er zurückgehalten wird.
    async fn rank(&self) -> Option<i32> {
        if !self.disclosure().index(self.index) {
            return None;
        }
        self.payload.result.kitas[self.index].rank.map(|r| r as i32)
    }
    /// Zahl der Kitas mit Index im Bezirk.
    async fn ranked_kitas(&self) -> i32 {
        self.payload
            .result
            .kitas
            .iter()
            .filter(|k| k.rank.is_some())
            .count() as i32
    }
    async fn amount(&self) -> Decimal {
        euros(self.payload.result.kitas[self.index].amount)
    }
    async fn fte(&self) -> Decimal {
        self.payload.result.kitas[self.index].fte
    }
    /// Betrag im offiziellen Plan des Vorjahres.
    async fn previous_amount(&self) -> Option<Decimal> {
        self.payload.result.kitas[self.index]
            .previous_amount
            .map(euros)
    }
    /// Veränderung gegenüber dem Vorjahr.
    async fn change(&self) -> Option<Decimal> {
        self.payload.result.kitas[self.index].change.map(euros)
    }
    async fn pillars(&self) -> Vec<KitaPillarAllocation> {
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
    async fn index_terms(&self) -> Vec<IndexTerm> {
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

/// Eine Berechnung, die nicht gespeichert wird (Was-wäre-wenn).
pub struct AllocationPreview {
    payload: Arc<RunPayload>,
    district_ags: String,
    year: i32,
}

#[Object]
impl AllocationPreview {
    async fn year(&self) -> i32 {
        self.year
    }
    async fn budget(&self) -> Decimal {
        euros(self.payload.result.budget)
    }
    async fn allocated(&self) -> Decimal {
        euros(
            self.payload
                .result
                .pillars
                .iter()
                .map(|p| p.allocated)
                .sum(),
        )
    }
    async fn input_hash(&self) -> &str {
        &self.payload.result.input_hash
    }
    async fn pillars(&self) -> Vec<PillarAllocation> {
        pillars_of(&self.payload)
    }
    async fn measures(&self) -> DistributionMeasures {
        (&self.payload.result.measures).into()
    }
    #[graphql(complexity = "2 + child_complexity * 10")]
    async fn kitas(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<KitaAllocation>> {
        kitas_of(ctx, &self.payload, &self.district_ags, self.year).await
    }
}

/// Unterschied einer Kita zwischen zwei Läufen (B − A).
#[derive(SimpleObject)]
pub struct KitaChange {
    pub kita_id: ID,
    pub name: String,
    pub amount_a: Decimal,
    pub amount_b: Decimal,
    pub difference: Decimal,
    pub fte_a: Decimal,
    pub fte_b: Decimal,
    pub rank_a: Option<i32>,
    pub rank_b: Option<i32>,
}

/// Zwei Läufe nebeneinander: wer gewinnt, wer verliert, wie sich die Maße ändern.
pub struct AllocationComparison {
    a: AllocationRun,
    b: AllocationRun,
    comparison: Comparison,
    /// Ranks withheld by the small-count rule.
    hidden: export::HiddenRanks,
}

#[Object]
impl AllocationComparison {
    async fn a(&self) -> &AllocationRun {
        &self.a
    }
    async fn b(&self) -> &AllocationRun {
        &self.b
    }
    async fn gainers(&self) -> i32 {
        self.comparison.gainers as i32
    }
    async fn losers(&self) -> i32 {
        self.comparison.losers as i32
    }
    async fn unchanged(&self) -> i32 {
        self.comparison.unchanged as i32
    }
    /// Summe aller Zuwächse.
    async fn gained(&self) -> Decimal {
        euros(self.comparison.gained)
    }
    /// Summe aller Verluste (negativ).
    async fn lost(&self) -> Decimal {
        euros(self.comparison.lost)
    }
    async fn allocated_a(&self) -> Decimal {
        euros(self.comparison.allocated_a)
    }
    async fn allocated_b(&self) -> Decimal {
        euros(self.comparison.allocated_b)
    }
    async fn measures_a(&self) -> DistributionMeasures {
        (&self.comparison.measures_a).into()
    }
    async fn measures_b(&self) -> DistributionMeasures {
        (&self.comparison.measures_b).into()
    }
    async fn gini_change(&self) -> Decimal {
        self.comparison.gini_change
    }
    async fn share_to_top_quarter_change(&self) -> Option<Decimal> {
        self.comparison.share_to_top_quarter_change
    }
    async fn need_correlation_change(&self) -> Option<Decimal> {
        self.comparison.need_correlation_change
    }
    /// Je Kita, nach Kita-Nummer.
    #[graphql(complexity = "2 + child_complexity * 10")]
    async fn kitas(&self) -> Vec<KitaChange> {
        self.comparison
            .kitas
            .iter()
            .map(|k| KitaChange {
                kita_id: ids::encode(NodeType::Kita, &k.id),
                name: k.name.clone(),
                amount_a: euros(k.amount_a),
                amount_b: euros(k.amount_b),
                difference: euros(k.difference),
                fte_a: k.fte_a,
                fte_b: k.fte_b,
                rank_a: k
                    .rank_a
                    .filter(|_| !self.hidden.a.contains(&k.id))
                    .map(|r| r as i32),
                rank_b: k
                    .rank_b
                    .filter(|_| !self.hidden.b.contains(&k.id))
                    .map(|r| r as i32),
            })
            .collect()
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ExportFormat {
    /// Excel-Arbeitsmappe mit Zusammenfassung, Parametern und einem Blatt je Säule.
    Xlsx,
    /// CSV für deutsches Excel (UTF-8 mit BOM, Semikolon, Dezimalkomma).
    Csv,
}

/// Eine Datei zum Herunterladen, Base64-kodiert.
#[derive(SimpleObject)]
pub struct FileDownload {
    pub file_name: String,
    pub media_type: String,
    pub size: i32,
    pub content_base64: String,
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn download(file_name: String, media_type: &str, bytes: Vec<u8>) -> FileDownload {
    FileDownload {
        file_name,
        media_type: media_type.to_owned(),
        size: bytes.len() as i32,
        content_base64: base64::engine::general_purpose::STANDARD.encode(bytes),
    }
}

/// A run the viewer may see: everything of the district for its private readers, otherwise
/// official plans only.
async fn visible_run(
    ctx: &Context<'_>,
    id: &ID,
    field: &str,
) -> async_graphql::Result<AllocationRun> {
    let id = ids::expect(id, NodeType::AllocationRun, field)?;
    run_node(ctx, id)
        .await?
        .ok_or_else(|| not_found("Der Lauf"))
}

async fn run_info(ctx: &Context<'_>, run: &AllocationRun) -> async_graphql::Result<RunInfo> {
    let storage = ctx_storage(ctx);
    let district = storage
        .districts_by_ags(std::slice::from_ref(&run.run.district_ags))
        .await
        .gql()?
        .into_iter()
        .next()
        .map(|d| d.name)
        .unwrap_or_default();
    let concept = storage
        .concepts_by_ids(&[run.run.concept_id])
        .await
        .gql()?
        .into_iter()
        .next()
        .map(|c| c.name)
        .unwrap_or_default();
    let f = &run.payload()?.budget.financed;
    Ok(RunInfo {
        district,
        concept,
        year: run.run.year,
        run_id: run.run.id.to_string(),
        computed_at: run.run.created_at.format("%d.%m.%Y %H:%M UTC").to_string(),
        engine_version: run.run.engine_version.clone(),
        budget_lines: vec![
            ("Landesmittel".into(), f.land),
            ("Personalbudget insgesamt".into(), f.total),
            ("Eigenanteil Jugendamt".into(), f.district),
            ("Anteil Träger".into(), f.traeger),
        ],
    })
}

async fn comparison_of(
    ctx: &Context<'_>,
    a: &ID,
    b: &ID,
) -> async_graphql::Result<AllocationComparison> {
    let a = visible_run(ctx, a, "a").await?;
    let b = visible_run(ctx, b, "b").await?;
    if a.run.district_ags != b.run.district_ags {
        return Err(bad_input(
            "b",
            "Verglichen werden Läufe desselben Bezirks; dieser Lauf gehört zu einem anderen.",
        ));
    }
    let comparison = compare(&a.payload()?.result, &b.payload()?.result);
    let explain = Explain::new(ctx, &a.run.district_ags).await?;
    let hidden_ranks = |run: &AllocationRun| -> async_graphql::Result<_> {
        let p = run.payload()?;
        let dis = p.disclosure(explain.private, &explain.definitions);
        Ok(p.result
            .kitas
            .iter()
            .enumerate()
            .filter(|(i, _)| !dis.index(*i))
            .map(|(_, k)| k.id.clone())
            .collect())
    };
    let hidden = export::HiddenRanks {
        a: hidden_ranks(&a)?,
        b: hidden_ranks(&b)?,
    };
    Ok(AllocationComparison {
        a,
        b,
        comparison,
        hidden,
    })
}

fn file_stub(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

// ---------------------------------------------------------------------------------------------
// Root fields

#[derive(Default)]
pub struct PlanQuery;

#[Object]
impl PlanQuery {
    /// Die Indikatoren eines Bezirks und die landesweiten.
    async fn indicator_definitions(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
    ) -> async_graphql::Result<Vec<IndicatorDefinition>> {
        let d = district_record(ctx, &district_ags).await?;
        Ok(ctx_storage(ctx)
            .indicator_definitions(&[d.ags])
            .await
            .gql()?
            .into_iter()
            .map(IndicatorDefinition)
            .collect())
    }

    /// Kostensätze eines Jahres: landesweite Standardsätze und die eigenen des Bezirks.
    #[graphql(guard = "RoleGuard::private_readers()")]
    async fn cost_rates(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
        year: i32,
    ) -> async_graphql::Result<Vec<CostRate>> {
        let d = district_record(ctx, &district_ags).await?;
        ctx_viewer(ctx).require_private_reader(Some(&d.ags))?;
        Ok(ctx_storage(ctx)
            .cost_rates(&d.ags, check_year("year", year)?)
            .await
            .gql()?
            .into_iter()
            .map(CostRate)
            .collect())
    }

    /// Landesmittel eines Jahres und ihre Aufteilung auf die 41 Bezirke nach dem Landesschlüssel.
    /// Mit `parameters` (Ministerium, Administration) für Vorschläge, ohne etwas zu speichern.
    async fn state_distribution(
        &self,
        ctx: &Context<'_>,
        year: i32,
        parameters: Option<StateParametersInput>,
    ) -> async_graphql::Result<StateDistribution> {
        let year = check_year("year", year)?;
        let mut params = StateParams::default();
        let proposed = parameters.is_some();
        if let Some(p) = parameters {
            let viewer = ctx_viewer(ctx);
            viewer.require_user()?;
            if !matches!(viewer.role(), Some(Role::Admin | Role::Ministry)) {
                return Err(forbidden());
            }
            if let Some(v) = p.base_amount {
                params.budget.base_amount = v;
            }
            if let Some(v) = p.base_year {
                params.budget.base_year = check_year("parameters.baseYear", v)?;
            }
            if let Some(v) = p.growth {
                params.budget.growth = v;
            }
            if let Some(v) = p.override_amount {
                params.budget.overrides.insert(year, v);
            }
            if let Some(v) = p.weight_children {
                if v < Decimal::ZERO || v > Decimal::ONE {
                    return Err(bad_input(
                        "parameters.weightChildren",
                        "Das Gewicht liegt zwischen 0 und 1.",
                    ));
                }
                params.weight_children = v;
                params.weight_sgb2 = Decimal::ONE - v;
            }
            if let Some(v) = p.land_rate {
                params.co_financing.land_rate = v;
            }
            if let Some(v) = p.traeger_share {
                params.co_financing.traeger_share = v;
            }
        }
        let d = planning::state_distribution(ctx_storage(ctx).as_ref(), year, &params)
            .await
            .map_err(|e| match e {
                PlanError::Input { field, message } if field == "parameters" => {
                    bad_input("parameters", message)
                }
                other => plan_error(other),
            })?;
        Ok(StateDistribution {
            year,
            total: euros(d.total),
            proposed,
            districts: d.districts.into_iter().map(DistrictBudget).collect(),
        })
    }

    /// Die Konzeptionen eines Bezirks; Entwürfe nur für Berechtigte des Bezirks.
    async fn concepts(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
    ) -> async_graphql::Result<Vec<ConceptObject>> {
        let d = district_record(ctx, &district_ags).await?;
        let viewer = ctx_viewer(ctx);
        Ok(ctx_storage(ctx)
            .concepts_of(&[d.ags], false)
            .await
            .gql()?
            .into_iter()
            .filter(|c| can_see_concept(viewer, c))
            .map(ConceptObject)
            .collect())
    }

    async fn concept(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<ConceptObject>> {
        let id = ids::expect(&id, NodeType::Concept, "id")?;
        visible_concept(ctx, id).await
    }

    /// Ein Lauf; ohne Berechtigung für den Bezirk nur offizielle Pläne.
    async fn allocation_run(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Option<AllocationRun>> {
        run_node(ctx, ids::expect(&id, NodeType::AllocationRun, "id")?).await
    }

    /// Die Läufe eines Bezirks, neueste zuerst (höchstens 100); ohne Berechtigung für den
    /// Bezirk nur offizielle Pläne.
    #[graphql(complexity = "5 + child_complexity * 20")]
    async fn allocation_runs(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
        year: Option<i32>,
    ) -> async_graphql::Result<Vec<AllocationRun>> {
        let d = district_record(ctx, &district_ags).await?;
        let year = year.map(|y| check_year("year", y)).transpose()?;
        let storage = ctx_storage(ctx);
        let private = ctx_viewer(ctx).can_read_private(Some(&d.ags));
        let runs = storage.runs_of(&d.ags, year, MAX_RUNS).await.gql()?;
        if private {
            return Ok(runs.into_iter().map(AllocationRun::new).collect());
        }
        // The public sees official plans only: one lookup per year the runs cover, not per run.
        let mut years: Vec<i32> = runs.iter().map(|r| r.year).collect();
        years.sort_unstable();
        years.dedup();
        let mut official = std::collections::HashSet::new();
        for y in years {
            for plan in storage
                .official_plans(y, std::slice::from_ref(&d.ags))
                .await
                .gql()?
            {
                official.insert(plan.run_id);
            }
        }
        Ok(runs
            .into_iter()
            .filter(|r| official.contains(&r.id))
            .map(AllocationRun::new)
            .collect())
    }

    /// Die offiziellen Pläne aller Bezirke für ein Jahr.
    #[graphql(complexity = "5 + child_complexity * 41")]
    async fn official_plans(
        &self,
        ctx: &Context<'_>,
        year: i32,
    ) -> async_graphql::Result<Vec<AllocationRun>> {
        let storage = ctx_storage(ctx);
        let plans = storage
            .official_plans(check_year("year", year)?, &[])
            .await
            .gql()?;
        let ids: Vec<i64> = plans.iter().map(|p| p.run_id).collect();
        let runs = storage.runs_by_ids(&ids).await.gql()?;
        let mut runs: Vec<AllocationRun> = runs.into_iter().map(AllocationRun::new).collect();
        runs.sort_by(|a, b| a.run.district_ags.cmp(&b.run.district_ags));
        Ok(runs)
    }

    /// Der offizielle Plan eines Bezirks für ein Jahr, wenn es einen gibt.
    async fn official_plan(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
        year: i32,
    ) -> async_graphql::Result<Option<AllocationRun>> {
        let d = district_record(ctx, &district_ags).await?;
        let storage = ctx_storage(ctx);
        let plans = storage
            .official_plans(check_year("year", year)?, std::slice::from_ref(&d.ags))
            .await
            .gql()?;
        let Some(plan) = plans.first() else {
            return Ok(None);
        };
        Ok(storage
            .runs_by_ids(&[plan.run_id])
            .await
            .gql()?
            .into_iter()
            .next()
            .map(AllocationRun::new))
    }

    /// Zwei Läufe desselben Bezirks nebeneinander (B − A).
    #[graphql(complexity = "10 + child_complexity")]
    async fn compare_allocation_runs(
        &self,
        ctx: &Context<'_>,
        a: ID,
        b: ID,
    ) -> async_graphql::Result<AllocationComparison> {
        comparison_of(ctx, &a, &b).await
    }

    /// Was wäre, wenn: rechnet ein Regelwerk mit den Daten eines Jahres, ohne etwas zu speichern.
    #[graphql(
        guard = "RoleGuard::private_readers()",
        complexity = "50 + child_complexity"
    )]
    async fn preview_allocation(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
        data_year: i32,
        document: Json<serde_json::Value>,
    ) -> async_graphql::Result<AllocationPreview> {
        let d = district_record(ctx, &district_ags).await?;
        ctx_viewer(ctx).require_private_reader(Some(&d.ags))?;
        let year = check_year("dataYear", data_year)?;
        let doc = planning::parse_document(&document.0.to_string()).map_err(plan_error)?;
        let computed = planning::compute(ctx_storage(ctx).as_ref(), &d.ags, &doc, year)
            .await
            .map_err(plan_error)?;
        Ok(AllocationPreview {
            payload: Arc::new(computed.payload),
            district_ags: d.ags,
            year,
        })
    }

    /// Importvorlage (XLSX) eines Bezirks: seine Kitas und eine Spalte je Kita-Indikator.
    #[graphql(guard = "RoleGuard::private_readers()")]
    async fn indicator_template(
        &self,
        ctx: &Context<'_>,
        district_ags: String,
    ) -> async_graphql::Result<FileDownload> {
        let d = district_record(ctx, &district_ags).await?;
        ctx_viewer(ctx).require_private_reader(Some(&d.ags))?;
        let (kitas, columns, _) = planning::import_frame(
            ctx_storage(ctx).as_ref(),
            &d.ags,
            None,
            srb_sheets::SubjectKind::Kita,
        )
        .await
        .map_err(plan_error)?;
        let bytes = export::indicator_template(&kitas, &columns).map_err(internal)?;
        Ok(download(
            format!("Indikatoren-{}.xlsx", file_stub(&d.name)),
            XLSX,
            bytes,
        ))
    }

    /// Ein Lauf als Tabelle (XLSX oder CSV).
    async fn export_allocation_run(
        &self,
        ctx: &Context<'_>,
        id: ID,
        format: ExportFormat,
    ) -> async_graphql::Result<FileDownload> {
        let run = visible_run(ctx, &id, "id").await?;
        let info = run_info(ctx, &run).await?;
        let stub = format!(
            "Verteilung-{}-{}-Lauf-{}",
            file_stub(&info.district),
            run.run.year,
            run.run.id
        );
        let explain = Explain::new(ctx, &run.run.district_ags).await?;
        let payload = run.payload()?;
        let dis = payload.disclosure(explain.private, &explain.definitions);
        let defs = &explain.definitions;
        let shown = export::Shown {
            disclosure: &dis,
            is_count: &|key| planning::is_count(defs, key),
        };
        Ok(match format {
            ExportFormat::Xlsx => download(
                format!("{stub}.xlsx"),
                XLSX,
                export::run_xlsx(&info, &payload.result, &shown).map_err(internal)?,
            ),
            ExportFormat::Csv => download(
                format!("{stub}.csv"),
                "text/csv; charset=utf-8",
                export::run_csv(&payload.result, &shown),
            ),
        })
    }

    /// Ein Vergleich zweier Läufe als Tabelle (XLSX oder CSV).
    async fn export_allocation_comparison(
        &self,
        ctx: &Context<'_>,
        a: ID,
        b: ID,
        format: ExportFormat,
    ) -> async_graphql::Result<FileDownload> {
        let c = comparison_of(ctx, &a, &b).await?;
        let (ia, ib) = (run_info(ctx, &c.a).await?, run_info(ctx, &c.b).await?);
        let stub = format!(
            "Vergleich-{}-Lauf-{}-mit-{}",
            file_stub(&ia.district),
            c.a.run.id,
            c.b.run.id
        );
        Ok(match format {
            ExportFormat::Xlsx => download(
                format!("{stub}.xlsx"),
                XLSX,
                export::comparison_xlsx(&ia, &ib, &c.comparison, &c.hidden).map_err(internal)?,
            ),
            ExportFormat::Csv => download(
                format!("{stub}.csv"),
                "text/csv; charset=utf-8",
                export::comparison_csv(&c.comparison, &c.hidden),
            ),
        })
    }
}

fn report_of(file_name: String, result: planning::ImportResult) -> ImportReport {
    let outcome = result.outcome.unwrap_or_default();
    ImportReport {
        ok: result.problems.is_empty(),
        stored: outcome.import_id.is_some(),
        file_name,
        rows: result.rows as i32,
        values: result.values as i32,
        empty_cells: result.empty_cells as i32,
        inserted: outcome.inserted as i32,
        updated: outcome.updated as i32,
        unchanged: outcome.unchanged as i32,
        problems: result.problems.iter().map(Into::into).collect(),
        warnings: result.warnings.iter().map(Into::into).collect(),
    }
}

/// The scope of a record that is either a district's or the whole state's: a district its
/// writers may change, the state only admins.
async fn writable_scope(
    ctx: &Context<'_>,
    district_ags: Option<&str>,
) -> async_graphql::Result<Option<String>> {
    let viewer = ctx_viewer(ctx);
    match district_ags {
        Some(ags) => {
            let d = district_record(ctx, ags).await?;
            viewer.require_district_writer(&d.ags)?;
            Ok(Some(d.ags))
        }
        None if viewer.role() == Some(Role::Admin) => Ok(None),
        None => Err(forbidden()),
    }
}

/// An uploaded file's bytes, at most one byte beyond the import limit (so the reader can say
/// the file is too large).
fn upload_bytes(ctx: &Context<'_>, file: &Upload) -> async_graphql::Result<(String, Vec<u8>)> {
    let upload = file
        .value(ctx)
        .map_err(|_| bad_input("input.file", "Die Datei fehlt."))?;
    let name = upload.filename.clone();
    let mut bytes = Vec::new();
    upload
        .into_read()
        .take(srb_sheets::MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(internal)?;
    Ok((name, bytes))
}

#[derive(Default)]
pub struct PlanMutation;

#[Object]
impl PlanMutation {
    /// Legt einen Indikator an (Koordination für den eigenen Bezirk; landesweit nur Administration).
    #[graphql(guard = "RoleGuard::writers()")]
    async fn create_indicator_definition(
        &self,
        ctx: &Context<'_>,
        input: CreateIndicatorDefinitionInput,
    ) -> async_graphql::Result<IndicatorDefinition> {
        let viewer = ctx_viewer(ctx);
        let district_ags = writable_scope(ctx, input.district_ags.as_deref()).await?;
        let data = st::IndicatorDefinitionData {
            district_ags,
            key: indicator_key(&input.key)?,
            label: domain::name("input.label", &input.label)?,
            unit: input.unit.into(),
            level: input.level.into(),
            direction: input.direction.into(),
            description: domain::text("input.description", input.description.as_deref())?,
        };
        let storage = ctx_storage(ctx);
        let existing = storage
            .indicator_definitions(&data.district_ags.iter().cloned().collect::<Vec<_>>())
            .await
            .gql()?;
        if existing.iter().any(|d| d.key == data.key) {
            return Err(bad_input(
                "input.key",
                format!("Den Indikator „{}“ gibt es hier bereits.", data.key),
            ));
        }
        if existing
            .iter()
            .any(|d| d.label.to_lowercase() == data.label.to_lowercase())
        {
            return Err(bad_input(
                "input.label",
                "Ein Indikator mit dieser Bezeichnung existiert bereits; Importspalten wären nicht eindeutig.",
            ));
        }
        let viewer_id = viewer.user_id();
        storage
            .create_indicator_definition(viewer_id, &data)
            .await
            .gql()
            .map(IndicatorDefinition)
    }

    /// Importiert Indikatorwerte eines Datenjahres aus CSV oder XLSX. Erst wird alles geprüft;
    /// dann wird entweder alles in einem Schritt gespeichert oder nichts.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn import_indicator_values(
        &self,
        ctx: &Context<'_>,
        input: ImportIndicatorValuesInput,
    ) -> async_graphql::Result<ImportReport> {
        let d = district_record(ctx, &input.district_ags).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&d.ags)?;
        let year = check_year("input.year", input.year)?;
        let source = domain::name("input.source", &input.source)
            .map_err(|_| bad_input("input.source", "Bitte die Quelle der Werte angeben."))?;
        let (file_name, bytes) = upload_bytes(ctx, &input.file)?;
        let result = planning::import_indicators(
            ctx_storage(ctx).as_ref(),
            viewer.user_id(),
            planning::ImportRequest {
                district_ags: &d.ags,
                year,
                file_name: &file_name,
                bytes,
                reference_date: input.reference_date,
                source: &source,
                only: input.indicators.as_deref(),
                dry_run: input.dry_run,
                kind: match input.level {
                    IndicatorLevel::Kita => srb_sheets::SubjectKind::Kita,
                    IndicatorLevel::SocialSpace => srb_sheets::SubjectKind::SocialSpace,
                    IndicatorLevel::District => return Err(bad_input(
                        "input.level",
                        "Werte auf Bezirksebene (Landesschlüssel) werden hier nicht importiert.",
                    )),
                },
            },
        )
        .await
        .map_err(plan_error)?;
        Ok(report_of(file_name, result))
    }

    /// Importiert die Kinderzahlen des Landesschlüssels für alle Bezirke eines Datenjahres
    /// (Ministerium, Administration): alles in einem Schritt oder nichts.
    #[graphql(guard = "RoleGuard::state()")]
    async fn import_state_key_values(
        &self,
        ctx: &Context<'_>,
        input: ImportStateKeyInput,
    ) -> async_graphql::Result<ImportReport> {
        let year = check_year("input.year", input.year)?;
        let source = domain::name("input.source", &input.source)
            .map_err(|_| bad_input("input.source", "Bitte die Quelle der Werte angeben."))?;
        let (file_name, bytes) = upload_bytes(ctx, &input.file)?;
        let result = planning::import_indicators(
            ctx_storage(ctx).as_ref(),
            ctx_viewer(ctx).user_id(),
            planning::ImportRequest {
                district_ags: "",
                year,
                file_name: &file_name,
                bytes,
                reference_date: input.reference_date,
                source: &source,
                only: None,
                dry_run: input.dry_run,
                kind: srb_sheets::SubjectKind::District,
            },
        )
        .await
        .map_err(plan_error)?;
        Ok(report_of(file_name, result))
    }

    /// Legt Kitas aus CSV oder XLSX an oder aktualisiert sie (Abgleich über den Namen). Erst wird
    /// alles geprüft; dann wird entweder alles in einem Schritt gespeichert oder nichts.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn import_kitas(
        &self,
        ctx: &Context<'_>,
        input: ImportKitasInput,
    ) -> async_graphql::Result<KitaImportReport> {
        let d = district_record(ctx, &input.district_ags).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&d.ags)?;
        let (_, bytes) = upload_bytes(ctx, &input.file)?;
        let r = planning::import_kitas(
            ctx_storage(ctx).as_ref(),
            viewer.user_id(),
            &d.ags,
            bytes,
            input.dry_run,
        )
        .await
        .map_err(plan_error)?;
        Ok(KitaImportReport {
            ok: r.problems.is_empty(),
            stored: r.stored,
            rows: r.rows as i32,
            created: r.created as i32,
            updated: r.updated as i32,
            unchanged: r.unchanged as i32,
            problems: r.problems.iter().map(Into::into).collect(),
        })
    }

    /// Setzt den Kostensatz einer Rolle und eines Jahres (landesweit nur Administration).
    #[graphql(guard = "RoleGuard::writers()")]
    async fn set_cost_rate(
        &self,
        ctx: &Context<'_>,
        input: SetCostRateInput,
    ) -> async_graphql::Result<CostRate> {
        let viewer = ctx_viewer(ctx);
        let district_ags = writable_scope(ctx, input.district_ags.as_deref()).await?;
        let cents = input.cost_per_fte * Decimal::ONE_HUNDRED;
        if !cents.fract().is_zero()
            || cents <= Decimal::ZERO
            || cents > Decimal::from(100_000_000i64)
        {
            return Err(bad_input(
                "input.costPerFte",
                "Der Kostensatz ist ein positiver Betrag in Euro mit höchstens zwei Nachkommastellen (bis 1 Mio. €).",
            ));
        }
        let data = st::CostRateData {
            district_ags,
            role: indicator_key(&input.role).map_err(|_| {
                bad_input(
                    "input.role",
                    "Die Rolle wird als Kurzname angegeben (z. B. kita_sozialarbeit).",
                )
            })?,
            year: check_year("input.year", input.year)?,
            cost_per_fte: i64::try_from(
                cents.trunc().mantissa() / 10i128.pow(cents.trunc().scale()),
            )
            .unwrap_or(0),
            source: domain::name("input.source", &input.source)?,
        };
        ctx_storage(ctx)
            .set_cost_rate(viewer.user_id(), &data)
            .await
            .gql()
            .map(CostRate)
    }

    /// Legt eine Konzeption als Entwurf an.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn create_concept(
        &self,
        ctx: &Context<'_>,
        input: CreateConceptInput,
    ) -> async_graphql::Result<ConceptObject> {
        let d = district_record(ctx, &input.district_ags).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&d.ags)?;
        period(input.valid_from, input.valid_to)?;
        let data = st::ConceptData {
            district_ags: d.ags,
            name: domain::name("input.name", &input.name)?,
            status: st::ConceptStatus::Draft,
            decided_on: None,
            valid_from: input.valid_from,
            valid_to: input.valid_to,
            derived_from_id: None,
            document: document_text(&input.document.0)?,
            synthetic: false,
        };
        ctx_storage(ctx)
            .create_concept(viewer.user_id(), &data)
            .await
            .gql()
            .map(ConceptObject)
    }

    /// Ändert einen Entwurf; beschlossene Konzeptionen sind unveränderlich.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn update_concept(
        &self,
        ctx: &Context<'_>,
        input: UpdateConceptInput,
    ) -> async_graphql::Result<ConceptObject> {
        let current = concept_for_write(ctx, &input.id).await?;
        require_draft(&current)?;
        let mut data = data_of(&current);
        if let Some(name) = &input.name {
            data.name = domain::name("input.name", name)?;
        }
        if let Some(doc) = &input.document {
            data.document = document_text(&doc.0)?;
        }
        if input.valid_from.is_some() {
            data.valid_from = input.valid_from;
        }
        if input.valid_to.is_some() {
            data.valid_to = input.valid_to;
        }
        period(data.valid_from, data.valid_to)?;
        ctx_storage(ctx)
            .update_concept(ctx_viewer(ctx).user_id(), current.id, input.version, &data)
            .await
            .gql()
            .map(ConceptObject)
    }

    /// Markiert einen Entwurf als vom Jugendhilfeausschuss beschlossen; danach ist er unveränderlich.
    /// Vorher wird er mit den neuesten Daten des Bezirks gerechnet: was nicht rechnet, wird nicht
    /// beschlossen.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn decide_concept(
        &self,
        ctx: &Context<'_>,
        input: DecideConceptInput,
    ) -> async_graphql::Result<ConceptObject> {
        let current = concept_for_write(ctx, &input.id).await?;
        require_draft(&current)?;
        // What the committee decides must compute: checked on the district's newest data, so
        // an error shows now, with its path in the document, and not at the first run.
        let storage = ctx_storage(ctx);
        let years = storage.indicator_years(&current.district_ags).await.gql()?;
        if let Some((year, _)) = years.first() {
            let doc = planning::parse_document(&current.document).map_err(plan_error)?;
            planning::compute(storage.as_ref(), &current.district_ags, &doc, *year)
                .await
                .map_err(|e| match e {
                    PlanError::Input { field, message } if field.starts_with("document") => {
                        bad_input(
                            &field,
                            format!(
                                "{message} (geprüft mit den Daten von {year}; nicht beschlossen)"
                            ),
                        )
                    }
                    other => plan_error(other),
                })?;
        }
        let mut data = data_of(&current);
        data.status = st::ConceptStatus::Decided;
        data.decided_on = Some(input.decided_on);
        ctx_storage(ctx)
            .update_concept(ctx_viewer(ctx).user_id(), current.id, input.version, &data)
            .await
            .gql()
            .map(ConceptObject)
    }

    /// Archiviert eine beschlossene Konzeption (oder einen Entwurf, der nicht weiterverfolgt wird).
    #[graphql(guard = "RoleGuard::writers()")]
    async fn archive_concept(
        &self,
        ctx: &Context<'_>,
        input: ArchiveConceptInput,
    ) -> async_graphql::Result<ConceptObject> {
        let current = concept_for_write(ctx, &input.id).await?;
        if current.status == st::ConceptStatus::Archived {
            return Err(bad_input(
                "input.id",
                "Die Konzeption ist bereits archiviert.",
            ));
        }
        let mut data = data_of(&current);
        data.status = st::ConceptStatus::Archived;
        // The CHECK wants a date on everything that is not a draft: an archived draft keeps today.
        data.decided_on = data.decided_on.or_else(|| Some(Utc::now().date_naive()));
        ctx_storage(ctx)
            .update_concept(ctx_viewer(ctx).user_id(), current.id, input.version, &data)
            .await
            .gql()
            .map(ConceptObject)
    }

    /// Kopiert eine Konzeption in einen neuen Entwurf, der sich seine Herkunft merkt.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn copy_concept(
        &self,
        ctx: &Context<'_>,
        input: CopyConceptInput,
    ) -> async_graphql::Result<ConceptObject> {
        let current = concept_for_write(ctx, &input.id).await?;
        let mut data = data_of(&current);
        data.name = domain::name("input.name", &input.name)?;
        data.status = st::ConceptStatus::Draft;
        data.decided_on = None;
        data.derived_from_id = Some(current.id);
        data.synthetic = false;
        ctx_storage(ctx)
            .create_concept(ctx_viewer(ctx).user_id(), &data)
            .await
            .gql()
            .map(ConceptObject)
    }

    /// Rechnet eine Konzeption mit den Daten eines Jahres und speichert den Lauf unveränderlich.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn run_allocation(
        &self,
        ctx: &Context<'_>,
        concept_id: ID,
        data_year: i32,
    ) -> async_graphql::Result<AllocationRun> {
        let id = ids::expect(&concept_id, NodeType::Concept, "conceptId")?;
        let storage = ctx_storage(ctx);
        let concept = storage
            .concepts_by_ids(&[id])
            .await
            .gql()?
            .into_iter()
            .find(|c| c.deleted_at.is_none())
            .ok_or_else(|| not_found("Die Konzeption"))?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&concept.district_ags)?;
        let year = check_year("dataYear", data_year)?;
        let (run, payload) =
            planning::run_with_payload(storage.as_ref(), viewer.user_id(), &concept, year)
                .await
                .map_err(plan_error)?;
        Ok(AllocationRun::computed(run, payload))
    }

    /// Erklärt einen Lauf zum offiziellen Plan des Bezirks für sein Jahr (nur Läufe beschlossener
    /// Konzeptionen).
    #[graphql(guard = "RoleGuard::writers()")]
    async fn set_official_plan(
        &self,
        ctx: &Context<'_>,
        run_id: ID,
    ) -> async_graphql::Result<AllocationRun> {
        let id = ids::expect(&run_id, NodeType::AllocationRun, "runId")?;
        let storage = ctx_storage(ctx);
        let run = storage
            .runs_by_ids(&[id])
            .await
            .gql()?
            .into_iter()
            .next()
            .ok_or_else(|| not_found("Der Lauf"))?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&run.district_ags)?;
        let concept = storage.concepts_by_ids(&[run.concept_id]).await.gql()?;
        let decided = concept.first().is_some_and(|c| {
            c.status == st::ConceptStatus::Decided && c.version == run.concept_version
        });
        if !decided {
            return Err(bad_input(
                "runId",
                "Offizieller Plan kann nur ein Lauf einer beschlossenen Konzeption sein (gerechnet nach dem Beschluss).",
            ));
        }
        storage
            .set_official_plan(viewer.user_id(), run.id)
            .await
            .gql()?;
        Ok(AllocationRun::new(run))
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
