//! The concept editor's form and the rule document: fields from a stored document, and a
//! document from submitted fields (on top of the stored one, so what the form does not show,
//! such as named grants or Träger requests, stays as it was). Problems name the form field.

use serde_json::{json, Map, Value};

use crate::forms::{Form, Problems};
use crate::numbers::{decimal, parse_german};

pub const BUDGET_KINDS: &[(&str, &str)] = &[
    ("share", "Anteil des Budgets (%)"),
    ("amount", "fester Betrag (€)"),
    ("fte", "Vollzeitstellen"),
];

pub const METHODS: &[(&str, &str)] = &[
    ("base_kita", "gleicher Betrag je Kita"),
    ("base_places", "gleicher Betrag je Platz"),
    ("prop_places", "nach Bedarf: Plätze × Index"),
    ("prop_index", "nach Bedarf: Index allein"),
    ("per_unit", "Betrag je Einheit eines Indikators"),
    ("keep", "wie gespeichert (Stufen, Anträge, feste Beträge)"),
];

pub const CONDITIONS: &[(&str, &str)] = &[
    ("", "–"),
    ("all", "alle Kitas"),
    ("index_above", "Index über einer Schwelle"),
    ("index_above_mean", "Index über dem Mittel"),
    ("top_n", "die N Kitas mit dem höchsten Index"),
    ("top_share", "Anteil der Kitas mit dem höchsten Index (%)"),
    ("indicator_at_least", "Indikator mindestens"),
    ("family_center", "Familienzentren"),
    ("be_relevant", "betriebserlaubnisrelevanter Bedarf"),
    ("keep", "wie gespeichert (verschachtelte Regel)"),
];

pub const LIMITS: &[(&str, &str)] = &[("", "keine"), ("amount", "Betrag (€)"), ("fte", "VZÄ")];

pub const NORMALIZATIONS: &[(&str, &str)] = &[
    ("percent_rank", "Rang unter den Kitas (0 bis 1)"),
    ("min_max", "zwischen kleinstem und größtem Wert"),
    ("ratio_to_mean", "im Verhältnis zum Mittel"),
    ("z_score", "Abstand vom Mittel (Standardabweichungen)"),
    ("raw", "Wert selbst"),
];

pub const DIRECTIONS: &[(&str, &str)] = &[
    ("more_is_worse", "höherer Wert = mehr Bedarf"),
    ("more_is_better", "höherer Wert = weniger Bedarf"),
];

pub const MISSING: &[(&str, &str)] = &[
    ("district_mean", "Mittelwert des Bezirks einsetzen"),
    ("exclude", "Kita ohne Index"),
    ("error", "Fehler melden"),
];

/// Conditions per pillar and terms of the index the form offers (one more than stored, to add).
pub const CONDITION_SLOTS: usize = 3;

/// The form's values: field name → value.
pub type Fields = std::collections::HashMap<String, String>;

use crate::numbers::string_of as num;

fn de(v: &Value) -> String {
    let n = num(v);
    if n.is_empty() {
        return n;
    }
    let digits = n
        .split_once('.')
        .map_or(0, |(_, f)| f.trim_end_matches('0').len()) as u32;
    decimal(&n, digits.min(6)).replace('.', "")
}

/// Cents as euros for a field (`7200000` → `72000`).
fn cents_field(v: &Value) -> String {
    match num(v).parse::<i64>() {
        Ok(c) if c % 100 == 0 => (c / 100).to_string(),
        Ok(c) => format!("{},{:02}", c / 100, (c % 100).abs()),
        Err(_) => String::new(),
    }
}

/// A share as percent for a field (`0.3` → `30`).
fn percent_field(v: &Value) -> String {
    match num(v).parse::<f64>() {
        Ok(x) => de(&json!(format!("{}", (x * 1_000_000.0).round() / 10_000.0))),
        Err(_) => String::new(),
    }
}

fn condition_fields(out: &mut Fields, prefix: &str, j: usize, r: &Value) -> bool {
    let key = format!("{prefix}_bedingung{j}");
    let (kind, value, indicator) = match r {
        Value::String(s)
            if ["all", "index_above_mean", "family_center", "be_relevant"]
                .contains(&s.as_str()) =>
        {
            (s.clone(), String::new(), String::new())
        }
        Value::Object(o) if o.len() == 1 => {
            let Some((k, v)) = o.iter().next() else {
                return false;
            };
            match k.as_str() {
                "index_above" => (k.clone(), de(v), String::new()),
                "top_n" => (k.clone(), num(v), String::new()),
                "top_share" => (k.clone(), percent_field(v), String::new()),
                "indicator_at_least" => (k.clone(), de(&v["value"]), num(&v["indicator"])),
                _ => return false,
            }
        }
        _ => return false,
    };
    out.insert(key, kind);
    out.insert(format!("{prefix}_wert{j}"), value);
    out.insert(format!("{prefix}_indikator{j}"), indicator);
    true
}

