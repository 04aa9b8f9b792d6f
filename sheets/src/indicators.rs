//! Indicator values per Kita (or per social space): one row per Kita, one column per indicator.
//!
//! Columns: `Kita` (or `Einrichtung`, `Name`) and optionally `Kita-Nr.` (the platform's number,
//! as in the template; it wins over the name), then one column per indicator, named by its label
//! or key. Optional `Stichtag` and `Quelle` columns override the import's reference date and
//! source for their row. Every expected indicator must have a column; an empty cell is a missing
//! value, not an error.
//!
//! Shares are fractions (`0,125`) or percentages (`12,5 %`); a plain number above 1 is refused
//! rather than guessed. Counts are whole numbers, never negative.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::number::parse_german;
use crate::table::{column_letter, read, Cell, Table};
use crate::{normalize_header, Problem};

/// An indicator the file may (and should) have a column for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorColumn {
    pub key: String,
    pub label: String,
    /// A share (0..1) rather than a count.
    pub share: bool,
}

/// What the rows of a file describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Kita,
    SocialSpace,
    /// The 41 Jugendamtsbezirke, by name or AGS (the state key's counts).
    District,
}

impl SubjectKind {
    fn name_headers(self) -> &'static [&'static str] {
        match self {
            SubjectKind::Kita => KITA_HEADERS,
            SubjectKind::SocialSpace => &["sozialraum", "name", "sozialraumname"],
            SubjectKind::District => &["bezirk", "jugendamt", "jugendamtsbezirk", "kreis", "name"],
        }
    }

    fn number_headers(self) -> &'static [&'static str] {
        match self {
            SubjectKind::Kita => NUMBER_HEADERS,
            SubjectKind::SocialSpace => &["sozialraumnr", "nr", "id"],
            SubjectKind::District => &["ags", "kreisschlussel", "gemeindeschlussel"],
        }
    }

    /// "Kita" / "Sozialraum": the column and the thing.
    fn noun(self) -> &'static str {
        match self {
            SubjectKind::Kita => "Kita",
            SubjectKind::SocialSpace => "Sozialraum",
            SubjectKind::District => "Bezirk",
        }
    }

    fn number_label(self) -> &'static str {
        match self {
            SubjectKind::Kita => "Kita-Nr.",
            SubjectKind::SocialSpace => "Sozialraum-Nr.",
            SubjectKind::District => "AGS",
        }
    }

    fn no_such_number(self, shown: &str) -> String {
        match self {
            SubjectKind::District => {
                format!("AGS „{shown}“ gehört zu keinem Jugendamtsbezirk in Rheinland-Pfalz.")
            }
            _ => format!(
                "{} „{shown}“ gehört zu keinem Eintrag dieses Bezirks.",
                self.number_label()
            ),
        }
    }

    fn plural(self) -> &'static str {
        match self {
            SubjectKind::Kita => "Kitas",
            SubjectKind::SocialSpace => "Sozialräume",
            SubjectKind::District => "Jugendamtsbezirke",
        }
    }

    fn no_such(self, shown: &str) -> String {
        match self {
            SubjectKind::Kita => format!("Keine Kita dieses Bezirks heißt „{shown}“."),
            SubjectKind::SocialSpace => {
                format!("Keinen Sozialraum dieses Bezirks namens „{shown}“ gibt es.")
            }
            SubjectKind::District => {
                format!("„{shown}“ ist kein Jugendamtsbezirk in Rheinland-Pfalz.")
            }
        }
    }
}

/// A Kita (or social space) of the district, as the file may name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownKita {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorValue {
    /// The Kita (or social space) the value describes.
    pub subject_id: i64,
    pub indicator: String,
    pub value: Decimal,
    /// From the row's `Stichtag`, if the file has that column.
    pub reference_date: Option<NaiveDate>,
    /// From the row's `Quelle`, if the file has that column.
    pub source: Option<String>,
    /// The row it came from.
    pub row: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorSheet {
    pub values: Vec<IndicatorValue>,
    /// Data rows read (one per Kita).
    pub rows: usize,
    /// Cells left empty: missing values, stored as such.
    pub empty_cells: usize,
    /// Notes that do not stop the import (Kitas of the district the file does not mention).
    pub warnings: Vec<Problem>,
}

