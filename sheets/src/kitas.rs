//! The Kitas of a district, one row each: `Kita` (name), `Plätze` required; `Straße`, `PLZ`,
//! `Ort`, `davon unter 3`, `Träger`, `Sozialraum`, `Familienzentrum` (ja/nein) optional. A Kita
//! is matched by name; Träger and Sozialraum must name records the district has.

use std::collections::HashMap;

use crate::number::parse_german;
use crate::table::{column_letter, read, Cell, Table};
use crate::{normalize_header, Problem};

/// Largest number of places accepted (larger numbers are typing errors).
pub const MAX_PLACES: i64 = 1_000;

#[derive(Debug, Clone, PartialEq, Eq)]
/// Optional fields are `None` when the file has no such column (the stored value stays) and
/// `Some(None)` for an empty cell (the stored value is cleared).
pub struct KitaRow {
    pub row: usize,
    pub name: String,
    pub street: Option<Option<String>>,
    pub postal_code: Option<Option<String>>,
    pub city: Option<Option<String>>,
    pub places: i32,
    pub places_under3: Option<i32>,
    /// The provider's name as the district has it.
    pub provider: Option<Option<String>>,
    pub social_space: Option<Option<String>>,
    pub family_center: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Name,
    Street,
    PostalCode,
    City,
    Places,
    Under3,
    Provider,
    SocialSpace,
    FamilyCenter,
}

const HEADERS: &[(&str, Field)] = &[
    ("kita", Field::Name),
    ("name", Field::Name),
    ("einrichtung", Field::Name),
    ("kitaname", Field::Name),
    ("strasse", Field::Street),
    ("straße", Field::Street),
    ("adresse", Field::Street),
    ("plz", Field::PostalCode),
    ("postleitzahl", Field::PostalCode),
    ("ort", Field::City),
    ("gemeinde", Field::City),
    ("platze", Field::Places),
    ("plaetze", Field::Places),
    ("platzzahl", Field::Places),
    ("genehmigteplatze", Field::Places),
    ("davonunter3", Field::Under3),
    ("platzeunter3", Field::Under3),
    ("u3platze", Field::Under3),
    ("unter3", Field::Under3),
    ("trager", Field::Provider),
    ("traeger", Field::Provider),
    ("sozialraum", Field::SocialSpace),
    ("familienzentrum", Field::FamilyCenter),
];

fn header_name(table: &Table, column: usize) -> String {
    let header = table.headers.get(column).map(String::as_str).unwrap_or("");
    format!("{} ({header})", column_letter(column))
}

