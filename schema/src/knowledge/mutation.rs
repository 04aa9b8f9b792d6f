//! The knowledge store's mutations.

use async_graphql::{Context, MaybeUndefined, Object, ID};
use srb_storage as st;
use st::DocumentKind;

use crate::content::{self};
use crate::error::{bad_input, not_found, OrGqlError};
use crate::guard::RoleGuard;
use crate::ids::{self, NodeType};
use crate::loaders::ContributionTags;
use crate::shared::LifecycleInput;
use crate::shared::{known_district, patch};
use crate::{ctx_storage, ctx_viewer, parse};

use super::*;

// ---------------------------------------------------------------------------------------------
// Mutations

#[derive(Default)]
pub struct KnowledgeMutation;

#[Object]
impl KnowledgeMutation {
    /// Legt einen Workshop an (Moderation, Administration; Koordination für den eigenen Bezirk).
    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn create_workshop(
        &self,
        ctx: &Context<'_>,
        input: CreateWorkshopInput,
    ) -> async_graphql::Result<Workshop> {
        let viewer = ctx_viewer(ctx);
        let district = optional_district(ctx, input.district_ags.as_deref()).await?;
        let data = st::WorkshopData {
            title: title("input.title", &input.title)?,
            held_on: input.held_on,
            format: input.format.into(),
            organisers: content::list("input.organisers", &input.organisers)?,
            description: content::body("input.description", input.description.as_deref())?,
            publication: publication_for(
                "input.publication",
                input.publication,
                district.as_deref(),
            )?,
            district_ags: district,
            synthetic: false,
        };
        require_workshop_editor(viewer, data.district_ags.as_deref(), data.publication)?;
        let w = ctx_storage(ctx)
            .create_workshop(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(Workshop(w))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn update_workshop(
        &self,
        ctx: &Context<'_>,
        input: UpdateWorkshopInput,
    ) -> async_graphql::Result<Workshop> {
        let viewer = ctx_viewer(ctx);
        let id = ids::expect(&input.id, NodeType::Workshop, "input.id")?;
        let w = workshop_record(ctx, id).await?;
        require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
        let data = st::WorkshopData {
            title: match &input.title {
                Some(t) => title("input.title", t)?,
                None => w.title.clone(),
            },
            held_on: input.held_on.unwrap_or(w.held_on),
            format: input.format.map(Into::into).unwrap_or(w.format),
            organisers: match &input.organisers {
                Some(o) => content::list("input.organisers", o)?,
                None => json_names(&w.organisers),
            },
            description: content::body(
                "input.description",
                patch(&w.description, &input.description).as_deref(),
            )?,
            publication: match input.publication {
                Some(p) => publication_for("input.publication", p, w.district_ags.as_deref())?,
                None => w.publication,
            },
            district_ags: w.district_ags.clone(),
            synthetic: w.synthetic,
        };
        // The new publication level must leave the workshop in the editor's reach, too.
        require_workshop_editor(viewer, data.district_ags.as_deref(), data.publication)?;
        let w = ctx_storage(ctx)
            .update_workshop(viewer.user_id(), id, input.version, &data)
            .await
            .gql()?;
        Ok(Workshop(w))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn delete_workshop(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Workshop> {
        workshop_lifecycle(ctx, input, st::Lifecycle::Delete).await
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn restore_workshop(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Workshop> {
        workshop_lifecycle(ctx, input, st::Lifecycle::Restore).await
    }

    /// Fügt einem Workshop einen Programmpunkt oder Themenraum hinzu.
    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn create_workshop_session(
        &self,
        ctx: &Context<'_>,
        input: CreateSessionInput,
    ) -> async_graphql::Result<WorkshopSession> {
        let viewer = ctx_viewer(ctx);
        let wid = ids::expect(&input.workshop_id, NodeType::Workshop, "input.workshopId")?;
        let w = workshop_record(ctx, wid).await?;
        require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
        if w.deleted_at.is_some() {
            return Err(bad_input("input.workshopId", "Der Workshop ist gelöscht."));
        }
        let data = session_data(
            wid,
            input.kind,
            &input.title,
            input.position,
            input.starts_at.as_deref(),
            input.ends_at.as_deref(),
            &input.moderators,
            &input.inputs,
            input.description.as_deref(),
        )?;
        let s = ctx_storage(ctx)
            .create_session(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(WorkshopSession(s))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn update_workshop_session(
        &self,
        ctx: &Context<'_>,
        input: UpdateSessionInput,
    ) -> async_graphql::Result<WorkshopSession> {
        let viewer = ctx_viewer(ctx);
        let id = ids::expect(&input.id, NodeType::WorkshopSession, "input.id")?;
        let (s, w) = session_record(ctx, id).await?;
        require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
        let data = session_data(
            s.workshop_id,
            input.kind.unwrap_or(s.kind.into()),
            input.title.as_deref().unwrap_or(&s.title),
            Some(input.position.unwrap_or(s.position)),
            patch(&s.starts_at, &input.starts_at).as_deref(),
            patch(&s.ends_at, &input.ends_at).as_deref(),
            &input
                .moderators
                .unwrap_or_else(|| json_names(&s.moderators)),
            &input.inputs.unwrap_or_else(|| json_names(&s.inputs)),
            patch(&s.description, &input.description).as_deref(),
        )?;
        let s = ctx_storage(ctx)
            .update_session(viewer.user_id(), id, input.version, &data)
            .await
            .gql()?;
        Ok(WorkshopSession(s))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn delete_workshop_session(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<WorkshopSession> {
        session_lifecycle(ctx, input, st::Lifecycle::Delete).await
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn restore_workshop_session(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<WorkshopSession> {
        session_lifecycle(ctx, input, st::Lifecycle::Restore).await
    }

    /// Hält einen Diskussionsbeitrag fest. Wer `contributionAdded` für den Programmpunkt
    /// abonniert hat, erhält ihn sofort.
    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn add_contribution(
        &self,
        ctx: &Context<'_>,
        input: AddContributionInput,
    ) -> async_graphql::Result<Contribution> {
        let viewer = ctx_viewer(ctx);
        let sid = ids::expect(
            &input.session_id,
            NodeType::WorkshopSession,
            "input.sessionId",
        )?;
        let (s, w) = session_record(ctx, sid).await?;
        require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
        if s.deleted_at.is_some() || w.deleted_at.is_some() {
            return Err(bad_input(
                "input.sessionId",
                "Der Programmpunkt ist gelöscht.",
            ));
        }
        let data = st::ContributionData {
            session_id: sid,
            district_ags: optional_district(ctx, input.district_ags.as_deref()).await?,
            kind: input.kind.into(),
            body: content::required_body("input.body", &input.body)?,
            tags: parse::tags("input.tags", &input.tags)?,
        };
        let c = ctx_storage(ctx)
            .create_contribution(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(Contribution(c))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn update_contribution(
        &self,
        ctx: &Context<'_>,
        input: UpdateContributionInput,
    ) -> async_graphql::Result<Contribution> {
        let viewer = ctx_viewer(ctx);
        let id = ids::expect(&input.id, NodeType::Contribution, "input.id")?;
        let c = contribution_record(ctx, id).await?;
        let (_, w) = session_record(ctx, c.session_id).await?;
        require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
        let tags = match &input.tags {
            Some(t) => parse::tags("input.tags", t)?,
            None => load(ctx, ContributionTags(id)).await?.unwrap_or_default(),
        };
        let data = st::ContributionData {
            session_id: c.session_id,
            district_ags: match &input.district_ags {
                MaybeUndefined::Undefined => c.district_ags.clone(),
                MaybeUndefined::Null => None,
                MaybeUndefined::Value(a) => optional_district(ctx, Some(a)).await?,
            },
            kind: input.kind.map(Into::into).unwrap_or(c.kind),
            body: match &input.body {
                Some(b) => content::required_body("input.body", b)?,
                None => c.body.clone(),
            },
            tags,
        };
        let c = ctx_storage(ctx)
            .update_contribution(viewer.user_id(), id, input.version, &data)
            .await
            .gql()?;
        Ok(Contribution(c))
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn delete_contribution(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Contribution> {
        contribution_lifecycle(ctx, input, st::Lifecycle::Delete).await
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn restore_contribution(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Contribution> {
        contribution_lifecycle(ctx, input, st::Lifecycle::Restore).await
    }

    /// Legt ein Aufgabenprofil des Bezirks an (Fassung 1).
    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn create_role_profile(
        &self,
        ctx: &Context<'_>,
        input: CreateRoleProfileInput,
    ) -> async_graphql::Result<RoleProfile> {
        let viewer = ctx_viewer(ctx);
        let ags = known_district(ctx, &input.district_ags).await?;
        viewer.require_district_writer(&ags)?;
        let data = role_profile_data(input.profile, &ags, None, "input.profile")?;
        let d = ctx_storage(ctx)
            .create_document(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(d.into())
    }

    /// Speichert das ganze Profil als neue Fassung.
    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn update_role_profile(
        &self,
        ctx: &Context<'_>,
        input: UpdateRoleProfileInput,
    ) -> async_graphql::Result<RoleProfile> {
        let kind = DocumentKind::RoleProfile;
        update_document_of(ctx, &input.id, input.version, kind, |d, origin| {
            role_profile_data(
                input.profile,
                d.unwrap_or_default(),
                origin,
                "input.profile",
            )
        })
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn delete_role_profile(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<RoleProfile> {
        document_lifecycle(ctx, input, DocumentKind::RoleProfile, st::Lifecycle::Delete)
            .await
            .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn restore_role_profile(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<RoleProfile> {
        document_lifecycle(
            ctx,
            input,
            DocumentKind::RoleProfile,
            st::Lifecycle::Restore,
        )
        .await
        .map(Into::into)
    }

    /// Übernimmt ein veröffentlichtes Profil eines anderen Bezirks als Entwurf in den eigenen
    /// Bezirk; die Kopie merkt sich, woher sie stammt.
    #[graphql(guard = "RoleGuard::writers()")]
    pub(crate) async fn fork_role_profile(
        &self,
        ctx: &Context<'_>,
        input: ForkRoleProfileInput,
    ) -> async_graphql::Result<RoleProfile> {
        let viewer = ctx_viewer(ctx);
        let ags = match ids::decode(&input.district_id) {
            Some((NodeType::District, ags)) => known_district(ctx, &ags)
                .await
                .map_err(|_| bad_input("input.districtId", "Den Bezirk gibt es nicht."))?,
            _ => {
                return Err(bad_input(
                    "input.districtId",
                    "Die ID ist keine gültige ID eines Bezirks.",
                ))
            }
        };
        viewer.require_district_writer(&ags)?;
        let id = ids::expect(&input.id, NodeType::RoleProfile, "input.id")?;
        let origin = visible_document(ctx, id, DocumentKind::RoleProfile).await?;
        let newest = ctx_storage(ctx)
            .revisions_of(&[origin.id])
            .await
            .gql()?
            .into_iter()
            .next()
            .ok_or_else(|| not_found("Die Fassung"))?;
        let data = srb_app::knowledge::fork_of(origin.id, &newest, ags)
            .map_err(crate::error::input_error)?;
        let d = ctx_storage(ctx)
            .create_document(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(d.into())
    }

    /// Legt eine Idee zur Fachkräftegewinnung an.
    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn create_staffing_idea(
        &self,
        ctx: &Context<'_>,
        input: CreateStaffingIdeaInput,
    ) -> async_graphql::Result<StaffingIdea> {
        let district = input.district_ags.as_deref();
        create_document_in(ctx, district, |d| {
            staffing_idea_data(input.idea, d, "input.idea")
        })
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn update_staffing_idea(
        &self,
        ctx: &Context<'_>,
        input: UpdateStaffingIdeaInput,
    ) -> async_graphql::Result<StaffingIdea> {
        let kind = DocumentKind::StaffingIdea;
        update_document_of(ctx, &input.id, input.version, kind, |d, _| {
            staffing_idea_data(input.idea, d, "input.idea")
        })
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn delete_staffing_idea(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<StaffingIdea> {
        document_lifecycle(
            ctx,
            input,
            DocumentKind::StaffingIdea,
            st::Lifecycle::Delete,
        )
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn restore_staffing_idea(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<StaffingIdea> {
        document_lifecycle(
            ctx,
            input,
            DocumentKind::StaffingIdea,
            st::Lifecycle::Restore,
        )
        .await
        .map(Into::into)
    }

    /// Legt ein Modell der Trägerkooperation an.
    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn create_cooperation_model(
        &self,
        ctx: &Context<'_>,
        input: CreateCooperationModelInput,
    ) -> async_graphql::Result<CooperationModel> {
        let district = input.district_ags.as_deref();
        create_document_in(ctx, district, |d| {
            cooperation_model_data(input.model, d, "input.model")
        })
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn update_cooperation_model(
        &self,
        ctx: &Context<'_>,
        input: UpdateCooperationModelInput,
    ) -> async_graphql::Result<CooperationModel> {
        let kind = DocumentKind::CooperationModel;
        update_document_of(ctx, &input.id, input.version, kind, |d, _| {
            cooperation_model_data(input.model, d, "input.model")
        })
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn delete_cooperation_model(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<CooperationModel> {
        document_lifecycle(
            ctx,
            input,
            DocumentKind::CooperationModel,
            st::Lifecycle::Delete,
        )
        .await
        .map(Into::into)
    }

    #[graphql(guard = "RoleGuard::knowledge_editors()")]
    pub(crate) async fn restore_cooperation_model(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<CooperationModel> {
        document_lifecycle(
            ctx,
            input,
            DocumentKind::CooperationModel,
            st::Lifecycle::Restore,
        )
        .await
        .map(Into::into)
    }
}

/// Creates a document of an optional district after checking who may, building the data from
/// the input only once the district is known.
pub(crate) async fn create_document_in(
    ctx: &Context<'_>,
    district_ags: Option<&str>,
    build: impl FnOnce(Option<&str>) -> async_graphql::Result<st::DocumentData>,
) -> async_graphql::Result<st::KnowledgeDocument> {
    let viewer = ctx_viewer(ctx);
    let district = optional_district(ctx, district_ags).await?;
    require_document_editor(viewer, district.as_deref())?;
    let data = build(district.as_deref())?;
    ctx_storage(ctx)
        .create_document(viewer.user_id(), &data)
        .await
        .gql()
}

/// Saves a new revision of a document: the build gets the document's district and origin.
pub(crate) async fn update_document_of(
    ctx: &Context<'_>,
    id: &ID,
    version: i32,
    kind: DocumentKind,
    build: impl FnOnce(Option<&str>, Option<(i64, i32)>) -> async_graphql::Result<st::DocumentData>,
) -> async_graphql::Result<st::KnowledgeDocument> {
    let viewer = ctx_viewer(ctx);
    let id = ids::expect(id, node_type(kind), "input.id")?;
    let d = document_record(ctx, id, kind).await?;
    require_document_editor(viewer, d.district_ags.as_deref())?;
    let data = build(
        d.district_ags.as_deref(),
        d.forked_from_id.zip(d.forked_from_revision),
    )?;
    ctx_storage(ctx)
        .update_document(viewer.user_id(), id, version, &data)
        .await
        .gql()
}

pub(crate) async fn contribution_record(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<st::Contribution> {
    ctx_storage(ctx)
        .contributions_by_ids(&[id])
        .await
        .gql()?
        .pop()
        .ok_or_else(|| not_found("Der Beitrag"))
}

pub(crate) async fn workshop_lifecycle(
    ctx: &Context<'_>,
    input: LifecycleInput,
    lifecycle: st::Lifecycle,
) -> async_graphql::Result<Workshop> {
    let viewer = ctx_viewer(ctx);
    let id = ids::expect(&input.id, NodeType::Workshop, "input.id")?;
    let w = workshop_record(ctx, id).await?;
    require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
    let w = ctx_storage(ctx)
        .set_workshop_lifecycle(viewer.user_id(), id, input.version, lifecycle)
        .await
        .gql()?;
    Ok(Workshop(w))
}

pub(crate) async fn session_lifecycle(
    ctx: &Context<'_>,
    input: LifecycleInput,
    lifecycle: st::Lifecycle,
) -> async_graphql::Result<WorkshopSession> {
    let viewer = ctx_viewer(ctx);
    let id = ids::expect(&input.id, NodeType::WorkshopSession, "input.id")?;
    let (_, w) = session_record(ctx, id).await?;
    require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
    let s = ctx_storage(ctx)
        .set_session_lifecycle(viewer.user_id(), id, input.version, lifecycle)
        .await
        .gql()?;
    Ok(WorkshopSession(s))
}

pub(crate) async fn contribution_lifecycle(
    ctx: &Context<'_>,
    input: LifecycleInput,
    lifecycle: st::Lifecycle,
) -> async_graphql::Result<Contribution> {
    let viewer = ctx_viewer(ctx);
    let id = ids::expect(&input.id, NodeType::Contribution, "input.id")?;
    let c = contribution_record(ctx, id).await?;
    let (_, w) = session_record(ctx, c.session_id).await?;
    require_workshop_editor(viewer, w.district_ags.as_deref(), w.publication)?;
    let c = ctx_storage(ctx)
        .set_contribution_lifecycle(viewer.user_id(), id, input.version, lifecycle)
        .await
        .gql()?;
    Ok(Contribution(c))
}

pub(crate) async fn document_lifecycle(
    ctx: &Context<'_>,
    input: LifecycleInput,
    kind: DocumentKind,
    lifecycle: st::Lifecycle,
) -> async_graphql::Result<st::KnowledgeDocument> {
    let viewer = ctx_viewer(ctx);
    let id = ids::expect(&input.id, node_type(kind), "input.id")?;
    let d = document_record(ctx, id, kind).await?;
    require_document_editor(viewer, d.district_ags.as_deref())?;
    ctx_storage(ctx)
        .set_document_lifecycle(viewer.user_id(), id, input.version, lifecycle)
        .await
        .gql()
}