const KITA_HEADERS: &[&str] = &[
    "kita",
    "einrichtung",
    "name",
    "kitaname",
    "kindertagesstatte",
];
const NUMBER_HEADERS: &[&str] = &["kitanr", "kitaid", "nr", "id", "einrichtungsnummer"];
const DATE_HEADERS: &[&str] = &["stichtag", "datum"];
const SOURCE_HEADERS: &[&str] = &["quelle"];

/// Similarity from which a name is offered as "did you mean".
pub(crate) const SUGGEST_FROM: f64 = 0.75;

/// Reads and checks a whole file. Either every value is fine, or the answer lists every problem
/// found (not just the first).
pub fn read_indicators(
    bytes: &[u8],
    kitas: &[KnownKita],
    expected: &[IndicatorColumn],
) -> Result<IndicatorSheet, Vec<Problem>> {
    read_values(bytes, SubjectKind::Kita, kitas, expected)
}

/// [`read_indicators`] for rows of any kind of subject.
pub fn read_values(
    bytes: &[u8],
    kind: SubjectKind,
    subjects: &[KnownKita],
    expected: &[IndicatorColumn],
) -> Result<IndicatorSheet, Vec<Problem>> {
    let table = read(bytes).map_err(|p| vec![p])?;
    check_table(&table, kind, subjects, expected)
}

enum Role {
    Kita,
    Number,
    Date,
    Source,
    Indicator(usize),
}

fn header_name(table: &Table, column: usize) -> String {
    let header = table.headers.get(column).map(String::as_str).unwrap_or("");
    format!("{} ({header})", column_letter(column))
}

