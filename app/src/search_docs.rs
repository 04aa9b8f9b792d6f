//! What the search index holds of each record: the documents the indexer builds from the
//! database's current state, with the audiences of `srb_domain` on each.

use std::collections::HashMap;

use anyhow::Result;
use chrono::Datelike;
use srb_domain::{record_audiences, Scope};
use srb_search::{DocKind, Removal, SearchDoc};
use srb_storage::{DocumentKind, DocumentStatus, OutboxRow, Storage, Workshop};

fn day(date: chrono::NaiveDate) -> i64 {
    date.signed_duration_since(chrono::NaiveDate::default())
        .num_days()
}

fn workshop_audiences(w: &Workshop) -> Vec<String> {
    record_audiences(&Scope {
        publication: w.publication,
        district: w.district_ags.as_deref(),
        published: true,
        deleted: false,
    })
}

fn doc_kind(kind: DocumentKind) -> DocKind {
    match kind {
        DocumentKind::RoleProfile => DocKind::RoleProfile,
        DocumentKind::StaffingIdea => DocKind::StaffingIdea,
        DocumentKind::CooperationModel => DocKind::CooperationModel,
    }
}

/// What the index must do so that it shows these records as the database has them now.
pub async fn refresh(
    storage: &dyn Storage,
    rows: &[OutboxRow],
) -> Result<(Vec<Removal>, Vec<SearchDoc>)> {
    let mut ids: HashMap<&str, Vec<i64>> = HashMap::new();
    for r in rows {
        ids.entry(r.entity_type.as_str())
            .or_default()
            .push(r.entity_id);
    }
    let mut removals = Vec::new();
    let mut docs = Vec::new();

    // Sessions and contributions are refreshed with their whole workshop: its publication and
    // titles are part of every contribution's document.
    let mut workshop_ids: Vec<i64> = ids.get("Workshop").cloned().unwrap_or_default();
    let sessions = storage
        .sessions_by_ids(ids.get("WorkshopSession").map_or(&[][..], |v| v))
        .await?;
    workshop_ids.extend(sessions.iter().map(|s| s.workshop_id));
    let contributions = storage
        .contributions_by_ids(ids.get("Contribution").map_or(&[][..], |v| v))
        .await?;
    let parent_sessions = storage
        .sessions_by_ids(
            &contributions
                .iter()
                .map(|c| c.session_id)
                .collect::<Vec<_>>(),
        )
        .await?;
    workshop_ids.extend(parent_sessions.iter().map(|s| s.workshop_id));
    workshop_ids.sort_unstable();
    workshop_ids.dedup();
    for w in storage.workshops_by_ids(&workshop_ids).await? {
        removals.push(Removal::Workshop(w.id));
        if w.deleted_at.is_some() {
            continue;
        }
        docs.extend(workshop_docs(storage, &w).await?);
    }

    let documents = storage
        .documents_by_ids(ids.get("KnowledgeDocument").map_or(&[][..], |v| v))
        .await?;
    let tags = tags_by_id(
        storage
            .tags_of_documents(&documents.iter().map(|d| d.id).collect::<Vec<_>>())
            .await?,
    );
    for d in documents {
        let kind = doc_kind(d.kind);
        if d.deleted_at.is_some() {
            removals.push(Removal::Doc(kind, d.id));
            continue;
        }
        let updated = d.updated_at.date_naive();
        docs.push(SearchDoc {
            kind,
            id: d.id,
            title: d.title.clone(),
            body: document_text(&d),
            audiences: record_audiences(&Scope {
                publication: d.publication,
                district: d.district_ags.as_deref(),
                published: d.status == DocumentStatus::Published,
                deleted: false,
            }),
            district_ags: d.district_ags.clone(),
            workshop_id: None,
            session_id: None,
            tags: tags.get(&d.id).cloned().unwrap_or_default(),
            category: d.category.clone(),
            day: day(updated),
            year: updated.year(),
        });
    }

    for k in storage
        .kitas_by_ids(ids.get("Kita").map_or(&[][..], |v| v))
        .await?
    {
        if k.deleted_at.is_some() {
            removals.push(Removal::Doc(DocKind::Kita, k.id));
            continue;
        }
        let updated = k.updated_at.date_naive();
        let place = [
            k.street.as_deref(),
            k.postal_code.as_deref(),
            k.city.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        docs.push(SearchDoc {
            kind: DocKind::Kita,
            id: k.id,
            title: k.name.clone(),
            body: place,
            // Kitas (name and place) are public records.
            audiences: record_audiences(&Scope {
                publication: srb_domain::Publication::Public,
                district: Some(&k.district_ags),
                published: true,
                deleted: false,
            }),
            district_ags: Some(k.district_ags.clone()),
            workshop_id: None,
            session_id: None,
            tags: Vec::new(),
            category: None,
            day: day(updated),
            year: updated.year(),
        });
    }
    Ok((removals, docs))
}

fn tags_by_id(pairs: Vec<(i64, String)>) -> HashMap<i64, Vec<String>> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, tag) in pairs {
        out.entry(id).or_default().push(tag);
    }
    out
}

