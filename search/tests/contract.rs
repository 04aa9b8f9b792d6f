//! The contract every search backend keeps, run against the embedded index and, when
//! `MEILI_URL` (and `MEILI_KEY`) are set, against Meilisearch with an index of its own per test.

use std::time::Duration;

use srb_search::{
    DocKind, FacetFields, MeiliIndex, Removal, SearchDoc, SearchIndex, SearchQuery, SortBy,
    TantivyIndex,
};

/// The audiences a record carries, as the platform derives them (`srb_domain`).
fn audiences(public: bool, registered: bool, district: Option<&str>) -> Vec<String> {
    use srb_domain::{record_audiences, Publication, Scope};
    record_audiences(&Scope {
        publication: if public {
            Publication::Public
        } else if registered {
            Publication::Registered
        } else {
            Publication::District
        },
        district,
        published: true,
        deleted: false,
    })
}

fn doc(kind: DocKind, id: i64, title: &str, body: &str) -> SearchDoc {
    SearchDoc {
        kind,
        id,
        title: title.into(),
        body: body.into(),
        district_ags: Some("07111".into()),
        audiences: audiences(true, true, Some("07111")),
        workshop_id: None,
        session_id: None,
        tags: Vec::new(),
        category: None,
        day: 18_000 + id,
        year: 2021,
    }
}

fn corpus() -> Vec<SearchDoc> {
    let mut docs = vec![
        SearchDoc {
            workshop_id: Some(1),
            session_id: Some(11),
            tags: vec!["Fachkräftegewinnung".into()],
            category: Some("OBSERVATION".into()),
            ..doc(
                DocKind::Contribution,
                1,
                "",
                "Der Fachkräftemangel wird sich nicht entspannen.",
            )
        },
        SearchDoc {
            workshop_id: Some(1),
            session_id: Some(12),
            tags: vec!["Zugangsprofil".into()],
            category: Some("RECOMMENDATION".into()),
            ..doc(
                DocKind::Contribution,
                2,
                "",
                "Quereinstiege für Erzieher:innen mit Zusatzausbildungen.",
            )
        },
        SearchDoc {
            workshop_id: Some(1),
            ..doc(
                DocKind::Workshop,
                3,
                "Zwischenbilanz II: Konzeption Sozialraumbudget",
                "Trägerkooperation",
            )
        },
        SearchDoc {
            district_ags: Some("07315".into()),
            audiences: audiences(true, true, Some("07315")),
            year: 2024,
            category: Some("KITA_SOZIALARBEIT".into()),
            ..doc(
                DocKind::RoleProfile,
                4,
                "Kita-Sozialarbeit im Sozialraum",
                "Beratung von Eltern, Lotsenfunktion, Elterncafés, Vernetzung",
            )
        },
        SearchDoc {
            category: Some("KITA_SOZIALARBEIT".into()),
            ..doc(
                DocKind::RoleProfile,
                5,
                "KiSa im Quartier",
                "Beratung von Eltern, Lotsenfunktion, Gruppenangebote",
            )
        },
        SearchDoc {
            // A district's draft: only its own district may find it.
            audiences: audiences(false, false, Some("07111")),
            ..doc(DocKind::RoleProfile, 6, "Geheimprofil Lotse", "Entwurf")
        },
        doc(
            DocKind::Kita,
            7,
            "Kita Löwenzahn Nord",
            "Musterstraße 1 Koblenz",
        ),
    ];
    docs.sort_by_key(|d| d.id);
    docs
}

fn public(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        audiences: Some(vec!["public".into()]),
        limit: 10,
        facets: FacetFields::ALL,
        ..Default::default()
    }
}

async fn ids(index: &dyn SearchIndex, q: SearchQuery) -> Vec<i64> {
    index
        .search(&q)
        .await
        .unwrap()
        .hits
        .iter()
        .map(|h| h.id)
        .collect()
}