/// The form's fields of a stored document.
pub fn fields_of(doc: &Value) -> Fields {
    let cost_roles = &doc["cost_roles"];
    let mut f = Fields::new();
    let pillars = doc["pillars"].as_array().cloned().unwrap_or_default();
    for (i, p) in pillars.iter().enumerate() {
        let pre = format!("p{i}");
        f.insert(format!("{pre}_name"), num(&p["name"]));
        let b = &p["budget"];
        let (kind, value) = if let Some(s) = b.get("share") {
            ("share", percent_field(s))
        } else if let Some(a) = b.get("amount") {
            ("amount", cents_field(a))
        } else {
            ("fte", de(&b["fte"]))
        };
        f.insert(format!("{pre}_budget_art"), kind.into());
        f.insert(format!("{pre}_budget_wert"), value);
        let m = &p["method"];
        let method = if let Some(b) = m.get("base") {
            if b["by_places"] == true {
                "base_places"
            } else {
                "base_kita"
            }
        } else if let Some(x) = m.get("proportional") {
            if x["by_places"] == true {
                "prop_places"
            } else {
                "prop_index"
            }
        } else if let Some(u) = m.get("per_unit") {
            f.insert(format!("{pre}_einheit_indikator"), num(&u["indicator"]));
            f.insert(
                format!("{pre}_einheit_betrag"),
                cents_field(&u["amount_per_unit"]),
            );
            "per_unit"
        } else {
            "keep"
        };
        f.insert(format!("{pre}_methode"), method.into());
        // Eligibility: one condition, or and/or of simple ones; anything else stays as stored.
        let rule = &p["eligibility"];
        let (join, parts): (&str, Vec<Value>) = match rule {
            Value::Object(o) if o.contains_key("and") => {
                ("and", o["and"].as_array().cloned().unwrap_or_default())
            }
            Value::Object(o) if o.contains_key("or") => {
                ("or", o["or"].as_array().cloned().unwrap_or_default())
            }
            Value::Null => ("and", vec![json!("all")]),
            other => ("and", vec![other.clone()]),
        };
        f.insert(format!("{pre}_verknuepfung"), join.into());
        let simple = parts.len() <= CONDITION_SLOTS
            && parts
                .iter()
                .enumerate()
                .all(|(j, r)| condition_fields(&mut f, &pre, j, r));
        if !simple {
            f.insert(format!("{pre}_bedingung0"), "keep".into());
        }
        for (name, key) in [("deckel", &p["cap"]), ("boden", &p["floor"]["limit"])] {
            if let Some(a) = key.get("amount") {
                f.insert(format!("{pre}_{name}_art"), "amount".into());
                f.insert(format!("{pre}_{name}_wert"), cents_field(a));
            } else if let Some(x) = key.get("fte") {
                f.insert(format!("{pre}_{name}_art"), "fte".into());
                f.insert(format!("{pre}_{name}_wert"), de(x));
            }
        }
        f.insert(format!("{pre}_boden_regel"), num(&p["floor"]["action"]));
        let s = &p["staffing"];
        if s.is_object() {
            f.insert(format!("{pre}_stellen"), "ja".into());
            f.insert(format!("{pre}_kosten"), cents_field(&s["cost_per_fte"]));
            f.insert(format!("{pre}_schritt"), de(&s["fte_step"]));
            f.insert(format!("{pre}_mindest"), de(&s["min_fte"]));
            f.insert(format!("{pre}_stunden"), de(&s["weekly_hours"]));
        }
        f.insert(
            format!("{pre}_kostenrolle"),
            num(&cost_roles[p["id"].as_str().unwrap_or_default()]),
        );
    }
    for (j, t) in doc["need_index"]["terms"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
    {
        f.insert(format!("t{j}_indikator"), num(&t["indicator"]));
        f.insert(format!("t{j}_gewicht"), de(&t["weight"]));
        f.insert(format!("t{j}_normierung"), num(&t["normalization"]));
        f.insert(
            format!("t{j}_richtung"),
            t["direction"].as_str().unwrap_or("more_is_worse").into(),
        );
    }
    f.insert(
        "fehlend".into(),
        doc["need_index"]["missing"]
            .as_str()
            .unwrap_or("error")
            .into(),
    );
    f.insert(
        "foerderquote".into(),
        percent_field(&doc["co_financing"]["land_rate"]),
    );
    f.insert(
        "traegeranteil".into(),
        percent_field(&doc["co_financing"]["traeger_share"]),
    );
    f
}

fn get<'a>(form: &'a Form, name: &str) -> &'a str {
    form.get(name).trim()
}

