//! Read side of the graph.

use async_graphql::connection::{Connection, Edge, EmptyFields};
use async_graphql::{Context, InputObject, Object, ID};
use srb_storage as st;

use crate::error::{bad_input, OrGqlError};
use crate::guard::RoleGuard;
use crate::ids::{self, NodeType};
use crate::loaders::{
    prefetch, DistrictKey, Loaders, ProviderKey, ProvidersOf, SocialSpaceKey, SocialSpacesOf,
    TagsKey,
};
use crate::records::{AuditEntry, District, Kita};
use crate::shared::{page_args, page_complexity, page_info, DEFAULT_PAGE};
use crate::{ctx_storage, ctx_viewer};

/// Auswahl von Kitas. Alle Angaben schränken ein; leere Angaben gelten nicht.
#[derive(InputObject, Default)]
pub struct KitaFilter {
    pub district_ags: Option<String>,
    pub social_space_id: Option<ID>,
    pub provider_id: Option<ID>,
    /// Teil des Namens, ohne Rücksicht auf Groß- und Kleinschreibung.
    pub name_contains: Option<String>,
    pub family_center: Option<bool>,
    pub tag: Option<String>,
    /// Auch gelöschte Kitas (nur mit Leserecht auf nicht öffentliche Daten des Bezirks).
    #[graphql(default)]
    pub include_deleted: bool,
}

pub struct KitaConnectionFields {
    filter: st::KitaFilter,
}

#[Object]
impl KitaConnectionFields {
    /// Anzahl aller Kitas, auf die die Auswahl passt (über alle Seiten).
    async fn total_count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        ctx_storage(ctx).count_kitas(&self.filter).await.gql()
    }
}

/// The storage's filter of a `KitaFilter`; deleted Kitas only for private readers.
pub fn storage_filter(
    ctx: &Context<'_>,
    filter: KitaFilter,
) -> async_graphql::Result<st::KitaFilter> {
    if filter.include_deleted {
        ctx_viewer(ctx).require_private_reader(filter.district_ags.as_deref())?;
    }
    Ok(st::KitaFilter {
        district_ags: filter.district_ags,
        social_space_id: filter
            .social_space_id
            .map(|id| ids::expect(&id, NodeType::SocialSpace, "filter.socialSpaceId"))
            .transpose()?,
        provider_id: filter
            .provider_id
            .map(|id| ids::expect(&id, NodeType::Provider, "filter.providerId"))
            .transpose()?,
        name_contains: filter.name_contains.filter(|s| !s.trim().is_empty()),
        family_center: filter.family_center,
        tag: filter.tag,
        include_deleted: filter.include_deleted,
    })
}

pub async fn kita_page(
    ctx: &Context<'_>,
    filter: KitaFilter,
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> async_graphql::Result<Connection<String, Kita, KitaConnectionFields>> {
    let args = page_args(after, before, first, last)?;
    let filter = storage_filter(ctx, filter)?;
    let result = ctx_storage(ctx).kitas(&filter, args.page).await.gql()?;
    prefetch_kita_relations(ctx, &result.rows).await?;
    let (prev, next) = page_info(&args, &result);
    let mut connection =
        Connection::with_additional_fields(prev, next, KitaConnectionFields { filter });
    connection.edges.extend(
        result
            .rows
            .into_iter()
            .map(|k| Edge::new(ids::cursor(k.id), Kita(k))),
    );
    Ok(connection)
}

/// Loads, in one batch per relation, what the selected fields of a page of Kitas will ask for.
/// The data loader would batch these too, but only those requests that arrive within its
/// short window; on a busy server a page would then cost several queries per relation.
async fn prefetch_kita_relations(
    ctx: &Context<'_>,
    kitas: &[st::Kita],
) -> async_graphql::Result<()> {
    let loaders = ctx.data_unchecked::<Loaders>();
    let node = ctx.look_ahead().field("edges").field("node");
    let (provider, space) = (node.field("provider"), node.field("socialSpace"));
    // What the selection asks for, looked up once, not once per Kita.
    let (want_tags, want_providers, want_spaces) = (
        node.field("tags").exists(),
        provider.exists(),
        space.exists(),
    );
    // The relations side by side: each is one statement on a connection of its own.
    let (_, providers, spaces) = futures_util::try_join!(
        prefetch(
            loaders,
            kitas.iter().filter(|_| want_tags).map(|k| TagsKey(k.id)),
        ),
        prefetch(
            loaders,
            kitas
                .iter()
                .filter(|_| want_providers)
                .filter_map(|k| k.provider_id.map(ProviderKey)),
        ),
        prefetch(
            loaders,
            kitas
                .iter()
                .filter(|_| want_spaces)
                .filter_map(|k| k.social_space_id.map(SocialSpaceKey)),
        ),
    )
    .map_err(|e| e.into_gql())?;
    let mut districts: Vec<DistrictKey> = Vec::new();
    if node.field("district").exists() {
        districts.extend(kitas.iter().map(|k| DistrictKey(k.district_ags.clone())));
    }
    if provider.field("district").exists() {
        districts.extend(
            providers
                .values()
                .map(|p| DistrictKey(p.district_ags.clone())),
        );
    }
    if space.field("district").exists() {
        districts.extend(spaces.values().map(|s| DistrictKey(s.district_ags.clone())));
    }
    prefetch(loaders, districts)
        .await
        .map_err(|e| e.into_gql())?;
    Ok(())
}

/// Auswahl im Änderungsprotokoll.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    pub district_ags: Option<String>,
    /// Globale ID des Objekts, dessen Änderungen gesucht sind.
    pub entity_id: Option<ID>,
}