async fn contract(index: &dyn SearchIndex) {
    index.apply(Vec::new(), corpus()).await.unwrap();
    // Applying again changes nothing.
    index.apply(Vec::new(), corpus()).await.unwrap();
    assert_eq!(index.count().await.unwrap(), 7);

    // German: inflection and compounds, gender forms, abbreviations, typos, folding.
    assert!(ids(index, public("Fachkräfte")).await.contains(&1));
    assert!(ids(index, public("Erzieherinnen")).await.contains(&2));
    assert!(ids(index, public("Kita-Sozialarbeit")).await.contains(&5));
    assert!(ids(index, public("KiSa")).await.contains(&4));
    assert!(ids(index, public("Sozialrambudget")).await.contains(&3));
    assert!(ids(index, public("Traegerkooperation")).await.contains(&3));
    assert!(ids(index, public("Löwenzahn Koblenz")).await.contains(&7));

    // Highlights mark the matched words, the rest is escaped text.
    let r = index.search(&public("Fachkräfte")).await.unwrap();
    let hit = r.hits.iter().find(|h| h.id == 1).unwrap();
    assert!(
        hit.body_snippet.contains("<mark>Fachkräftemangel</mark>"),
        "{hit:?}"
    );

    // Audiences: the draft is invisible to others in hits, counts and facets.
    let r = index.search(&public("Lotse")).await.unwrap();
    assert!(!r.hits.iter().any(|h| h.id == 6));
    let everything = index.search(&public("")).await.unwrap();
    assert_eq!(everything.total, 6);
    let kinds: u64 = everything.facets.kind.iter().map(|(_, n)| n).sum();
    assert_eq!(kinds, 6);
    // Facets nobody asked for are not counted; the total is.
    let plain = index
        .search(&SearchQuery {
            facets: FacetFields::default(),
            ..public("")
        })
        .await
        .unwrap();
    assert_eq!(plain.total, 6);
    assert_eq!(plain.facets, Default::default());
    let own = SearchQuery {
        audiences: Some(vec!["public".into(), "district:07111".into()]),
        ..public("Geheimprofil")
    };
    assert_eq!(ids(index, own).await, [6]);

    // Filters on the facet fields.
    let profiles = SearchQuery {
        kinds: vec![DocKind::RoleProfile],
        ..public("")
    };
    assert_eq!(index.search(&profiles).await.unwrap().total, 2);
    let in_07315 = SearchQuery {
        district_ags: Some("07315".into()),
        ..public("")
    };
    assert_eq!(ids(index, in_07315).await, [4]);
    let tagged = SearchQuery {
        tags: vec!["Zugangsprofil".into()],
        ..public("")
    };
    assert_eq!(ids(index, tagged).await, [2]);
    let of_2024 = SearchQuery {
        year: Some(2024),
        ..public("")
    };
    assert_eq!(ids(index, of_2024).await, [4]);
    let of_workshop = SearchQuery {
        workshop_id: Some(1),
        category: Some("OBSERVATION".into()),
        ..public("")
    };
    assert_eq!(ids(index, of_workshop).await, [1]);
    let of_session = SearchQuery {
        session_id: Some(12),
        ..public("")
    };
    assert_eq!(ids(index, of_session).await, [2]);
    // Facets count the visible records by workshop and session (ids as text).
    let mut by_workshop = everything.facets.workshop.clone();
    by_workshop.sort();
    assert_eq!(by_workshop, [("1".to_owned(), 3)]);
    let mut by_session = everything.facets.session.clone();
    by_session.sort();
    assert_eq!(by_session, [("11".to_owned(), 1), ("12".to_owned(), 1)]);

    // Newest first, by pages that do not overlap.
    let by_date = |offset| SearchQuery {
        sort: SortBy::Date,
        offset,
        limit: 3,
        ..public("")
    };
    let first = ids(index, by_date(0)).await;
    let second = ids(index, by_date(3)).await;
    assert_eq!(first, [7, 5, 4]);
    assert_eq!(second, [3, 2, 1]);

    // Similar records: other districts only, never the record itself.
    let similar = SearchQuery {
        kinds: vec![DocKind::RoleProfile],
        exclude_district: Some("07315".into()),
        exclude: Some((DocKind::RoleProfile, 4)),
        match_any: true,
        ..public("Kita-Sozialarbeit Beratung von Eltern Lotsenfunktion Elterncafés")
    };
    assert_eq!(ids(index, similar).await, [5]);

    // Removal by record and by workshop.
    index
        .apply(vec![Removal::Doc(DocKind::Kita, 7)], Vec::new())
        .await
        .unwrap();
    assert!(ids(index, public("Löwenzahn")).await.is_empty());
    index
        .apply(vec![Removal::Workshop(1)], Vec::new())
        .await
        .unwrap();
    assert_eq!(index.count().await.unwrap(), 3);
    index.clear().await.unwrap();
    assert_eq!(index.count().await.unwrap(), 0);
}

