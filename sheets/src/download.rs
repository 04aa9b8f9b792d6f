//! Any table of a page as a download: one sheet with a bold, frozen header row, numbers as
//! numbers with German display formats; or CSV as German Excel reads it.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// Euros (exact decimal).
    Euro(Decimal),
    /// A share, 0..1, shown as percent.
    Share(Decimal),
    Number(Decimal),
    Empty,
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Euro(d) => d.round_dp(2).to_string().replace('.', ","),
            Cell::Share(d) | Cell::Number(d) => d.normalize().to_string().replace('.', ","),
            Cell::Empty => String::new(),
        }
    }
}

/// A table as XLSX: `title` above the header (source and date belong there), then the rows.
pub fn table_xlsx(
    sheet: &str,
    title: &str,
    headers: &[&str],
    rows: &[Vec<Cell>],
) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let euro = Format::new().set_num_format("#,##0.00 \"€\"");
    let share = Format::new().set_num_format("0.0%");
    let number = Format::new().set_num_format("0.00");
    let mut book = Workbook::new();
    let name: String = sheet
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect();
    let ws = book.add_worksheet().set_name(&name)?;
    ws.write_string_with_format(0, 0, title, &bold)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(2, c as u16, *h, &bold)?;
    }
    ws.set_freeze_panes(3, 0)?;
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 3;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Cell::Int(n) => {
                    ws.write_number(r, c, *n as f64)?;
                }
                Cell::Euro(d) => {
                    ws.write_number_with_format(r, c, d.to_f64().unwrap_or(0.0), &euro)?;
                }
                Cell::Share(d) => {
                    ws.write_number_with_format(r, c, d.to_f64().unwrap_or(0.0), &share)?;
                }
                Cell::Number(d) => {
                    ws.write_number_with_format(r, c, d.to_f64().unwrap_or(0.0), &number)?;
                }
                Cell::Empty => {}
            }
        }
    }
    for c in 0..headers.len() {
        ws.set_column_width(c as u16, if c == 0 { 36 } else { 18 })?;
    }
    book.save_to_buffer()
}

/// The same table as CSV (UTF-8 with byte order mark, `;`, decimal comma).
pub fn table_csv(headers: &[&str], rows: &[Vec<Cell>]) -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(headers);
    for row in rows {
        let _ = w.write_record(row.iter().map(Cell::csv));
    }
    out.extend(w.into_inner().unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_german_and_xlsx_reads_back() {
        let rows = vec![vec![
            Cell::Text("Kita Sonnenschein".into()),
            Cell::Int(75),
            Cell::Euro(Decimal::new(1234550, 2)),
            Cell::Share(Decimal::new(25, 2)),
        ]];
        let csv =
            String::from_utf8(table_csv(&["Kita", "Plätze", "Betrag", "Anteil"], &rows)).unwrap();
        assert!(csv.contains("Kita Sonnenschein;75;12345,50;0,25"), "{csv}");
        let bytes = table_xlsx(
            "Kitas",
            "Kitas des Bezirks",
            &["Kita", "Plätze", "Betrag", "Anteil"],
            &rows,
        )
        .unwrap();
        use calamine::{Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Kitas").unwrap();
        assert_eq!(
            range.get_value((3, 0)).unwrap().to_string(),
            "Kita Sonnenschein"
        );
        assert_eq!(
            range.get_value((3, 2)),
            Some(&calamine::Data::Float(12345.5))
        );
    }
}
