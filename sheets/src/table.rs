//! A spreadsheet as rows of cells, whatever it came as: XLSX, or CSV in UTF-8 (with or without
//! byte order mark) or Windows-1252, separated by `;`, `,` or tabs.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_decimal::Decimal;

use crate::number::from_spreadsheet;
use crate::Problem;

/// Largest file accepted: a district's data is far smaller; beyond this, something is wrong.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Most data rows accepted in one file.
pub const MAX_ROWS: usize = 100_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    /// A number cell of a spreadsheet (CSV has only text).
    Number(Decimal),
    /// A date cell of a spreadsheet, as an ISO date.
    Date(chrono::NaiveDate),
    Bool(bool),
    /// A cell whose content is a formula: refused, the values must be pasted as values.
    Formula(String),
    /// An error value such as `#DIV/0!`.
    Error(String),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as the user sees it, for messages.
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Number(n) => n.to_string().replace('.', ","),
            Cell::Date(d) => d.format("%d.%m.%Y").to_string(),
            Cell::Bool(b) => if *b { "WAHR" } else { "FALSCH" }.into(),
            Cell::Formula(f) => format!("={f}"),
            Cell::Error(e) => e.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row number as the spreadsheet program shows it (1 = first line).
    pub number: usize,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Header texts, trimmed; the header is the first row that is not empty.
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    pub fn cell(&self, row: &Row, column: usize) -> Cell {
        row.cells.get(column).cloned().unwrap_or(Cell::Empty)
    }
}

/// Column letters as spreadsheet programs show them: 0 → A, 26 → AA.
pub fn column_letter(mut index: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Reads a file's bytes; XLSX is recognised by its content (a ZIP archive), not its name.
pub fn read(bytes: &[u8]) -> Result<Table, Problem> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Problem::file(format!(
            "Die Datei ist {} MB groß; höchstens {} MB sind erlaubt.",
            bytes.len().div_ceil(1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let rows = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        return Err(Problem::file(
            "Alte Excel-Dateien (.xls) werden nicht gelesen: bitte als .xlsx oder CSV speichern."
                .into(),
        ));
    } else {
        read_csv(bytes)?
    };
    let mut rows = rows
        .into_iter()
        .filter(|r| r.cells.iter().any(|c| !c.is_empty()));
    let Some(header) = rows.next() else {
        return Err(Problem::file("Die Datei ist leer.".into()));
    };
    let headers: Vec<String> = header.cells.iter().map(|c| c.shown()).collect();
    let rows: Vec<Row> = rows.collect();
    if rows.len() > MAX_ROWS {
        return Err(Problem::file(format!(
            "Die Datei hat {} Datenzeilen; höchstens {MAX_ROWS} sind erlaubt.",
            rows.len()
        )));
    }
    Ok(Table { headers, rows })
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Row>, Problem> {
    let text = decode(bytes);
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    // The separator the header uses most; German exports use `;`.
    let delimiter = [b';', b'\t', b',']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b';');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    // Line numbers from byte offsets: the reader skips blank lines without counting them.
    let newlines: Vec<usize> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let raw = text.as_bytes();
    let line_of = |mut byte: usize| {
        // A record's position may point at the blank lines before it.
        while raw.get(byte).is_some_and(|b| *b == b'\n' || *b == b'\r') {
            byte += 1;
        }
        newlines.partition_point(|&n| n < byte) + 1
    };
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            Problem::file(format!(
                "Die CSV-Datei ist beschädigt{}.",
                e.position()
                    .map(|p| format!(" (Zeile {})", line_of(p.byte() as usize)))
                    .unwrap_or_default()
            ))
        })?;
        let number = record
            .position()
            .map(|p| line_of(p.byte() as usize))
            .unwrap_or(0);
        let cells = record
            .iter()
            .map(|c| {
                if c.trim().is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(c.trim().to_string())
                }
            })
            .collect();
        rows.push(Row { number, cells });
    }
    Ok(rows)
}

/// UTF-8 (a byte order mark is dropped); anything that is not valid UTF-8 is read as
/// Windows-1252, the encoding of German Excel's "CSV (Trennzeichen-getrennt)".
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(bytes).0.into_owned(),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Row>, Problem> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|_| Problem::file("Die Datei ist keine lesbare Excel-Datei (.xlsx).".into()))?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(Problem::file(
            "Die Excel-Datei hat kein Tabellenblatt.".into(),
        ));
    };
    let values = book
        .worksheet_range(&sheet)
        .map_err(|_| Problem::file(format!("Das Tabellenblatt „{sheet}“ ist nicht lesbar.")))?;
    let formulas = book.worksheet_formula(&sheet).ok();
    let (top, left) = values.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (r, row) in values.rows().enumerate() {
        let abs_row = top + r as u32;
        // Cells left of the used range are empty, so columns keep their letters.
        let mut cells = vec![Cell::Empty; left as usize];
        for (c, data) in row.iter().enumerate() {
            let abs_col = left + c as u32;
            let formula = formulas
                .as_ref()
                .and_then(|f| f.get_value((abs_row, abs_col)))
                .filter(|f| !f.is_empty());
            cells.push(match formula {
                Some(f) => Cell::Formula(f.clone()),
                None => cell_of(data),
            });
        }
        rows.push(Row {
            number: abs_row as usize + 1,
            cells,
        });
    }
    Ok(rows)
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => {
            if s.trim().is_empty() {
                Cell::Empty
            } else {
                Cell::Text(s.trim().to_string())
            }
        }
        Data::Int(i) => Cell::Number(Decimal::from(*i)),
        Data::Float(f) => match from_spreadsheet(*f) {
            Ok(d) => Cell::Number(d),
            Err(e) => Cell::Error(e),
        },
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(d) => Cell::Date(d.date()),
            None => Cell::Error("ungültiges Datum".into()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(format!("{e:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn csv_in_every_encoding_and_separator() {
        let utf8 = "Kita;Plätze\nSonnenschein;45\n";
        let bom = [b"\xEF\xBB\xBF".as_slice(), utf8.as_bytes()].concat();
        let cp1252 = encoding_rs::WINDOWS_1252.encode(utf8).0.into_owned();
        for bytes in [utf8.as_bytes().to_vec(), bom, cp1252] {
            let t = read(&bytes).unwrap();
            assert_eq!(t.headers, ["Kita", "Plätze"]);
            assert_eq!(t.rows[0].number, 2);
            assert_eq!(t.rows[0].cells[1], Cell::Text("45".into()));
        }
        let t = read(b"Kita,Pl\xc3\xa4tze\n\"Haus, am See\",3\n").unwrap();
        assert_eq!(t.rows[0].cells[0], Cell::Text("Haus, am See".into()));
        let t = read(b"Kita\tA\n\nx\t1\n").unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].number, 3);
    }

    #[test]
    fn empty_huge_and_old_files_are_refused() {
        assert!(read(b"").unwrap_err().message.contains("leer"));
        assert!(read(b" ;\n;\n").unwrap_err().message.contains("leer"));
        let huge = vec![b'a'; MAX_FILE_BYTES + 1];
        assert!(read(&huge).unwrap_err().message.contains("höchstens 10 MB"));
        let xls = [0xD0, 0xCF, 0x11, 0xE0, 0, 0];
        assert!(read(&xls).unwrap_err().message.contains(".xls"));
        assert!(read(b"PK\x03\x04garbage")
            .unwrap_err()
            .message
            .contains("keine lesbare"));
    }
}
