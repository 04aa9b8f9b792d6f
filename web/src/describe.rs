//! A concept's rule document in German sentences, for the committee paper and the read-only
//! view of a decided concept: what each pillar gets, who may receive it, and how it is split.

use maud::{html, Markup};
use serde_json::Value;

use crate::numbers::{decimal, euro, percent};

use crate::numbers::string_of as num;

/// Cents (the document's amounts) as euros.
fn cents(v: &Value) -> String {
    let c = num(v);
    match c.parse::<i64>() {
        Ok(c) => euro(&format!("{}.{:02}", c / 100, (c % 100).abs())),
        Err(_) => c,
    }
}

pub fn budget(b: &Value) -> String {
    if let Some(s) = b.get("share") {
        format!("{} des Budgets", percent(&num(s)))
    } else if let Some(a) = b.get("amount") {
        format!("fester Betrag von {}", cents(a))
    } else if let Some(f) = b.get("fte") {
        format!("{} Vollzeitstellen", decimal(&num(f), 2))
    } else {
        "nicht festgelegt".into()
    }
}

pub fn method(m: &Value) -> String {
    let by_places = |v: &Value| v["by_places"].as_bool() == Some(true);
    if let Some(b) = m.get("base") {
        if by_places(b) {
            "gleicher Betrag je Platz".into()
        } else {
            "gleicher Betrag je Kita".into()
        }
    } else if let Some(p) = m.get("proportional") {
        if by_places(p) {
            "nach Bedarf: Plätze × Bedarfsindex".into()
        } else {
            "nach Bedarf: Bedarfsindex".into()
        }
    } else if let Some(p) = m.get("per_unit") {
        format!(
            "{} je Einheit von „{}“",
            cents(&p["amount_per_unit"]),
            p["indicator"].as_str().unwrap_or("?")
        )
    } else if let Some(f) = m.get("fixed") {
        format!(
            "feste Beträge für {} benannte Kitas",
            f["grants"].as_array().map_or(0, Vec::len)
        )
    } else if let Some(t) = m.get("tiers") {
        let bands: Vec<String> = t["bands"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| {
                format!(
                    "ab Index {}: {} VZÄ",
                    decimal(&num(&b["min_index"]), 2),
                    decimal(&num(&b["fte"]), 2)
                )
            })
            .collect();
        format!("feste Stellen nach Bedarfsstufen ({})", bands.join("; "))
    } else if let Some(a) = m.get("applications") {
        format!(
            "Anträge der Träger ({}), in der Reihenfolge {}",
            a["requests"].as_array().map_or(0, Vec::len),
            if a["order"] == "priority" {
                "der Priorität"
            } else {
                "des Bedarfs"
            }
        )
    } else {
        "unbekanntes Verfahren".into()
    }
}

pub fn rule(r: &Value) -> String {
    match r {
        Value::String(s) if s == "all" => "alle Kitas".into(),
        Value::String(s) if s == "index_above_mean" => "Kitas mit Index über dem Mittel".into(),
        Value::String(s) if s == "family_center" => "Familienzentren".into(),
        Value::String(s) if s == "be_relevant" => {
            "Kitas mit betriebserlaubnisrelevantem Bedarf".into()
        }
        Value::Object(o) => {
            if let Some(v) = o.get("index_above") {
                format!("Kitas mit Index über {}", decimal(&num(v), 2))
            } else if let Some(v) = o.get("top_n") {
                format!("die {} Kitas mit dem höchsten Index", num(v))
            } else if let Some(v) = o.get("top_share") {
                format!("die {} der Kitas mit dem höchsten Index", percent(&num(v)))
            } else if let Some(v) = o.get("indicator_at_least") {
                format!(
                    "Kitas mit „{}“ mindestens {}",
                    v["indicator"].as_str().unwrap_or("?"),
                    decimal(&num(&v["value"]), 2)
                )
            } else if let Some(v) = o.get("in_social_spaces") {
                format!(
                    "Kitas in den Sozialräumen {}",
                    v.as_array()
                        .map(|a| a.iter().map(num).collect::<Vec<_>>().join(", "))
                        .unwrap_or_default()
                )
            } else if let Some(Value::Array(a)) = o.get("and") {
                a.iter().map(rule).collect::<Vec<_>>().join(" und ")
            } else if let Some(Value::Array(a)) = o.get("or") {
                format!(
                    "({})",
                    a.iter().map(rule).collect::<Vec<_>>().join(" oder ")
                )
            } else if let Some(v) = o.get("not") {
                format!("nicht: {}", rule(v))
            } else {
                "eine unbekannte Regel".into()
            }
        }
        _ => "alle Kitas".into(),
    }
}

