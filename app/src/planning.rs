//! The planning service between storage and the engine: gathers what a computation needs (key
//! data, Kitas, indicator values, cost rates, last year's plan), calls `srb-allocation`, and
//! stores runs. No GraphQL here, so the CLI and the demo seeding use the same path as the API.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use srb_allocation::state::{CoFinanced, CoFinancing, KeyDistrict, StateBudget, StateKey};
use srb_allocation::{AllocationError, Cents, Concept, ConceptInput, ConceptResult, KitaInput};
use srb_storage::{self as st, Actor, Storage, StorageError};

/// The state key's two indicators, defined state-wide at district level.
pub const KEY_CHILDREN: &str = "kinder_u7";
pub const KEY_SGB2: &str = "kinder_u7_sgb2";
/// A Kita with this tag needs staff its operating licence requires (BE-relevant need).
pub const BE_RELEVANT_TAG: &str = "BE-relevant";
/// Version of the engine stamped on every run.
pub const ENGINE_VERSION: &str = srb_allocation::VERSION;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// Bad input, by field path (`document.pillars[1].budget`, `year`) and a German reason.
    #[error("{field}: {message}")]
    Input { field: String, message: String },
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

pub(crate) fn input(field: impl Into<String>, message: impl Into<String>) -> PlanError {
    PlanError::Input {
        field: field.into(),
        message: message.into(),
    }
}

/// The stored form of a concept: the engine's rules, plus what the platform fills in per run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConceptDocument {
    #[serde(flatten)]
    pub concept: Concept,
    /// Pillar id → role (e.g. `kita_sozialarbeit`): the stored cost rate of that role for the
    /// run's year replaces the document's `cost_per_fte`.
    #[serde(default)]
    pub cost_roles: BTreeMap<String, String>,
    /// How the Land's amount becomes the personnel budget the concept distributes.
    #[serde(default = "default_co_financing")]
    pub co_financing: CoFinancing,
}

pub fn default_co_financing() -> CoFinancing {
    CoFinancing {
        land_rate: Decimal::new(6, 1),
        traeger_share: Decimal::ZERO,
    }
}

/// Reads a concept document; an error names the path in the document (`pillars[0].method`).
pub fn parse_document(json: &str) -> Result<ConceptDocument, PlanError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| {
        input(
            "document",
            format!("Die Konzeption ist kein gültiges JSON: {e}."),
        )
    })?;
    let serde_json::Value::Object(mut map) = value else {
        return Err(input(
            "document",
            "Die Konzeption muss ein JSON-Objekt sein.",
        ));
    };
    // The platform's own keys apart: `flatten` would hide the path of an error in the rest.
    let cost_roles = map.remove("cost_roles");
    let co_financing = map.remove("co_financing");
    fn part<T: serde::de::DeserializeOwned>(
        value: serde_json::Value,
        prefix: &str,
    ) -> Result<T, PlanError> {
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let field = match (prefix, path.as_str()) {
                ("", ".") => "document".to_string(),
                ("", p) => format!("document.{p}"),
                (pre, ".") => format!("document.{pre}"),
                (pre, p) => format!("document.{pre}.{p}"),
            };
            input(
                field,
                format!(
                    "Die Konzeption ist so nicht lesbar: {}.",
                    e.inner().to_string().trim_end_matches('.')
                ),
            )
        })
    }
    Ok(ConceptDocument {
        concept: part(serde_json::Value::Object(map), "")?,
        cost_roles: match cost_roles {
            Some(v) => part(v, "cost_roles")?,
            None => BTreeMap::new(),
        },
        co_financing: match co_financing {
            Some(v) => part(v, "co_financing")?,
            None => default_co_financing(),
        },
    })
}

