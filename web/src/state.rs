//! The state's distribution of a year: every district's Land amount, personnel budget and own
//! share, as a table and as a tile map of the 41 districts (each tile a link, named for screen
//! readers). The ministry may try other parameters; nothing is stored.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::forms::Problems;
use crate::numbers::{decimal, euro, percent, raw};
use crate::session::Caller;
use crate::{html, layout, mutate, text, PageError, WebState};

const DISTRIBUTION: &str = r#"query Land($year: Int!, $parameters: StateParametersInput) {
  stateDistribution(year: $year, parameters: $parameters) {
    year total proposed
    districts {
      district { ags name kind }
      share childrenUnder7 childrenUnder7Sgb2 keyYear referenceDate landAmount total districtShare
    }
  }
}"#;

/// Where each district sits on the map: column and row, roughly as on a map of the state
/// (north at the top), with the cities next to their Landkreis.
pub const TILES: [(&str, &str, u8, u8); 41] = [
    ("07132", "AK", 5, 0),
    ("07131", "AW", 3, 1),
    ("07138", "NR", 4, 1),
    ("07138045", "NR-S", 5, 1),
    ("07143", "WW", 6, 1),
    ("07233", "DAU", 1, 2),
    ("07137068", "MY", 2, 2),
    ("07137", "MYK", 3, 2),
    ("07137003", "AND", 4, 2),
    ("07111", "KO", 5, 2),
    ("07141", "EMS", 6, 2),
    ("07232", "BIT", 0, 3),
    ("07231", "WIL", 1, 3),
    ("07135", "COC", 2, 3),
    ("07140", "SIM", 3, 3),
    ("07339", "MZ-B", 5, 3),
    ("07315", "MZ", 6, 3),
    ("07235", "TR-S", 0, 4),
    ("07211", "TR", 1, 4),
    ("07134", "BIR", 2, 4),
    ("07134045", "IO", 3, 4),
    ("07133", "KH", 4, 4),
    ("07133006", "KH-S", 5, 4),
    ("07331", "AZ", 6, 4),
    ("07319", "WO", 7, 4),
    ("07336", "KUS", 2, 5),
    ("07335", "KL-L", 3, 5),
    ("07333", "KIB", 4, 5),
    ("07332", "DÜW", 5, 5),
    ("07311", "FT", 6, 5),
    ("07314", "LU", 7, 5),
    ("07320", "ZW", 2, 6),
    ("07312", "KL", 3, 6),
    ("07316", "NW", 5, 6),
    ("07338", "RP", 6, 6),
    ("07318", "SP", 7, 6),
    ("07317", "PS", 2, 7),
    ("07340", "SWP", 3, 7),
    ("07313", "LD", 4, 7),
    ("07337", "SÜW", 5, 7),
    ("07334", "GER", 6, 7),
];

/// ColorBrewer "Blues" (sequential, safe for colour-blind readers), light to dark, with the text
/// colour that keeps 4.5:1 contrast on it.
pub const PALETTE: [(&str, &str); 5] = [
    ("#eff3ff", "#1a1a1a"),
    ("#bdd7e7", "#1a1a1a"),
    ("#6baed6", "#1a1a1a"),
    ("#2171b5", "#ffffff"),
    ("#08306b", "#ffffff"),
];

#[derive(Debug, Default, Deserialize)]
pub struct View {
    #[serde(default)]
    pub jahr: Option<i32>,
    #[serde(default)]
    pub mass: String,
    #[serde(default)]
    pub grundbetrag: String,
    #[serde(default)]
    pub steigerung: String,
    #[serde(default)]
    pub betrag: String,
    #[serde(default)]
    pub gewicht: String,
    #[serde(default)]
    pub foerderquote: String,
    #[serde(default)]
    pub traeger: String,
}

fn current_year() -> i32 {
    use chrono::Datelike;
    chrono::Utc::now().year()
}

impl View {
    /// The chosen budget year; this year when none is chosen.
    fn year(&self) -> i32 {
        let now = current_year();
        self.jahr.unwrap_or(now).clamp(2021, now + 5)
    }
}

/// The measures a map can be coloured by: query value, label.
const MEASURES: &[(&str, &str)] = &[
    ("je_kind", "Landesmittel je Kind unter 7 Jahren"),
    ("betrag", "Landesmittel"),
    ("sgb2", "Anteil der Kinder in SGB-II-Bedarfsgemeinschaften"),
];

