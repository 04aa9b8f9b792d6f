//! Deterministic synthetic demo data: about 2,600 Kitas across the 41 districts, sized by
//! population, with providers and social spaces. Every record is flagged `synthetic`; nothing
//! here describes a real Kita. `scale` multiplies the counts for benchmarks.

use anyhow::Result;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use srb_allocation::apportion::largest_remainder;
use srb_allocation::Decimal;
use srb_storage::{
    DemoDistrict, DemoKita, District, DistrictKind, KitaData, Ownership, ProviderData,
    ProviderKind, SocialSpaceData, Storage,
};

/// Kitas in the whole state at scale 1.
pub const KITAS_AT_SCALE_1: f64 = 2_600.0;

/// Population weights for the five cities with a Jugendamt of their own, whose population the
/// reference data does not give. Rough, synthetic, for sizing demo data only; subtracted from
/// the Landkreis that contains the city.
const CITY_WEIGHTS: &[(&str, i64)] = &[
    ("07137003", 30_000),
    ("07137068", 19_000),
    ("07133006", 50_000),
    ("07134045", 28_000),
    ("07138045", 65_000),
];

const SPACE_NAMES: &[&str] = &[
    "Mitte",
    "Nord",
    "Süd",
    "Ost",
    "West",
    "Innenstadt",
    "Altstadt",
    "Talaue",
    "Höhe",
    "Am Bach",
    "Rheinufer",
    "Neubaugebiet",
    "Bahnhofsviertel",
    "Oberdorf",
    "Unterdorf",
];

const KITA_NAMES: &[&str] = &[
    "Sonnenschein",
    "Regenbogen",
    "Pusteblume",
    "Löwenzahn",
    "Arche Noah",
    "St. Martin",
    "Zwergenland",
    "Kunterbunt",
    "Wirbelwind",
    "Sternschnuppe",
    "Schatzkiste",
    "Spatzennest",
    "Villa Kunterbunt",
    "Waldwichtel",
    "Rappelkiste",
    "Abenteuerland",
    "Sonnenblume",
    "St. Josef",
    "Kleine Strolche",
    "Farbklecks",
    "Purzelbaum",
    "Lummerland",
    "Märchenwald",
    "Am Weinberg",
];

const TAGS: &[&str] = &[
    "Waldgruppe",
    "Sprach-Kita",
    "Integrationsplätze",
    "Ganztag",
    "mehrgeschossig",
    "Naturpädagogik",
];

