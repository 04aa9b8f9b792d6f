//! Results going back out as spreadsheets for the youth-welfare committee: numbers stay numbers
//! (with German display formats, which Excel localises), one sheet per pillar, a summary and the
//! parameters; and CSV as German Excel reads it (UTF-8 with byte order mark, `;`, decimal comma).

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use srb_allocation::compare::Comparison;
use srb_allocation::index::{Direction, Normalization};
use srb_allocation::reason::{Part, Reason};
use srb_allocation::ConceptResult;
use srb_domain::{Disclosure, WITHHELD};
use std::collections::HashSet;

use crate::indicators::{IndicatorColumn, KnownKita};

/// What the spreadsheet says about where a result comes from.
#[derive(Debug, Clone, Default)]
pub struct RunInfo {
    pub district: String,
    pub concept: String,
    pub year: i32,
    pub run_id: String,
    pub computed_at: String,
    pub engine_version: String,
    /// How the budget was reached, as label and euros (Landesmittel, Gesamtbudget, …).
    pub budget_lines: Vec<(String, i64)>,
}

/// What the reader of an export may see of a result: the small-count rule's
/// [`Disclosure`], and which indicators count children (their small values are withheld).
pub struct Shown<'a> {
    pub disclosure: &'a Disclosure,
    pub is_count: &'a dyn Fn(&str) -> bool,
}

impl Shown<'_> {
    /// The German reason of a Kita's pillar, with what the reader may not see left out.
    pub fn reason(&self, kita: usize, reason: &Reason) -> String {
        let d = self.disclosure;
        reason
            .withholding(&|part| match part {
                Part::Index | Part::Rank => !d.index(kita),
                Part::Mean => !d.statistics(),
                Part::Indicator(key, v) => !d.indicator_value((self.is_count)(key), v),
            })
            .to_string()
    }
}

/// Kitas whose rank a reader may not see, in run A and run B of a comparison (by Kita number).
#[derive(Debug, Clone, Default)]
pub struct HiddenRanks {
    pub a: HashSet<String>,
    pub b: HashSet<String>,
}

struct Formats {
    bold: Format,
    euro: Format,
    share: Format,
    fte: Format,
    index: Format,
}

impl Formats {
    fn new() -> Self {
        Self {
            bold: Format::new().set_bold(),
            euro: Format::new().set_num_format("#,##0.00 \"€\""),
            share: Format::new().set_num_format("0.00%"),
            fte: Format::new().set_num_format("0.00"),
            index: Format::new().set_num_format("0.000"),
        }
    }
}

fn euros(cents: i64) -> f64 {
    cents as f64 / 100.0
}