fn measure(d: &Value, which: &str) -> Option<f64> {
    let land: f64 = raw(d, "landAmount").parse().ok()?;
    let children = d["childrenUnder7"].as_f64()?;
    match which {
        "betrag" => Some(land),
        "sgb2" => {
            (children > 0.0).then(|| d["childrenUnder7Sgb2"].as_f64().unwrap_or(0.0) / children)
        }
        _ => (children > 0.0).then(|| land / children),
    }
}

fn shown_measure(v: f64, which: &str) -> String {
    match which {
        "sgb2" => format!("{} %", decimal(&format!("{:.4}", v * 100.0), 1)),
        _ => euro(&format!("{v:.2}")),
    }
}

/// Quintile class of each value (0..5).
fn classes(values: &[Option<f64>]) -> (Vec<Option<usize>>, Vec<f64>) {
    let mut sorted: Vec<f64> = values.iter().flatten().copied().collect();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return (vec![None; values.len()], Vec::new());
    }
    let bounds: Vec<f64> = (1..5)
        .map(|q| sorted[(q * sorted.len() / 5).min(sorted.len() - 1)])
        .collect();
    let class = |v: f64| bounds.iter().filter(|b| v >= **b).count();
    (
        values.iter().map(|v| v.map(class)).collect(),
        std::iter::once(sorted[0])
            .chain(bounds.iter().copied())
            .chain(std::iter::once(sorted[sorted.len() - 1]))
            .collect(),
    )
}

/// The tile map: an SVG of links, each named with the district and the value.
pub fn tile_map(districts: &[Value], which: &str, caption: &str) -> Markup {
    let label = MEASURES
        .iter()
        .find(|(k, _)| *k == which)
        .map_or(MEASURES[0].1, |m| m.1);
    let items: Vec<Tile> = districts
        .iter()
        .map(|d| Tile {
            ags: text(&d["district"], "ags").to_owned(),
            name: text(&d["district"], "name").to_owned(),
            value: measure(d, which),
        })
        .collect();
    tiles(
        &items,
        caption,
        label,
        &|v| shown_measure(v, which),
        &|ags| format!("/bezirke/{ags}"),
    )
}

/// One district on a tile map.
pub struct Tile {
    pub ags: String,
    pub name: String,
    pub value: Option<f64>,
}