/// An engine error, with the path in the document of what it is about.
pub fn engine_error(concept: &Concept, e: &AllocationError) -> PlanError {
    let pillar = |id: &str| {
        concept
            .pillars
            .iter()
            .position(|p| p.id == id)
            .map(|i| format!("document.pillars[{i}]"))
            .unwrap_or_else(|| "document.pillars".into())
    };
    let path = match e {
        AllocationError::EmptyConcept => "document.pillars".to_string(),
        AllocationError::WeightsDoNotAddUp { .. } => "document.need_index.terms".into(),
        AllocationError::PillarAboveTotal { pillar: p, .. } => format!("{}.budget", pillar(p)),
        AllocationError::PillarsAboveTotal { .. } => "document.pillars".into(),
        AllocationError::StepDoesNotDivideMinimum { pillar: p, .. } => {
            format!("{}.staffing", pillar(p))
        }
        AllocationError::InvalidPillar { pillar: p, .. } => pillar(p),
        AllocationError::UnknownIndicator { context, .. } => {
            match context.strip_prefix("pillar ") {
                Some(p) => pillar(p),
                None => "document.need_index".into(),
            }
        }
        AllocationError::OutOfRange { subject, .. } | AllocationError::Negative { subject, .. } => {
            match subject.strip_prefix("pillar ") {
                Some(p) => pillar(p),
                None if subject == "need index" => "document.need_index.terms".into(),
                None => "dataYear".into(),
            }
        }
        AllocationError::ShareOutOfRange { .. } => "document".into(),
        AllocationError::MissingValue { .. } => "dataYear".into(),
        _ => "document".into(),
    };
    input(path, format!("Die Berechnung ist so nicht möglich: {e}."))
}

/// Parameters of the state's side; the defaults are the law as it stands.
#[derive(Debug, Clone)]
pub struct StateParams {
    pub budget: StateBudget,
    pub weight_children: Decimal,
    pub weight_sgb2: Decimal,
    pub co_financing: CoFinancing,
}

