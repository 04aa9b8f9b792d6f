//! Synthetic search corpus and in-process search figures (bench/search.sh, BENCHMARKS.md).
//!
//! `search_corpus <database-url> <data-dir> <records>` fills the database with workshops in
//! the style of Zwischenbilanz II (the demo districts and Kitas, then copies of the workshop
//! whose contributions recombine the seed's sentences) until it holds about `records` searchable
//! records, applies the outbox rows those writes queued to the embedded index in
//! `<data-dir>/search` as a server's worker does (batches of `indexer::BATCH`), and measures
//! searches with facets in process. Prints one line per figure.

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use srb_search::{SearchIndex, SearchQuery, Switchable};
use srb_server::{demo, demo_knowledge, indexer, Config};
use srb_storage::{ContributionData, WorkshopSeed};

const QUERIES: &[&str] = &[
    "Fachkräfte",
    "KiSa Träger",
    "Sozialrambudget",
    "Erzieher:innen Quereinstieg",
    "Koordination Jugendamt",
    "Hutfrage",
    "Familienzentrum Eltern",
    "Subsidiarität",
    "Kita",
    "Dienst- und Fachaufsicht",
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

/// A copy of the seed workshop with recombined contributions: same vocabulary, other texts.
fn synthetic_workshop(
    seed: &WorkshopSeed,
    n: usize,
    districts: &[String],
    rng: &mut StdRng,
) -> WorkshopSeed {
    let sentences: Vec<&str> = seed
        .sessions
        .iter()
        .flat_map(|(_, c)| c.iter())
        .flat_map(|c| c.body.split_inclusive(['.', '?', '!']))
        .map(str::trim)
        .filter(|s| s.len() > 20)
        .collect();
    let mut w = seed.clone();
    w.workshop.title = format!("Fachaustausch {n}: Sozialraumbudget vor Ort");
    w.workshop.held_on = chrono::NaiveDate::from_ymd_opt(
        2021 + rng.gen_range(0..6),
        1 + rng.gen_range(0..12),
        1 + rng.gen_range(0..28),
    )
    .expect("valid date");
    w.workshop.district_ags = districts.choose(rng).cloned();
    w.workshop.synthetic = true;
    for (_, contributions) in &mut w.sessions {
        for c in contributions.iter_mut() {
            let parts: Vec<&str> = sentences.choose_multiple(rng, 2).copied().collect();
            *c = ContributionData {
                district_ags: districts.choose(rng).cloned(),
                body: parts.join(" "),
                ..c.clone()
            };
        }
    }
    w
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, dir, records] = args.as_slice() else {
        anyhow::bail!("usage: search_corpus <database-url> <data-dir> <records>");
    };
    let target: usize = records.parse()?;
    let config = Config::for_database(url, dir.into());
    let storage = srb_server::open_storage(&config).await?;
    let mut rng = StdRng::seed_from_u64(7);

    let started = Instant::now();
    let report = demo::seed(storage.as_ref(), 1).await?;
    demo_knowledge::seed(storage.as_ref()).await?;
    let districts: Vec<String> = storage
        .districts()
        .await?
        .into_iter()
        .map(|d| d.ags)
        .collect();
    let seed = demo_knowledge::workshop();
    let per_workshop = 1 + seed.sessions.iter().map(|(_, c)| c.len()).sum::<usize>();
    let mut total = report.kitas + per_workshop + 10;
    let mut n = 0;
    while total < target {
        n += 1;
        storage
            .seeder()
            .seed_workshop(&synthetic_workshop(&seed, n, &districts, &mut rng))
            .await?;
        total += per_workshop;
    }
    println!(
        "corpus: about {total} records ({} Kitas, {n} synthetic workshops of {per_workshop}) written in {:.1} s",
        report.kitas,
        started.elapsed().as_secs_f64()
    );

    let index = Switchable::open(config.data_dir.join("search"))?;
    let started = Instant::now();
    let mut rows = 0;
    loop {
        let n = indexer::run_once(storage.as_ref(), &index, indexer::BATCH).await?;
        if n == 0 {
            break;
        }
        rows += n;
    }
    let secs = started.elapsed().as_secs_f64();
    let docs = index.count().await?;
    println!(
        "indexing through the outbox: {docs} documents ({rows} queue rows from the writes) in {secs:.1} s, {:.0} documents/s",
        docs as f64 / secs
    );

    for (label, audiences) in [
        ("anonymous", Some(vec!["public".to_owned()])),
        ("admin", None),
    ] {
        let mut times = Vec::new();
        for round in 0..50 {
            for q in QUERIES {
                let query = SearchQuery {
                    text: (*q).to_owned(),
                    audiences: audiences.clone(),
                    limit: 10,
                    facets: srb_search::FacetFields::ALL,
                    ..Default::default()
                };
                let t = Instant::now();
                let r = index.search(&query).await?;
                if round > 0 {
                    times.push(t.elapsed());
                }
                std::hint::black_box(r);
            }
        }
        times.sort();
        println!(
            "in-process search with facets ({label}, {} searches of {} queries): p50 {:.2} ms, p99 {:.2} ms",
            times.len(),
            QUERIES.len(),
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3
        );
    }
    Ok(())
}
