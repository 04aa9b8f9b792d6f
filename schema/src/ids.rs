//! Relay global IDs: opaque to clients, `Type:key` inside.

use async_graphql::ID;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use crate::error::bad_input;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeType {
    District,
    SocialSpace,
    Provider,
    Kita,
    IndicatorDefinition,
    Concept,
    AllocationRun,
    Workshop,
    WorkshopSession,
    Contribution,
    RoleProfile,
    RoleProfileRevision,
    StaffingIdea,
    CooperationModel,
    ApiToken,
    Position,
}

impl NodeType {
    fn as_str(self) -> &'static str {
        match self {
            NodeType::District => "District",
            NodeType::SocialSpace => "SocialSpace",
            NodeType::Provider => "Provider",
            NodeType::Kita => "Kita",
            NodeType::IndicatorDefinition => "IndicatorDefinition",
            NodeType::Concept => "Concept",
            NodeType::AllocationRun => "AllocationRun",
            NodeType::CooperationModel => "CooperationModel",
            NodeType::StaffingIdea => "StaffingIdea",
            NodeType::RoleProfileRevision => "RoleProfileRevision",
            NodeType::RoleProfile => "RoleProfile",
            NodeType::Contribution => "Contribution",
            NodeType::WorkshopSession => "WorkshopSession",
            NodeType::Workshop => "Workshop",
            NodeType::ApiToken => "ApiToken",
            NodeType::Position => "Position",
        }
    }

    /// The entity name the audit trail files records of this type under: the documents of the
    /// knowledge store share one table and one name.
    pub fn stored_entity(self) -> &'static str {
        match self {
            NodeType::RoleProfile | NodeType::StaffingIdea | NodeType::CooperationModel => {
                "KnowledgeDocument"
            }
            other => other.as_str(),
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "District" => NodeType::District,
            "SocialSpace" => NodeType::SocialSpace,
            "Provider" => NodeType::Provider,
            "Kita" => NodeType::Kita,
            "IndicatorDefinition" => NodeType::IndicatorDefinition,
            "Concept" => NodeType::Concept,
            "AllocationRun" => NodeType::AllocationRun,
            "CooperationModel" => NodeType::CooperationModel,
            "StaffingIdea" => NodeType::StaffingIdea,
            "RoleProfileRevision" => NodeType::RoleProfileRevision,
            "RoleProfile" => NodeType::RoleProfile,
            "Contribution" => NodeType::Contribution,
            "WorkshopSession" => NodeType::WorkshopSession,
            "Workshop" => NodeType::Workshop,
            "ApiToken" => NodeType::ApiToken,
            "Position" => NodeType::Position,
            _ => return None,
        })
    }
}

pub fn encode(kind: NodeType, key: impl std::fmt::Display) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{key}", kind.as_str())))
}

pub fn decode(id: &ID) -> Option<(NodeType, String)> {
    let raw = URL_SAFE_NO_PAD.decode(id.as_bytes()).ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (kind, key) = text.split_once(':')?;
    Some((NodeType::parse(kind)?, key.to_owned()))
}

/// The numeric key of an ID that must name a record of `kind`; `field` is the input path used in
/// the error.
pub fn expect(id: &ID, kind: NodeType, field: &str) -> async_graphql::Result<i64> {
    match decode(id) {
        Some((k, key)) if k == kind => key
            .parse()
            .map_err(|_| bad_input(field, "Die ID ist ungültig.")),
        _ => Err(bad_input(
            field,
            format!(
                "Die ID ist keine gültige ID eines Objekts vom Typ {}.",
                kind.as_str()
            ),
        )),
    }
}

/// A page cursor: the id of the row, opaque to clients.
pub fn cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("c:{id}"))
}

pub fn parse_cursor(cursor: &str, field: &str) -> async_graphql::Result<i64> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|s| s.strip_prefix("c:").and_then(|n| n.parse().ok()))
        .ok_or_else(|| bad_input(field, "Der Cursor ist ungültig."))
}