impl Default for StateParams {
    fn default() -> Self {
        Self {
            budget: StateBudget::kitag_rlp(),
            weight_children: Decimal::new(4, 1),
            weight_sgb2: Decimal::new(6, 1),
            co_financing: default_co_financing(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DistrictBudget {
    pub ags: String,
    pub children_under7: i64,
    pub children_under7_sgb2: i64,
    /// The data year of the key values used (the latest up to the budget year).
    pub key_year: i32,
    pub reference_date: NaiveDate,
    pub share: Decimal,
    pub financed: CoFinanced,
}

#[derive(Debug, Clone)]
pub struct StateDistribution {
    pub year: i32,
    pub total: Cents,
    pub districts: Vec<DistrictBudget>,
}

/// The Land's budget of `year` split between the 41 districts by the stored key data.
pub async fn state_distribution(
    storage: &dyn Storage,
    year: i32,
    params: &StateParams,
) -> Result<StateDistribution, PlanError> {
    if !(2021..=2100).contains(&year) {
        return Err(input(
            "year",
            format!("{year} liegt außerhalb des Sozialraumbudgets (ab 2021)."),
        ));
    }
    let defs = storage.indicator_definitions(&[]).await?;
    let id_of = |key: &str| defs.iter().find(|d| d.key == key).map(|d| d.id);
    let (Some(children_id), Some(sgb2_id)) = (id_of(KEY_CHILDREN), id_of(KEY_SGB2)) else {
        return Err(input(
            "year",
            "Die Indikatoren des Landesschlüssels sind nicht angelegt.",
        ));
    };
    let values = storage
        .indicator_values(&st::ValueFilter {
            indicator_ids: vec![children_id, sgb2_id],
            ..Default::default()
        })
        .await?;
    // Per district the latest key year up to the budget year, with both counts present.
    // District → key year → (children, children in SGB-II households, newest reference date).
    type Counts = (Option<i64>, Option<i64>, NaiveDate);
    let mut by_district: BTreeMap<&str, BTreeMap<i32, Counts>> = BTreeMap::new();
    for v in values.iter().filter(|v| v.year <= year) {
        let n: i64 = v.value.parse().map_err(|_| {
            input(
                "year",
                format!(
                    "Kinderzahl „{}“ von {} ist keine ganze Zahl.",
                    v.value, v.district_ags
                ),
            )
        })?;
        let e = by_district
            .entry(&v.district_ags)
            .or_default()
            .entry(v.year)
            .or_insert((None, None, v.reference_date));
        if v.indicator_id == children_id {
            e.0 = Some(n);
        } else {
            e.1 = Some(n);
        }
        e.2 = e.2.max(v.reference_date);
    }
    let districts = storage.districts().await?;
    let mut key = Vec::new();
    let mut missing = Vec::new();
    let mut meta = HashMap::new();
    for d in &districts {
        let latest = by_district.get(d.ags.as_str()).and_then(|years| {
            years
                .iter()
                .rev()
                .find_map(|(y, (c, s, date))| Some((*y, (*c)?, (*s)?, *date)))
        });
        match latest {
            Some((y, c, s, date)) => {
                key.push(KeyDistrict {
                    ags: d.ags.clone(),
                    children_under7: c,
                    children_under7_sgb2: s,
                    reference_date: date.to_string(),
                });
                meta.insert(d.ags.clone(), (y, date, c, s));
            }
            None => missing.push(d.name.clone()),
        }
    }
    if !missing.is_empty() {
        return Err(input(
            "year",
            format!(
                "Für {year} fehlen die Kinderzahlen des Landesschlüssels von: {}.",
                missing.join(", ")
            ),
        ));
    }
    let engine = |e: AllocationError| input("parameters", format!("{e}."));
    let total = params.budget.amount(year).map_err(engine)?;
    let split = StateKey {
        weight_children: params.weight_children,
        weight_sgb2: params.weight_sgb2,
        districts: key,
    }
    .split(total, params.budget.rounding)
    .map_err(engine)?;
    let mut out = Vec::with_capacity(split.len());
    for a in split {
        let (key_year, reference_date, c, s) = meta[&a.ags];
        out.push(DistrictBudget {
            financed: params
                .co_financing
                .apply(a.amount, params.budget.rounding)
                .map_err(engine)?,
            ags: a.ags,
            children_under7: c,
            children_under7_sgb2: s,
            key_year,
            reference_date,
            share: a.share,
        });
    }
    Ok(StateDistribution {
        year,
        total,
        districts: out,
    })
}

/// What a stored run holds: how the budget came about, and the engine's full result.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunPayload {
    pub budget: DistrictBudget,
    pub previous_run_id: Option<i64>,
    pub result: ConceptResult,
    /// What readers without access to the district's non-public data may see; computed once
    /// per loaded payload (the district's indicator definitions do not change within it).
    #[serde(skip)]
    pub public: std::sync::OnceLock<srb_domain::Disclosure>,
}

impl RunPayload {
    /// The small-count rule applied to this result for one reader.
    pub fn disclosure(
        &self,
        private: bool,
        definitions: &HashMap<String, st::IndicatorDefinition>,
    ) -> std::borrow::Cow<'_, srb_domain::Disclosure> {
        if private {
            return std::borrow::Cow::Owned(srb_domain::Disclosure::everything());
        }
        std::borrow::Cow::Borrowed(
            self.public
                .get_or_init(|| disclosure(&self.result, definitions, false)),
        )
    }
}

/// Whether an indicator counts children; one the platform does not know counts, the safe side.
pub fn is_count(definitions: &HashMap<String, st::IndicatorDefinition>, key: &str) -> bool {
    definitions
        .get(key)
        .is_none_or(|d| d.unit == st::IndicatorUnit::Count)
}

/// The small-count rule (`srb_domain::small_count`) over an engine result.
pub fn disclosure(
    result: &ConceptResult,
    definitions: &HashMap<String, st::IndicatorDefinition>,
    private: bool,
) -> srb_domain::Disclosure {
    use srb_allocation::index::Normalization;
    let terms: Vec<srb_domain::TermValues> = result
        .index_terms
        .iter()
        .enumerate()
        .map(|(t, term)| srb_domain::TermValues {
            is_count: is_count(definitions, &term.indicator),
            relative: term.normalization != Normalization::Raw,
            values: result
                .kitas
                .iter()
                .map(|k| {
                    k.contributions
                        .get(t)
                        .map(|c| (c.value, c.imputed))
                        .unwrap_or_default()
                })
                .collect(),
        })
        .collect();
    srb_domain::Disclosure::for_reader(private, result.kitas.len(), &terms)
}

pub fn payload(run: &st::AllocationRun) -> Result<RunPayload, StorageError> {
    use std::io::Read;
    // Whole buffers: serde_json reads a slice several times faster than a reader.
    let mut json = Vec::with_capacity(run.result.len() * 10);
    flate2::read::GzDecoder::new(run.result.as_slice())
        .read_to_end(&mut json)
        .map_err(|e| StorageError::Json(serde_json::Error::io(e)))?;
    Ok(serde_json::from_slice(&json)?)
}

/// Everything a concept needs from the district's data for a year.
pub struct Computed {
    pub payload: RunPayload,
    pub input_hash: String,
}

/// Computes a concept document for a district and data year, against last year's official plan.
pub async fn compute(
    storage: &dyn Storage,
    district_ags: &str,
    document: &ConceptDocument,
    year: i32,
) -> Result<Computed, PlanError> {
    let distribution = state_distribution(
        storage,
        year,
        &StateParams {
            co_financing: document.co_financing.clone(),
            ..StateParams::default()
        },
    )
    .await?;
    let budget = distribution
        .districts
        .into_iter()
        .find(|d| d.ags == district_ags)
        .ok_or(PlanError::NotFound("District"))?;

    let mut concept = document.concept.clone();
    if !document.cost_roles.is_empty() {
        let rates = storage.cost_rates(district_ags, year).await?;
        for p in &mut concept.pillars {
            let Some(role) = document.cost_roles.get(&p.id) else {
                continue;
            };
            // The district's own rate wins over the state default (it comes last).
            let rate = rates.iter().rfind(|r| &r.role == role);
            match (rate, p.staffing.as_mut()) {
                (Some(rate), Some(s)) => s.cost_per_fte = rate.cost_per_fte,
                (None, Some(_)) => {
                    return Err(input(
                        format!("document.cost_roles.{}", p.id),
                        format!(
                            "Für die Rolle „{role}“ ist für {year} kein Kostensatz hinterlegt."
                        ),
                    ))
                }
                (_, None) => {}
            }
        }
    }

    let kitas = kita_inputs(storage, district_ags, year).await?;
    let previous_plan = storage
        .official_plans(year - 1, &[district_ags.to_owned()])
        .await?;
    let mut previous = BTreeMap::new();
    let mut previous_run_id = None;
    if let Some(plan) = previous_plan.first() {
        if let Some(run) = storage.runs_by_ids(&[plan.run_id]).await?.first() {
            let p = payload(run)?;
            previous_run_id = Some(run.id);
            for k in &p.result.kitas {
                let by_pillar: BTreeMap<String, Cents> = p
                    .result
                    .pillars
                    .iter()
                    .zip(&k.pillars)
                    .map(|(pillar, kp)| (pillar.id.clone(), kp.amount))
                    .collect();
                previous.insert(k.id.clone(), by_pillar);
            }
        }
    }
    let engine_input = ConceptInput {
        budget: budget.financed.total,
        concept,
        kitas,
        previous,
    };
    let result =
        srb_allocation::compute(&engine_input).map_err(|e| engine_error(&document.concept, &e))?;
    Ok(Computed {
        input_hash: result.input_hash.clone(),
        payload: RunPayload {
            budget,
            previous_run_id,
            result,
            public: Default::default(),
        },
    })
}

/// All live Kitas of a district, in id order.
pub async fn district_kitas(
    storage: &dyn Storage,
    district_ags: &str,
) -> Result<Vec<st::Kita>, PlanError> {
    let filter = st::KitaFilter {
        district_ags: Some(district_ags.to_owned()),
        ..Default::default()
    };
    let mut kitas = Vec::new();
    let mut after = None;
    loop {
        let page = storage
            .kitas(
                &filter,
                st::Page {
                    after,
                    before: None,
                    limit: 1000,
                    from_end: false,
                },
            )
            .await?;
        after = page.rows.last().map(|k| k.id);
        kitas.extend(page.rows);
        if !page.has_more {
            return Ok(kitas);
        }
    }
}

/// The district's live Kitas with their indicator values of `year` (social-space indicators
/// taken from the Kita's social space), in the id order the engine expects.
async fn kita_inputs(
    storage: &dyn Storage,
    district_ags: &str,
    year: i32,
) -> Result<Vec<KitaInput>, PlanError> {
    let kitas = district_kitas(storage, district_ags).await?;
    let ids: Vec<i64> = kitas.iter().map(|k| k.id).collect();
    let tags = storage.tags_of_kitas(&ids).await?;
    let spaces = storage
        .social_spaces_of(&[district_ags.to_owned()], true)
        .await?;
    let space_name: HashMap<i64, &str> = spaces.iter().map(|s| (s.id, s.name.as_str())).collect();
    let defs = storage
        .indicator_definitions(&[district_ags.to_owned()])
        .await?;
    let key_of: HashMap<i64, &st::IndicatorDefinition> = defs.iter().map(|d| (d.id, d)).collect();
    let values = storage.values_for_computation(district_ags, year).await?;
    let mut by_kita: HashMap<i64, BTreeMap<String, Option<Decimal>>> = HashMap::new();
    let mut by_space: HashMap<i64, BTreeMap<String, Option<Decimal>>> = HashMap::new();
    for (kita, space, indicator, text) in &values {
        let Some(def) = key_of.get(indicator) else {
            continue;
        };
        let value: Decimal = text.parse().map_err(|_| {
            input(
                "dataYear",
                format!("Gespeicherter Wert „{text}“ ist keine Zahl."),
            )
        })?;
        if let Some(k) = kita {
            by_kita
                .entry(*k)
                .or_default()
                .insert(def.key.clone(), Some(value));
        } else if let Some(s) = space {
            by_space
                .entry(*s)
                .or_default()
                .insert(def.key.clone(), Some(value));
        }
    }
    let mut be = std::collections::HashSet::new();
    for (id, tag) in &tags {
        if tag == BE_RELEVANT_TAG {
            be.insert(*id);
        }
    }
    let mut out: Vec<KitaInput> = kitas
        .into_iter()
        .map(|k| {
            let mut indicators = by_kita.remove(&k.id).unwrap_or_default();
            if let Some(space) = k.social_space_id.and_then(|s| by_space.get(&s)) {
                for (key, v) in space {
                    indicators.entry(key.clone()).or_insert(*v);
                }
            }
            KitaInput {
                id: k.id.to_string(),
                name: k.name,
                places: k.places.into(),
                places_under3: k.places_under3.into(),
                social_space: k
                    .social_space_id
                    .and_then(|s| space_name.get(&s).map(|n| n.to_string())),
                family_center: k.family_center,
                be_relevant: be.contains(&k.id),
                indicators,
            }
        })
        .collect();
    // The engine reads Kitas in id order (string order); handing them over sorted spares it the
    // sort.
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Results are kept for years and are mostly repeated keys: compressed they take about a tenth.
fn compress(payload: &RunPayload) -> Result<Vec<u8>, PlanError> {
    use std::io::Write;
    let json = serde_json::to_vec(payload).map_err(StorageError::Json)?;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(json.len() / 8),
        flate2::Compression::fast(),
    );
    encoder
        .write_all(&json)
        .and_then(|_| encoder.finish())
        .map_err(|e| PlanError::Storage(StorageError::Json(serde_json::Error::io(e))))
}

/// Computes and stores a run of a stored concept.
pub async fn run(
    storage: &dyn Storage,
    actor: Actor,
    concept: &st::Concept,
    year: i32,
) -> Result<st::AllocationRun, PlanError> {
    Ok(run_with_payload(storage, actor, concept, year).await?.0)
}

/// [`run`], also handing back the payload as computed, so callers need not read it back from
/// the stored JSON.
pub async fn run_with_payload(
    storage: &dyn Storage,
    actor: Actor,
    concept: &st::Concept,
    year: i32,
) -> Result<(st::AllocationRun, RunPayload), PlanError> {
    let document = parse_document(&concept.document)?;
    let computed = compute(storage, &concept.district_ags, &document, year).await?;
    let r = &computed.payload.result;
    let allocated: Cents = r.pillars.iter().map(|p| p.allocated).sum();
    let new = st::NewRun {
        district_ags: concept.district_ags.clone(),
        concept_id: concept.id,
        concept_version: concept.version,
        year,
        budget: r.budget,
        allocated,
        previous_run_id: computed.payload.previous_run_id,
        input_hash: computed.input_hash.clone(),
        engine_version: ENGINE_VERSION.to_owned(),
        result: compress(&computed.payload)?,
    };
    let stored = storage.create_run(actor, &new).await?;
    Ok((stored, computed.payload))
}

/// What an import did, for the report.
#[derive(Debug, Default)]
pub struct ImportResult {
    /// Every problem found; when there are any, nothing was stored.
    pub problems: Vec<srb_sheets::Problem>,
    pub warnings: Vec<srb_sheets::Problem>,
    pub rows: usize,
    pub values: usize,
    pub empty_cells: usize,
    /// None for a dry run or a file with problems.
    pub outcome: Option<st::ImportOutcome>,
}

pub struct ImportRequest<'a> {
    pub district_ags: &'a str,
    pub year: i32,
    pub file_name: &'a str,
    pub bytes: Vec<u8>,
    pub reference_date: NaiveDate,
    pub source: &'a str,
    /// Only these indicator keys are expected; all indicators of the level otherwise.
    pub only: Option<&'a [String]>,
    /// Rows are Kitas, or social spaces (for indicators at social-space level).
    pub kind: srb_sheets::SubjectKind,
    pub dry_run: bool,
}

/// The district's Kitas and the Kita-level indicators a file is checked against.
pub async fn import_frame(
    storage: &dyn Storage,
    ags: &str,
    only: Option<&[String]>,
    kind: srb_sheets::SubjectKind,
) -> Result<
    (
        Vec<srb_sheets::KnownKita>,
        Vec<srb_sheets::IndicatorColumn>,
        Vec<st::IndicatorDefinition>,
    ),
    PlanError,
> {
    let (subjects, level, what): (Vec<srb_sheets::KnownKita>, _, _) = match kind {
        srb_sheets::SubjectKind::Kita => (
            district_kitas(storage, ags)
                .await?
                .into_iter()
                .map(|k| srb_sheets::KnownKita {
                    id: k.id,
                    name: k.name,
                })
                .collect(),
            st::IndicatorLevel::Kita,
            "Kita-Indikator",
        ),
        srb_sheets::SubjectKind::District => (
            storage
                .districts()
                .await?
                .into_iter()
                .filter_map(|d| {
                    Some(srb_sheets::KnownKita {
                        id: d.ags.parse().ok()?,
                        name: d.name,
                    })
                })
                .collect(),
            st::IndicatorLevel::District,
            "Indikator des Landesschlüssels",
        ),
        srb_sheets::SubjectKind::SocialSpace => (
            storage
                .social_spaces_of(&[ags.to_owned()], false)
                .await?
                .into_iter()
                .map(|s| srb_sheets::KnownKita {
                    id: s.id,
                    name: s.name,
                })
                .collect(),
            st::IndicatorLevel::SocialSpace,
            "Sozialraum-Indikator",
        ),
    };
    let defs: Vec<st::IndicatorDefinition> = storage
        .indicator_definitions(&[ags.to_owned()])
        .await?
        .into_iter()
        .filter(|d| {
            d.level == level
                && match kind {
                    srb_sheets::SubjectKind::District => d.district_ags.is_none(),
                    _ => d.district_ags.as_deref() == Some(ags),
                }
        })
        .collect();
    if let Some(only) = only {
        for key in only {
            if !defs.iter().any(|d| &d.key == key) {
                return Err(input(
                    "input.indicators",
                    format!("„{key}“ ist kein {what} dieses Bezirks."),
                ));
            }
        }
    }
    let columns = defs
        .iter()
        .filter(|d| only.is_none_or(|o| o.contains(&d.key)))
        .map(|d| srb_sheets::IndicatorColumn {
            key: d.key.clone(),
            label: d.label.clone(),
            share: d.unit == st::IndicatorUnit::Share,
        })
        .collect();
    Ok((subjects, columns, defs))
}

/// Checks a file of indicator values completely, then stores all of it in one transaction or
/// nothing. The same path serves GraphQL and `srb import`.
pub async fn import_indicators(
    storage: &dyn Storage,
    actor: Actor,
    request: ImportRequest<'_>,
) -> Result<ImportResult, PlanError> {
    let kind = request.kind;
    let (kitas, columns, defs) =
        import_frame(storage, request.district_ags, request.only, kind).await?;
    let mut result = ImportResult::default();
    if columns.is_empty() {
        result.problems.push(srb_sheets::Problem::file(match kind {
            srb_sheets::SubjectKind::Kita => {
                "Für diesen Bezirk sind keine Kita-Indikatoren angelegt.".into()
            }
            srb_sheets::SubjectKind::SocialSpace => {
                "Für diesen Bezirk sind keine Sozialraum-Indikatoren angelegt.".into()
            }
            srb_sheets::SubjectKind::District => {
                "Die Indikatoren des Landesschlüssels sind nicht angelegt.".into()
            }
        }));
        return Ok(result);
    }
    // Parsing is CPU work on up to 10 MB: off the async threads.
    let bytes = request.bytes;
    let parsed = tokio::task::spawn_blocking(move || {
        let sheet = srb_sheets::read_values(&bytes, kind, &kitas, &columns);
        (sheet, bytes)
    })
    .await
    .map_err(|e| {
        input(
            "input.file",
            format!("Die Datei konnte nicht gelesen werden ({e})."),
        )
    })?;
    let (sheet, bytes) = parsed;
    let sheet = match sheet {
        Ok(s) => s,
        Err(problems) => {
            result.problems = problems;
            return Ok(result);
        }
    };
    result.rows = sheet.rows;
    result.values = sheet.values.len();
    result.empty_cells = sheet.empty_cells;
    result.warnings = sheet.warnings.clone();
    if request.dry_run {
        return Ok(result);
    }
    let id_of: HashMap<&str, i64> = defs.iter().map(|d| (d.key.as_str(), d.id)).collect();
    let value_of = |v: &srb_sheets::IndicatorValue| st::NewIndicatorValue {
        indicator_id: id_of[v.indicator.as_str()],
        subject: match kind {
            srb_sheets::SubjectKind::Kita => st::Subject::Kita(v.subject_id),
            srb_sheets::SubjectKind::SocialSpace => st::Subject::SocialSpace(v.subject_id),
            srb_sheets::SubjectKind::District => st::Subject::District,
        },
        value: v.value.normalize().to_string(),
        reference_date: v.reference_date.unwrap_or(request.reference_date),
        source: v
            .source
            .clone()
            .unwrap_or_else(|| request.source.to_owned()),
    };
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let import = |district_ags: String, values: Vec<st::NewIndicatorValue>| st::IndicatorImport {
        district_ags,
        year: request.year,
        file_name: request.file_name.to_owned(),
        file_sha256: sha.clone(),
        rows: sheet.rows as i64,
        values,
    };
    if kind == srb_sheets::SubjectKind::District {
        // One import per district, all in one transaction.
        let ags_of: HashMap<i64, String> = storage
            .districts()
            .await?
            .into_iter()
            .filter_map(|d| Some((d.ags.parse().ok()?, d.ags)))
            .collect();
        let mut by_district: BTreeMap<&str, Vec<st::NewIndicatorValue>> = BTreeMap::new();
        for v in &sheet.values {
            by_district
                .entry(ags_of[&v.subject_id].as_str())
                .or_default()
                .push(value_of(v));
        }
        let imports: Vec<st::IndicatorImport> = by_district
            .into_iter()
            .map(|(ags, values)| import(ags.to_owned(), values))
            .collect();
        let outcomes = storage
            .import_indicator_values_of_many(actor, &imports)
            .await?;
        let mut total = st::ImportOutcome::default();
        for o in outcomes {
            total.import_id = total.import_id.or(o.import_id);
            total.inserted += o.inserted;
            total.updated += o.updated;
            total.unchanged += o.unchanged;
        }
        result.outcome = Some(total);
    } else {
        let values = sheet.values.iter().map(value_of).collect();
        let one = import(request.district_ags.to_owned(), values);
        result.outcome = Some(storage.import_indicator_values(actor, &one).await?);
    }
    Ok(result)
}

/// What a Kita import did.
#[derive(Debug, Default)]
pub struct KitaImportResult {
    /// Every problem found; when there are any, nothing was stored.
    pub problems: Vec<srb_sheets::Problem>,
    pub rows: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Written (not for a dry run, a file with problems, or a file that changes nothing).
    pub stored: bool,
}

/// Checks a file of Kitas completely, then creates and updates them in one transaction, or
/// nothing. Kitas are matched by name; what the file has no column for stays as it is.
pub async fn import_kitas(
    storage: &dyn Storage,
    actor: Actor,
    district_ags: &str,
    bytes: Vec<u8>,
    dry_run: bool,
) -> Result<KitaImportResult, PlanError> {
    let ags = [district_ags.to_owned()];
    let providers = storage.providers_of(&ags, false).await?;
    let spaces = storage.social_spaces_of(&ags, false).await?;
    let provider_names: Vec<String> = providers.iter().map(|p| p.name.clone()).collect();
    let space_names: Vec<String> = spaces.iter().map(|s| s.name.clone()).collect();
    let rows = tokio::task::spawn_blocking(move || {
        srb_sheets::read_kitas(&bytes, &provider_names, &space_names)
    })
    .await
    .map_err(|e| {
        input(
            "input.file",
            format!("Die Datei konnte nicht gelesen werden ({e})."),
        )
    })?;
    let mut result = KitaImportResult::default();
    let rows = match rows {
        Ok(r) => r,
        Err(problems) => {
            result.problems = problems;
            return Ok(result);
        }
    };
    result.rows = rows.len();
    let provider_id: HashMap<&str, i64> =
        providers.iter().map(|p| (p.name.as_str(), p.id)).collect();
    let space_id: HashMap<&str, i64> = spaces.iter().map(|s| (s.name.as_str(), s.id)).collect();
    let existing: HashMap<String, st::Kita> = district_kitas(storage, district_ags)
        .await?
        .into_iter()
        .map(|k| (k.name.to_lowercase(), k))
        .collect();
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    for row in rows {
        let old = existing.get(&row.name.to_lowercase());
        let keep = |new: Option<Option<String>>, old: Option<&Option<String>>| match new {
            Some(v) => v,
            None => old.cloned().flatten(),
        };
        let data = st::KitaData {
            district_ags: district_ags.to_owned(),
            name: row.name.clone(),
            street: keep(row.street, old.map(|k| &k.street)),
            postal_code: keep(row.postal_code, old.map(|k| &k.postal_code)),
            city: keep(row.city, old.map(|k| &k.city)),
            places: row.places,
            places_under3: row
                .places_under3
                .or(old.map(|k| k.places_under3))
                .unwrap_or(0)
                .min(row.places),
            provider_id: match row.provider {
                Some(name) => name.and_then(|n| provider_id.get(n.as_str()).copied()),
                None => old.and_then(|k| k.provider_id),
            },
            social_space_id: match row.social_space {
                Some(name) => name.and_then(|n| space_id.get(n.as_str()).copied()),
                None => old.and_then(|k| k.social_space_id),
            },
            family_center: row
                .family_center
                .or(old.map(|k| k.family_center))
                .unwrap_or(false),
            synthetic: old.is_some_and(|k| k.synthetic),
            tags: Vec::new(),
        };
        match old {
            None => creates.push(data),
            Some(k) => {
                let same = k.name == data.name
                    && k.street == data.street
                    && k.postal_code == data.postal_code
                    && k.city == data.city
                    && k.places == data.places
                    && k.places_under3 == data.places_under3
                    && k.provider_id == data.provider_id
                    && k.social_space_id == data.social_space_id
                    && k.family_center == data.family_center;
                if same {
                    result.unchanged += 1;
                } else {
                    updates.push((k.id, k.version, data));
                }
            }
        }
    }
    result.created = creates.len();
    result.updated = updates.len();
    if dry_run || (creates.is_empty() && updates.is_empty()) {
        return Ok(result);
    }
    storage.import_kitas(actor, &creates, &updates).await?;
    result.stored = true;
    Ok(result)
}
