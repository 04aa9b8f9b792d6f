//! Spending (Mittelabruf) of a year as districts keep it in a spreadsheet: one row per pillar,
//! or per pillar and quarter; columns „Säule“, „Quartal“ (optional, empty is the whole year)
//! and „Betrag“ in euros.

use rust_decimal::Decimal;

use crate::number::parse_german;
use crate::table::{column_letter, read, Cell};
use crate::{normalize_header, Problem, MAX_ROWS};

/// One checked row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendingRow {
    pub row: usize,
    /// The pillar's id in the official plan.
    pub pillar_id: String,
    /// 1 to 4; 0 the whole year.
    pub quarter: i32,
    /// Cents.
    pub amount: i64,
}

/// Reads the file against the pillars of the year's official plan (`(id, name)`); a pillar is
/// named by either. Every problem is reported; rows come back only when there is none.
pub fn read_spending(
    bytes: &[u8],
    pillars: &[(String, String)],
) -> Result<Vec<SpendingRow>, Vec<Problem>> {
    let table = read(bytes).map_err(|p| vec![p])?;
    let find = |names: &[&str]| {
        table
            .headers
            .iter()
            .position(|h| names.contains(&normalize_header(h).as_str()))
    };
    let pillar_col = find(&["saule", "saeule", "pillar"]);
    let quarter_col = find(&["quartal", "quarter"]);
    let amount_col = find(&[
        "betrag",
        "betrageuro",
        "betragineuro",
        "mittelabruf",
        "ausgaben",
    ]);
    let (Some(pillar_col), Some(amount_col)) = (pillar_col, amount_col) else {
        return Err(vec![Problem::file(
            "Die Datei braucht die Spalten „Säule“ und „Betrag“ (und wahlweise „Quartal“).".into(),
        )]);
    };
    if table.rows.len() > MAX_ROWS {
        return Err(vec![Problem::file(format!(
            "Die Datei hat {} Zeilen; höchstens {MAX_ROWS} sind erlaubt.",
            table.rows.len()
        ))]);
    }
    let column = |i: usize| format!("{} ({})", column_letter(i), table.headers[i]);
    let mut problems = Vec::new();
    let mut rows: Vec<SpendingRow> = Vec::new();
    for r in &table.rows {
        let text = table.cell(r, pillar_col).shown();
        let pillar = pillars
            .iter()
            .find(|(id, name)| id == &text || normalize_header(name) == normalize_header(&text));
        let Some((pillar_id, _)) = pillar else {
            let known: Vec<&str> = pillars.iter().map(|(_, n)| n.as_str()).collect();
            problems.push(Problem::at(
                r.number,
                Some(column(pillar_col)),
                format!(
                    "„{text}“ ist keine Säule des offiziellen Plans; bekannt sind: {}.",
                    known.join(", ")
                ),
            ));
            continue;
        };
        let quarter = match quarter_col.map(|c| table.cell(r, c)) {
            None | Some(Cell::Empty) => Ok(0),
            Some(Cell::Number(n)) if n.fract().is_zero() && (1..=4).contains(&n.mantissa()) => {
                Ok(i32::try_from(n.mantissa()).unwrap_or(0))
            }
            Some(c) => {
                let t = c.shown();
                match t.trim_start_matches(['Q', 'q']).trim().parse::<i32>() {
                    Ok(q @ 1..=4) => Ok(q),
                    _ if t.trim().is_empty() => Ok(0),
                    _ => Err(format!("Ein Quartal ist 1, 2, 3 oder 4, nicht „{t}“.")),
                }
            }
        };
        let quarter = match quarter {
            Ok(q) => q,
            Err(m) => {
                problems.push(Problem::at(r.number, quarter_col.map(column), m));
                continue;
            }
        };
        let amount = match table.cell(r, amount_col) {
            Cell::Number(n) => Ok(n),
            Cell::Text(t) => parse_german(t.trim_end_matches('€').trim())
                .map(|n| n.value)
                .map_err(|e| format!("Der Betrag ist keine Zahl ({e}).")),
            Cell::Empty => Err("Der Betrag fehlt.".into()),
            c => Err(format!("„{}“ ist kein Betrag.", c.shown())),
        }
        .and_then(|euros| {
            if euros < Decimal::ZERO {
                return Err("Ein Betrag ist nicht negativ.".into());
            }
            let cents = euros * Decimal::ONE_HUNDRED;
            if cents.fract() != Decimal::ZERO {
                return Err("Ein Betrag hat höchstens zwei Nachkommastellen (Cent).".into());
            }
            i64::try_from(cents).map_err(|_| "Der Betrag ist zu groß.".to_string())
        });
        let amount = match amount {
            Ok(a) => a,
            Err(m) => {
                problems.push(Problem::at(r.number, Some(column(amount_col)), m));
                continue;
            }
        };
        if rows
            .iter()
            .any(|o| o.pillar_id == *pillar_id && o.quarter == quarter)
        {
            problems.push(Problem::at(
                r.number,
                Some(column(pillar_col)),
                "Diese Säule steht für diesen Zeitraum schon in einer früheren Zeile.".into(),
            ));
            continue;
        }
        rows.push(SpendingRow {
            row: r.number,
            pillar_id: pillar_id.clone(),
            quarter,
            amount,
        });
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

    fn pillars() -> Vec<(String, String)> {
        vec![
            ("kisa".into(), "Kita-Sozialarbeit".into()),
            ("ikf".into(), "Interkulturelle Fachkräfte".into()),
        ]
    }

    #[test]
    fn reads_german_amounts_by_pillar_name_or_id() {
        let csv = "Säule;Quartal;Betrag\nKita-Sozialarbeit;1;12.500,50\nikf;;3000\n";
        let rows = read_spending(csv.as_bytes(), &pillars()).unwrap();
        assert_eq!(rows[0].amount, 1_250_050);
        assert_eq!((rows[0].quarter, rows[1].quarter), (1, 0));
        assert_eq!(rows[1].pillar_id, "ikf");
    }

    #[test]
    fn names_row_and_column_of_every_problem() {
        let csv = "Säule;Quartal;Betrag\nSprachförderung;1;10\nikf;5;10\nkisa;2;-1\n";
        let problems = read_spending(csv.as_bytes(), &pillars()).unwrap_err();
        assert_eq!(problems.len(), 3);
        assert_eq!(problems[0].row, Some(2));
        assert_eq!(problems[0].column.as_deref(), Some("A (Säule)"));
        assert!(problems[0].message.contains("Sprachförderung"));
        assert_eq!(problems[1].column.as_deref(), Some("B (Quartal)"));
        assert_eq!(problems[2].row, Some(4));
    }
}