/// A tile map of any measure: quintile colours, each tile a link named for screen readers.
pub fn tiles(
    items: &[Tile],
    caption: &str,
    label: &str,
    shown: &dyn Fn(f64) -> String,
    link: &dyn Fn(&str) -> String,
) -> Markup {
    let values: Vec<Option<f64>> = items.iter().map(|t| t.value).collect();
    let (class, bounds) = classes(&values);
    let (w, h) = (64u32, 46u32);
    html! {
        figure class="tile-map" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (8 * w + 4) " " (8 * h + 4) }
                width="100%" aria-labelledby="karte-titel" {
                title id="karte-titel" { (caption) }
                @for (i, d) in items.iter().enumerate() {
                    @if let Some((_, short, col, row)) = TILES.iter().find(|t| t.0 == d.ags) {
                        @let (fill, ink) = class[i].map_or(("#ffffff", "#1a1a1a"), |c| PALETTE[c]);
                        @let value = values[i].map(shown).unwrap_or_else(|| "keine Angabe".into());
                        a href=(link(&d.ags)) aria-label={ (d.name) ": " (value) } {
                            title { (d.name) ": " (value) }
                            rect x=(2 + *col as u32 * w) y=(2 + *row as u32 * h) width=(w - 4) height=(h - 4)
                                rx="4" fill=(fill) stroke="#4a4a4a" stroke-width="1" {}
                            text x=(2 + *col as u32 * w + (w - 4) / 2) y=(2 + *row as u32 * h + (h - 4) / 2 + 5)
                                text-anchor="middle" font-size="14" font-weight="600" fill=(ink) aria-hidden="true" { (short) }
                        }
                    }
                }
            }
            figcaption {
                (caption) ". Jede Kachel ist ein Bezirk und führt zu seiner Seite; die Zahlen stehen in der Tabelle."
                @if bounds.len() == 6 {
                    ul class="legend" aria-label={ "Farbstufen: " (label) } {
                        @for (c, (fill, _)) in PALETTE.iter().enumerate() {
                            li { span class="swatch" style={ "background:" (fill) } {} (shown(bounds[c])) " bis " (shown(bounds[c + 1])) }
                        }
                    }
                }
            }
        }
    }
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Query(view): Query<View>,
) -> Result<Response, PageError> {
    let this_year = current_year();
    let year = view.year();
    let which = if MEASURES.iter().any(|(k, _)| *k == view.mass) {
        view.mass.as_str()
    } else {
        "je_kind"
    };
    let may_propose = caller.viewer.may_propose_state_parameters();
    let mut parameters = json!({});
    let mut problems = Problems::default();
    if may_propose {
        for (field, key, value) in [
            ("grundbetrag", "baseAmount", &view.grundbetrag),
            ("steigerung", "growth", &view.steigerung),
            ("betrag", "overrideAmount", &view.betrag),
            ("gewicht", "weightChildren", &view.gewicht),
            ("foerderquote", "landRate", &view.foerderquote),
            ("traeger", "traegerShare", &view.traeger),
        ] {
            let v = value.trim();
            if v.is_empty() {
                continue;
            }
            match crate::numbers::parse_german(v) {
                Some(n) => parameters[key] = json!(n),
                None => problems.add(
                    field,
                    "Bitte eine Zahl eingeben, z. B. 0,025 oder 52.000.000.",
                ),
            }
        }
    }
    let proposing = parameters.as_object().is_some_and(|o| !o.is_empty()) && problems.is_empty();
    let variables =
        json!({ "year": year, "parameters": if proposing { parameters } else { Value::Null } });
    // Proposed parameters may be refused field by field; the page shows that at the form.
    let data = match mutate(&state, caller.viewer.clone(), DISTRIBUTION, variables).await? {
        Ok(data) => data,
        Err(found) => {
            problems.add_all(found, field_of);
            crate::query(
                &state,
                caller.viewer.clone(),
                DISTRIBUTION,
                json!({ "year": year }),
            )
            .await?
        }
    };
    let s = &data["stateDistribution"];
    let districts = s["districts"].as_array().cloned().unwrap_or_default();
    let mut years: Vec<i32> = (2021..=this_year + 1).collect();
    years.reverse();
    let caption = format!(
        "{} {} je Bezirk",
        MEASURES
            .iter()
            .find(|(k, _)| *k == which)
            .map_or("", |m| m.1),
        year
    );
    let content = html! {
        h1 { "Landesmittel " (year) " je Bezirk" }
        p {
            "Das Land verteilt " strong { (euro(&raw(s, "total"))) } " auf die 41 Jugendamtsbezirke: 40 % nach der Zahl der Kinder unter 7 Jahren, "
            "60 % nach der Zahl der Kinder unter 7 in SGB-II-Bedarfsgemeinschaften (§ 25 Abs. 5 KiTaG). "
            "Mit dem Eigenanteil des Jugendamts ergibt sich das Personalbudget des Bezirks."
        }
        @if s["proposed"].as_bool() == Some(true) {
            p class="notice" role="status" { strong { "Vorschlag: " } "mit geänderten Parametern gerechnet, nichts gespeichert." }
        }
        form class="filters noprint" method="get" action="/bezirke" {
            div class="field" {
                label for="jahr" { "Haushaltsjahr" }
                select id="jahr" name="jahr" { @for y in &years { option value=(y) selected[*y == year] { (y) } } }
            }
            div class="field" {
                label for="mass" { "Karte färben nach" }
                select id="mass" name="mass" { @for (k, l) in MEASURES { option value=(k) selected[*k == which] { (l) } } }
            }
            button type="submit" { "Anzeigen" }
        }
        @if may_propose { (parameter_form(&view, year, which, &problems)) }
        div class="map-and-table" {
            (tile_map(&districts, which, &caption))
            div {
                p class="noprint" { "Herunterladen: "
                    a href={ "/landesmittel/land.xlsx?jahr=" (year) } download { "Tabelle als XLSX" } " · "
                    a href={ "/landesmittel/land.csv?jahr=" (year) } download { "als CSV" } }
            }
        }
        div class="table-wrap" tabindex="0" role="region" aria-label="Landesmittel je Bezirk (seitlich verschiebbar)" { table {
            caption { "Landesmittel " (year) " je Bezirk, nach AGS" }
            thead { tr {
                th scope="col" { "Bezirk" } th scope="col" class="num" { "Anteil" }
                th scope="col" class="num" { "Kinder unter 7" } th scope="col" class="num" { "davon SGB II" }
                th scope="col" class="num" { "Landesmittel" } th scope="col" class="num" { "Personalbudget" }
                th scope="col" class="num" { "Eigenanteil" }
            } }
            tbody {
                @for d in &districts {
                    tr {
                        th scope="row" { a href={ "/bezirke/" (text(&d["district"], "ags")) } { (text(&d["district"], "name")) } }
                        td class="num" { (percent(&raw(d, "share"))) }
                        td class="num" { (decimal(&raw(d, "childrenUnder7"), 0)) }
                        td class="num" { (decimal(&raw(d, "childrenUnder7Sgb2"), 0)) }
                        td class="num" { (euro(&raw(d, "landAmount"))) }
                        td class="num" { (euro(&raw(d, "total"))) }
                        td class="num" { (euro(&raw(d, "districtShare"))) }
                    }
                }
            }
        } }
        p class="hint" { "Kinderzahlen: das neueste Datenjahr bis zum Haushaltsjahr. Synthetische Demodaten sind als solche gekennzeichnet." }
    };
    Ok(html(
        StatusCode::OK,
        layout::page(&caller, &format!("Landesmittel {year}"), content),
    ))
}