#[tokio::test]
async fn embedded_index_keeps_the_contract() {
    contract(&TantivyIndex::in_memory().unwrap()).await;
    stable_order(&TantivyIndex::in_memory().unwrap()).await;
}

/// Records that rank alike come in one order, whatever order and batches they were indexed
/// in (the embedded index kept them in the order of its segments, so a page could change from
/// one run to the next): by kind, then id.
async fn stable_order(index: &dyn SearchIndex) {
    for id in [5, 2, 6, 1, 4, 3] {
        let d = doc(
            DocKind::StaffingIdea,
            id,
            "Springerpool",
            "Ein Pool für alle Kitas",
        );
        index.apply(Vec::new(), vec![d]).await.unwrap();
    }
    let d = doc(
        DocKind::RoleProfile,
        9,
        "Springerpool",
        "Ein Pool für alle Kitas",
    );
    index.apply(Vec::new(), vec![d]).await.unwrap();
    let hits = index.search(&public("Springerpool")).await.unwrap().hits;
    let order: Vec<(DocKind, i64)> = hits.iter().map(|h| (h.kind, h.id)).collect();
    use DocKind::{RoleProfile, StaffingIdea};
    assert_eq!(
        order,
        [
            (RoleProfile, 9),
            (StaffingIdea, 1),
            (StaffingIdea, 2),
            (StaffingIdea, 3),
            (StaffingIdea, 4),
            (StaffingIdea, 5),
            (StaffingIdea, 6)
        ]
    );
}

/// `MEILI_URL` and `MEILI_KEY`; `None` skips, except under CI (`.ci/run` starts a Meilisearch:
/// these tests must not skip there).
fn meili() -> Option<(String, Option<String>)> {
    let Ok(url) = std::env::var("MEILI_URL") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but MEILI_URL is not: the Meilisearch tests must run in CI"
        );
        eprintln!("skipped: MEILI_URL is not set");
        return None;
    };
    Some((url, std::env::var("MEILI_KEY").ok()))
}

async fn fresh_meili(url: &str, key: Option<&str>, what: &str) -> MeiliIndex {
    let name = format!("srb_{what}_{}", uuid::Uuid::new_v4().simple());
    MeiliIndex::connect(url, key, &name)
        .await
        .expect("connect to MEILI_URL")
}

#[tokio::test]
async fn meilisearch_keeps_the_contract() {
    let Some((url, key)) = meili() else { return };
    let index = fresh_meili(&url, key.as_deref(), "contract").await;
    contract(&index).await;
    index.delete().await.unwrap();
    let index = fresh_meili(&url, key.as_deref(), "order").await;
    stable_order(&index).await;
    index.delete().await.unwrap();
}

