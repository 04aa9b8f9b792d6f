//! Column values of the knowledge store's writes, shared by both backends (`sql/knowledge.rs`).

use serde_json::json;

use crate::knowledge::*;
use crate::model::Lifecycle;

pub(crate) fn json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

pub(crate) fn workshop_values(d: &WorkshopData) -> Vec<(&'static str, crate::sql::Value)> {
    use crate::sql::Value::*;
    vec![
        ("district_ags", Text(d.district_ags.clone())),
        ("title", Text(Some(d.title.clone()))),
        ("held_on", Date(Some(d.held_on))),
        ("format", Text(Some(d.format.as_str().into()))),
        ("organisers", Text(Some(json_list(&d.organisers)))),
        ("description", Text(d.description.clone())),
        ("publication", Text(Some(d.publication.as_str().into()))),
        ("synthetic", Bool(d.synthetic)),
    ]
}

pub(crate) fn session_values(
    d: &SessionData,
    position: i32,
) -> Vec<(&'static str, crate::sql::Value)> {
    use crate::sql::Value::*;
    vec![
        ("workshop_id", Int(Some(d.workshop_id))),
        ("kind", Text(Some(d.kind.as_str().into()))),
        ("title", Text(Some(d.title.clone()))),
        ("position", Int(Some(position.into()))),
        ("starts_at", Text(d.starts_at.clone())),
        ("ends_at", Text(d.ends_at.clone())),
        ("moderators", Text(Some(json_list(&d.moderators)))),
        ("inputs", Text(Some(json_list(&d.inputs)))),
        ("description", Text(d.description.clone())),
    ]
}

pub(crate) fn contribution_values(d: &ContributionData) -> Vec<(&'static str, crate::sql::Value)> {
    use crate::sql::Value::*;
    vec![
        ("district_ags", Text(d.district_ags.clone())),
        ("kind", Text(Some(d.kind.as_str().into()))),
        ("body", Text(Some(d.body.clone()))),
    ]
}

/// The columns a document's owner changes; kind, district and origin are fixed at creation.
pub(crate) fn document_values(d: &DocumentData) -> Vec<(&'static str, crate::sql::Value)> {
    use crate::sql::Value::*;
    vec![
        ("title", Text(Some(d.title.clone()))),
        ("category", Text(d.category.clone())),
        ("status", Text(Some(d.status.as_str().into()))),
        ("publication", Text(Some(d.publication.as_str().into()))),
        ("content", Text(Some(d.content.clone()))),
    ]
}

pub(crate) fn document_create_values(d: &DocumentData) -> Vec<(&'static str, crate::sql::Value)> {
    use crate::sql::Value::*;
    let mut values = vec![
        ("kind", Text(Some(d.kind.as_str().into()))),
        ("district_ags", Text(d.district_ags.clone())),
        ("forked_from_id", Int(d.forked_from.map(|f| f.0))),
        (
            "forked_from_revision",
            Int(d.forked_from.map(|f| f.1.into())),
        ),
        ("synthetic", Bool(d.synthetic)),
    ];
    values.extend(document_values(d));
    values
}

pub(crate) fn tags_detail(tags: &[String]) -> serde_json::Value {
    json!({ "tags": tags })
}

pub(crate) fn lifecycle_write(
    id: i64,
    expected_version: i32,
    lifecycle: Lifecycle,
) -> crate::sql::Write {
    crate::sql::Write::Lifecycle {
        id,
        expected_version,
        lifecycle,
    }
}
