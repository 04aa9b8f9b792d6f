//! The small-count rule through every door: a count indicator with values 1 to 4 under every
//! normalisation, alone and in a weighted index, read by the public and by another district's
//! coordinator through every field of an allocation, a comparison and both export formats.
//! The district's own coordinator sees the numbers (so the test fails if everything were simply
//! hidden), and Kitas without small counts keep what does not reveal one.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use serde_json::{json, Value};
use srb_storage::Role;
use srb_tests::{decode_file, on_every_backend, xlsx_sheet, TestApp};

const HOME: &str = "07111";
pub(crate) const COUNT: &str = "kinder_eingliederung";
const NORMALIZATIONS: [&str; 5] = ["raw", "ratio_to_mean", "z_score", "min_max", "percent_rank"];

const KITAS: &str = "query($r: ID!) { allocationRun(id: $r) { kitas {
  name needIndex shownNeedIndex rank rankedKitas amount
  pillars { reason reasonKind rawShare amount }
  indexTerms { indicator value shownValue normalized contribution shownContribution imputed }
} } }";

fn num(v: &Value) -> f64 {
    v.as_str()
        .unwrap_or_else(|| panic!("a number, got {v}"))
        .parse()
        .unwrap()
}

fn term<'a>(kita: &'a Value, indicator: &str) -> &'a Value {
    kita["indexTerms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["indicator"] == indicator)
        .unwrap()
}

