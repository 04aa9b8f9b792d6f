//! Fills an indicator template (as `indicatorTemplate` gives it) with synthetic values, the way
//! a coordinator's spreadsheet looks: shares as percentages, counts as numbers, a Stichtag.
//! For benchmarks: `fill_template TEMPLATE.xlsx OUT.xlsx SEED`.

use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, input, output, seed] = args.as_slice() else {
        return Err("usage: fill_template TEMPLATE.xlsx OUT.xlsx SEED".into());
    };
    let seed: u64 = seed.parse()?;
    let bytes = std::fs::read(input)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes))?;
    let range = book.worksheet_range("Indikatoren")?;
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let headers: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let mut out = Workbook::new();
    let ws = out.add_worksheet();
    let percent = Format::new().set_num_format("0,0 %");
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let stichtag = ExcelDateTime::from_ymd(2026, 3, 1)?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, h)?;
    }
    // A small deterministic generator: the same seed gives the same file.
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    for (r, row) in rows.iter().enumerate().skip(1) {
        let r = r as u32;
        ws.write_number(r, 0, row[0].as_f64().unwrap_or_default())?;
        ws.write_string(r, 1, row[1].to_string())?;
        for (c, h) in headers.iter().enumerate().skip(2) {
            let c = c as u16;
            match h.as_str() {
                "Stichtag" => {
                    ws.write_datetime_with_format(r, c, &stichtag, &date)?;
                }
                "Quelle" => {
                    ws.write_string(r, c, "Kita-Leitung")?;
                }
                h if h.starts_with("Anteil") => {
                    let v = (next() * 600.0).round() / 1000.0;
                    ws.write_number_with_format(r, c, v, &percent)?;
                }
                _ => {
                    ws.write_number(r, c, (next() * 40.0).floor())?;
                }
            }
        }
    }
    std::fs::write(output, out.save_to_buffer()?)?;
    Ok(())
}