/// A German number of a field; a problem at the field when it is none.
fn number(form: &Form, field: &str, problems: &mut Problems) -> Option<String> {
    let v = get(form, field);
    match parse_german(v) {
        Some(n) => Some(n),
        None => {
            problems.add(
                field,
                if v.is_empty() {
                    "Bitte eine Zahl eingeben."
                } else {
                    "Das ist keine Zahl (z. B. 30 oder 0,25)."
                },
            );
            None
        }
    }
}

fn non_negative(form: &Form, field: &str, problems: &mut Problems) -> Option<f64> {
    let n = number(form, field, problems)?;
    let x: f64 = n.parse().ok()?;
    if x < 0.0 {
        problems.add(field, "Der Wert darf nicht negativ sein.");
        return None;
    }
    Some(x)
}

/// Euros of a field as cents.
fn cents(form: &Form, field: &str, problems: &mut Problems) -> Option<i64> {
    let x = non_negative(form, field, problems)?;
    if x > 1e12 {
        problems.add(field, "Der Betrag ist zu groß.");
        return None;
    }
    Some((x * 100.0).round() as i64)
}

/// Percent of a field as a share (0..1) string.
fn share(form: &Form, field: &str, problems: &mut Problems) -> Option<String> {
    let n = number(form, field, problems)?;
    let x: f64 = n.parse().ok()?;
    if !(0.0..=100.0).contains(&x) {
        problems.add(field, "Ein Anteil liegt zwischen 0 und 100 %.");
        return None;
    }
    // Exact: shift the decimal point on the digits, not through floating point.
    let (int, frac) = n.split_once('.').unwrap_or((&n, ""));
    let digits = format!("{int}{frac}");
    let scale = frac.len() + 2;
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (a, b) = padded.split_at(padded.len() - scale);
    Some(format!("{a}.{b}"))
}

fn condition(
    form: &Form,
    pre: &str,
    j: usize,
    stored: &Value,
    problems: &mut Problems,
) -> Option<Value> {
    let kind = get(form, &format!("{pre}_bedingung{j}"));
    let value_field = format!("{pre}_wert{j}");
    Some(match kind {
        "" => return None,
        "keep" => stored.clone(),
        "all" | "index_above_mean" | "family_center" | "be_relevant" => json!(kind),
        "index_above" => json!({ "index_above": number(form, &value_field, problems)? }),
        "top_n" => match get(form, &value_field).parse::<u32>() {
            Ok(n) if n > 0 => json!({ "top_n": n }),
            _ => {
                problems.add(&value_field, "Bitte eine ganze Zahl ab 1 eingeben.");
                return None;
            }
        },
        "top_share" => json!({ "top_share": share(form, &value_field, problems)? }),
        "indicator_at_least" => {
            let indicator = get(form, &format!("{pre}_indikator{j}"));
            if indicator.is_empty() {
                problems.add(
                    &format!("{pre}_indikator{j}"),
                    "Bitte einen Indikator wählen.",
                );
                return None;
            }
            json!({ "indicator_at_least": { "indicator": indicator, "value": number(form, &value_field, problems)? } })
        }
        _ => {
            problems.add(&format!("{pre}_bedingung{j}"), "Unbekannte Bedingung.");
            return None;
        }
    })
}

fn limit(form: &Form, pre: &str, name: &str, problems: &mut Problems) -> Option<Value> {
    let field = format!("{pre}_{name}_wert");
    match get(form, &format!("{pre}_{name}_art")) {
        "amount" => Some(json!({ "amount": cents(form, &field, problems)? })),
        "fte" => {
            non_negative(form, &field, problems)?;
            Some(json!({ "fte": number(form, &field, problems)? }))
        }
        _ => None,
    }
}

