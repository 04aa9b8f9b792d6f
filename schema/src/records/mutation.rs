//! Write side of the graph. Every mutation: authenticate, authorise for the district, parse the
//! input, check references, then one storage call (one transaction with its audit record).

use async_graphql::{Context, InputObject, MaybeUndefined, Object, ID};
use srb_storage as st;

use crate::error::{bad_input, not_found, OrGqlError};
use crate::guard::RoleGuard;
use crate::ids::{self, NodeType};
use crate::records::{Kita, Ownership, Provider, ProviderKind, SocialSpace};
use crate::shared::LifecycleInput;
use crate::shared::{known_district, patch};
use crate::{ctx_storage, ctx_viewer, parse};

#[derive(InputObject)]
pub struct CreateSocialSpaceInput {
    pub district_ags: String,
    pub name: String,
    pub description: Option<String>,
}

/// Nicht angegebene Felder bleiben, wie sie sind; `null` leert ein optionales Feld.
#[derive(InputObject)]
pub struct UpdateSocialSpaceInput {
    pub id: ID,
    /// Die Version, die gelesen wurde; ist sie veraltet, scheitert die Änderung mit CONFLICT.
    pub version: i32,
    pub name: Option<String>,
    pub description: MaybeUndefined<String>,
}

#[derive(InputObject)]
pub struct CreateProviderInput {
    pub district_ags: String,
    pub name: String,
    pub ownership: Ownership,
    pub kind: ProviderKind,
}

#[derive(InputObject)]
pub struct UpdateProviderInput {
    pub id: ID,
    pub version: i32,
    pub name: Option<String>,
    pub ownership: Option<Ownership>,
    pub kind: Option<ProviderKind>,
}

#[derive(InputObject)]
pub struct CreateKitaInput {
    pub district_ags: String,
    pub name: String,
    pub street: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub places: i32,
    #[graphql(default)]
    pub places_under3: i32,
    pub provider_id: Option<ID>,
    pub social_space_id: Option<ID>,
    #[graphql(default)]
    pub family_center: bool,
    #[graphql(default)]
    pub tags: Vec<String>,
}

#[derive(InputObject)]
pub struct UpdateKitaInput {
    pub id: ID,
    pub version: i32,
    pub name: Option<String>,
    pub street: MaybeUndefined<String>,
    pub postal_code: MaybeUndefined<String>,
    pub city: MaybeUndefined<String>,
    pub places: Option<i32>,
    pub places_under3: Option<i32>,
    pub provider_id: MaybeUndefined<ID>,
    pub social_space_id: MaybeUndefined<ID>,
    pub family_center: Option<bool>,
    pub tags: Option<Vec<String>>,
}

/// A reference to a provider or social space must name a live record of the same district.
async fn check_refs(
    ctx: &Context<'_>,
    ags: &str,
    provider_id: Option<i64>,
    social_space_id: Option<i64>,
) -> async_graphql::Result<()> {
    let storage = ctx_storage(ctx);
    if let Some(id) = provider_id {
        let found = storage.providers_by_ids(&[id]).await.gql()?;
        match found.first() {
            Some(p) if p.district_ags == ags && p.deleted_at.is_none() => {}
            Some(p) if p.deleted_at.is_some() => {
                return Err(bad_input("input.providerId", "Der Träger ist gelöscht."))
            }
            Some(_) => {
                return Err(bad_input(
                    "input.providerId",
                    "Der Träger gehört zu einem anderen Bezirk.",
                ))
            }
            None => return Err(bad_input("input.providerId", "Den Träger gibt es nicht.")),
        }
    }
    if let Some(id) = social_space_id {
        let found = storage.social_spaces_by_ids(&[id]).await.gql()?;
        match found.first() {
            Some(s) if s.district_ags == ags && s.deleted_at.is_none() => {}
            Some(s) if s.deleted_at.is_some() => {
                return Err(bad_input(
                    "input.socialSpaceId",
                    "Der Sozialraum ist gelöscht.",
                ))
            }
            Some(_) => {
                return Err(bad_input(
                    "input.socialSpaceId",
                    "Der Sozialraum gehört zu einem anderen Bezirk.",
                ))
            }
            None => {
                return Err(bad_input(
                    "input.socialSpaceId",
                    "Den Sozialraum gibt es nicht.",
                ))
            }
        }
    }
    Ok(())
}