/// The German text of a number as reasons write it (three places at most).
fn german(v: f64) -> String {
    let s = format!("{:.3}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('.', ",")
}

pub(crate) async fn official_run(app: &TestApp, token: &str, name: &str, terms: Value) -> Value {
    let doc = json!({
        "pillars": [{ "id": "p", "name": "Kita-Sozialarbeit", "budget": { "share": "1" },
                      "method": { "proportional": { "by_places": false } },
                      "eligibility": "index_above_mean" }],
        "need_index": { "terms": terms, "missing": "district_mean" }
    });
    let created = app
        .data(
            Some(token),
            "mutation($doc: JSON!, $name: String!) { createConcept(input: { districtAgs: \"07111\", name: $name, document: $doc }) { id version } }",
            json!({ "doc": doc, "name": name }),
        )
        .await["createConcept"]
        .clone();
    app.data(
        Some(token),
        "mutation($c: ID!, $v: Int!) { decideConcept(input: { id: $c, version: $v, decidedOn: \"2025-02-12\" }) { id } }",
        json!({ "c": created["id"], "v": created["version"] }),
    )
    .await;
    let run = app
        .data(
            Some(token),
            "mutation($c: ID!) { runAllocation(conceptId: $c, dataYear: 2025) { id } }",
            json!({ "c": created["id"] }),
        )
        .await["runAllocation"]["id"]
        .clone();
    app.data(
        Some(token),
        "mutation($r: ID!) { setOfficialPlan(runId: $r) { official } }",
        json!({ "r": run }),
    )
    .await;
    run
}

async fn export(app: &TestApp, token: Option<&str>, run: &Value, format: &str) -> Vec<u8> {
    let data = app
        .data(
            token,
            "query($r: ID!, $f: ExportFormat!) { exportAllocationRun(id: $r, format: $f) { contentBase64 } }",
            json!({ "r": run, "f": format }),
        )
        .await;
    decode_file(&data["exportAllocationRun"])
}

/// Checks one reader's view of a run against the private view.
async fn check_reader(
    app: &TestApp,
    token: Option<&str>,
    run: &Value,
    private: &[Value],
    relative: bool,
    case: &str,
) {
    let public = app.data(token, KITAS, json!({ "r": run })).await["allocationRun"]["kitas"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(public.len(), private.len(), "{case}");
    let small = |k: &Value| {
        term(k, COUNT)["value"]
            .as_str()
            .map(|v| v.parse::<f64>().unwrap())
            .is_some_and(|v| v > 0.0 && v < 5.0)
    };
    let any_small = private.iter().any(small);
    assert!(
        any_small,
        "{case}: the demo district has Kitas with 1 to 4 children"
    );
    for (own, seen) in private.iter().zip(&public) {
        assert_eq!(own["name"], seen["name"]);
        // Money is the decision and stays public.
        assert_eq!(own["amount"], seen["amount"], "{case}");
        let t = term(seen, COUNT);
        let withheld_index = small(own)
            || relative
            || (term(own, COUNT)["imputed"] == true && any_small)
            || seen["indexTerms"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["contribution"].is_null());
        if small(own) {
            assert_eq!(t["value"], Value::Null, "{case}: {seen:#}");
            assert_eq!(t["shownValue"], "< 5", "{case}");
            assert_eq!(t["normalized"], Value::Null, "{case}");
            assert_eq!(t["contribution"], Value::Null, "{case}");
            assert_eq!(t["shownContribution"], "< 5", "{case}");
        }
        if relative {
            // The district's mean and spread are in every Kita's normalised value.
            assert_eq!(t["normalized"], Value::Null, "{case}: {seen:#}");
            assert_eq!(t["contribution"], Value::Null, "{case}");
        }
        if withheld_index && own["needIndex"].is_string() {
            assert_eq!(seen["needIndex"], Value::Null, "{case}: {seen:#}");
            assert_eq!(seen["shownNeedIndex"], "< 5", "{case}");
            assert_eq!(seen["rank"], Value::Null, "{case}");
            let index = german(num(&own["needIndex"]));
            for p in seen["pillars"].as_array().unwrap() {
                let reason = p["reason"].as_str().unwrap();
                assert!(
                    !reason.contains(&format!("Index {index} ")),
                    "{case}: the reason tells the index: {reason}"
                );
            }
        }
        if !withheld_index {
            // Nothing withheld that reveals nothing.
            assert_eq!(seen["needIndex"], own["needIndex"], "{case}");
            assert_eq!(seen["rank"], own["rank"], "{case}");
        }
        for p in seen["pillars"].as_array().unwrap() {
            // Raw shares are a Kita's weight over the sum of all: withheld as soon as one is.
            assert_eq!(p["rawShare"], Value::Null, "{case}");
            assert!(
                !p["reason"].as_str().unwrap().contains("Bezirksmittel 0")
                    && !p["reason"].as_str().unwrap().contains("Bezirksmittel 1"),
                "{case}: the district mean of the index tells the sum: {}",
                p["reason"]
            );
        }
    }

    // Both export formats say the same as the fields.
    let xlsx = export(app, token, run, "XLSX").await;
    let kitas = xlsx_sheet(&xlsx, "Kitas");
    let pillar = xlsx_sheet(&xlsx, "Kita-Sozialarbeit");
    let csv = String::from_utf8(export(app, token, run, "CSV").await).unwrap();
    let csv_rows: Vec<Vec<String>> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| {
            l.split(';')
                .map(|c| c.trim_matches('"').to_owned())
                .collect()
        })
        .collect();
    let contribution_cols: Vec<usize> = kitas[0]
        .iter()
        .enumerate()
        .filter(|(_, h)| h.to_string().starts_with("Beitrag"))
        .map(|(i, _)| i)
        .collect();
    assert!(!contribution_cols.is_empty());
    for (own, seen) in private.iter().zip(&public) {
        let name = own["name"].as_str().unwrap();
        let row = kitas
            .iter()
            .find(|r| r[1] == Data::String(name.into()))
            .unwrap();
        let prow = pillar
            .iter()
            .find(|r| r[1] == Data::String(name.into()))
            .unwrap();
        let crow = csv_rows.iter().find(|r| r[1] == name).unwrap();
        assert_eq!(
            prow[6],
            Data::String("< 5".into()),
            "{case}: raw share in XLSX"
        );
        if seen["needIndex"].is_null() && own["needIndex"].is_string() {
            assert_eq!(row[2], Data::String("< 5".into()), "{case}: index in XLSX");
            assert_eq!(row[3], Data::String("< 5".into()), "{case}: rank in XLSX");
            assert_eq!(prow[2], Data::String("< 5".into()), "{case}");
            assert_eq!(crow[2], "< 5", "{case}: index in CSV");
            assert_eq!(crow[3], "< 5", "{case}: rank in CSV");
            assert!(
                prow[5].to_string().contains("nicht gezeigt"),
                "{case}: {}",
                prow[5]
            );
        } else if own["needIndex"].is_string() {
            assert!(matches!(row[2], Data::Float(_)), "{case}: {:?}", row[2]);
        }
        for (ti, col) in contribution_cols.iter().enumerate() {
            let shown = &seen["indexTerms"][ti]["contribution"];
            if shown.is_null() {
                assert_eq!(row[*col], Data::String("< 5".into()), "{case}");
            } else {
                assert!(matches!(row[*col], Data::Float(_)), "{case}");
            }
        }
    }
}

async fn small_counts_never_reach_other_readers(app: &TestApp) {
    app.seed_demo().await;
    let own = app.token_for(Role::Coordinator, Some(HOME)).await;
    let other = app.token_for(Role::Coordinator, Some("07131")).await;
    let ministry = app.token_for(Role::Ministry, None).await;
    for normalization in NORMALIZATIONS {
        let relative = normalization != "raw";
        for weighted in [false, true] {
            let case = format!(
                "{normalization}, {}",
                if weighted { "weighted" } else { "alone" }
            );
            let mut terms =
                vec![json!({ "indicator": COUNT, "weight": "1", "normalization": normalization })];
            if weighted {
                terms[0]["weight"] = json!("0.6");
                terms.push(json!({ "indicator": "sgb2_anteil", "weight": "0.4", "normalization": "ratio_to_mean" }));
            }
            let run = official_run(app, &own, &case, json!(terms)).await;
            let private = app.data(Some(&own), KITAS, json!({ "r": run })).await["allocationRun"]
                ["kitas"]
                .as_array()
                .unwrap()
                .clone();
            // The district itself and the ministry see every number.
            for k in &private {
                let t = term(k, COUNT);
                assert!(
                    t["value"].is_string() && t["contribution"].is_string(),
                    "{case}"
                );
                for p in k["pillars"].as_array().unwrap() {
                    assert!(p["rawShare"].is_string(), "{case}");
                }
            }
            let ministry_view = app.data(Some(&ministry), KITAS, json!({ "r": run })).await;
            assert_eq!(
                ministry_view["allocationRun"]["kitas"],
                Value::Array(private.clone()),
                "{case}"
            );
            let own_xlsx = export(app, Some(&own), &run, "XLSX").await;
            let own_rows = xlsx_sheet(&own_xlsx, "Kitas");
            assert!(own_rows[1..]
                .iter()
                .all(|r| !matches!(&r[2], Data::String(s) if s == "< 5")));

            check_reader(app, None, &run, &private, relative, &case).await;
            check_reader(app, Some(&other), &run, &private, relative, &case).await;
        }
    }

    // A comparison of last year's plan with this year's shows no rank that was withheld.
    let plans = app
        .data(
            None,
            r#"{ a: officialPlan(districtAgs: "07111", year: 2024) { id } b: officialPlan(districtAgs: "07111", year: 2025) { id kitas { name rank } } }"#,
            json!({}),
        )
        .await;
    let (a, b) = (&plans["a"]["id"], &plans["b"]["id"]);
    assert!(a.is_string() && b.is_string(), "{plans:#}");
    let query = "query($a: ID!, $b: ID!) { compareAllocationRuns(a: $a, b: $b) { kitas { name rankA rankB } } }";
    let cmp = app.data(None, query, json!({ "a": a, "b": b })).await;
    let own_cmp = app.data(Some(&own), query, json!({ "a": a, "b": b })).await;
    let mut withheld = 0;
    for (seen, full) in cmp["compareAllocationRuns"]["kitas"]
        .as_array()
        .unwrap()
        .iter()
        .zip(
            own_cmp["compareAllocationRuns"]["kitas"]
                .as_array()
                .unwrap(),
        )
    {
        let in_plan = plans["b"]["kitas"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["name"] == seen["name"])
            .unwrap();
        assert_eq!(
            seen["rankB"], in_plan["rank"],
            "the comparison agrees with the plan"
        );
        if seen["rankB"].is_null() && full["rankB"].is_number() {
            withheld += 1;
        }
    }
    assert!(
        withheld > 0,
        "the last case (percent rank, weighted) withholds every rank"
    );
    for format in ["XLSX", "CSV"] {
        let data = app
            .data(
                None,
                "query($a: ID!, $b: ID!, $f: ExportFormat!) { exportAllocationComparison(a: $a, b: $b, format: $f) { contentBase64 } }",
                json!({ "a": a, "b": b, "f": format }),
            )
            .await;
        let bytes = decode_file(&data["exportAllocationComparison"]);
        if format == "XLSX" {
            let book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
            let names = book.sheet_names();
            let rows = xlsx_sheet(&bytes, names.last().unwrap());
            assert!(rows[1..]
                .iter()
                .all(|r| !matches!(r[8], Data::Float(_) | Data::Int(_))));
        } else {
            let text = String::from_utf8(bytes).unwrap();
            for line in text.lines().skip(1) {
                let rank_b = line.split(';').nth(8).unwrap_or_default();
                assert!(rank_b.is_empty() || rank_b.contains("< 5"), "{line}");
            }
        }
    }
}

on_every_backend!(small_counts_never_reach_other_readers);
