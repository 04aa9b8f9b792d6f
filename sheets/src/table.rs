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
/// Most cells one file may fill (counting the empty ones a row needs up to its last value):
/// a district's largest file has tens of thousands; this bounds the memory a file can take.
pub const MAX_CELLS: usize = 2_000_000;
/// Columns beyond this one are refused (XLSX allows 16,384).
pub const MAX_COLUMNS: usize = 1_000;
/// The parts of an XLSX (a ZIP archive) may unpack to this much together, as they declare.
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;

fn too_many_cells() -> Problem {
    Problem::file(format!(
        "Die Datei hat mehr als {MAX_CELLS} Zellen; so große Tabellen werden nicht gelesen. \
         Bitte nur die benötigten Spalten und Zeilen hochladen."
    ))
}

fn too_wide(column: usize) -> Problem {
    Problem::file(format!(
        "Die Datei hat Werte in Spalte {} ; mehr als {MAX_COLUMNS} Spalten werden nicht gelesen.",
        column_letter(column)
    ))
}

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
    let mut cells_read = 0usize;
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
        if record.len() > MAX_COLUMNS {
            return Err(too_wide(record.len() - 1));
        }
        // The header and blank lines aside, no more rows than a file may have.
        if rows.len() > MAX_ROWS + 1 {
            return Err(Problem::file(format!(
                "Die Datei hat mehr als {MAX_ROWS} Datenzeilen; höchstens {MAX_ROWS} sind erlaubt."
            )));
        }
        cells_read += record.len();
        if cells_read > MAX_CELLS {
            return Err(too_many_cells());
        }
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

/// The archive's parts, as they declare themselves, before anything is unpacked: a small file
/// whose parts claim gigabytes (a ZIP bomb) is refused here.
fn check_archive(bytes: &[u8]) -> Result<(), Problem> {
    let unreadable = || Problem::file("Die Datei ist keine lesbare Excel-Datei (.xlsx).".into());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    if archive.len() > 10_000 {
        return Err(unreadable());
    }
    let mut total = 0u64;
    for i in 0..archive.len() {
        let part = archive.by_index_raw(i).map_err(|_| unreadable())?;
        total = total.saturating_add(part.size());
    }
    if total > MAX_UNPACKED_BYTES {
        return Err(Problem::file(format!(
            "Die Excel-Datei entpackt sich auf {} MB; höchstens {} MB werden gelesen.",
            total / (1024 * 1024),
            MAX_UNPACKED_BYTES / (1024 * 1024)
        )));
    }
    Ok(())
}

/// Reads the first sheet cell by cell, so memory follows the cells there are (bounded by
/// [`MAX_CELLS`] and [`MAX_COLUMNS`]), not the range they span.
fn read_xlsx(bytes: &[u8]) -> Result<Vec<Row>, Problem> {
    check_archive(bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))
        .map_err(|_| Problem::file("Die Datei ist keine lesbare Excel-Datei (.xlsx).".into()))?;
    let Some(sheet) = book.sheet_names().first().cloned() else {
        return Err(Problem::file(
            "Die Excel-Datei hat kein Tabellenblatt.".into(),
        ));
    };
    let unreadable = || Problem::file(format!("Das Tabellenblatt „{sheet}“ ist nicht lesbar."));
    let mut reader = book
        .worksheet_cells_reader(&sheet)
        .map_err(|_| unreadable())?;
    let mut rows: std::collections::BTreeMap<u32, Vec<Cell>> = std::collections::BTreeMap::new();
    let mut slots = 0usize;
    while let Some(c) = reader.next_cell_with_formula().map_err(|_| unreadable())? {
        let (r, col) = (c.pos.0, c.pos.1 as usize);
        let cell = match c.formula.filter(|f| !f.is_empty()) {
            Some(f) => Cell::Formula(f),
            None => cell_of(&Data::from(c.value)),
        };
        if cell.is_empty() {
            continue;
        }
        if col >= MAX_COLUMNS {
            return Err(too_wide(col));
        }
        if !rows.contains_key(&r) && rows.len() > MAX_ROWS {
            return Err(Problem::file(format!(
                "Die Datei hat mehr als {MAX_ROWS} Datenzeilen; höchstens {MAX_ROWS} sind erlaubt."
            )));
        }
        let row = rows.entry(r).or_default();
        if row.len() <= col {
            slots += col + 1 - row.len();
            if slots > MAX_CELLS {
                return Err(too_many_cells());
            }
            row.resize(col + 1, Cell::Empty);
        }
        row[col] = cell;
    }
    Ok(rows
        .into_iter()
        .map(|(r, cells)| Row {
            number: r as usize + 1,
            cells,
        })
        .collect())
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

    /// A file of about a kilobyte whose two cells span the whole sheet: calamine's range
    /// would hold 17 billion cells; read cell by cell, it is refused at once.
    #[test]
    fn a_sheet_spanning_every_cell_is_refused_without_allocating_it() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Kita").unwrap();
        sheet.write_number(1_048_575, 16_383, 1.0).unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert!(bytes.len() < 10_000, "{}", bytes.len());
        let problem = read(&bytes).unwrap_err();
        assert!(problem.message.contains("XFD"), "{}", problem.message);
    }

    #[test]
    fn a_csv_of_separators_is_refused() {
        let bytes = vec![b';'; 3_000_000];
        let problem = read(&bytes).unwrap_err();
        assert!(problem.message.contains("Spalten"), "{}", problem.message);
        let many = "a;b\n".repeat(1_100_000);
        let problem = read(many.as_bytes()).unwrap_err();
        assert!(
            problem.message.contains("Zellen") || problem.message.contains("Datenzeilen"),
            "{}",
            problem.message
        );
    }

    /// A ZIP bomb: a part that claims to unpack to far more than any district's file.
    #[test]
    fn an_archive_that_unpacks_too_far_is_refused() {
        use std::io::Write;
        let mut out = Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut out);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(true);
            zip.start_file("xl/sharedStrings.xml", options).unwrap();
            let zeros = vec![b'0'; 1024 * 1024];
            for _ in 0..120 {
                zip.write_all(&zeros).unwrap();
            }
            zip.finish().unwrap();
        }
        let bytes = out.into_inner();
        assert!(bytes.len() < 1024 * 1024, "{}", bytes.len());
        let problem = read(&bytes).unwrap_err();
        assert!(problem.message.contains("entpackt"), "{}", problem.message);
    }

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