fn opt_id(id: Option<&ID>, kind: NodeType, field: &str) -> async_graphql::Result<Option<i64>> {
    id.map(|id| ids::expect(id, kind, field)).transpose()
}

async fn load_social_space(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<st::SocialSpace> {
    let id = ids::expect(id, NodeType::SocialSpace, "input.id")?;
    let found = ctx_storage(ctx).social_spaces_by_ids(&[id]).await.gql()?;
    found
        .into_iter()
        .next()
        .ok_or_else(|| not_found("Der Sozialraum"))
}

async fn load_provider(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<st::Provider> {
    let id = ids::expect(id, NodeType::Provider, "input.id")?;
    let found = ctx_storage(ctx).providers_by_ids(&[id]).await.gql()?;
    found
        .into_iter()
        .next()
        .ok_or_else(|| not_found("Der Träger"))
}

async fn load_kita(ctx: &Context<'_>, id: &ID) -> async_graphql::Result<st::Kita> {
    let id = ids::expect(id, NodeType::Kita, "input.id")?;
    let found = ctx_storage(ctx).kitas_by_ids(&[id]).await.gql()?;
    found
        .into_iter()
        .next()
        .ok_or_else(|| not_found("Die Kita"))
}

/// Delete or restore, for each kind of record: authorise for the record's district, then one
/// versioned storage call.
async fn social_space_lifecycle(
    ctx: &Context<'_>,
    input: LifecycleInput,
    lifecycle: st::Lifecycle,
) -> async_graphql::Result<SocialSpace> {
    let current = load_social_space(ctx, &input.id).await?;
    let viewer = ctx_viewer(ctx);
    viewer.require_district_writer(&current.district_ags)?;
    let s = ctx_storage(ctx)
        .set_social_space_lifecycle(viewer.user_id(), current.id, input.version, lifecycle)
        .await
        .gql()?;
    Ok(SocialSpace(s))
}

async fn provider_lifecycle(
    ctx: &Context<'_>,
    input: LifecycleInput,
    lifecycle: st::Lifecycle,
) -> async_graphql::Result<Provider> {
    let current = load_provider(ctx, &input.id).await?;
    let viewer = ctx_viewer(ctx);
    viewer.require_district_writer(&current.district_ags)?;
    let p = ctx_storage(ctx)
        .set_provider_lifecycle(viewer.user_id(), current.id, input.version, lifecycle)
        .await
        .gql()?;
    Ok(Provider(p))
}

async fn kita_lifecycle(
    ctx: &Context<'_>,
    input: LifecycleInput,
    lifecycle: st::Lifecycle,
) -> async_graphql::Result<Kita> {
    let current = load_kita(ctx, &input.id).await?;
    let viewer = ctx_viewer(ctx);
    viewer.require_district_writer(&current.district_ags)?;
    let k = ctx_storage(ctx)
        .set_kita_lifecycle(viewer.user_id(), current.id, input.version, lifecycle)
        .await
        .gql()?;
    Ok(Kita(k))
}

/// Kita fields as given (create) or merged from the stored record and a patch (update), before
/// parsing.
struct KitaDraft<'a> {
    ags: String,
    name: &'a str,
    street: Option<&'a str>,
    postal_code: Option<&'a str>,
    city: Option<&'a str>,
    places: i32,
    places_under3: i32,
    provider_id: Option<i64>,
    social_space_id: Option<i64>,
    family_center: bool,
    tags: &'a [String],
    synthetic: bool,
}

impl KitaDraft<'_> {
    fn parse(self) -> async_graphql::Result<st::KitaData> {
        let places = parse::places("input.places", self.places)?;
        Ok(st::KitaData {
            district_ags: self.ags,
            name: parse::name("input.name", self.name)?,
            street: parse::short_text("input.street", self.street)?,
            postal_code: parse::postal_code("input.postalCode", self.postal_code)?,
            city: parse::short_text("input.city", self.city)?,
            places,
            places_under3: parse::places_under3("input.placesUnder3", self.places_under3, places)?,
            provider_id: self.provider_id,
            social_space_id: self.social_space_id,
            family_center: self.family_center,
            synthetic: self.synthetic,
            tags: parse::tags("input.tags", self.tags)?,
        })
    }
}