/// What the server holds is what the backend asked for: German terms read without a second
/// segmentation, the filters, the date sort, the synonyms both ways, the stop words, the typo
/// rules.
#[tokio::test]
async fn meilisearch_holds_the_settings_the_backend_needs() {
    let Some((url, key)) = meili() else { return };
    let index = fresh_meili(&url, key.as_deref(), "settings").await;
    let held = index.applied_settings().await.unwrap();
    let sorted = |v: Option<Vec<String>>| {
        let mut v = v.unwrap_or_default();
        v.sort();
        v
    };
    // Title before text before the analyser's additions before the thesaurus' synonyms: the
    // order is the weight.
    assert_eq!(
        held.searchable_attributes.as_deref().unwrap(),
        ["terms_title", "terms_body", "terms_more", "terms_related"]
    );
    let filterable: Vec<String> = held
        .filterable_attributes
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|a| match a {
            meilisearch_sdk::settings::FilterableAttribute::Attribute(name) => Some(name),
            _ => None,
        })
        .collect();
    for f in [
        "audience", "district", "kind", "workshop", "session", "tags", "year", "key",
    ] {
        assert!(
            filterable.contains(&f.to_owned()),
            "{f} not filterable: {filterable:?}"
        );
    }
    assert_eq!(sorted(held.sortable_attributes.clone()), ["day"]);
    let localized = held.localized_attributes.clone().unwrap_or_default();
    assert_eq!(localized.len(), 1, "{localized:?}");
    assert_eq!(localized[0].attribute_patterns, ["terms_*"]);
    let synonyms = held.synonyms.clone().unwrap_or_default();
    let kisa = synonyms.get("kisa").expect("KiSa has synonyms");
    assert!(kisa.iter().any(|s| s.contains("sozialarbeit")), "{kisa:?}");
    assert!(
        synonyms
            .get("vza")
            .is_some_and(|v| v.iter().any(|s| s.starts_with("vollzeitaquivalent"))),
        "{synonyms:?}"
    );
    let stop = held.stop_words.clone().unwrap_or_default();
    for w in ["und", "der", "die", "mit"] {
        assert!(
            stop.contains(&w.to_owned()),
            "{w} is no stop word: {stop:?}"
        );
    }
    let typo = held.typo_tolerance.clone().expect("typo rules");
    assert_eq!(typo.enabled, Some(true));
    let sizes = typo.min_word_size_for_typos.expect("word sizes");
    assert_eq!((sizes.one_typo, sizes.two_typos), (Some(5), Some(9)));
    index.delete().await.unwrap();
}

/// An upgrade that changes the settings: the next start applies them to the index as it is,
/// nothing is indexed again from the database and nothing is lost.
#[tokio::test]
async fn changed_settings_are_applied_at_start_without_losing_the_index() {
    let Some((url, key)) = meili() else { return };
    let name = format!("srb_upgrade_{}", uuid::Uuid::new_v4().simple());
    let first = MeiliIndex::connect(&url, key.as_deref(), &name)
        .await
        .unwrap();
    assert!(first.created());
    first.apply(Vec::new(), corpus()).await.unwrap();
    let before = first.count().await.unwrap();
    // An older version's settings: German segmentation of every field, no typo rules.
    let client = meilisearch_sdk::client::Client::new(&url, key.as_deref()).unwrap();
    let raw = client.index(format!("{name}_{}", srb_search::FORMAT));
    let old = meilisearch_sdk::settings::Settings::new()
        .with_localized_attributes([meilisearch_sdk::settings::LocalizedAttributes {
            locales: vec!["deu".into()],
            attribute_patterns: vec!["*".into()],
        }])
        .with_synonyms(std::collections::HashMap::<String, Vec<String>>::new());
    raw.set_settings(&old)
        .await
        .unwrap()
        .wait_for_completion(&client, None, Some(Duration::from_secs(30)))
        .await
        .unwrap();
    assert_eq!(
        raw.get_localized_attributes().await.unwrap().unwrap()[0].locales,
        ["deu"]
    );

    let upgraded = MeiliIndex::connect(&url, key.as_deref(), &name)
        .await
        .unwrap();
    assert!(!upgraded.created(), "the index was there: no full reindex");
    assert_eq!(upgraded.count().await.unwrap(), before);
    let held = upgraded.applied_settings().await.unwrap();
    assert_eq!(
        held.localized_attributes.unwrap()[0].attribute_patterns,
        ["terms_*"]
    );
    assert!(held.synonyms.unwrap().contains_key("kisa"));
    upgraded.delete().await.unwrap();
}