/// A workshop and every live contribution of its live sessions.
async fn workshop_docs(storage: &dyn Storage, w: &Workshop) -> Result<Vec<SearchDoc>> {
    let aud = workshop_audiences(w);
    let sessions = storage.sessions_of(&[w.id], false).await?;
    let session_ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
    let contributions = storage.contributions_of_sessions(&session_ids).await?;
    let tags = tags_by_id(
        storage
            .tags_of_contributions(&contributions.iter().map(|c| c.id).collect::<Vec<_>>())
            .await?,
    );
    let mut docs = vec![SearchDoc {
        kind: DocKind::Workshop,
        id: w.id,
        title: w.title.clone(),
        body: join(&[
            w.description.as_deref().unwrap_or_default(),
            &sessions
                .iter()
                .map(|s| s.title.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ]),
        district_ags: w.district_ags.clone(),
        audiences: aud.clone(),
        workshop_id: Some(w.id),
        session_id: None,
        tags: Vec::new(),
        category: None,
        day: day(w.held_on),
        year: w.held_on.year(),
    }];
    for c in contributions {
        if !sessions.iter().any(|s| s.id == c.session_id) {
            continue;
        }
        docs.push(SearchDoc {
            kind: DocKind::Contribution,
            id: c.id,
            // The session's title would make every point of a room match its theme; the
            // contribution is found by what it says.
            title: String::new(),
            body: c.body.clone(),
            district_ags: c.district_ags.clone(),
            audiences: aud.clone(),
            workshop_id: Some(w.id),
            session_id: Some(c.session_id),
            tags: tags.get(&c.id).cloned().unwrap_or_default(),
            category: Some(c.kind.as_str().to_owned()),
            day: day(w.held_on),
            year: w.held_on.year(),
        });
    }
    Ok(docs)
}

/// Non-empty parts, one per line.
pub fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

/// The searchable text of a document: everything its owner wrote.
pub fn document_text(d: &srb_storage::KnowledgeDocument) -> String {
    match d.kind {
        srb_storage::DocumentKind::RoleProfile => {
            let c: crate::content::RoleProfileContent = crate::content::read(&d.content);
            let tasks: Vec<&str> = c.tasks.iter().map(|t| t.text.as_str()).collect();
            join(&[
                c.role_label.as_deref().unwrap_or_default(),
                c.purpose.as_deref().unwrap_or_default(),
                &tasks.join("\n"),
                &c.target_groups.join(", "),
                &c.ways_of_working
                    .iter()
                    .map(|w| w.label())
                    .collect::<Vec<_>>()
                    .join(", "),
                &c.qualifications.join(", "),
                c.access_notes.as_deref().unwrap_or_default(),
                c.employer.map(|e| e.label()).unwrap_or_default(),
                c.line_supervision.as_deref().unwrap_or_default(),
                c.professional_supervision.as_deref().unwrap_or_default(),
                &c.cooperation_partners.join(", "),
            ])
        }
        srb_storage::DocumentKind::StaffingIdea => {
            let c: crate::content::StaffingIdeaContent = crate::content::read(&d.content);
            join(&[
                &c.measure,
                c.context.as_deref().unwrap_or_default(),
                c.evidence.as_deref().unwrap_or_default(),
            ])
        }
        srb_storage::DocumentKind::CooperationModel => {
            let c: crate::content::CooperationModelContent = crate::content::read(&d.content);
            let payers: Vec<&str> = c
                .personnel_costs
                .iter()
                .chain(&c.material_costs)
                .map(|s| s.payer.as_str())
                .collect();
            let agreements: Vec<String> = c
                .agreements
                .iter()
                .map(|a| format!("{}: {}", a.parties.join(", "), a.subject))
                .collect();
            join(&[
                c.description.as_deref().unwrap_or_default(),
                c.employer.map(|e| e.label()).unwrap_or_default(),
                c.employer_note.as_deref().unwrap_or_default(),
                c.line_supervision.as_deref().unwrap_or_default(),
                c.professional_supervision.as_deref().unwrap_or_default(),
                &payers.join(", "),
                &agreements.join("\n"),
                &c.advantages.join("\n"),
                &c.risks.join("\n"),
            ])
        }
    }
}