fn num(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`, unique within the workbook.
fn sheet_name(name: &str, taken: &mut Vec<String>) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let base: String = clean.chars().take(28).collect();
    let mut candidate = base.clone();
    let mut n = 2;
    while taken
        .iter()
        .any(|t| t.to_lowercase() == candidate.to_lowercase())
    {
        candidate = format!("{base} {n}");
        n += 1;
    }
    taken.push(candidate.clone());
    candidate
}

fn header(sheet: &mut Worksheet, row: u32, titles: &[&str], f: &Formats) -> Result<(), XlsxError> {
    for (c, t) in titles.iter().enumerate() {
        sheet.write_string_with_format(row, c as u16, *t, &f.bold)?;
    }
    Ok(())
}

fn normalization_de(n: Normalization) -> &'static str {
    match n {
        Normalization::Raw => "Rohwert",
        Normalization::RatioToMean => "Verhältnis zum Bezirksmittel",
        Normalization::ZScore => "z-Wert",
        Normalization::MinMax => "Min-Max (0 bis 1)",
        Normalization::PercentRank => "Perzentilrang",
    }
}

fn direction_de(d: Direction) -> &'static str {
    match d {
        Direction::MoreIsWorse => "mehr = mehr Bedarf",
        Direction::MoreIsBetter => "mehr = weniger Bedarf",
    }
}

fn info_rows(sheet: &mut Worksheet, info: &RunInfo, f: &Formats) -> Result<u32, XlsxError> {
    let rows: [(&str, &str); 6] = [
        ("Bezirk", &info.district),
        ("Konzeption", &info.concept),
        ("Lauf", &info.run_id),
        ("Berechnet am", &info.computed_at),
        ("Version der Berechnung", &info.engine_version),
        ("", ""),
    ];
    let mut r = 0;
    for (label, value) in rows {
        if !label.is_empty() {
            sheet.write_string_with_format(r, 0, label, &f.bold)?;
            sheet.write_string(r, 1, value)?;
        }
        r += 1;
    }
    sheet.write_string_with_format(r - 1, 0, "Jahr", &f.bold)?;
    sheet.write_number(r - 1, 1, info.year)?;
    Ok(r + 1)
}

/// A run as a workbook: summary, Kitas, one sheet per pillar, parameters.
pub fn run_xlsx(
    info: &RunInfo,
    result: &ConceptResult,
    shown: &Shown<'_>,
) -> Result<Vec<u8>, XlsxError> {
    let dis = shown.disclosure;
    let f = Formats::new();
    let mut book = Workbook::new();
    let mut taken = vec!["Übersicht".to_string(), "Kitas".into(), "Parameter".into()];

    let sheet = book.add_worksheet().set_name("Übersicht")?;
    let mut r = info_rows(sheet, info, &f)?;
    for (label, cents) in &info.budget_lines {
        sheet.write_string_with_format(r, 0, label, &f.bold)?;
        sheet.write_number_with_format(r, 1, euros(*cents), &f.euro)?;
        r += 1;
    }
    sheet.write_string_with_format(r, 0, "Budget der Konzeption", &f.bold)?;
    sheet.write_number_with_format(r, 1, euros(result.budget), &f.euro)?;
    r += 1;
    sheet.write_string_with_format(r, 0, "keiner Säule zugeordnet", &f.bold)?;
    sheet.write_number_with_format(r, 1, euros(result.unassigned), &f.euro)?;
    r += 2;
    header(
        sheet,
        r,
        &["Säule", "Budget", "übernommen", "verteilt", "Rest", "VZÄ"],
        &f,
    )?;
    for p in &result.pillars {
        r += 1;
        sheet.write_string(r, 0, &p.name)?;
        sheet.write_number_with_format(r, 1, euros(p.budget), &f.euro)?;
        sheet.write_number_with_format(r, 2, euros(p.received), &f.euro)?;
        sheet.write_number_with_format(r, 3, euros(p.allocated), &f.euro)?;
        sheet.write_number_with_format(r, 4, euros(p.leftover), &f.euro)?;
        sheet.write_number_with_format(r, 5, num(p.fte), &f.fte)?;
    }
    r += 2;
    let m = &result.measures;
    sheet.write_string_with_format(r, 0, "Verteilungsmaße", &f.bold)?;
    let measures: [(&str, Option<f64>, &Format); 6] = [
        ("Kitas erreicht", Some(m.kitas_reached as f64), &f.fte),
        ("Kitas gesamt", Some(m.kitas_total as f64), &f.fte),
        ("Plätze erreicht", Some(m.places_reached as f64), &f.fte),
        ("Gini (€ je Platz)", Some(num(m.gini_per_place)), &f.index),
        (
            "Anteil an das bedürftigste Viertel",
            m.share_to_top_quarter.map(num),
            &f.share,
        ),
        (
            "Rangkorrelation Bedarf und € je Platz",
            m.need_correlation.map(num),
            &f.index,
        ),
    ];
    for (label, value, format) in measures {
        r += 1;
        sheet.write_string(r, 0, label)?;
        match value {
            Some(v) => sheet.write_number_with_format(r, 1, v, format)?,
            None => sheet.write_string(r, 1, "–")?,
        };
    }
    sheet.set_column_width(0, 38)?;
    sheet.set_column_width(1, 22)?;
    sheet.set_column_range_width(2, 5, 16)?;

    let sheet = book.add_worksheet().set_name("Kitas")?;
    let mut titles: Vec<String> = ["Kita-Nr.", "Kita", "Index", "Rang", "Betrag", "VZÄ"]
        .map(String::from)
        .to_vec();
    titles.extend(result.pillars.iter().map(|p| p.name.clone()));
    titles.extend(["Vorjahr".to_string(), "Veränderung".to_string()]);
    titles.extend(
        result
            .index_terms
            .iter()
            .map(|t| format!("Beitrag {}", t.indicator)),
    );
    let titles_ref: Vec<&str> = titles.iter().map(String::as_str).collect();
    header(sheet, 0, &titles_ref, &f)?;
    for (i, k) in result.kitas.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &k.id)?;
        sheet.write_string(r, 1, &k.name)?;
        write_index(sheet, r, k, dis.index(i), &f)?;
        sheet.write_number_with_format(r, 4, euros(k.amount), &f.euro)?;
        sheet.write_number_with_format(r, 5, num(k.fte), &f.fte)?;
        let mut c = 6u16;
        for p in &k.pillars {
            sheet.write_number_with_format(r, c, euros(p.amount), &f.euro)?;
            c += 1;
        }
        if let Some(prev) = k.previous_amount {
            sheet.write_number_with_format(r, c, euros(prev), &f.euro)?;
        }
        if let Some(change) = k.change {
            sheet.write_number_with_format(r, c + 1, euros(change), &f.euro)?;
        }
        c += 2;
        for (ti, t) in k.contributions.iter().enumerate() {
            if dis.derived(i, ti) {
                sheet.write_number_with_format(r, c, num(t.contribution), &f.index)?;
            } else {
                sheet.write_string(r, c, WITHHELD)?;
            }
            c += 1;
        }
    }
    sheet.set_column_width(1, 36)?;
    sheet.set_freeze_panes(1, 2)?;

    for (pi, p) in result.pillars.iter().enumerate() {
        let name = sheet_name(&p.name, &mut taken);
        let sheet = book.add_worksheet().set_name(&name)?;
        header(
            sheet,
            0,
            &[
                "Kita-Nr.",
                "Kita",
                "Index",
                "Rang",
                "berechtigt",
                "Begründung",
                "Rohanteil",
                "gedeckelt",
                "angehoben",
                "Betrag",
                "VZÄ",
                "Wochenstunden",
                "Vorjahr",
                "schrittweise begrenzt",
            ],
            &f,
        )?;
        for (i, k) in result.kitas.iter().enumerate() {
            let r = i as u32 + 1;
            let kp = &k.pillars[pi];
            sheet.write_string(r, 0, &k.id)?;
            sheet.write_string(r, 1, &k.name)?;
            write_index(sheet, r, k, dis.index(i), &f)?;
            sheet.write_string(r, 4, if kp.eligible { "ja" } else { "nein" })?;
            sheet.write_string(r, 5, shown.reason(i, &kp.reason))?;
            if dis.statistics() {
                sheet.write_number_with_format(r, 6, num(kp.raw_share), &f.share)?;
            } else {
                sheet.write_string(r, 6, WITHHELD)?;
            }
            sheet.write_string(r, 7, if kp.capped { "ja" } else { "" })?;
            sheet.write_string(r, 8, if kp.floored { "ja" } else { "" })?;
            sheet.write_number_with_format(r, 9, euros(kp.amount), &f.euro)?;
            sheet.write_number_with_format(r, 10, num(kp.fte), &f.fte)?;
            sheet.write_number_with_format(r, 11, num(kp.weekly_hours), &f.fte)?;
            if let Some(prev) = kp.previous_amount {
                sheet.write_number_with_format(r, 12, euros(prev), &f.euro)?;
            }
            sheet.write_string(r, 13, if kp.phased { "ja" } else { "" })?;
        }
        sheet.set_column_width(1, 36)?;
        sheet.set_column_width(5, 48)?;
        sheet.set_freeze_panes(1, 2)?;
    }

    let sheet = book.add_worksheet().set_name("Parameter")?;
    header(
        sheet,
        0,
        &["Indikator", "Gewicht", "Normierung", "Richtung"],
        &f,
    )?;
    for (i, t) in result.index_terms.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &t.indicator)?;
        sheet.write_number_with_format(r, 1, num(t.weight), &f.share)?;
        sheet.write_string(r, 2, normalization_de(t.normalization))?;
        sheet.write_string(r, 3, direction_de(t.direction))?;
    }
    let r = result.index_terms.len() as u32 + 2;
    sheet.write_string_with_format(r, 0, "Prüfsumme der Eingaben (SHA-256)", &f.bold)?;
    sheet.write_string(r, 1, &result.input_hash)?;
    sheet.set_column_width(0, 34)?;
    sheet.set_column_width(1, 18)?;
    sheet.set_column_width(2, 30)?;
    sheet.set_column_width(3, 24)?;
    book.save_to_buffer()
}

/// Index and rank of a Kita in columns 2 and 3, or „< 5“ where they are withheld.
fn write_index(
    sheet: &mut Worksheet,
    r: u32,
    k: &srb_allocation::concept::KitaResult,
    shown: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    if !shown {
        if k.index.is_some() {
            sheet.write_string(r, 2, WITHHELD)?;
        }
        if k.rank.is_some() {
            sheet.write_string(r, 3, WITHHELD)?;
        }
        return Ok(());
    }
    if let Some(ix) = k.index {
        sheet.write_number_with_format(r, 2, num(ix), &f.index)?;
    }
    if let Some(rank) = k.rank {
        sheet.write_number(r, 3, rank as f64)?;
    }
    Ok(())
}

fn rank_text(rank: Option<usize>, hidden: bool) -> String {
    match rank {
        Some(_) if hidden => WITHHELD.to_owned(),
        Some(r) => r.to_string(),
        None => String::new(),
    }
}

/// Two results side by side, Kita by Kita, with the measures' changes.
pub fn comparison_xlsx(
    a: &RunInfo,
    b: &RunInfo,
    c: &Comparison,
    hidden: &HiddenRanks,
) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Übersicht")?;
    let label = |i: &RunInfo| format!("{} {} (Lauf {})", i.concept, i.year, i.run_id);
    let rows: Vec<(&str, String)> = vec![
        ("Bezirk", a.district.clone()),
        ("A", label(a)),
        ("B", label(b)),
    ];
    for (r, (k, v)) in rows.iter().enumerate() {
        sheet.write_string_with_format(r as u32, 0, *k, &f.bold)?;
        sheet.write_string(r as u32, 1, v)?;
    }
    let mut r = 4;
    header(sheet, r, &["", "A", "B", "Veränderung"], &f)?;
    let money: [(&str, i64, i64); 1] = [("verteilt", c.allocated_a, c.allocated_b)];
    for (label, va, vb) in money {
        r += 1;
        sheet.write_string(r, 0, label)?;
        sheet.write_number_with_format(r, 1, euros(va), &f.euro)?;
        sheet.write_number_with_format(r, 2, euros(vb), &f.euro)?;
        sheet.write_number_with_format(r, 3, euros(vb - va), &f.euro)?;
    }
    let (ma, mb) = (&c.measures_a, &c.measures_b);
    let measures: [(&str, Option<Decimal>, Option<Decimal>, &Format); 4] = [
        (
            "Kitas erreicht",
            Some(ma.kitas_reached.into()),
            Some(mb.kitas_reached.into()),
            &f.fte,
        ),
        (
            "Gini (€ je Platz)",
            Some(ma.gini_per_place),
            Some(mb.gini_per_place),
            &f.index,
        ),
        (
            "Anteil an das bedürftigste Viertel",
            ma.share_to_top_quarter,
            mb.share_to_top_quarter,
            &f.share,
        ),
        (
            "Rangkorrelation Bedarf und € je Platz",
            ma.need_correlation,
            mb.need_correlation,
            &f.index,
        ),
    ];
    for (label, va, vb, format) in measures {
        r += 1;
        sheet.write_string(r, 0, label)?;
        if let Some(v) = va {
            sheet.write_number_with_format(r, 1, num(v), format)?;
        }
        if let Some(v) = vb {
            sheet.write_number_with_format(r, 2, num(v), format)?;
        }
        if let (Some(x), Some(y)) = (va, vb) {
            sheet.write_number_with_format(r, 3, num(y - x), format)?;
        }
    }
    r += 2;
    let counts: [(&str, f64, Option<&Format>); 5] = [
        ("Kitas mit mehr", c.gainers as f64, None),
        ("Kitas mit weniger", c.losers as f64, None),
        ("Kitas unverändert", c.unchanged as f64, None),
        ("Summe der Zuwächse", euros(c.gained), Some(&f.euro)),
        ("Summe der Verluste", euros(c.lost), Some(&f.euro)),
    ];
    for (label, v, format) in counts {
        sheet.write_string(r, 0, label)?;
        match format {
            Some(fm) => sheet.write_number_with_format(r, 1, v, fm)?,
            None => sheet.write_number(r, 1, v)?,
        };
        r += 1;
    }
    sheet.set_column_width(0, 38)?;
    sheet.set_column_range_width(1, 3, 20)?;

    let sheet = book.add_worksheet().set_name("Kitas")?;
    header(
        sheet,
        0,
        &[
            "Kita-Nr.",
            "Kita",
            "Betrag A",
            "Betrag B",
            "Differenz",
            "VZÄ A",
            "VZÄ B",
            "Rang A",
            "Rang B",
        ],
        &f,
    )?;
    for (i, k) in c.kitas.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &k.id)?;
        sheet.write_string(r, 1, &k.name)?;
        sheet.write_number_with_format(r, 2, euros(k.amount_a), &f.euro)?;
        sheet.write_number_with_format(r, 3, euros(k.amount_b), &f.euro)?;
        sheet.write_number_with_format(r, 4, euros(k.difference), &f.euro)?;
        sheet.write_number_with_format(r, 5, num(k.fte_a), &f.fte)?;
        sheet.write_number_with_format(r, 6, num(k.fte_b), &f.fte)?;
        for (col, rank, hide) in [
            (7, k.rank_a, hidden.a.contains(&k.id)),
            (8, k.rank_b, hidden.b.contains(&k.id)),
        ] {
            match rank {
                Some(_) if hide => sheet.write_string(r, col, WITHHELD).map(|_| ())?,
                Some(x) => sheet.write_number(r, col, x as f64).map(|_| ())?,
                None => {}
            }
        }
    }
    sheet.set_column_width(1, 36)?;
    sheet.set_freeze_panes(1, 2)?;
    book.save_to_buffer()
}

/// German decimal text: comma, no thousands separators (they confuse re-import).
fn de(d: Decimal) -> String {
    d.normalize().to_string().replace('.', ",")
}

fn euro_text(cents: i64) -> String {
    de(Decimal::new(cents, 2))
}

fn csv_bytes(rows: Vec<Vec<String>>) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    for row in rows {
        // Writing to a Vec cannot fail.
        let _ = w.write_record(row);
    }
    out.extend(w.into_inner().unwrap_or_default());
    out
}

/// A run's Kitas as CSV: amount per pillar and in total, FTE, index, rank, change.
pub fn run_csv(result: &ConceptResult, shown: &Shown<'_>) -> Vec<u8> {
    let mut head: Vec<String> = ["Kita-Nr.", "Kita", "Index", "Rang"]
        .map(String::from)
        .to_vec();
    head.extend(result.pillars.iter().map(|p| format!("{} (€)", p.name)));
    head.extend(["Betrag (€)", "VZÄ", "Vorjahr (€)", "Veränderung (€)"].map(String::from));
    let mut rows = vec![head];
    for (i, k) in result.kitas.iter().enumerate() {
        let hide = !shown.disclosure.index(i);
        let mut row = vec![
            k.id.clone(),
            k.name.clone(),
            match k.index {
                Some(_) if hide => WITHHELD.to_owned(),
                Some(ix) => de(ix),
                None => String::new(),
            },
            rank_text(k.rank, hide),
        ];
        row.extend(k.pillars.iter().map(|p| euro_text(p.amount)));
        row.push(euro_text(k.amount));
        row.push(de(k.fte));
        row.push(k.previous_amount.map(euro_text).unwrap_or_default());
        row.push(k.change.map(euro_text).unwrap_or_default());
        rows.push(row);
    }
    csv_bytes(rows)
}

pub fn comparison_csv(c: &Comparison, hidden: &HiddenRanks) -> Vec<u8> {
    let mut rows = vec![[
        "Kita-Nr.",
        "Kita",
        "Betrag A (€)",
        "Betrag B (€)",
        "Differenz (€)",
        "VZÄ A",
        "VZÄ B",
        "Rang A",
        "Rang B",
    ]
    .map(String::from)
    .to_vec()];
    for k in &c.kitas {
        rows.push(vec![
            k.id.clone(),
            k.name.clone(),
            euro_text(k.amount_a),
            euro_text(k.amount_b),
            euro_text(k.difference),
            de(k.fte_a),
            de(k.fte_b),
            rank_text(k.rank_a, hidden.a.contains(&k.id)),
            rank_text(k.rank_b, hidden.b.contains(&k.id)),
        ]);
    }
    csv_bytes(rows)
}

/// The import template of a district: its Kitas, one column per indicator, shares formatted as
/// percentages, plus `Stichtag` and `Quelle`.
pub fn indicator_template(
    kitas: &[KnownKita],
    columns: &[IndicatorColumn],
) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("Indikatoren")?;
    let mut titles: Vec<&str> = vec!["Kita-Nr.", "Kita"];
    titles.extend(columns.iter().map(|c| c.label.as_str()));
    titles.extend(["Stichtag", "Quelle"]);
    header(sheet, 0, &titles, &f)?;
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let share = Format::new().set_num_format("0.0%");
    for (i, k) in kitas.iter().enumerate() {
        let r = i as u32 + 1;
        sheet.write_number(r, 0, k.id as f64)?;
        sheet.write_string(r, 1, &k.name)?;
    }
    for (c, col) in columns.iter().enumerate() {
        let format = if col.share { &share } else { &f.fte };
        let c = c as u16 + 2;
        sheet.set_column_format(c, format)?;
        sheet.set_column_width(c, col.label.chars().count().clamp(12, 40) as f64)?;
    }
    sheet.set_column_format(columns.len() as u16 + 2, &date)?;
    sheet.set_column_width(1, 36)?;
    sheet.set_column_width(columns.len() as u16 + 3, 30)?;
    sheet.set_freeze_panes(1, 2)?;
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicators::read_indicators;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let mut taken = vec!["Übersicht".to_string()];
        assert_eq!(
            sheet_name("Kita-Sozialarbeit [Säule 1]", &mut taken),
            "Kita-Sozialarbeit -Säule 1-"
        );
        assert_eq!(sheet_name("übersicht", &mut taken), "übersicht 2");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &mut taken).chars().count(), 28);
    }

    #[test]
    fn a_filled_template_reads_back() {
        let kitas = vec![
            KnownKita {
                id: 7,
                name: "Kita Sonnenschein".into(),
            },
            KnownKita {
                id: 9,
                name: "Kita Regenbogen".into(),
            },
        ];
        let columns = vec![IndicatorColumn {
            key: "sgb2".into(),
            label: "Anteil SGB II".into(),
            share: true,
        }];
        let bytes = indicator_template(&kitas, &columns).unwrap();
        // An unfilled template is a valid file with every value missing.
        let sheet = read_indicators(&bytes, &kitas, &columns).unwrap();
        assert_eq!(sheet.values.len(), 0);
        assert_eq!(sheet.empty_cells, 2);
    }

    #[test]
    fn csv_is_german() {
        let rows = csv_bytes(vec![vec!["a".into(), de(Decimal::new(12345, 2))]]);
        assert_eq!(rows, "\u{feff}a;123,45\n".as_bytes());
    }
}
