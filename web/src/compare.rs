//! Two runs of a district side by side (B − A): the measures, who gains and who loses, every
//! Kita's difference; downloadable. A run against last year's plan is the common case.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::numbers::{decimal, euro, percent, raw, signed_euro};
use crate::session::Caller;
use crate::{html, layout, missing_if_bad_id, query, text, PageError, WebState};

const COMPARE: &str = r#"query Vergleich($a: ID!, $b: ID!) {
  compareAllocationRuns(a: $a, b: $b) {
    a { id year official createdAt district { ags name } concept { name } }
    b { id year official createdAt district { ags name } concept { name } }
    gainers losers unchanged gained lost allocatedA allocatedB giniChange
    shareToTopQuarterChange needCorrelationChange
    measuresA { kitasReached kitasTotal giniPerPlace shareToTopQuarter needCorrelation placesReached placesTotal }
    measuresB { kitasReached kitasTotal giniPerPlace shareToTopQuarter needCorrelation placesReached placesTotal }
    kitas { kitaId name amountA amountB difference fteA fteB rankA rankB }
  }
}"#;

#[derive(Deserialize)]
pub struct Pair {
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
}

fn opt(v: &Value, f: impl Fn(&str) -> String) -> String {
    v.as_str().map(f).unwrap_or_else(|| "–".into())
}