fn key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Reads and checks a whole file of Kitas against the district's providers and social spaces;
/// every problem, or every row.
pub fn read_kitas(
    bytes: &[u8],
    providers: &[String],
    social_spaces: &[String],
) -> Result<Vec<KitaRow>, Vec<Problem>> {
    let table = read(bytes).map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let mut columns: HashMap<Field, usize> = HashMap::new();
    for (c, h) in table.headers.iter().enumerate() {
        let norm = normalize_header(h);
        if norm.is_empty() {
            continue;
        }
        match HEADERS.iter().find(|(k, _)| *k == norm) {
            Some((_, field)) => {
                if let Some(first) = columns.insert(*field, c) {
                    problems.push(Problem {
                        row: None,
                        column: Some(header_name(&table, c)),
                        message: format!(
                            "Die Spalte gibt es doppelt (schon in Spalte {}).",
                            column_letter(first)
                        ),
                    });
                }
            }
            None => problems.push(Problem {
                row: None,
                column: Some(header_name(&table, c)),
                message: format!(
                    "Unbekannte Spalte „{h}“. Erwartet werden: Kita, Plätze, davon unter 3, Straße, PLZ, Ort, Träger, Sozialraum, Familienzentrum."
                ),
            }),
        }
    }
    for (field, label) in [(Field::Name, "Kita"), (Field::Places, "Plätze")] {
        if !columns.contains_key(&field) {
            problems.push(Problem::file(format!("Die Spalte „{label}“ fehlt.")));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let provider_of: HashMap<String, &String> = providers.iter().map(|p| (key(p), p)).collect();
    let space_of: HashMap<String, &String> = social_spaces.iter().map(|s| (key(s), s)).collect();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::new();
    for row in &table.rows {
        let cell = |f: Field| columns.get(&f).map(|c| (*c, table.cell(row, *c)));
        let text = |f: Field| cell(f).map(|(_, c)| c.shown()).filter(|s| !s.is_empty());
        let mut row_problems = Vec::new();
        let at = |f: Field, message: String| {
            Problem::at(
                row.number,
                columns.get(&f).map(|c| header_name(&table, *c)),
                message,
            )
        };
        let name = text(Field::Name).unwrap_or_default();
        if name.is_empty() {
            row_problems.push(at(Field::Name, "Die Zeile nennt keine Kita.".into()));
        } else if name.chars().count() > 200 {
            row_problems.push(at(
                Field::Name,
                "Der Name ist zu lang (höchstens 200 Zeichen).".into(),
            ));
        } else if let Some(first) = seen.insert(key(&name), row.number) {
            row_problems.push(Problem::at(
                row.number,
                None,
                format!("„{name}“ steht doppelt in der Datei (schon in Zeile {first})."),
            ));
        }
        let count = |f: Field, label: &str, required: bool| -> Result<i32, Problem> {
            let Some((_, c)) = cell(f) else { return Ok(0) };
            let value = match &c {
                Cell::Empty if required => return Err(at(f, format!("{label} fehlt."))),
                Cell::Empty => return Ok(0),
                Cell::Number(n) => *n,
                Cell::Text(t) => {
                    parse_german(t)
                        .map_err(|e| at(f, format!("{e}: erwartet wird eine Anzahl.")))?
                        .value
                }
                Cell::Formula(x) => {
                    return Err(at(
                        f,
                        format!(
                        "Die Zelle enthält eine Formel (={x}). Bitte die Werte als Werte einfügen."
                    ),
                    ))
                }
                other => return Err(at(f, format!("„{}“ ist keine Anzahl.", other.shown()))),
            };
            if !value.fract().is_zero() || value.is_sign_negative() || value > MAX_PLACES.into() {
                return Err(at(
                    f,
                    format!(
                        "{label} müssen eine ganze Zahl von 0 bis {MAX_PLACES} sein, nicht {}.",
                        c.shown()
                    ),
                ));
            }
            Ok(i32::try_from(value.trunc().mantissa()).unwrap_or(0))
        };
        let places = count(Field::Places, "Plätze", true)
            .map_err(|p| row_problems.push(p))
            .unwrap_or(0);
        let under3 = count(Field::Under3, "Plätze unter 3", false)
            .map_err(|p| row_problems.push(p))
            .unwrap_or(0);
        if under3 > places {
            row_problems.push(at(
                Field::Under3,
                format!("{under3} Plätze unter 3 sind mehr als die {places} Plätze insgesamt."),
            ));
        }
        let lookup = |f: Field, what: &str, known: &HashMap<String, &String>, all: &[String]| {
            let given = text(f)?;
            Some(match known.get(&key(&given)) {
                Some(found) => Ok((*found).clone()),
                None => {
                    let suggestion = all
                        .iter()
                        .map(|k| (strsim::jaro_winkler(&key(&given), &key(k)), k))
                        .max_by(|a, b| a.0.total_cmp(&b.0))
                        .filter(|(s, _)| *s >= 0.75)
                        .map(|(_, k)| format!(" Meinten Sie „{k}“?"))
                        .unwrap_or_default();
                    Err(at(
                        f,
                        format!("{what} „{given}“ gibt es in diesem Bezirk nicht.{suggestion}"),
                    ))
                }
            })
        };
        let provider = match lookup(Field::Provider, "Den Träger", &provider_of, providers) {
            Some(Ok(p)) => Some(p),
            Some(Err(p)) => {
                row_problems.push(p);
                None
            }
            None => None,
        };
        let social_space = match lookup(
            Field::SocialSpace,
            "Den Sozialraum",
            &space_of,
            social_spaces,
        ) {
            Some(Ok(s)) => Some(s),
            Some(Err(p)) => {
                row_problems.push(p);
                None
            }
            None => None,
        };
        let present = |f: Field| columns.contains_key(&f);
        let optional = |f: Field, v: Option<String>| present(f).then_some(v);
        let family_center = match cell(Field::FamilyCenter) {
            None => None,
            Some((_, Cell::Bool(b))) => Some(b),
            Some((_, c)) => match c.shown().to_lowercase().as_str() {
                "" | "nein" | "n" | "0" | "falsch" => Some(false),
                "ja" | "j" | "x" | "1" | "wahr" => Some(true),
                other => {
                    row_problems.push(at(
                        Field::FamilyCenter,
                        format!("„{other}“ ist weder ja noch nein."),
                    ));
                    None
                }
            },
        };
        if row_problems.is_empty() {
            rows.push(KitaRow {
                row: row.number,
                name: name.split_whitespace().collect::<Vec<_>>().join(" "),
                street: optional(Field::Street, text(Field::Street)),
                postal_code: optional(Field::PostalCode, text(Field::PostalCode)),
                city: optional(Field::City, text(Field::City)),
                places,
                places_under3: present(Field::Under3).then_some(under3),
                provider: optional(Field::Provider, provider),
                social_space: optional(Field::SocialSpace, social_space),
                family_center,
            });
        }
        problems.extend(row_problems);
    }
    if table.rows.is_empty() {
        problems.push(Problem::file(
            "Die Datei hat Überschriften, aber keine Datenzeilen.".into(),
        ));
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn providers() -> Vec<String> {
        vec!["AWO Kreisverband".into(), "Stadt".into()]
    }

    fn spaces() -> Vec<String> {
        vec!["Nord".into(), "Süd".into()]
    }

    #[test]
    fn a_german_kita_list_is_read() {
        let csv = "Kita;Straße;PLZ;Ort;Plätze;davon unter 3;Träger;Sozialraum;Familienzentrum\n\
                   Kita Sonnenschein;Hauptstr. 1;56068;Koblenz;1.005;12;awo kreisverband;Nord;ja\n\
                   Kita Regenbogen;;;;45;;;;\n";
        let err = read_kitas(csv.as_bytes(), &providers(), &spaces()).unwrap_err();
        assert_eq!(
            err[0].to_string(),
            "Zeile 2, Spalte E (Plätze): Plätze müssen eine ganze Zahl von 0 bis 1000 sein, nicht 1.005."
        );
        let csv = csv.replace("1.005", "105");
        let rows = read_kitas(csv.as_bytes(), &providers(), &spaces()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].provider, Some(Some("AWO Kreisverband".into())));
        assert_eq!(rows[0].places, 105);
        assert_eq!(rows[0].family_center, Some(true));
        assert_eq!(rows[1].family_center, Some(false));
        assert_eq!(rows[1].street, Some(None));
        let rows = read_kitas(b"Kita;Pl\xc3\xa4tze\nA;3\n", &providers(), &spaces()).unwrap();
        assert_eq!(
            (rows[0].street.clone(), rows[0].family_center),
            (None, None)
        );
    }

    #[test]
    fn every_problem_is_reported() {
        let csv = "Kita;Plätze;davon unter 3;Träger;Sozialraum;Familienzentrum\n\
                   Kita A;40;50;AWO Kreisverbant;West;vielleicht\n\
                   ;10;;;;\n\
                   kita a;10;;;;\n";
        let p: Vec<String> = read_kitas(csv.as_bytes(), &providers(), &spaces())
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            p,
            [
                "Zeile 2, Spalte C (davon unter 3): 50 Plätze unter 3 sind mehr als die 40 Plätze insgesamt.",
                "Zeile 2, Spalte D (Träger): Den Träger „AWO Kreisverbant“ gibt es in diesem Bezirk nicht. Meinten Sie „AWO Kreisverband“?",
                "Zeile 2, Spalte E (Sozialraum): Den Sozialraum „West“ gibt es in diesem Bezirk nicht.",
                "Zeile 2, Spalte F (Familienzentrum): „vielleicht“ ist weder ja noch nein.",
                "Zeile 3, Spalte A (Kita): Die Zeile nennt keine Kita.",
                "Zeile 4: „kita a“ steht doppelt in der Datei (schon in Zeile 2).",
            ]
        );
        let p = read_kitas(b"Name;Ort\nA;B\n", &providers(), &spaces()).unwrap_err();
        assert_eq!(p[0].message, "Die Spalte „Plätze“ fehlt.");
    }
}