fn field_of(path: &str) -> String {
    match path.trim_start_matches("parameters.") {
        "baseAmount" => "grundbetrag",
        "growth" => "steigerung",
        "overrideAmount" => "betrag",
        "weightChildren" => "gewicht",
        "landRate" => "foerderquote",
        "traegerShare" => "traeger",
        _ => "grundbetrag",
    }
    .into()
}

fn parameter_form(view: &View, year: i32, which: &str, problems: &Problems) -> Markup {
    let field = |id: &str, label: &str, value: &str, hint: &str| {
        crate::forms::text_field(problems, id, label, value, "text", None, Some(hint), false)
    };
    html! {
        details class="noprint" open[!view.grundbetrag.is_empty() || !view.steigerung.is_empty() || !view.betrag.is_empty() || !view.gewicht.is_empty() || !view.foerderquote.is_empty() || !view.traeger.is_empty()] {
            summary { "Andere Parameter ausprobieren (nur Ministerium; nichts wird gespeichert)" }
            @if !problems.is_empty() { (problems.summary()) }
            form class="stack" method="get" action="/bezirke" {
                input type="hidden" name="jahr" value=(year);
                input type="hidden" name="mass" value=(which);
                (field("grundbetrag", "Grundbetrag im Basisjahr 2021 (€)", &view.grundbetrag, "Geltend: 50.000.000"))
                (field("steigerung", "Jährliche Steigerung", &view.steigerung, "Geltend: 0,025 (2,5 %)"))
                (field("betrag", "Betrag des Jahres (€), ersetzt die Berechnung", &view.betrag, "Leer lassen, um den berechneten Betrag zu verwenden"))
                (field("gewicht", "Gewicht der Kinder unter 7", &view.gewicht, "Geltend: 0,4; der Rest gilt den Kindern in SGB-II-Bedarfsgemeinschaften"))
                (field("foerderquote", "Förderquote des Landes", &view.foerderquote, "Geltend: 0,6"))
                (field("traeger", "Anteil der Träger am Eigenanteil", &view.traeger, "Geltend: 0"))
                button type="submit" { "Vorschlag rechnen" }
            }
        }
    }
}

/// The state table as a download.
pub async fn download(
    State(state): State<WebState>,
    caller: Caller,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(view): Query<View>,
) -> Result<Response, PageError> {
    let format = match file.as_str() {
        "land.xlsx" => "XLSX",
        "land.csv" => "CSV",
        _ => return Err(PageError::NotFound),
    };
    let year = view.year();
    let data = crate::query(
        &state,
        caller.viewer.clone(),
        "query L($year: Int!, $format: ExportFormat!) { exportStateDistribution(year: $year, format: $format) { fileName mediaType contentBase64 } }",
        json!({ "year": year, "format": format }),
    )
    .await?;
    crate::download::file(&data["exportStateDistribution"])
}