/// The document the form describes, on top of `stored`; `None` with the problems when a field
/// cannot be read. Also returns the cost roles by pillar id.
pub fn document_of(
    form: &Form,
    stored: &Value,
    pillar_slots: usize,
    term_slots: usize,
    problems: &mut Problems,
) -> Value {
    let mut doc = stored.clone();
    let stored_pillars = stored["pillars"].as_array().cloned().unwrap_or_default();
    let mut pillars = Vec::new();
    let mut cost_roles = Map::new();
    let mut share_sum = 0f64;
    for i in 0..pillar_slots {
        let pre = format!("p{i}");
        let name = get(form, &format!("{pre}_name"));
        if form.has(&format!("{pre}_entfernen")) || (name.is_empty() && i >= stored_pillars.len()) {
            continue;
        }
        if name.is_empty() {
            problems.add(&format!("{pre}_name"), "Bitte die Säule benennen.");
        }
        let mut p = stored_pillars
            .get(i)
            .cloned()
            .unwrap_or_else(|| json!({ "id": format!("saeule_{}", i + 1) }));
        p["name"] = json!(name);
        let budget_field = format!("{pre}_budget_wert");
        p["budget"] = match get(form, &format!("{pre}_budget_art")) {
            "amount" => {
                cents(form, &budget_field, problems).map_or(Value::Null, |c| json!({ "amount": c }))
            }
            "fte" => match non_negative(form, &budget_field, problems) {
                Some(_) => json!({ "fte": number(form, &budget_field, problems) }),
                None => Value::Null,
            },
            _ => match share(form, &budget_field, problems) {
                Some(s) => {
                    share_sum += s.parse::<f64>().unwrap_or(0.0);
                    json!({ "share": s })
                }
                None => Value::Null,
            },
        };
        let stored_method = stored_pillars
            .get(i)
            .map(|p| p["method"].clone())
            .unwrap_or(Value::Null);
        p["method"] = match get(form, &format!("{pre}_methode")) {
            "base_kita" => json!({ "base": { "by_places": false } }),
            "base_places" => json!({ "base": { "by_places": true } }),
            "prop_index" => json!({ "proportional": { "by_places": false } }),
            "per_unit" => {
                let indicator = get(form, &format!("{pre}_einheit_indikator"));
                if indicator.is_empty() {
                    problems.add(
                        &format!("{pre}_einheit_indikator"),
                        "Bitte einen Indikator wählen.",
                    );
                }
                json!({ "per_unit": { "indicator": indicator, "amount_per_unit": cents(form, &format!("{pre}_einheit_betrag"), problems).unwrap_or(0) } })
            }
            "keep" if !stored_method.is_null() => stored_method,
            _ => json!({ "proportional": { "by_places": true } }),
        };
        let stored_rule = stored_pillars
            .get(i)
            .map(|p| p["eligibility"].clone())
            .unwrap_or(json!("all"));
        let parts: Vec<Value> = (0..CONDITION_SLOTS)
            .filter_map(|j| condition(form, &pre, j, &stored_rule, problems))
            .collect();
        p["eligibility"] = match (parts.len(), get(form, &format!("{pre}_verknuepfung"))) {
            (0, _) => json!("all"),
            (1, _) => parts[0].clone(),
            (_, "or") => json!({ "or": parts }),
            _ => json!({ "and": parts }),
        };
        p["cap"] = limit(form, &pre, "deckel", problems).unwrap_or(Value::Null);
        p["floor"] = match limit(form, &pre, "boden", problems) {
            Some(l) => {
                json!({ "limit": l, "action": if get(form, &format!("{pre}_boden_regel")) == "drop" { "drop" } else { "lift" } })
            }
            None => Value::Null,
        };
        p["staffing"] = if form.has(&format!("{pre}_stellen")) {
            let step_field = format!("{pre}_schritt");
            let step = non_negative(form, &step_field, problems);
            if step == Some(0.0) {
                problems.add(
                    &step_field,
                    "Der Stellenschritt muss größer als 0 sein (z. B. 0,25).",
                );
            }
            let hours = get(form, &format!("{pre}_stunden"));
            json!({
                "cost_per_fte": cents(form, &format!("{pre}_kosten"), problems).unwrap_or(0),
                "training_surcharge": stored_pillars.get(i).map(|p| p["staffing"]["training_surcharge"].clone()).filter(|v| !v.is_null()).unwrap_or(json!("0")),
                "weekly_hours": if hours.is_empty() { "39".into() } else { number(form, &format!("{pre}_stunden"), problems).unwrap_or_default() },
                "fte_step": number(form, &step_field, problems).unwrap_or_default(),
                "min_fte": if get(form, &format!("{pre}_mindest")).is_empty() { "0".into() } else { number(form, &format!("{pre}_mindest"), problems).unwrap_or_default() },
            })
        } else {
            Value::Null
        };
        let role = get(form, &format!("{pre}_kostenrolle"));
        if !role.is_empty() {
            cost_roles.insert(p["id"].as_str().unwrap_or_default().to_owned(), json!(role));
        }
        pillars.push((i, p));
    }
    if share_sum > 100.0 + 1e-9 {
        for (i, p) in &pillars {
            if p["budget"].get("share").is_some() {
                problems.add(
                    &format!("p{i}_budget_wert"),
                    "Die Anteile der Säulen ergeben zusammen mehr als 100 %.",
                );
                break;
            }
        }
    }
    doc["pillars"] = Value::Array(pillars.into_iter().map(|(_, p)| p).collect());
    let mut terms = Vec::new();
    for j in 0..term_slots {
        let indicator = get(form, &format!("t{j}_indikator"));
        if indicator.is_empty() {
            continue;
        }
        terms.push(json!({
            "indicator": indicator,
            "weight": number(form, &format!("t{j}_gewicht"), problems).unwrap_or_default(),
            "normalization": get(form, &format!("t{j}_normierung")),
            "direction": get(form, &format!("t{j}_richtung")),
        }));
    }
    doc["need_index"] = json!({ "terms": terms, "missing": get(form, "fehlend") });
    doc["cost_roles"] = Value::Object(cost_roles);
    doc["co_financing"] = json!({
        "land_rate": share(form, "foerderquote", problems).unwrap_or_default(),
        "traeger_share": share(form, "traegeranteil", problems).unwrap_or_default(),
    });
    doc
}

