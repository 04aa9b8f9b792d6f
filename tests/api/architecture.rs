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
    // The pages go through the GraphQL schema like every other client.
    wrong.extend(forbid(
        &deps,
        "srb-web",
        &["sqlx", "srb-storage", "srb-app", "srb-search", "srb-server"],
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
            // The HTTP layer (with its limits) serves the schema; the CLI prints its SDL.
            let allowed = matches!(
                name.as_str(),
                "http.rs" | "limits.rs" | "config.rs" | "lib.rs"
            ) || (name == "main.rs" && line.contains("srb_schema::sdl()"));
            if !allowed {
                wrong.push(format!("server/src/{name}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The top-level modules of the GraphQL crate (files and folders of `schema/src`) with the
/// top-level modules each one refers to through `crate::`.
fn schema_modules() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/src");
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" {
            continue;
        }
        let mut text = String::new();
        if path.is_dir() {
            for f in std::fs::read_dir(&path).unwrap() {
                text += &std::fs::read_to_string(f.unwrap().path()).unwrap();
            }
        } else {
            text = std::fs::read_to_string(&path).unwrap();
        }
        texts.insert(name, text);
    }
    let modules: BTreeSet<String> = texts.keys().cloned().collect();
    let mut graph = BTreeMap::new();
    for (name, text) in &texts {
        let mut refs = BTreeSet::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let names: Vec<&str> = if let Some(list) = rest.strip_prefix('{') {
                // `use crate::{a, b::c, d}`: the first segment of each entry.
                let end = list.find('}').unwrap_or(list.len());
                list[..end]
                    .split(',')
                    .map(|s| s.trim().split("::").next().unwrap_or("").trim())
                    .collect()
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                vec![&rest[..end]]
            };
            for n in names {
                if modules.contains(n) && n != name {
                    refs.insert(n.to_owned());
                }
            }
        }
        graph.insert(name.clone(), refs);
    }
    graph
}

#[test]
fn the_graphql_crate_has_no_import_circles_and_no_long_files() {
    let graph = schema_modules();
    assert!(graph.contains_key("records") && graph.contains_key("plan"));
    // Depth-first search for a path back to where it started.
    fn cycle(
        graph: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == node) {
            let mut c = path[i..].to_vec();
            c.push(node.to_owned());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_owned());
        for next in &graph[node] {
            if let Some(c) = cycle(graph, next, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_owned());
        None
    }
    let mut done = BTreeSet::new();
    for m in graph.keys() {
        if let Some(c) = cycle(&graph, m, &mut Vec::new(), &mut done) {
            panic!("import circle in schema/src: {}", c.join(" → "));
        }
    }

    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema/src");
    let mut long = Vec::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let n = std::fs::read_to_string(&path).unwrap().lines().count();
                if n > 800 {
                    long.push(format!("{} ({n} lines)", path.display()));
                }
            }
        }
    }
    assert!(long.is_empty(), "files over 800 lines: {long:#?}");
}