#[derive(Default)]
pub struct RecordsMutation;

#[Object]
impl RecordsMutation {
    /// Legt einen Sozialraum an.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn create_social_space(
        &self,
        ctx: &Context<'_>,
        input: CreateSocialSpaceInput,
    ) -> async_graphql::Result<SocialSpace> {
        let ags = known_district(ctx, &input.district_ags).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&ags)?;
        let data = st::SocialSpaceData {
            district_ags: ags,
            name: parse::name("input.name", &input.name)?,
            description: parse::text("input.description", input.description.as_deref())?,
            synthetic: false,
        };
        let s = ctx_storage(ctx)
            .create_social_space(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(SocialSpace(s))
    }

    #[graphql(guard = "RoleGuard::writers()")]
    async fn update_social_space(
        &self,
        ctx: &Context<'_>,
        input: UpdateSocialSpaceInput,
    ) -> async_graphql::Result<SocialSpace> {
        let current = load_social_space(ctx, &input.id).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&current.district_ags)?;
        let data = st::SocialSpaceData {
            name: parse::name("input.name", input.name.as_deref().unwrap_or(&current.name))?,
            description: parse::text(
                "input.description",
                patch(&current.description, &input.description).as_deref(),
            )?,
            district_ags: current.district_ags,
            synthetic: current.synthetic,
        };
        let s = ctx_storage(ctx)
            .update_social_space(viewer.user_id(), current.id, input.version, &data)
            .await
            .gql()?;
        Ok(SocialSpace(s))
    }

    /// Löscht einen Sozialraum (wiederherstellbar).
    #[graphql(guard = "RoleGuard::writers()")]
    async fn delete_social_space(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<SocialSpace> {
        social_space_lifecycle(ctx, input, st::Lifecycle::Delete).await
    }

    #[graphql(guard = "RoleGuard::writers()")]
    async fn restore_social_space(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<SocialSpace> {
        social_space_lifecycle(ctx, input, st::Lifecycle::Restore).await
    }

    /// Legt einen Träger an.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn create_provider(
        &self,
        ctx: &Context<'_>,
        input: CreateProviderInput,
    ) -> async_graphql::Result<Provider> {
        let ags = known_district(ctx, &input.district_ags).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&ags)?;
        let data = st::ProviderData {
            district_ags: ags,
            name: parse::name("input.name", &input.name)?,
            ownership: input.ownership.into(),
            kind: input.kind.into(),
            synthetic: false,
        };
        let p = ctx_storage(ctx)
            .create_provider(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(Provider(p))
    }

    #[graphql(guard = "RoleGuard::writers()")]
    async fn update_provider(
        &self,
        ctx: &Context<'_>,
        input: UpdateProviderInput,
    ) -> async_graphql::Result<Provider> {
        let current = load_provider(ctx, &input.id).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&current.district_ags)?;
        let data = st::ProviderData {
            name: parse::name("input.name", input.name.as_deref().unwrap_or(&current.name))?,
            ownership: input.ownership.map(Into::into).unwrap_or(current.ownership),
            kind: input.kind.map(Into::into).unwrap_or(current.kind),
            district_ags: current.district_ags,
            synthetic: current.synthetic,
        };
        let p = ctx_storage(ctx)
            .update_provider(viewer.user_id(), current.id, input.version, &data)
            .await
            .gql()?;
        Ok(Provider(p))
    }

    /// Löscht einen Träger (wiederherstellbar).
    #[graphql(guard = "RoleGuard::writers()")]
    async fn delete_provider(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Provider> {
        provider_lifecycle(ctx, input, st::Lifecycle::Delete).await
    }

    #[graphql(guard = "RoleGuard::writers()")]
    async fn restore_provider(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Provider> {
        provider_lifecycle(ctx, input, st::Lifecycle::Restore).await
    }

    /// Legt eine Kita an.
    #[graphql(guard = "RoleGuard::writers()")]
    async fn create_kita(
        &self,
        ctx: &Context<'_>,
        input: CreateKitaInput,
    ) -> async_graphql::Result<Kita> {
        let ags = known_district(ctx, &input.district_ags).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&ags)?;
        let provider_id = opt_id(
            input.provider_id.as_ref(),
            NodeType::Provider,
            "input.providerId",
        )?;
        let social_space_id = opt_id(
            input.social_space_id.as_ref(),
            NodeType::SocialSpace,
            "input.socialSpaceId",
        )?;
        let data = KitaDraft {
            ags,
            name: &input.name,
            street: input.street.as_deref(),
            postal_code: input.postal_code.as_deref(),
            city: input.city.as_deref(),
            places: input.places,
            places_under3: input.places_under3,
            provider_id,
            social_space_id,
            family_center: input.family_center,
            tags: &input.tags,
            synthetic: false,
        }
        .parse()?;
        check_refs(ctx, &data.district_ags, provider_id, social_space_id).await?;
        let k = ctx_storage(ctx)
            .create_kita(viewer.user_id(), &data)
            .await
            .gql()?;
        Ok(Kita(k))
    }

    #[graphql(guard = "RoleGuard::writers()")]
    async fn update_kita(
        &self,
        ctx: &Context<'_>,
        input: UpdateKitaInput,
    ) -> async_graphql::Result<Kita> {
        let current = load_kita(ctx, &input.id).await?;
        let viewer = ctx_viewer(ctx);
        viewer.require_district_writer(&current.district_ags)?;
        let provider_id = match &input.provider_id {
            MaybeUndefined::Undefined => current.provider_id,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(id) => {
                Some(ids::expect(id, NodeType::Provider, "input.providerId")?)
            }
        };
        let social_space_id = match &input.social_space_id {
            MaybeUndefined::Undefined => current.social_space_id,
            MaybeUndefined::Null => None,
            MaybeUndefined::Value(id) => Some(ids::expect(
                id,
                NodeType::SocialSpace,
                "input.socialSpaceId",
            )?),
        };
        let tags = match input.tags {
            Some(t) => t,
            None => ctx_storage(ctx)
                .tags_of_kitas(&[current.id])
                .await
                .gql()?
                .into_iter()
                .map(|(_, t)| t)
                .collect(),
        };
        let street = patch(&current.street, &input.street);
        let postal_code = patch(&current.postal_code, &input.postal_code);
        let city = patch(&current.city, &input.city);
        let data = KitaDraft {
            ags: current.district_ags.clone(),
            name: input.name.as_deref().unwrap_or(&current.name),
            street: street.as_deref(),
            postal_code: postal_code.as_deref(),
            city: city.as_deref(),
            places: input.places.unwrap_or(current.places),
            places_under3: input.places_under3.unwrap_or(current.places_under3),
            provider_id,
            social_space_id,
            family_center: input.family_center.unwrap_or(current.family_center),
            tags: &tags,
            synthetic: current.synthetic,
        }
        .parse()?;
        // Only references the update sets are checked: an unchanged one stays valid even if
        // its record was deleted meanwhile.
        check_refs(
            ctx,
            &data.district_ags,
            provider_id.filter(|_| input.provider_id.is_value()),
            social_space_id.filter(|_| input.social_space_id.is_value()),
        )
        .await?;
        let k = ctx_storage(ctx)
            .update_kita(viewer.user_id(), current.id, input.version, &data)
            .await
            .gql()?;
        Ok(Kita(k))
    }

    /// Löscht eine Kita (wiederherstellbar).
    #[graphql(guard = "RoleGuard::writers()")]
    async fn delete_kita(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Kita> {
        kita_lifecycle(ctx, input, st::Lifecycle::Delete).await
    }

    #[graphql(guard = "RoleGuard::writers()")]
    async fn restore_kita(
        &self,
        ctx: &Context<'_>,
        input: LifecycleInput,
    ) -> async_graphql::Result<Kita> {
        kita_lifecycle(ctx, input, st::Lifecycle::Restore).await
    }
}