fn limit(l: &Value) -> String {
    if let Some(a) = l.get("amount") {
        cents(a)
    } else if let Some(f) = l.get("fte") {
        format!("{} VZÄ", decimal(&num(f), 2))
    } else {
        "?".into()
    }
}

const NORMALIZATIONS: &[(&str, &str)] = &[
    ("raw", "Wert selbst"),
    ("ratio_to_mean", "im Verhältnis zum Mittel"),
    ("z_score", "Abstand vom Mittel in Standardabweichungen"),
    ("min_max", "zwischen kleinstem und größtem Wert (0 bis 1)"),
    ("percent_rank", "Rang unter den Kitas (0 bis 1)"),
];

/// The whole document: need index, then each pillar.
pub fn concept(doc: &Value, labels: &dyn Fn(&str) -> String) -> Markup {
    let terms = doc["need_index"]["terms"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let pillars = doc["pillars"].as_array().cloned().unwrap_or_default();
    html! {
        h3 { "Bedarfsindex" }
        @if terms.is_empty() { p { "Die Konzeption verwendet keinen Bedarfsindex." } }
        @else {
            p { "Der Bedarfsindex einer Kita ist die gewichtete Summe ihrer Indikatoren, jeder im Vergleich zu den anderen Kitas des Bezirks:" }
            ul {
                @for t in &terms {
                    li {
                        (labels(t["indicator"].as_str().unwrap_or_default())) ": Gewicht " (decimal(&num(&t["weight"]), 2)) ", "
                        (crate::profiles::label(NORMALIZATIONS, t["normalization"].as_str().unwrap_or_default()))
                        @if t["direction"] == "more_is_better" { ", ein höherer Wert bedeutet weniger Bedarf" }
                    }
                }
            }
            p { "Fehlende Werte: " (match doc["need_index"]["missing"].as_str() {
                Some("district_mean") => "werden durch den Mittelwert des Bezirks ersetzt.",
                Some("exclude") => "die Kita erhält keinen Index.",
                _ => "sind ein Fehler; die Berechnung bricht ab.",
            }) }
        }
        h3 { "Säulen" }
        ol {
            @for p in &pillars {
                li {
                    strong { (p["name"].as_str().unwrap_or("?")) } ": " (budget(&p["budget"])) ", " (method(&p["method"])) "; für " (rule(&p["eligibility"])) "."
                    @if let Some(s) = p.get("staffing").filter(|s| !s.is_null()) {
                        " Stellen zu " (cents(&s["cost_per_fte"])) " je Vollzeitstelle, in Schritten von " (decimal(&num(&s["fte_step"]), 2)) " VZÄ"
                        @if num(&s["min_fte"]) != "0" && !num(&s["min_fte"]).is_empty() { ", mindestens " (decimal(&num(&s["min_fte"]), 2)) " VZÄ" } "."
                    }
                    @if let Some(c) = p.get("cap").filter(|c| !c.is_null()) { " Obergrenze je Kita: " (limit(c)) "." }
                    @if let Some(f) = p.get("floor").filter(|f| !f.is_null()) {
                        " Untergrenze je Kita: " (limit(&f["limit"]))
                        @if f["action"] == "drop" { " (darunter nichts)." } @else { " (darunter angehoben)." }
                    }
                    @if let Some(ph) = p.get("phase_in").filter(|f| !f.is_null()) { " Schrittweise Einführung: höchstens ± " (percent(&num(ph))) " gegenüber dem Vorjahr." }
                    @if p["pool_by_social_space"].as_bool() == Some(true) { " Stellen werden je Sozialraum gerundet und geteilt." }
                }
            }
        }
        @if doc["move_leftovers"].as_bool() == Some(true) { p { "Was eine Säule nicht verteilt, geht an die nächste." } }
        @if let Some(cf) = doc.get("co_financing").filter(|c| !c.is_null()) {
            p { "Förderquote des Landes " (percent(&num(&cf["land_rate"]))) ", Anteil der Träger am Eigenanteil " (percent(&num(&cf["traeger_share"]))) "." }
        }
    }
}