pub fn check_table(
    table: &Table,
    kind: SubjectKind,
    kitas: &[KnownKita],
    expected: &[IndicatorColumn],
) -> Result<IndicatorSheet, Vec<Problem>> {
    let mut problems = Vec::new();
    let by_header: HashMap<String, usize> = expected
        .iter()
        .enumerate()
        .flat_map(|(i, c)| {
            [
                (normalize_header(&c.label), i),
                (normalize_header(&c.key), i),
            ]
        })
        .collect();

    let mut roles: Vec<Option<Role>> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (c, header) in table.headers.iter().enumerate() {
        let norm = normalize_header(header);
        let role = if norm.is_empty() {
            None
        } else if kind.name_headers().contains(&norm.as_str()) {
            Some(Role::Kita)
        } else if kind.number_headers().contains(&norm.as_str()) {
            Some(Role::Number)
        } else if DATE_HEADERS.contains(&norm.as_str()) {
            Some(Role::Date)
        } else if SOURCE_HEADERS.contains(&norm.as_str()) {
            Some(Role::Source)
        } else if let Some(&i) = by_header.get(&norm) {
            Some(Role::Indicator(i))
        } else {
            let known: Vec<&str> = expected.iter().map(|c| c.label.as_str()).collect();
            problems.push(Problem {
                row: None,
                column: Some(header_name(table, c)),
                message: format!(
                    "„{header}“ ist kein Indikator dieses Bezirks. Erwartet werden: {}.",
                    known.join(", ")
                ),
            });
            None
        };
        if !norm.is_empty() {
            let key = match &role {
                Some(Role::Indicator(i)) => expected[*i].key.clone(),
                _ => norm.clone(),
            };
            if let Some(first) = seen.insert(key, c) {
                problems.push(Problem {
                    row: None,
                    column: Some(header_name(table, c)),
                    message: format!(
                        "Die Spalte gibt es doppelt (schon in Spalte {}).",
                        column_letter(first)
                    ),
                });
            }
        }
        roles.push(role);
    }
    let column_of =
        |want: &dyn Fn(&Role) -> bool| roles.iter().position(|r| r.as_ref().is_some_and(want));
    let kita_col = column_of(&|r| matches!(r, Role::Kita));
    let number_col = column_of(&|r| matches!(r, Role::Number));
    let date_col = column_of(&|r| matches!(r, Role::Date));
    let source_col = column_of(&|r| matches!(r, Role::Source));
    if kita_col.is_none() && number_col.is_none() {
        problems.push(Problem::file(
            "Die Spalte „Kita“ fehlt: jede Zeile muss die Kita nennen (Name oder Kita-Nr.).".into(),
        ));
    }
    for (i, column) in expected.iter().enumerate() {
        if column_of(&|r| matches!(r, Role::Indicator(j) if *j == i)).is_none() {
            problems.push(Problem::file(format!(
                "Die Spalte „{}“ fehlt.",
                column.label
            )));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let by_id: HashMap<i64, &KnownKita> = kitas.iter().map(|k| (k.id, k)).collect();
    let by_name: HashMap<String, &KnownKita> =
        kitas.iter().map(|k| (name_key(&k.name), k)).collect();
    let mut first_row_of: HashMap<i64, usize> = HashMap::new();
    let mut values = Vec::new();
    let mut empty_cells = 0;

    for row in &table.rows {
        let kita = identify(
            table, row, kind, kita_col, number_col, &by_id, &by_name, kitas,
        );
        let kita = match kita {
            Ok(k) => k,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        if let Some(first) = first_row_of.insert(kita.id, row.number) {
            problems.push(Problem::at(
                row.number,
                None,
                format!(
                    "„{}“ steht doppelt in der Datei (schon in Zeile {first}).",
                    kita.name
                ),
            ));
            continue;
        }
        let reference_date = match date_col.map(|c| (c, table.cell(row, c))) {
            None | Some((_, Cell::Empty)) => None,
            Some((c, cell)) => match parse_date(&cell) {
                Ok(d) => Some(d),
                Err(message) => {
                    problems.push(Problem::at(
                        row.number,
                        Some(header_name(table, c)),
                        message,
                    ));
                    None
                }
            },
        };
        let source = source_col
            .map(|c| table.cell(row, c).shown())
            .filter(|s| !s.is_empty());
        for (c, role) in roles.iter().enumerate() {
            let Some(Role::Indicator(i)) = role else {
                continue;
            };
            let column = &expected[*i];
            let cell = table.cell(row, c);
            if cell.is_empty() {
                empty_cells += 1;
                continue;
            }
            match parse_value(&cell, column.share) {
                Ok(value) => values.push(IndicatorValue {
                    subject_id: kita.id,
                    indicator: column.key.clone(),
                    value,
                    reference_date,
                    source: source.clone(),
                    row: row.number,
                }),
                Err(message) => problems.push(Problem::at(
                    row.number,
                    Some(header_name(table, c)),
                    message,
                )),
            }
        }
    }
    if table.rows.is_empty() {
        problems.push(Problem::file(
            "Die Datei hat Überschriften, aber keine Datenzeilen.".into(),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let missing: Vec<&str> = kitas
        .iter()
        .filter(|k| !first_row_of.contains_key(&k.id))
        .map(|k| k.name.as_str())
        .collect();
    let mut warnings = Vec::new();
    if !missing.is_empty() {
        const SHOWN: usize = 10;
        let more = missing.len().saturating_sub(SHOWN);
        warnings.push(Problem::file(format!(
            "{} {} des Bezirks stehen nicht in der Datei; ihre Werte bleiben unbekannt: {}{}.",
            missing.len(),
            kind.plural(),
            missing[..missing.len().min(SHOWN)].join(", "),
            if more > 0 {
                format!(" und {more} weitere")
            } else {
                String::new()
            }
        )));
    }
    Ok(IndicatorSheet {
        values,
        rows: table.rows.len(),
        empty_cells,
        warnings,
    })
}

/// Names compared without case and with runs of spaces collapsed.
pub(crate) fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[allow(clippy::too_many_arguments)]
fn identify<'k>(
    table: &Table,
    row: &crate::Row,
    kind: SubjectKind,
    kita_col: Option<usize>,
    number_col: Option<usize>,
    by_id: &HashMap<i64, &'k KnownKita>,
    by_name: &HashMap<String, &'k KnownKita>,
    kitas: &'k [KnownKita],
) -> Result<&'k KnownKita, Problem> {
    let name = kita_col
        .map(|c| table.cell(row, c))
        .filter(|c| !c.is_empty());
    let number = number_col
        .map(|c| (c, table.cell(row, c)))
        .filter(|(_, c)| !c.is_empty());
    if let Some((c, cell)) = number {
        let id = match &cell {
            Cell::Number(n) if n.fract().is_zero() => i64::try_from(*n).ok(),
            Cell::Text(t) => t.trim().parse::<i64>().ok(),
            _ => None,
        };
        let Some(kita) = id.and_then(|id| by_id.get(&id)) else {
            return Err(Problem::at(
                row.number,
                Some(header_name(table, c)),
                kind.no_such_number(&cell.shown()),
            ));
        };
        if let Some(name) = &name {
            if name_key(&name.shown()) != name_key(&kita.name) {
                return Err(Problem::at(
                    row.number,
                    kita_col.map(|c| header_name(table, c)),
                    format!(
                        "{} {} ist „{}“, in der Zeile steht aber „{}“.",
                        kind.number_label(),
                        cell.shown(),
                        kita.name,
                        name.shown()
                    ),
                ));
            }
        }
        return Ok(kita);
    }
    let Some(name) = name else {
        return Err(Problem::at(
            row.number,
            kita_col.map(|c| header_name(table, c)),
            format!(
                "Die Zeile nennt keinen Eintrag der Spalte „{}“.",
                kind.noun()
            ),
        ));
    };
    let shown = name.shown();
    if let Some(kita) = by_name.get(&name_key(&shown)) {
        return Ok(kita);
    }
    let suggestion = kitas
        .iter()
        .map(|k| {
            let score = strsim::jaro_winkler(&name_key(&shown), &name_key(&k.name));
            (score, k)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.id.cmp(&a.1.id)))
        .filter(|(score, _)| *score >= SUGGEST_FROM)
        .map(|(_, k)| format!(" Meinten Sie „{}“?", k.name))
        .unwrap_or_default();
    Err(Problem::at(
        row.number,
        kita_col.map(|c| header_name(table, c)),
        format!("{}{suggestion}", kind.no_such(&shown)),
    ))
}

pub(crate) fn parse_date(cell: &Cell) -> Result<NaiveDate, String> {
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Text(t) => NaiveDate::parse_from_str(t.trim(), "%d.%m.%Y")
            .or_else(|_| NaiveDate::parse_from_str(t.trim(), "%Y-%m-%d"))
            .map_err(|_| format!("„{t}“ ist kein Datum (erwartet: TT.MM.JJJJ).")),
        other => Err(format!(
            "„{}“ ist kein Datum (erwartet: TT.MM.JJJJ).",
            other.shown()
        )),
    }
}

fn parse_value(cell: &Cell, share: bool) -> Result<Decimal, String> {
    let (value, percent) = match cell {
        Cell::Number(n) => (*n, false),
        Cell::Text(t) => {
            let n = parse_german(t).map_err(|e| format!("{e}: erwartet wird eine Zahl."))?;
            (n.value, n.percent)
        }
        Cell::Formula(f) => {
            return Err(format!(
                "Die Zelle enthält eine Formel (={f}). Bitte die Werte als Werte einfügen."
            ))
        }
        Cell::Date(d) => {
            return Err(format!(
                "Die Zelle enthält ein Datum ({}), erwartet wird eine Zahl.",
                d.format("%d.%m.%Y")
            ))
        }
        Cell::Bool(_) => {
            return Err("Die Zelle enthält WAHR/FALSCH, erwartet wird eine Zahl.".into())
        }
        Cell::Error(e) => return Err(format!("Die Zelle enthält einen Fehlerwert ({e}).")),
        Cell::Empty => return Err("leere Zelle".into()),
    };
    if value.is_sign_negative() && !value.is_zero() {
        return Err(format!(
            "{} ist negativ; Werte können nicht unter 0 liegen.",
            cell.shown()
        ));
    }
    if share {
        if value > Decimal::ONE {
            return Err(if percent {
                format!("{} liegt über 100 %.", cell.shown())
            } else {
                format!(
                    "{} ist als Anteil zu groß: Anteile als Bruch (0,125) oder mit Prozentzeichen (12,5 %) angeben; über 100 % geht nicht.",
                    cell.shown()
                )
            });
        }
    } else {
        if percent {
            return Err(format!(
                "{} ist ein Prozentwert, erwartet wird eine Anzahl.",
                cell.shown()
            ));
        }
        if !value.fract().is_zero() {
            return Err(format!(
                "{} ist keine ganze Zahl; erwartet wird eine Anzahl.",
                cell.shown()
            ));
        }
    }
    Ok(value.normalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kitas() -> Vec<KnownKita> {
        [
            "Kita Sonnenschein",
            "Kita Regenbogen",
            "Haus der kleinen Forscher",
        ]
        .iter()
        .enumerate()
        .map(|(i, n)| KnownKita {
            id: i as i64 + 10,
            name: n.to_string(),
        })
        .collect()
    }

    fn columns() -> Vec<IndicatorColumn> {
        vec![
            IndicatorColumn {
                key: "sgb2".into(),
                label: "Anteil SGB II".into(),
                share: true,
            },
            IndicatorColumn {
                key: "lang".into(),
                label: "Kinder nichtdeutscher Familiensprache".into(),
                share: false,
            },
        ]
    }

    fn problems(csv: &str) -> Vec<String> {
        read_indicators(csv.as_bytes(), &kitas(), &columns())
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    #[test]
    fn german_csv_is_read() {
        let csv = "Kita;Anteil SGB II;Kinder nichtdeutscher Familiensprache;Stichtag\n\
                   Kita Sonnenschein;12,5 %;1.234;01.03.2025\n\
                   kita  regenbogen;0,3;;\n";
        let sheet = read_indicators(csv.as_bytes(), &kitas(), &columns()).unwrap();
        assert_eq!(sheet.rows, 2);
        assert_eq!(sheet.empty_cells, 1);
        let v: Vec<(i64, &str, String)> = sheet
            .values
            .iter()
            .map(|v| (v.subject_id, v.indicator.as_str(), v.value.to_string()))
            .collect();
        assert_eq!(
            v,
            [
                (10, "sgb2", "0.125".into()),
                (10, "lang", "1234".into()),
                (11, "sgb2", "0.3".into())
            ]
        );
        assert_eq!(
            sheet.values[0].reference_date,
            NaiveDate::from_ymd_opt(2025, 3, 1)
        );
        assert_eq!(sheet.warnings.len(), 1);
        assert!(sheet.warnings[0]
            .message
            .contains("Haus der kleinen Forscher"));
    }

    #[test]
    fn every_problem_is_named_with_row_and_column() {
        let p = problems(
            "Kita;Anteil SGB II;Kinder nichtdeutscher Familiensprache\n\
             Kita Sonnenschien;10 %;3\n\
             Kita Regenbogen;120 %;viele\n\
             Kita Regenbogen;1;2\n\
             Haus der kleinen Forscher;12,5;-1\n",
        );
        assert_eq!(
            p,
            [
                "Zeile 2, Spalte A (Kita): Keine Kita dieses Bezirks heißt „Kita Sonnenschien“. Meinten Sie „Kita Sonnenschein“?",
                "Zeile 3, Spalte B (Anteil SGB II): 120 % liegt über 100 %.",
                "Zeile 3, Spalte C (Kinder nichtdeutscher Familiensprache): „viele“ ist keine Zahl: erwartet wird eine Zahl.",
                "Zeile 4: „Kita Regenbogen“ steht doppelt in der Datei (schon in Zeile 3).",
                "Zeile 5, Spalte B (Anteil SGB II): 12,5 ist als Anteil zu groß: Anteile als Bruch (0,125) oder mit Prozentzeichen (12,5 %) angeben; über 100 % geht nicht.",
                "Zeile 5, Spalte C (Kinder nichtdeutscher Familiensprache): -1 ist negativ; Werte können nicht unter 0 liegen.",
            ]
        );
    }

    #[test]
    fn missing_and_unknown_columns() {
        let p = problems("Einrichtung;Anteil SGB II;Elternbeitrag\nKita Regenbogen;0,1;3\n");
        assert_eq!(
            p,
            [
                "Spalte C (Elternbeitrag): „Elternbeitrag“ ist kein Indikator dieses Bezirks. Erwartet werden: Anteil SGB II, Kinder nichtdeutscher Familiensprache.",
                "Die Spalte „Kinder nichtdeutscher Familiensprache“ fehlt.",
            ]
        );
        let p = problems("Anteil SGB II;lang\n0,1;3\n");
        assert_eq!(
            p,
            ["Die Spalte „Kita“ fehlt: jede Zeile muss die Kita nennen (Name oder Kita-Nr.)."]
        );
        let p = problems("Kita;sgb2;lang\n");
        assert_eq!(p, ["Die Datei hat Überschriften, aber keine Datenzeilen."]);
    }

    #[test]
    fn number_column_wins_and_must_agree_with_the_name() {
        let csv = "Kita-Nr.;Kita;sgb2;lang\n11;Kita Regenbogen;0,2;4\n12;Kita Sonnenschein;0,2;4\n99;;0,1;1\n";
        let p = problems(csv);
        assert_eq!(
            p,
            [
                "Zeile 3, Spalte B (Kita): Kita-Nr. 12 ist „Haus der kleinen Forscher“, in der Zeile steht aber „Kita Sonnenschein“.",
                "Zeile 4, Spalte A (Kita-Nr.): Kita-Nr. „99“ gehört zu keinem Eintrag dieses Bezirks.",
            ]
        );
    }

    #[test]
    fn values_per_social_space() {
        let spaces = vec![
            KnownKita {
                id: 3,
                name: "Nord".into(),
            },
            KnownKita {
                id: 4,
                name: "Süd".into(),
            },
        ];
        let sheet = read_values(
            "Sozialraum;Anteil SGB II;lang\nNord;15 %;12\n".as_bytes(),
            SubjectKind::SocialSpace,
            &spaces,
            &columns(),
        )
        .unwrap();
        assert_eq!(sheet.values[0].subject_id, 3);
        assert!(sheet.warnings[0]
            .message
            .starts_with("1 Sozialräume des Bezirks"));
        let p = read_values(
            "Sozialraum;Anteil SGB II;lang\nSüdd;15 %;12\n".as_bytes(),
            SubjectKind::SocialSpace,
            &spaces,
            &columns(),
        )
        .unwrap_err();
        assert_eq!(
            p[0].to_string(),
            "Zeile 2, Spalte A (Sozialraum): Keinen Sozialraum dieses Bezirks namens „Südd“ gibt es. Meinten Sie „Süd“?"
        );
    }

    #[test]
    fn xlsx_formulas_dates_and_numbers() {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let date = Format::new().set_num_format("dd.mm.yyyy");
        for (c, h) in ["Kita", "Anteil SGB II", "lang"].iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        sheet.write_string(1, 0, "Kita Sonnenschein").unwrap();
        sheet.write_number(1, 1, 0.1).unwrap();
        sheet.write_number(1, 2, 7).unwrap();
        sheet.write_string(2, 0, "Kita Regenbogen").unwrap();
        sheet.write_formula(2, 1, "=B2*2").unwrap();
        let d = ExcelDateTime::from_ymd(2025, 3, 1).unwrap();
        sheet.write_datetime_with_format(2, 2, &d, &date).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let p: Vec<String> = read_indicators(&bytes, &kitas(), &columns())
            .unwrap_err()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            p,
            [
                "Zeile 3, Spalte B (Anteil SGB II): Die Zelle enthält eine Formel (=B2*2). Bitte die Werte als Werte einfügen.",
                "Zeile 3, Spalte C (lang): Die Zelle enthält ein Datum (01.03.2025), erwartet wird eine Zahl.",
            ]
        );
    }
}