#[derive(Default)]
pub struct RecordsQuery;

#[Object]
impl RecordsQuery {
    /// Die 41 Jugendamtsbezirke in Rheinland-Pfalz, nach AGS geordnet.
    async fn districts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<District>> {
        let rows = ctx_storage(ctx).districts().await.gql()?;
        let loaders = ctx.data_unchecked::<Loaders>();
        // Later lookups of these districts (e.g. `socialSpaces { district }`) need no query.
        loaders
            .feed_many(rows.iter().map(|d| (DistrictKey(d.ags.clone()), d.clone())))
            .await;
        // One batch each for the lists most clients ask for along with every district.
        let look = ctx.look_ahead();
        let fail = |e: crate::loaders::LoadError| e.into_gql();
        if look.field("socialSpaces").exists() {
            prefetch(
                loaders,
                rows.iter().map(|d| SocialSpacesOf(d.ags.clone(), false)),
            )
            .await
            .map_err(fail)?;
        }
        if look.field("providers").exists() {
            prefetch(
                loaders,
                rows.iter().map(|d| ProvidersOf(d.ags.clone(), false)),
            )
            .await
            .map_err(fail)?;
        }
        Ok(rows.into_iter().map(District).collect())
    }

    async fn district(
        &self,
        ctx: &Context<'_>,
        ags: String,
    ) -> async_graphql::Result<Option<District>> {
        let loaded = ctx
            .data_unchecked::<Loaders>()
            .load_one(DistrictKey(ags))
            .await
            .map_err(|e| e.into_gql())?;
        Ok(loaded.map(District))
    }

    /// Kitas seitenweise (Relay-Verbindung), nach Anlage geordnet.
    #[graphql(complexity = "page_complexity(first, last, child_complexity)")]
    async fn kitas(
        &self,
        ctx: &Context<'_>,
        filter: Option<KitaFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<Connection<String, Kita, KitaConnectionFields>> {
        kita_page(ctx, filter.unwrap_or_default(), after, before, first, last).await
    }

    /// Änderungsprotokoll, neueste Einträge zuerst. Koordinationskräfte sehen ihren Bezirk,
    /// Ministerium und Administration alle.
    #[graphql(
        guard = "RoleGuard::private_readers()",
        complexity = "page_complexity(first, None, child_complexity)"
    )]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditLogFilter>,
        after: Option<String>,
        first: Option<i32>,
    ) -> async_graphql::Result<Connection<String, AuditEntry, EmptyFields>> {
        let filter = filter.unwrap_or_default();
        let viewer = ctx_viewer(ctx);
        // Coordinators without a district filter read their own district.
        let district_ags = match (&filter.district_ags, viewer.user.as_deref()) {
            (None, Some(u)) if u.role == st::Role::Coordinator => u.district_ags.clone(),
            (given, _) => given.clone(),
        };
        viewer.require_private_reader(district_ags.as_deref())?;
        let (entity_type, entity_id) = match &filter.entity_id {
            Some(id) => match ids::decode(id) {
                Some((kind, key)) => (Some(kind.stored_entity().to_owned()), Some(key)),
                None => return Err(bad_input("filter.entityId", "Die ID ist ungültig.")),
            },
            None => (None, None),
        };
        // Newest first: page from the end of the id order.
        let mut args = page_args(None, after, None, first.or(Some(DEFAULT_PAGE)))?;
        args.page.from_end = true;
        let result = ctx_storage(ctx)
            .audit_entries(
                &st::AuditFilter {
                    district_ags,
                    entity_type,
                    entity_id,
                },
                args.page,
            )
            .await
            .gql()?;
        let mut connection = Connection::new(false, result.has_more);
        connection.edges.extend(
            result
                .rows
                .into_iter()
                .rev()
                .map(|e| Edge::new(ids::cursor(e.id), AuditEntry(e))),
        );
        Ok(connection)
    }
}
