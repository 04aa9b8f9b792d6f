//! Output types: thin wrappers over the stored records, relations through the loaders.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, Object, ID};
use chrono::{DateTime, NaiveDate, Utc};
use srb_storage as st;

use crate::ctx_viewer;
use crate::ids::{self, NodeType};
use crate::loaders::{
    DistrictKey, Loaders, ProviderKey, ProvidersOf, SocialSpaceKey, SocialSpacesOf, TagsKey,
};

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::DistrictKind")]
/// Rechtsform des Jugendamtsbezirks.
pub enum DistrictKind {
    Landkreis,
    KreisfreieStadt,
    GrosseKreisangehoerigeStadt,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::Ownership")]
/// Öffentlicher oder freier Träger.
pub enum Ownership {
    Public,
    Independent,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::ProviderKind")]
pub enum ProviderKind {
    Kommunal,
    Katholisch,
    Evangelisch,
    Awo,
    Drk,
    Paritaetisch,
    Elterninitiative,
    Sonstige,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "st::Role")]
pub enum Role {
    Admin,
    Ministry,
    Coordinator,
    Facilitator,
}

async fn load<K, V>(ctx: &Context<'_>, key: K) -> async_graphql::Result<Option<V>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    crate::loaders::ByKey:
        async_graphql::dataloader::Loader<K, Value = V, Error = crate::loaders::LoadError>,
    V: Send + Sync + Clone + 'static,
{
    ctx.data_unchecked::<Loaders>()
        .load_one(key)
        .await
        .map_err(|e| e.into_gql())
}

/// Ein Jugendamtsbezirk (örtlicher Träger der öffentlichen Jugendhilfe) in Rheinland-Pfalz.
pub struct District(pub st::District);

#[Object]
impl District {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::District, &self.0.ags)
    }
    /// Amtlicher Gemeindeschlüssel (Kreis: 5 Stellen, Stadt mit eigenem Jugendamt: 8 Stellen).
    async fn ags(&self) -> &str {
        &self.0.ags
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> DistrictKind {
        self.0.kind.into()
    }
    async fn nuts3(&self) -> Option<&str> {
        self.0.nuts3.as_deref()
    }
    async fn area_km2(&self) -> Option<f64> {
        self.0.area_km2
    }
    /// Einwohnerzahl, soweit bekannt (Quelle: Destatis, via landkreise-deutschland, CC-BY-4.0).
    /// Bei Landkreisen mit einer großen kreisangehörigen Stadt ist deren Bevölkerung enthalten.
    async fn population(&self) -> Option<i64> {
        self.0.population
    }
    async fn population_reference_date(&self) -> Option<NaiveDate> {
        self.0.population_reference_date
    }
    /// Der Landkreis, in dem eine große kreisangehörige Stadt liegt.
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<District>> {
        // Boxed, as every loading field of a district (see `kitas`).
        match &self.0.parent_ags {
            Some(ags) => Ok(Box::pin(load(ctx, DistrictKey(ags.clone())))
                .await?
                .map(District)),
            None => Ok(None),
        }
    }
    async fn social_spaces(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_deleted: bool,
    ) -> async_graphql::Result<Vec<SocialSpace>> {
        if include_deleted {
            ctx_viewer(ctx).require_private_reader(Some(&self.0.ags))?;
        }
        let rows = Box::pin(load(
            ctx,
            SocialSpacesOf(self.0.ags.clone(), include_deleted),
        ))
        .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(SocialSpace)
            .collect())
    }
    async fn providers(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] include_deleted: bool,
    ) -> async_graphql::Result<Vec<Provider>> {
        if include_deleted {
            ctx_viewer(ctx).require_private_reader(Some(&self.0.ags))?;
        }
        let rows = Box::pin(load(ctx, ProvidersOf(self.0.ags.clone(), include_deleted))).await?;
        Ok(rows.unwrap_or_default().into_iter().map(Provider).collect())
    }
    /// Die Kitas des Bezirks, seitenweise.
    #[graphql(complexity = "crate::shared::page_complexity(first, last, child_complexity)")]
    async fn kitas(
        &self,
        ctx: &Context<'_>,
        filter: Option<super::query::KitaFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> async_graphql::Result<Connection<String, Kita, super::query::KitaConnectionFields>> {
        let mut filter = filter.unwrap_or_default();
        filter.district_ags = Some(self.0.ags.clone());
        // Boxed: async-graphql moves every field's future of a type at the size of its largest
        // field, and this one would make each `ags` or `name` of a list of districts as large.
        Box::pin(super::query::kita_page(
            ctx, filter, after, before, first, last,
        ))
        .await
    }
}

/// Ein Sozialraum eines Bezirks.
pub struct SocialSpace(pub st::SocialSpace);

#[Object]
impl SocialSpace {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::SocialSpace, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        district_by_ags(ctx, &self.0.district_ags).await
    }
    /// Synthetische Demodaten, keine echten Angaben.
    async fn synthetic(&self) -> bool {
        self.0.synthetic
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
}

/// Ein Kita-Träger.
pub struct Provider(pub st::Provider);

#[Object]
impl Provider {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Provider, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn ownership(&self) -> Ownership {
        self.0.ownership.into()
    }
    async fn kind(&self) -> ProviderKind {
        self.0.kind.into()
    }
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        district_by_ags(ctx, &self.0.district_ags).await
    }
    /// Synthetische Demodaten, keine echten Angaben.
    async fn synthetic(&self) -> bool {
        self.0.synthetic
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
}

