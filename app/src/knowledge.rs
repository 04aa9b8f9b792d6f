//! Knowledge store services that are more than one storage call.

use srb_domain::InputError;
use srb_storage::{DocumentData, DocumentKind, DocumentStatus, KnowledgeRevision};

/// What a fork of a role profile stores: a draft in `into_district` with the content of the
/// origin's newest revision, and that revision's number. Copied from the (immutable) revision
/// rather than the document's current row, so an edit of the origin saved meanwhile cannot make
/// the recorded revision differ from the content copied.
pub fn fork_of(
    origin_id: i64,
    newest: &KnowledgeRevision,
    into_district: String,
) -> Result<DocumentData, InputError> {
    if newest.status != DocumentStatus::Published {
        return Err(InputError::new(
            "input.id",
            "Nur veröffentlichte Profile können übernommen werden; dieses ist ein Entwurf.",
        ));
    }
    Ok(DocumentData {
        kind: DocumentKind::RoleProfile,
        district_ags: Some(into_district),
        title: newest.title.clone(),
        category: newest.category.clone(),
        status: DocumentStatus::Draft,
        publication: newest.publication,
        content: newest.content.clone(),
        tags: serde_json::from_str(&newest.tags).unwrap_or_default(),
        forked_from: Some((origin_id, newest.revision)),
        synthetic: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn revision(n: i32, status: DocumentStatus) -> KnowledgeRevision {
        KnowledgeRevision {
            document_id: 7,
            revision: n,
            title: format!("Fassung {n}"),
            category: Some("KITA_SOZIALARBEIT".into()),
            status,
            publication: srb_domain::Publication::Public,
            content: format!("{{\"purpose\": \"Fassung {n}\"}}"),
            tags: "[\"Elternarbeit\"]".into(),
            saved_at: Default::default(),
            saved_by: None,
        }
    }

    #[test]
    fn a_fork_records_the_revision_whose_content_it_copies() {
        let d = fork_of(7, &revision(3, DocumentStatus::Published), "07111".into()).unwrap();
        assert_eq!(d.forked_from, Some((7, 3)));
        assert_eq!(d.title, "Fassung 3");
        assert!(d.content.contains("Fassung 3"));
        assert_eq!(d.tags, ["Elternarbeit"]);
        assert_eq!(d.status, DocumentStatus::Draft);
    }

    #[test]
    fn a_draft_is_not_offered_for_reuse() {
        let e = fork_of(7, &revision(4, DocumentStatus::Draft), "07111".into()).unwrap_err();
        assert_eq!(e.field, "input.id");
    }
}
