//! Imports of indicator values, the state key and Kitas: their inputs and reports.

use async_graphql::{InputObject, SimpleObject, Upload};
use chrono::NaiveDate;

use crate::error::bad_input;

use crate::explain::*;

/// Ein Eintrag des Importberichts: Zeile und Spalte, wie das Tabellenprogramm sie zeigt.
#[derive(SimpleObject)]
pub struct ImportProblem {
    pub row: Option<i32>,
    /// Spaltenbuchstabe und Überschrift, z. B. „C (Anteil SGB II)“.
    pub column: Option<String>,
    pub message: String,
}

impl From<&srb_sheets::Problem> for ImportProblem {
    fn from(p: &srb_sheets::Problem) -> Self {
        Self {
            row: p.row.map(|r| r as i32),
            column: p.column.clone(),
            message: p.message.clone(),
        }
    }
}

/// Ergebnis eines Imports: alles gespeichert oder nichts.
#[derive(SimpleObject)]
pub struct ImportReport {
    /// Die Datei ist fehlerfrei.
    pub ok: bool,
    /// Die Werte wurden gespeichert (nicht bei Fehlern und nicht im Probelauf).
    pub stored: bool,
    pub file_name: String,
    pub rows: i32,
    pub values: i32,
    pub empty_cells: i32,
    pub inserted: i32,
    pub updated: i32,
    pub unchanged: i32,
    /// Alle Fehler; ist die Liste nicht leer, wurde nichts gespeichert.
    pub problems: Vec<ImportProblem>,
    /// Hinweise, die den Import nicht verhindern.
    pub warnings: Vec<ImportProblem>,
}

#[derive(InputObject)]
pub struct ImportIndicatorValuesInput {
    pub district_ags: String,
    /// Datenjahr der Werte; andere Jahre bleiben unberührt.
    pub year: i32,
    /// CSV oder XLSX (höchstens 10 MB).
    pub file: Upload,
    /// Stichtag der Werte (eine Spalte „Stichtag“ in der Datei gilt für ihre Zeile).
    pub reference_date: NaiveDate,
    /// Quelle der Werte (eine Spalte „Quelle“ in der Datei gilt für ihre Zeile).
    pub source: String,
    /// Nur prüfen, nichts speichern.
    #[graphql(default)]
    pub dry_run: bool,
    /// Nur diese Indikatoren (Kurznamen) erwarten; sonst alle Indikatoren der Ebene.
    pub indicators: Option<Vec<String>>,
    /// Wofür die Zeilen stehen: Kitas (Standard) oder Sozialräume (für Indikatoren auf
    /// Sozialraum-Ebene; die Kitas eines Sozialraums übernehmen seine Werte).
    #[graphql(default_with = "IndicatorLevel::Kita")]
    pub level: IndicatorLevel,
}

#[derive(InputObject)]
pub struct ImportStateKeyInput {
    /// Datenjahr der Kinderzahlen.
    pub year: i32,
    /// CSV oder XLSX: eine Zeile je Jugendamtsbezirk (Spalte „Bezirk“ oder „AGS“), Spalten
    /// „Kinder unter 7 Jahren“ und „Kinder unter 7 Jahren in SGB-II-Bedarfsgemeinschaften“.
    pub file: Upload,
    pub reference_date: NaiveDate,
    pub source: String,
    #[graphql(default)]
    pub dry_run: bool,
}

#[derive(InputObject)]
pub struct ImportKitasInput {
    pub district_ags: String,
    /// CSV oder XLSX: Kita, Plätze; optional Straße, PLZ, Ort, davon unter 3, Träger, Sozialraum,
    /// Familienzentrum.
    pub file: Upload,
    /// Nur prüfen, nichts speichern.
    #[graphql(default)]
    pub dry_run: bool,
}

/// Ergebnis eines Kita-Imports: alles gespeichert oder nichts.
#[derive(SimpleObject)]
pub struct KitaImportReport {
    pub ok: bool,
    pub stored: bool,
    pub rows: i32,
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub problems: Vec<ImportProblem>,
}

#[derive(InputObject)]
pub struct CreateIndicatorDefinitionInput {
    /// Bezirk; leer für einen landesweiten Indikator (nur Administration).
    pub district_ags: Option<String>,
    pub key: String,
    pub label: String,
    pub unit: IndicatorUnit,
    #[graphql(default_with = "IndicatorLevel::Kita")]
    pub level: IndicatorLevel,
    #[graphql(default_with = "IndicatorDirection::MoreIsNeed")]
    pub direction: IndicatorDirection,
    pub description: Option<String>,
}

pub(crate) fn indicator_key(raw: &str) -> async_graphql::Result<String> {
    let key = raw.trim();
    let ok = !key.is_empty()
        && key.len() <= 40
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && key.starts_with(|c: char| c.is_ascii_lowercase());
    if ok {
        Ok(key.to_owned())
    } else {
        Err(bad_input(
            "input.key",
            "Der Kurzname besteht aus Kleinbuchstaben, Ziffern und _ (höchstens 40 Zeichen) und beginnt mit einem Buchstaben.",
        ))
    }
}