pub async fn page(
    State(state): State<WebState>,
    caller: Caller,
    Query(pair): Query<Pair>,
) -> Result<Response, PageError> {
    if pair.a.is_empty() || pair.b.is_empty() {
        return Err(PageError::BadInput(
            "Für einen Vergleich braucht es zwei Läufe (a und b).".into(),
        ));
    }
    let data = query(
        &state,
        caller.viewer.clone(),
        COMPARE,
        json!({ "a": pair.a, "b": pair.b }),
    )
    .await
    .map_err(missing_if_bad_id)?;
    let c = &data["compareAllocationRuns"];
    let (a, b) = (&c["a"], &c["b"]);
    let name_a = crate::runs::run_title(a);
    let name_b = crate::runs::run_title(b);
    let (ma, mb) = (&c["measuresA"], &c["measuresB"]);
    let mut kitas = c["kitas"].as_array().cloned().unwrap_or_default();
    // Largest loss first, then largest gain: who loses is what a committee asks first.
    kitas.sort_by(|x, y| {
        let dx: f64 = raw(x, "difference").parse().unwrap_or(0.0);
        let dy: f64 = raw(y, "difference").parse().unwrap_or(0.0);
        dx.total_cmp(&dy)
    });
    let query_string = format!(
        "a={}&b={}",
        crate::layout::urlencode(&pair.a),
        crate::layout::urlencode(&pair.b)
    );
    let changes: Vec<(String, f64)> = kitas
        .iter()
        .map(|k| {
            (
                text(k, "name").to_owned(),
                raw(k, "difference").parse().unwrap_or(0.0),
            )
        })
        .collect();
    let title = format!("Vergleich: {}", text(&b["district"], "name"));
    let content = html! {
        p class="kind" { a href={ "/bezirke/" (text(&b["district"], "ags")) } { (text(&b["district"], "name")) } " · Vergleich zweier Läufe" }
        h1 { "Was sich ändert" }
        dl class="facts" {
            dt { "A" } dd { a href={ "/laeufe/" (text(a, "id")) } { (name_a) } " (" (text(&a["concept"], "name")) ")" }
            dt { "B" } dd { a href={ "/laeufe/" (text(b, "id")) } { (name_b) } " (" (text(&b["concept"], "name")) ")" }
        }
        p class="lead" role="status" {
            strong { (c["gainers"]) " Kitas bekommen mehr" } " (zusammen " (euro(&raw(c, "gained"))) "), "
            strong { (c["losers"]) " weniger" } " (zusammen " (euro(&raw(c, "lost"))) "), " (c["unchanged"]) " gleich viel."
        }
        p class="noprint" { "Herunterladen: "
            a href={ "/vergleich.xlsx?" (query_string) } download { "Vergleich als XLSX" } " · "
            a href={ "/vergleich.csv?" (query_string) } download { "als CSV" } }
        div class="table-wrap" tabindex="0" role="region" aria-label="Kennzahlen (seitlich verschiebbar)" { table {
            caption { "Kennzahlen der Verteilung" }
            thead { tr { th scope="col" { "Kennzahl" } th scope="col" class="num" { "A" } th scope="col" class="num" { "B" } th scope="col" class="num" { "Veränderung" } } }
            tbody {
                tr { th scope="row" { "Verteilt" } td class="num" { (euro(&raw(c, "allocatedA"))) } td class="num" { (euro(&raw(c, "allocatedB"))) } td {} }
                tr { th scope="row" { "Kitas erreicht" } td class="num" { (ma["kitasReached"]) " von " (ma["kitasTotal"]) } td class="num" { (mb["kitasReached"]) " von " (mb["kitasTotal"]) } td {} }
                tr { th scope="row" { "Gini der Euro je Platz" } td class="num" { (decimal(&raw(ma, "giniPerPlace"), 3)) } td class="num" { (decimal(&raw(mb, "giniPerPlace"), 3)) } td class="num" { (decimal(&raw(c, "giniChange"), 3)) } }
                tr { th scope="row" { "Anteil an das Viertel mit dem höchsten Bedarf" } td class="num" { (opt(&ma["shareToTopQuarter"], percent)) } td class="num" { (opt(&mb["shareToTopQuarter"], percent)) } td class="num" { (opt(&c["shareToTopQuarterChange"], |v| percent(v).replace(" %", " Prozentpunkte"))) } }
                tr { th scope="row" { "Rangkorrelation Bedarf und Euro je Platz" } td class="num" { (opt(&ma["needCorrelation"], |v| decimal(v, 2))) } td class="num" { (opt(&mb["needCorrelation"], |v| decimal(v, 2))) } td class="num" { (opt(&c["needCorrelationChange"], |v| decimal(v, 2))) } }
            }
        } }
        (crate::charts::changes(&changes))
        h2 { "Je Kita" }
        div class="table-wrap" tabindex="0" role="region" aria-label="Je Kita (seitlich verschiebbar)" { table {
            caption { "Je Kita, vom größten Verlust zum größten Zuwachs" }
            thead { tr {
                th scope="col" { "Kita" } th scope="col" class="num" { "A" } th scope="col" class="num" { "B" } th scope="col" class="num" { "Differenz" }
                th scope="col" class="num" { "VZÄ A" } th scope="col" class="num" { "VZÄ B" } th scope="col" class="num" { "Rang A" } th scope="col" class="num" { "Rang B" }
            } }
            tbody {
                @for k in &kitas {
                    tr {
                        th scope="row" { (text(k, "name")) }
                        td class="num" { (euro(&raw(k, "amountA"))) }
                        td class="num" { (euro(&raw(k, "amountB"))) }
                        td class="num" { (signed_euro(&raw(k, "difference"))) }
                        td class="num" { (decimal(&raw(k, "fteA"), 2)) }
                        td class="num" { (decimal(&raw(k, "fteB"), 2)) }
                        td class="num" { (k["rankA"].as_i64().map(|r| r.to_string()).unwrap_or_else(|| "–".into())) }
                        td class="num" { (k["rankB"].as_i64().map(|r| r.to_string()).unwrap_or_else(|| "–".into())) }
                    }
                }
            }
        } }
    };
    Ok(html(StatusCode::OK, layout::page(&caller, &title, content)))
}

pub async fn download(
    State(state): State<WebState>,
    caller: Caller,
    Query(pair): Query<Pair>,
    format: &'static str,
) -> Result<Response, PageError> {
    let data = query(
        &state,
        caller.viewer.clone(),
        "query E($a: ID!, $b: ID!, $format: ExportFormat!) { exportAllocationComparison(a: $a, b: $b, format: $format) { fileName mediaType contentBase64 } }",
        json!({ "a": pair.a, "b": pair.b, "format": format }),
    )
    .await
    .map_err(missing_if_bad_id)?;
    crate::download::file(&data["exportAllocationComparison"])
}

pub async fn xlsx(
    state: State<WebState>,
    caller: Caller,
    pair: Query<Pair>,
) -> Result<Response, PageError> {
    download(state, caller, pair, "XLSX").await
}

pub async fn csv(
    state: State<WebState>,
    caller: Caller,
    pair: Query<Pair>,
) -> Result<Response, PageError> {
    download(state, caller, pair, "CSV").await
}