#[tokio::test]
async fn an_unreachable_meilisearch_is_unavailable_not_a_panic() {
    // Nothing listens on port 9 of this machine: the start fails with a clear error.
    let err = MeiliIndex::connect("http://127.0.0.1:9", None, "srb")
        .await
        .err()
        .expect("no Meilisearch there");
    assert!(
        matches!(err, srb_search::SearchError::Unavailable(_)),
        "{err:?}"
    );
}

/// How the stand-in for Meilisearch fails its searches.
#[derive(Clone, Copy)]
enum Failure {
    /// Answers 500 with an internal error, as a Meilisearch with a full disk does.
    Internal,
    /// Refuses the request, as Meilisearch does for a wrong key.
    Refused,
    /// Never answers.
    Hangs,
}

/// A stand-in for Meilisearch: accepts the index configuration, then fails every search.
async fn failing_meilisearch(failure: Failure) -> String {
    use axum::extract::Path;
    use axum::http::StatusCode;
    use axum::routing::{get, patch, post};
    use axum::{Json, Router};
    use serde_json::json;

    const NOW: &str = "2026-01-01T00:00:00Z";
    let app = Router::new()
        .route(
            "/indexes/{name}",
            get(|Path(name): Path<String>| async move {
                Json(json!({ "uid": name, "primaryKey": "key", "createdAt": NOW, "updatedAt": NOW }))
            }),
        )
        .route(
            "/indexes/{name}/settings",
            patch(|Path(name): Path<String>| async move {
                (
                    StatusCode::ACCEPTED,
                    Json(json!({ "taskUid": 1, "indexUid": name, "status": "enqueued",
                        "type": "settingsUpdate", "enqueuedAt": NOW })),
                )
            }),
        )
        .route(
            "/tasks/{id}",
            get(|Path(id): Path<u32>| async move {
                Json(json!({ "uid": id, "indexUid": "srb", "status": "succeeded",
                    "type": "settingsUpdate", "details": null, "duration": "PT0.001S",
                    "enqueuedAt": NOW, "startedAt": NOW, "finishedAt": NOW }))
            }),
        )
        .route(
            "/indexes/{name}/search",
            post(move || async move {
                let (status, kind, code) = match failure {
                    Failure::Internal => (StatusCode::INTERNAL_SERVER_ERROR, "internal", "internal"),
                    Failure::Refused => (StatusCode::FORBIDDEN, "auth", "invalid_api_key"),
                    Failure::Hangs => {
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        unreachable!("the client gave up long before")
                    }
                };
                (
                    status,
                    Json(json!({ "message": "No space left on device (os error 28) at /var/lib/meilisearch",
                        "code": code, "type": kind, "link": "https://docs.meilisearch.com/errors" })),
                )
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_failing_meilisearch_gives_a_clear_error_in_time() {
    for (failure, want_unavailable) in [
        (Failure::Internal, true),
        (Failure::Hangs, true),
        (Failure::Refused, false),
    ] {
        let url = failing_meilisearch(failure).await;
        let index = MeiliIndex::connect_with_timeout(&url, None, "srb", Duration::from_millis(500))
            .await
            .expect("the stand-in accepts the configuration");
        // Without the client's own limit the hanging stand-in would hold the search forever.
        let err =
            tokio::time::timeout(Duration::from_secs(20), index.search(&public("Fachkräfte")))
                .await
                .expect("an answer, not a hang")
                .expect_err("every search fails");
        // Down (retry later, tell the user so) or refused (a misconfiguration: an internal
        // error); either way an answer, not a hang.
        assert_eq!(
            matches!(err, srb_search::SearchError::Unavailable(_)),
            want_unavailable,
            "{err:?}"
        );
    }
}
