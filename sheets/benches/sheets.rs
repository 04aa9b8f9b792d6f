//! Spreadsheets in and out at district size. Figures: BENCHMARKS.md.

use std::collections::BTreeMap;

use criterion::{criterion_group, criterion_main, Criterion};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook};
use srb_allocation::concept::{Method, PillarBudget, Rule};
use srb_allocation::index::{Direction, MissingPolicy, NeedIndex, Normalization, Term};
use srb_allocation::{compute, Concept, ConceptInput, KitaInput, Pillar, Rounding};
use srb_sheets::export::{run_xlsx, RunInfo, Shown};
use srb_sheets::{read_indicators, IndicatorColumn, KnownKita};

/// A coordinator's file: `kitas` rows, `columns` share indicators written as percentages.
fn import_file(kitas: &[KnownKita], columns: &[IndicatorColumn]) -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let percent = Format::new().set_num_format("0,0 %");
    ws.write_string(0, 0, "Kita-Nr.").unwrap();
    ws.write_string(0, 1, "Kita").unwrap();
    for (c, col) in columns.iter().enumerate() {
        ws.write_string(0, c as u16 + 2, &col.label).unwrap();
    }
    for (r, k) in kitas.iter().enumerate() {
        let r = r as u32 + 1;
        ws.write_number(r, 0, k.id as f64).unwrap();
        ws.write_string(r, 1, &k.name).unwrap();
        for c in 0..columns.len() {
            let v = ((r as usize * 7 + c * 13) % 600) as f64 / 1000.0;
            ws.write_number_with_format(r, c as u16 + 2, v, &percent)
                .unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

fn district(n: usize) -> ConceptInput {
    let kitas = (0..n)
        .map(|i| KitaInput {
            id: format!("{i:05}"),
            name: format!("Kita Nummer {i}"),
            places: 20 + (i as i64 * 37) % 120,
            places_under3: 0,
            social_space: None,
            family_center: i % 9 == 0,
            be_relevant: false,
            indicators: BTreeMap::from([(
                "sgb2".to_string(),
                Some(Decimal::new(((i * 53) % 700) as i64, 3)),
            )]),
        })
        .collect();
    let pillar = |id: &str, share: i64, method: Method, rule: Rule| Pillar {
        id: id.into(),
        name: format!("Säule {id}"),
        budget: PillarBudget::Share(Decimal::new(share, 1)),
        staffing: None,
        method,
        eligibility: rule,
        cap: None,
        floor: None,
        phase_in: None,
        pool_by_social_space: false,
    };
    ConceptInput {
        budget: 300_000_000,
        concept: Concept {
            pillars: vec![
                pillar("a", 3, Method::Base { by_places: true }, Rule::All),
                pillar(
                    "b",
                    5,
                    Method::Proportional { by_places: true },
                    Rule::IndexAboveMean,
                ),
                pillar(
                    "c",
                    2,
                    Method::Base { by_places: false },
                    Rule::FamilyCenter,
                ),
            ],
            need_index: NeedIndex {
                terms: vec![Term {
                    indicator: "sgb2".into(),
                    weight: Decimal::ONE,
                    normalization: Normalization::PercentRank,
                    direction: Direction::MoreIsWorse,
                }],
                missing: MissingPolicy::Error,
            },
            rounding: Rounding::Cent,
            move_leftovers: false,
        },
        kitas,
        previous: BTreeMap::new(),
    }
}

fn bench(c: &mut Criterion) {
    let kitas: Vec<KnownKita> = (0..2_600)
        .map(|i| KnownKita {
            id: i + 1,
            name: format!("Kita Nummer {i}"),
        })
        .collect();
    let columns: Vec<IndicatorColumn> = (0..10)
        .map(|i| IndicatorColumn {
            key: format!("i{i}"),
            label: format!("Anteil Indikator {i}"),
            share: true,
        })
        .collect();
    let file = import_file(&kitas, &columns);
    c.bench_function("read and check XLSX, 2,600 Kitas x 10 indicators", |b| {
        b.iter(|| {
            let sheet = read_indicators(&file, &kitas, &columns).unwrap();
            assert_eq!(sheet.values.len(), 26_000);
        })
    });
    let result = compute(&district(300)).unwrap();
    let info = RunInfo {
        district: "Bezirk".into(),
        concept: "Konzeption".into(),
        year: 2026,
        run_id: "1".into(),
        ..Default::default()
    };
    let everything = srb_domain::Disclosure::everything();
    let shown = Shown {
        disclosure: &everything,
        is_count: &|_| true,
    };
    c.bench_function("XLSX export of a run, 300 Kitas x 3 pillars", |b| {
        b.iter(|| run_xlsx(&info, &result, &shown).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
