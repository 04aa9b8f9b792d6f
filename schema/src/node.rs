//! Relay's `Node` interface and `node(id:)`: every record with a global ID, from every area
//! of the graph. The one module that knows all areas (besides the root in `lib.rs`).

use async_graphql::{Context, Interface, Object, ID};

use crate::ctx_viewer;
use crate::error::bad_input;
use crate::ids::{self, NodeType};
use crate::knowledge::{self, KnowledgeNode as K};
use crate::loaders::{DistrictKey, KitaKey, Loaders, ProviderKey, SocialSpaceKey};
use crate::plan;
use crate::records::{District, Kita, Provider, SocialSpace};

#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    District(District),
    SocialSpace(SocialSpace),
    Provider(Provider),
    Kita(Kita),
    Concept(plan::ConceptObject),
    AllocationRun(plan::AllocationRun),
    Workshop(knowledge::Workshop),
    WorkshopSession(knowledge::WorkshopSession),
    Contribution(knowledge::Contribution),
    RoleProfile(knowledge::RoleProfile),
    StaffingIdea(knowledge::StaffingIdea),
    CooperationModel(knowledge::CooperationModel),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Ein Objekt über seine globale ID. Gelöschte Objekte sieht nur, wer die nicht öffentlichen
    /// Daten des Bezirks lesen darf.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<Option<Node>> {
        let Some((kind, key)) = ids::decode(&id) else {
            return Err(bad_input("id", "Die ID ist ungültig."));
        };
        let loaders = ctx.data_unchecked::<Loaders>();
        let viewer = ctx_viewer(ctx);
        let visible = |ags: &str, deleted: bool| !deleted || viewer.can_read_private(Some(ags));
        let numeric = || -> async_graphql::Result<i64> {
            key.parse()
                .map_err(|_| bad_input("id", "Die ID ist ungültig."))
        };
        let node = match kind {
            NodeType::District => loaders
                .load_one(DistrictKey(key.clone()))
                .await
                .map_err(|e| e.into_gql())?
                .map(|d| Node::District(District(d))),
            NodeType::Kita => loaders
                .load_one(KitaKey(numeric()?))
                .await
                .map_err(|e| e.into_gql())?
                .filter(|k| visible(&k.district_ags, k.deleted_at.is_some()))
                .map(|k| Node::Kita(Kita(k))),
            NodeType::Provider => loaders
                .load_one(ProviderKey(numeric()?))
                .await
                .map_err(|e| e.into_gql())?
                .filter(|p| visible(&p.district_ags, p.deleted_at.is_some()))
                .map(|p| Node::Provider(Provider(p))),
            NodeType::SocialSpace => loaders
                .load_one(SocialSpaceKey(numeric()?))
                .await
                .map_err(|e| e.into_gql())?
                .filter(|s| visible(&s.district_ags, s.deleted_at.is_some()))
                .map(|s| Node::SocialSpace(SocialSpace(s))),
            NodeType::Concept => plan::visible_concept(ctx, numeric()?)
                .await?
                .map(Node::Concept),
            NodeType::AllocationRun => plan::run_node(ctx, numeric()?)
                .await?
                .map(Node::AllocationRun),
            NodeType::IndicatorDefinition | NodeType::RoleProfileRevision | NodeType::Position => {
                None
            }
            other => knowledge::node(ctx, other, numeric()?)
                .await?
                .map(|n| match n {
                    K::Workshop(x) => Node::Workshop(x),
                    K::WorkshopSession(x) => Node::WorkshopSession(x),
                    K::Contribution(x) => Node::Contribution(x),
                    K::RoleProfile(x) => Node::RoleProfile(x),
                    K::StaffingIdea(x) => Node::StaffingIdea(x),
                    K::CooperationModel(x) => Node::CooperationModel(x),
                }),
        };
        Ok(node)
    }
}