/// A stable seed per district, so each district's demo data is the same on every run.
fn district_seed(ags: &str) -> u64 {
    ags.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

fn weights(districts: &[District]) -> Vec<Decimal> {
    districts
        .iter()
        .map(|d| {
            let w = match CITY_WEIGHTS.iter().find(|(ags, _)| *ags == d.ags) {
                Some((_, w)) => *w,
                None => {
                    let inner: i64 = CITY_WEIGHTS
                        .iter()
                        .filter(|(ags, _)| ags.starts_with(&d.ags) && ags.len() > d.ags.len())
                        .map(|(_, w)| *w)
                        .sum();
                    d.population.unwrap_or(50_000) - inner
                }
            };
            Decimal::from(w.max(1))
        })
        .collect()
}

fn short_name(d: &District) -> String {
    d.name
        .trim_start_matches("Landkreis ")
        .trim_start_matches("Stadt ")
        .to_owned()
}

pub fn district_demo(d: &District, kita_count: usize) -> DemoDistrict {
    let mut rng = StdRng::seed_from_u64(district_seed(&d.ags));
    let place = short_name(d);
    let space_count = (kita_count / 12).max(3);
    let social_spaces: Vec<SocialSpaceData> = (0..space_count)
        .map(|i| {
            let base = SPACE_NAMES[i % SPACE_NAMES.len()];
            let name = if i < SPACE_NAMES.len() {
                format!("{place} {base}")
            } else {
                format!("{place} {base} {}", i / SPACE_NAMES.len() + 1)
            };
            SocialSpaceData {
                district_ags: d.ags.clone(),
                name,
                description: Some("Synthetischer Sozialraum (Demodaten)".into()),
                synthetic: true,
            }
        })
        .collect();

    let public_name = match d.kind {
        DistrictKind::Landkreis => format!("Kreisverwaltung {place} (Kita-Träger)"),
        _ => format!("Stadt {place} (Kita-Träger)"),
    };
    let mut providers = vec![
        (public_name, Ownership::Public, ProviderKind::Kommunal),
        (
            format!("Kath. Kita gGmbH {place}"),
            Ownership::Independent,
            ProviderKind::Katholisch,
        ),
        (
            format!("Ev. Kindertagesstätten {place}"),
            Ownership::Independent,
            ProviderKind::Evangelisch,
        ),
        (
            format!("AWO Kreisverband {place}"),
            Ownership::Independent,
            ProviderKind::Awo,
        ),
        (
            format!("DRK Kreisverband {place}"),
            Ownership::Independent,
            ProviderKind::Drk,
        ),
        (
            format!("Paritätischer Kita-Verbund {place}"),
            Ownership::Independent,
            ProviderKind::Paritaetisch,
        ),
        (
            format!("Kinderwelt {place} e. V."),
            Ownership::Independent,
            ProviderKind::Sonstige,
        ),
    ];
    for i in 0..(kita_count / 40).max(1) {
        providers.push((
            format!("Elterninitiative {place} {}", i + 1),
            Ownership::Independent,
            ProviderKind::Elterninitiative,
        ));
    }
    // Rough shares of Kitas by provider kind in Rheinland-Pfalz: municipal and church providers
    // run most of them.
    let provider_weights: Vec<u32> = providers
        .iter()
        .map(|(_, _, kind)| match kind {
            ProviderKind::Kommunal => 40,
            ProviderKind::Katholisch => 25,
            ProviderKind::Evangelisch => 15,
            ProviderKind::Elterninitiative => 2,
            _ => 4,
        })
        .collect();
    let total_weight: u32 = provider_weights.iter().sum();

    let mut used = std::collections::HashSet::new();
    let kitas = (0..kita_count)
        .map(|i| {
            let space = &social_spaces[rng.gen_range(0..social_spaces.len())];
            let mut pick = rng.gen_range(0..total_weight);
            let provider = providers
                .iter()
                .zip(&provider_weights)
                .find(|(_, w)| {
                    if pick < **w {
                        true
                    } else {
                        pick -= **w;
                        false
                    }
                })
                .map(|(p, _)| p)
                .unwrap_or(&providers[0]);
            let base = KITA_NAMES[rng.gen_range(0..KITA_NAMES.len())];
            let area = space.name.trim_start_matches(&place).trim();
            let mut name = format!("Kita {base} {area}");
            let mut n = 2;
            while !used.insert(name.to_lowercase()) {
                name = format!("Kita {base} {area} {n}");
                n += 1;
            }
            let places = 5 * rng.gen_range(4..=30);
            let under3 = (places as f64 * rng.gen_range(0.1..0.35)).round() as i32;
            let mut tags: Vec<String> = TAGS
                .iter()
                .filter(|_| rng.gen_bool(0.12))
                .map(|t| t.to_string())
                .collect();
            tags.sort();
            DemoKita {
                data: KitaData {
                    district_ags: d.ags.clone(),
                    name,
                    street: Some(format!("Musterstraße {}", i + 1)),
                    postal_code: Some(format!("{:05}", 54_000 + rng.gen_range(0..13_999))),
                    city: Some(place.clone()),
                    places,
                    places_under3: under3,
                    provider_id: None,
                    social_space_id: None,
                    family_center: rng.gen_bool(0.15),
                    synthetic: true,
                    tags,
                },
                provider_name: provider.0.clone(),
                social_space_name: space.name.clone(),
            }
        })
        .collect();

    DemoDistrict {
        district_ags: d.ags.clone(),
        social_spaces,
        providers: providers
            .into_iter()
            .map(|(name, ownership, kind)| ProviderData {
                district_ags: d.ags.clone(),
                name,
                ownership,
                kind,
                synthetic: true,
            })
            .collect(),
        kitas,
    }
}

/// Kitas per district at `scale`, shared by largest remainder so the state total is exact.
pub fn kita_counts(districts: &[District], scale: u32) -> Result<Vec<usize>> {
    let target = (KITAS_AT_SCALE_1 * scale as f64).round() as i64;
    let counts = largest_remainder(target, &weights(districts), "demo Kitas")?;
    Ok(counts.into_iter().map(|n| n.max(0) as usize).collect())
}

/// Seeds every district that has no demo data yet. Idempotent: a second run writes nothing.
pub async fn seed(storage: &dyn Storage, scale: u32) -> Result<SeedReport> {
    let districts = storage.districts().await?;
    let counts = kita_counts(&districts, scale.max(1))?;
    let mut report = SeedReport::default();
    for (i, (d, n)) in districts.iter().zip(&counts).enumerate() {
        let demo = district_demo(d, *n);
        if storage.seeder().seed_demo_district(&demo).await? {
            report.districts_seeded += 1;
            report.kitas += demo.kitas.len();
        }
        if (i + 1) % 10 == 0 || i + 1 == districts.len() {
            tracing::info!("Demodaten: {}/{} Bezirke", i + 1, districts.len());
        }
    }
    Ok(report)
}

#[derive(Debug, Default)]
pub struct SeedReport {
    pub districts_seeded: usize,
    pub kitas: usize,
}