/// Eine Kindertageseinrichtung.
pub struct Kita(pub st::Kita);

#[Object]
impl Kita {
    pub async fn id(&self) -> ID {
        ids::encode(NodeType::Kita, self.0.id)
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn street(&self) -> Option<&str> {
        self.0.street.as_deref()
    }
    async fn postal_code(&self) -> Option<&str> {
        self.0.postal_code.as_deref()
    }
    async fn city(&self) -> Option<&str> {
        self.0.city.as_deref()
    }
    /// Genehmigte Plätze.
    async fn places(&self) -> i32 {
        self.0.places
    }
    /// Davon Plätze für Kinder unter drei Jahren.
    async fn places_under3(&self) -> i32 {
        self.0.places_under3
    }
    /// Die Kita ist ein Familienzentrum.
    async fn family_center(&self) -> bool {
        self.0.family_center
    }
    async fn tags(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        Ok(load(ctx, TagsKey(self.0.id)).await?.unwrap_or_default())
    }
    async fn district(&self, ctx: &Context<'_>) -> async_graphql::Result<District> {
        district_by_ags(ctx, &self.0.district_ags).await
    }
    async fn provider(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Provider>> {
        match self.0.provider_id {
            Some(id) => Ok(load(ctx, ProviderKey(id)).await?.map(Provider)),
            None => Ok(None),
        }
    }
    async fn social_space(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SocialSpace>> {
        match self.0.social_space_id {
            Some(id) => Ok(load(ctx, SocialSpaceKey(id)).await?.map(SocialSpace)),
            None => Ok(None),
        }
    }
    /// Synthetische Demodaten, keine echten Angaben.
    /// Was die Kita im offiziellen Plan ihres Bezirks für ein Jahr bekommt, und warum.
    #[graphql(complexity = "20 + child_complexity")]
    async fn allocation(
        &self,
        ctx: &Context<'_>,
        year: i32,
    ) -> async_graphql::Result<Option<crate::explain::KitaAllocation>> {
        // Boxed for the size of every field's future (see `District::kitas`).
        Box::pin(crate::explain::kita_allocation(ctx, &self.0, year)).await
    }

    /// Indikatorwerte eines Datenjahres, mit Stichtag und Quelle (nur für Berechtigte des Bezirks).
    async fn indicator_values(
        &self,
        ctx: &Context<'_>,
        year: i32,
    ) -> async_graphql::Result<Vec<crate::explain::IndicatorValue>> {
        Box::pin(crate::explain::kita_indicator_values(ctx, &self.0, year)).await
    }

    async fn synthetic(&self) -> bool {
        self.0.synthetic
    }
    /// Bei jeder Änderung um eins erhöht; Änderungen nennen die Version, die sie gelesen haben.
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn deleted_at(&self) -> Option<DateTime<Utc>> {
        self.0.deleted_at
    }
}

pub(crate) async fn district_by_ags(
    ctx: &Context<'_>,
    ags: &str,
) -> async_graphql::Result<District> {
    load(ctx, DistrictKey(ags.to_owned()))
        .await?
        .map(District)
        .ok_or_else(|| crate::error::not_found("Der Bezirk"))
}

/// A Kita by id, when the viewer may see it (a deleted one only with the district's rights).
pub(crate) async fn kita_by_id(ctx: &Context<'_>, id: i64) -> async_graphql::Result<Option<Kita>> {
    let viewer = ctx_viewer(ctx);
    Ok(load(ctx, crate::loaders::KitaKey(id))
        .await?
        .filter(|k: &st::Kita| {
            k.deleted_at.is_none() || viewer.can_read_private(Some(&k.district_ags))
        })
        .map(Kita))
}

/// Ein Eintrag im Änderungsprotokoll: wer hat wann was geändert.
pub struct AuditEntry(pub st::AuditEntry);

#[Object]
impl AuditEntry {
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Datenbank-ID des handelnden Kontos; leer bei Vorgängen des Systems (z. B. Demodaten).
    async fn actor_user_id(&self) -> Option<i64> {
        self.0.actor_user_id
    }
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }
    /// Globale ID des geänderten Objekts, wo es eine gibt.
    async fn entity_id(&self) -> ID {
        let kind = match self.0.entity_type.as_str() {
            "Kita" => Some(NodeType::Kita),
            "Provider" => Some(NodeType::Provider),
            "SocialSpace" => Some(NodeType::SocialSpace),
            "District" => Some(NodeType::District),
            _ => None,
        };
        match kind {
            Some(k) => ids::encode(k, &self.0.entity_id),
            None => ID(self.0.entity_id.clone()),
        }
    }
    async fn district_ags(&self) -> Option<&str> {
        self.0.district_ags.as_deref()
    }
    /// create, update, delete, restore, seed_demo
    async fn action(&self) -> &str {
        &self.0.action
    }
    async fn old_version(&self) -> Option<i32> {
        self.0.old_version
    }
    async fn new_version(&self) -> Option<i32> {
        self.0.new_version
    }
    /// Alter und neuer Stand als JSON.
    async fn details(&self) -> async_graphql::Json<serde_json::Value> {
        async_graphql::Json(serde_json::from_str(&self.0.details).unwrap_or_default())
    }
}

pub fn edge_of(kita: st::Kita) -> Edge<String, Kita, async_graphql::connection::EmptyFields> {
    Edge::new(ids::cursor(kita.id), Kita(kita))
}
