//! The spreadsheets district coordinators work with. In: indicator values per Kita, as CSV or
//! XLSX written by German software; bytes in, checked rows or a list of problems out, storing is
//! the caller's business (all or nothing). Out: runs, comparisons and import templates as XLSX
//! and CSV ([`export`]). Pure: no IO beyond the bytes given.
//!
//! Every problem names its row and column as the spreadsheet program shows them, and says why in
//! German, so the report can be read next to the file.

pub mod download;
pub mod export;
pub mod indicators;
pub mod kitas;
pub mod number;
pub mod positions;
pub mod spending;
pub mod table;

use std::fmt;

pub use indicators::{
    read_indicators, read_values, IndicatorColumn, IndicatorSheet, IndicatorValue, KnownKita,
    SubjectKind,
};
pub use kitas::{read_kitas, KitaRow};
pub use positions::{read_positions, PositionRow};
pub use spending::{read_spending, SpendingRow};
pub use table::{read, Cell, Row, Table, MAX_FILE_BYTES, MAX_ROWS};

/// One entry of an import report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Row number as the spreadsheet shows it; none for the whole file.
    pub row: Option<usize>,
    /// Column letter and header, e.g. `C (Anteil SGB II)`; none for a whole row or file.
    pub column: Option<String>,
    pub message: String,
}

impl Problem {
    /// A problem of the whole file.
    pub fn file(message: String) -> Self {
        Self {
            row: None,
            column: None,
            message,
        }
    }

    pub fn at(row: usize, column: Option<String>, message: String) -> Self {
        Self {
            row: Some(row),
            column,
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, &self.column) {
            (Some(r), Some(c)) => write!(f, "Zeile {r}, Spalte {c}: {}", self.message),
            (Some(r), None) => write!(f, "Zeile {r}: {}", self.message),
            (None, Some(c)) => write!(f, "Spalte {c}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

/// Header text compared loosely: case, spaces, hyphens, underscores and a unit suffix such as
/// `(%)` or `in %` do not matter.
pub fn normalize_header(text: &str) -> String {
    let lower = text.trim().to_lowercase();
    let lower = lower
        .trim_end_matches("(%)")
        .trim_end_matches("in %")
        .trim_end_matches('%');
    lower
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            c => c,
        })
        .collect()
}
