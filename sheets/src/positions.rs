//! The positions register as a spreadsheet, in and out with the same columns: a district
//! exports it, edits it (or fills it the first time) and imports it again. A row with a „Nr.“
//! updates that position, given the „Version“ it was exported with; a row without one is a new
//! position. Every problem names its row and column; rows come back only when there is none.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use srb_domain::{EmployerKind, PositionRole, PositionStatus};

use crate::indicators::{name_key, parse_date, KnownKita, SUGGEST_FROM};
use crate::number::parse_german;
use crate::table::{column_letter, read, Cell, Row, Table};
use crate::{normalize_header, Problem, MAX_ROWS};

/// The columns, as the export writes them and the import reads them.
pub const HEADERS: [&str; 14] = [
    "Nr.",
    "Version",
    "Bezeichnung",
    "Rolle",
    "Säule",
    "VZÄ",
    "Entgeltgruppe",
    "Anstellungsträger",
    "Art des Trägers",
    "Dienstaufsicht",
    "Fachaufsicht",
    "Kitas (Anteil)",
    "Stand",
    "Seit",
];

/// One checked row.
#[derive(Debug, Clone, PartialEq)]
pub struct PositionRow {
    pub row: usize,
    /// The position it updates, with the version read.
    pub update: Option<(i64, i32)>,
    pub title: String,
    pub role: PositionRole,
    /// As written: the pillar's id or name (checked against the plan by the caller).
    pub pillar: String,
    pub fte: Decimal,
    pub pay_grade: Option<String>,
    pub employer_name: String,
    pub employer_kind: EmployerKind,
    pub line_supervision: String,
    pub professional_supervision: String,
    pub kitas: Vec<(i64, Decimal)>,
    pub status: PositionStatus,
    pub status_since: NaiveDate,
}

/// The column letter and header of column `index` of `HEADERS`, for problems the caller finds.
pub fn column_of(index: usize) -> String {
    format!("{} ({})", column_letter(index), HEADERS[index])
}

fn choice<T: Copy>(
    text: &str,
    all: &[T],
    german: impl Fn(T) -> &'static str,
    code: impl Fn(T) -> &'static str,
) -> Option<T> {
    let key = normalize_header(text);
    all.iter()
        .copied()
        .find(|v| normalize_header(german(*v)) == key || normalize_header(code(*v)) == key)
}

/// `Kita A (0,5); Kita B (0,5)`, or one Kita without a share (all of it).
fn kitas_of(text: &str, kitas: &[KnownKita]) -> Result<Vec<(i64, Decimal)>, String> {
    let by_name: HashMap<String, &KnownKita> =
        kitas.iter().map(|k| (name_key(&k.name), k)).collect();
    let parts: Vec<&str> = text
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return Err("Bitte mindestens eine Kita nennen, z. B. „Kita Sonnenschein (0,5); Kita Regenbogen (0,5)“.".into());
    }
    let mut out = Vec::new();
    for part in &parts {
        let (name, share) = match part.rsplit_once('(') {
            Some((name, rest)) if rest.trim_end().ends_with(')') => {
                let share = rest.trim_end().trim_end_matches(')').trim();
                let share = parse_german(share)
                    .map_err(|e| format!("Der Anteil von „{}“ ist keine Zahl ({e}).", name.trim()))?
                    .value;
                (name.trim(), share)
            }
            _ if parts.len() == 1 => (*part, Decimal::ONE),
            _ => {
                return Err(format!(
                    "Bei mehreren Kitas braucht jede ihren Anteil in Klammern: „{part}“."
                ))
            }
        };
        let Some(k) = by_name.get(&name_key(name)) else {
            let suggestion = kitas
                .iter()
                .map(|k| (strsim::jaro_winkler(&name_key(name), &name_key(&k.name)), k))
                .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.id.cmp(&a.1.id)))
                .filter(|(score, _)| *score >= SUGGEST_FROM)
                .map(|(_, k)| format!(" Meinten Sie „{}“?", k.name))
                .unwrap_or_default();
            return Err(format!(
                "Die Kita „{name}“ gibt es in diesem Bezirk nicht.{suggestion}"
            ));
        };
        out.push((k.id, share));
    }
    Ok(out)
}