/// The form field an error of the API belongs to (`document.pillars[1].budget` → the budget
/// field of the second pillar).
pub fn field_of(path: &str) -> String {
    let path = path
        .trim_start_matches("input.")
        .trim_start_matches("document.");
    if let Some(rest) = path.strip_prefix("pillars[") {
        let (index, tail) = rest.split_once(']').unwrap_or((rest, ""));
        let tail = tail.trim_start_matches('.');
        let field = match tail.split(['.', '[']).next().unwrap_or_default() {
            "budget" => "budget_wert",
            "staffing" => "schritt",
            "method" => "methode",
            "eligibility" => "bedingung0",
            "cap" => "deckel_wert",
            "floor" => "boden_wert",
            _ => "name",
        };
        return format!("p{index}_{field}");
    }
    if path.starts_with("need_index") {
        return "t0_gewicht".into();
    }
    if path.starts_with("co_financing") {
        return "foerderquote".into();
    }
    if path.starts_with("cost_roles") {
        return "p0_kostenrolle".into();
    }
    match path {
        "name" => "name".into(),
        "dataYear" | "year" => "datenjahr".into(),
        _ => "p0_name".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Form {
        Form(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn round_trip_and_field_errors() {
        let stored = json!({
            "pillars": [{ "id": "a", "name": "Sozialarbeit", "budget": { "share": "0.6" },
                "method": { "proportional": { "by_places": true } }, "eligibility": { "or": ["family_center", { "top_share": "0.1" }] } }],
            "need_index": { "terms": [{ "indicator": "sgb2_anteil", "weight": "1", "normalization": "percent_rank" }], "missing": "district_mean" },
            "co_financing": { "land_rate": "0.6", "traeger_share": "0" }
        });
        let f = fields_of(&stored);
        assert_eq!(f["p0_budget_wert"], "60");
        assert_eq!(f["p0_verknuepfung"], "or");
        assert_eq!(f["p0_bedingung1"], "top_share");
        assert_eq!(f["p0_wert1"], "10");
        let sent: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let mut problems = Problems::default();
        let doc = document_of(&form(&sent), &stored, 2, 2, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(doc["pillars"][0]["budget"]["share"], "0.60");
        // The form writes shares with the digits it was given (10 % → 0.10).
        assert_eq!(
            doc["pillars"][0]["eligibility"],
            json!({ "or": ["family_center", { "top_share": "0.10" }] })
        );
        let mut problems = Problems::default();
        let mut bad = sent.clone();
        bad.retain(|(k, _)| *k != "p0_budget_wert");
        bad.push(("p0_budget_wert", "120"));
        bad.push(("p0_stellen", "ja"));
        bad.push(("p0_schritt", "0"));
        bad.push(("p0_kosten", "72000"));
        document_of(&form(&bad), &stored, 2, 2, &mut problems);
        assert!(problems.of("p0_budget_wert").is_some());
        assert!(problems.of("p0_schritt").is_some());
        assert_eq!(field_of("document.pillars[1].budget"), "p1_budget_wert");
    }
}
