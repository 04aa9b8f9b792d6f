//! The invariants of ARCHITECTURE.md that a dependency can break, checked over `cargo metadata`:
//! dependencies point one way (server → schema → app → storage/search/sheets/allocation →
//! domain), the pure crates stay pure, and the CLI, demo loader and indexer call `app`, not the
//! GraphQL crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

/// Each workspace crate with the names of its normal (non-dev) dependencies.
fn dependencies() -> BTreeMap<String, BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = std::process::Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(&root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .collect();
            (p["name"].as_str().unwrap().to_owned(), deps)
        })
        .collect()
}

/// What touches IO, async runtimes, SQL, HTTP or GraphQL.
const IMPURE: &[&str] = &[
    "tokio",
    "async-trait",
    "futures",
    "futures-util",
    "sqlx",
    "async-graphql",
    "async-graphql-axum",
    "axum",
    "hyper",
    "reqwest",
    "tower",
    "tower-http",
    "tantivy",
    "meilisearch-sdk",
];

const OURS: &[&str] = &[
    "srb-domain",
    "srb-allocation",
    "srb-storage",
    "srb-search",
    "srb-sheets",
    "srb-app",
    "srb-schema",
    "srb-web",
    "srb-server",
];

fn forbid(deps: &BTreeMap<String, BTreeSet<String>>, krate: &str, names: &[&str]) -> Vec<String> {
    let Some(d) = deps.get(krate) else {
        return vec![format!("{krate} is not in the workspace")];
    };
    names
        .iter()
        .filter(|n| d.contains(**n))
        .map(|n| format!("{krate} depends on {n}"))
        .collect()
}

#[test]
fn dependencies_point_one_way() {
    let deps = dependencies();
    let mut wrong = Vec::new();
    // The pure crates: no IO, no async, no SQL, no GraphQL, and nothing of ours above them.
    let mut domain_forbidden: Vec<&str> = IMPURE.to_vec();
    domain_forbidden.extend(OURS.iter().filter(|c| **c != "srb-domain"));
    wrong.extend(forbid(&deps, "srb-domain", &domain_forbidden));
    let mut engine_forbidden: Vec<&str> = IMPURE.to_vec();
    engine_forbidden.extend(
        OURS.iter()
            .filter(|c| !["srb-domain", "srb-allocation"].contains(*c)),
    );
    wrong.extend(forbid(&deps, "srb-allocation", &engine_forbidden));
    // The services know no GraphQL and no HTTP.
    wrong.extend(forbid(
        &deps,
        "srb-app",
        &[
            "async-graphql",
            "async-graphql-axum",
            "axum",
            "tower-http",
            "srb-schema",
            "srb-web",
            "srb-server",
        ],
    ));
    // GraphQL knows no SQL and no HTTP.
    wrong.extend(forbid(
        &deps,
        "srb-schema",
        &["sqlx", "axum", "srb-web", "srb-server"],
    ));
    for lower in ["srb-storage", "srb-search", "srb-sheets"] {
        wrong.extend(forbid(
            &deps,
            lower,
            &[
                "async-graphql",
                "axum",
                "srb-app",
                "srb-schema",
                "srb-web",
                "srb-server",
            ],
        ));
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn cli_demo_and_indexer_use_the_services_not_graphql() {
    let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("../server/src");
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&server).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            if !line.contains("srb_schema") {
                continue;
            }
            // The HTTP layer serves the schema; the CLI prints its SDL.
            let allowed = matches!(name.as_str(), "http.rs" | "config.rs" | "lib.rs")
                || (name == "main.rs" && line.contains("srb_schema::sdl()"));
            if !allowed {
                wrong.push(format!("server/src/{name}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