struct Columns {
    at: Vec<Option<usize>>,
}

impl Columns {
    fn of(table: &Table) -> Self {
        Self {
            at: HEADERS
                .iter()
                .map(|h| {
                    table
                        .headers
                        .iter()
                        .position(|t| normalize_header(t) == normalize_header(h))
                })
                .collect(),
        }
    }
}

/// Reads a positions file against the district's Kitas.
pub fn read_positions(bytes: &[u8], kitas: &[KnownKita]) -> Result<Vec<PositionRow>, Vec<Problem>> {
    let mut table = read(bytes).map_err(|p| vec![p])?;
    // The export puts a title above the header row: the header is the first row that names
    // the columns.
    if Columns::of(&table).at[2].is_none() {
        if let Some(i) = table.rows.iter().take(5).position(|r| {
            r.cells
                .iter()
                .any(|c| normalize_header(&c.shown()) == normalize_header(HEADERS[2]))
        }) {
            table.headers = table.rows[i].cells.iter().map(|c| c.shown()).collect();
            table.rows.drain(..=i);
        }
    }
    let cols = Columns::of(&table);
    let required = [2usize, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13];
    let missing: Vec<&str> = required
        .iter()
        .filter(|i| cols.at[**i].is_none())
        .map(|i| HEADERS[*i])
        .collect();
    if !missing.is_empty() {
        return Err(vec![Problem::file(format!(
            "Der Datei fehlen die Spalten {}; am einfachsten das Stellenregister herunterladen und darin arbeiten.",
            missing.iter().map(|m| format!("„{m}“")).collect::<Vec<_>>().join(", ")
        ))]);
    }
    if table.rows.len() > MAX_ROWS {
        return Err(vec![Problem::file(format!(
            "Die Datei hat {} Zeilen; höchstens {MAX_ROWS} sind erlaubt.",
            table.rows.len()
        ))]);
    }
    let column =
        |i: usize| cols.at[i].map(|c| format!("{} ({})", column_letter(c), table.headers[c]));
    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for r in &table.rows {
        match read_row(&table, r, &cols, kitas) {
            Ok(row) => rows.push(row),
            Err((i, message)) => problems.push(Problem::at(r.number, column(i), message)),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn read_row(
    table: &Table,
    r: &Row,
    cols: &Columns,
    kitas: &[KnownKita],
) -> Result<PositionRow, (usize, String)> {
    let cell = |i: usize| cols.at[i].map(|c| table.cell(r, c)).unwrap_or(Cell::Empty);
    let text = |i: usize| cell(i).shown();
    let needed = |i: usize| {
        let t = text(i);
        if t.is_empty() {
            Err((i, format!("„{}“ fehlt.", HEADERS[i])))
        } else {
            Ok(t)
        }
    };
    let whole = |i: usize| -> Result<Option<i64>, (usize, String)> {
        match cell(i) {
            Cell::Empty => Ok(None),
            Cell::Number(n) if n.fract().is_zero() => Ok(i64::try_from(n).ok()),
            c => c
                .shown()
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| (i, format!("„{}“ ist keine ganze Zahl.", c.shown()))),
        }
    };
    let id = whole(0)?;
    let version = whole(1)?;
    let update = match (id, version) {
        (Some(id), Some(v)) => Some((id, i32::try_from(v).unwrap_or(0))),
        (None, None) => None,
        (Some(_), None) => {
            return Err((
                1,
                "Zu einer Nr. gehört die Version, mit der die Stelle heruntergeladen wurde.".into(),
            ))
        }
        (None, Some(_)) => {
            return Err((
                0,
                "Eine Version ohne Nr.: welche Stelle ist gemeint?".into(),
            ))
        }
    };
    let role_text = needed(3)?;
    let role = choice(
        &role_text,
        PositionRole::ALL,
        PositionRole::german,
        PositionRole::as_str,
    )
    .ok_or_else(|| {
        (
            3,
            format!(
                "„{role_text}“ ist keine Rolle; möglich sind: {}.",
                PositionRole::ALL
                    .iter()
                    .map(|r| r.german())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let fte = match cell(5) {
        Cell::Number(n) => n,
        Cell::Empty => return Err((5, "„VZÄ“ fehlt.".into())),
        c => {
            parse_german(&c.shown())
                .map_err(|e| (5, format!("Der Stellenumfang ist keine Zahl ({e}).")))?
                .value
        }
    };
    let kind_text = needed(8)?;
    let employer_kind = choice(
        &kind_text,
        EmployerKind::ALL,
        EmployerKind::german,
        EmployerKind::as_str,
    )
    .ok_or_else(|| {
        (
            8,
            format!(
                "„{kind_text}“ ist keine Art des Trägers; möglich sind: {}.",
                EmployerKind::ALL
                    .iter()
                    .map(|r| r.german())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let status_text = needed(12)?;
    let status = choice(
        &status_text,
        PositionStatus::ALL,
        PositionStatus::german,
        PositionStatus::as_str,
    )
    .ok_or_else(|| {
        (
            12,
            format!("„{status_text}“ ist kein Stand; möglich sind: geplant, besetzt, unbesetzt."),
        )
    })?;
    let pay = text(6);
    Ok(PositionRow {
        row: r.number,
        update,
        title: needed(2)?,
        role,
        pillar: needed(4)?,
        fte,
        pay_grade: (!pay.is_empty()).then_some(pay),
        employer_name: needed(7)?,
        employer_kind,
        line_supervision: needed(9)?,
        professional_supervision: needed(10)?,
        kitas: kitas_of(&needed(11)?, kitas).map_err(|m| (11, m))?,
        status,
        status_since: parse_date(&cell(13)).map_err(|m| (13, m))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kitas() -> Vec<KnownKita> {
        vec![
            KnownKita {
                id: 1,
                name: "Kita Sonnenschein".into(),
            },
            KnownKita {
                id: 2,
                name: "Kita Regenbogen".into(),
            },
        ]
    }

    fn file(rows: &[&str]) -> Vec<u8> {
        let mut s = HEADERS.join(";");
        for r in rows {
            s.push('\n');
            s.push_str(r);
        }
        s.into_bytes()
    }

    #[test]
    fn reads_a_shared_position_and_an_update() {
        let bytes = file(&[
            ";;KiSa Nord;Kita-Sozialarbeit;Kita-Sozialarbeit;0,75;S 11b;Caritas;Kita-Träger;Caritas;Jugendamt;\"Kita Sonnenschein (0,5); Kita Regenbogen (0,5)\";besetzt;01.02.2025",
            "7;3;KiSa Süd;KITA_SOCIAL_WORK;kisa;1;;Jugendamt;Jugendamt;Jugendamt;Jugendamt;kita regenbogen;unbesetzt;2025-03-01",
        ]);
        let rows = read_positions(&bytes, &kitas()).unwrap();
        assert_eq!(
            rows[0].kitas,
            vec![(1, Decimal::new(5, 1)), (2, Decimal::new(5, 1))]
        );
        assert_eq!(rows[0].status, PositionStatus::Filled);
        assert_eq!(rows[0].employer_kind, EmployerKind::KitaProvider);
        assert_eq!(rows[1].update, Some((7, 3)));
        assert_eq!(rows[1].kitas, vec![(2, Decimal::ONE)]);
    }

    #[test]
    fn names_row_and_column_with_the_closest_kita() {
        let bytes = file(&[
            ";;KiSa;Kita-Sozialarbeit;kisa;1;;J;Jugendamt;J;J;Kita Sonnenscheen;besetzt;01.02.2025",
            ";;KiSa;Hausmeister;kisa;1;;J;Jugendamt;J;J;Kita Sonnenschein;besetzt;01.02.2025",
        ]);
        let problems = read_positions(&bytes, &kitas()).unwrap_err();
        assert_eq!(problems[0].row, Some(2));
        assert_eq!(problems[0].column.as_deref(), Some("L (Kitas (Anteil))"));
        assert!(
            problems[0]
                .message
                .contains("Meinten Sie „Kita Sonnenschein“"),
            "{}",
            problems[0].message
        );
        assert_eq!(problems[1].column.as_deref(), Some("D (Rolle)"));
    }
}
