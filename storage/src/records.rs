//! Districts, social spaces, providers and Kitas: the records everything else refers to.

use async_trait::async_trait;

use crate::model::*;
use crate::{Actor, Result};

#[async_trait]
pub trait RecordStore: Send + Sync {
    async fn districts(&self) -> Result<Vec<District>>;
    async fn districts_by_ags(&self, ags: &[String]) -> Result<Vec<District>>;

    async fn social_spaces_by_ids(&self, ids: &[i64]) -> Result<Vec<SocialSpace>>;
    /// The social spaces of these districts, by district, name and id.
    async fn social_spaces_of(
        &self,
        district_ags: &[String],
        include_deleted: bool,
    ) -> Result<Vec<SocialSpace>>;
    async fn create_social_space(
        &self,
        actor: Actor,
        data: &SocialSpaceData,
    ) -> Result<SocialSpace>;
    async fn update_social_space(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &SocialSpaceData,
    ) -> Result<SocialSpace>;
    async fn set_social_space_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<SocialSpace>;

    async fn providers_by_ids(&self, ids: &[i64]) -> Result<Vec<Provider>>;
    /// The providers of these districts, by district, name and id.
    async fn providers_of(
        &self,
        district_ags: &[String],
        include_deleted: bool,
    ) -> Result<Vec<Provider>>;
    async fn create_provider(&self, actor: Actor, data: &ProviderData) -> Result<Provider>;
    async fn update_provider(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &ProviderData,
    ) -> Result<Provider>;
    async fn set_provider_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Provider>;

    async fn kitas_by_ids(&self, ids: &[i64]) -> Result<Vec<Kita>>;
    async fn kitas(&self, filter: &KitaFilter, page: Page) -> Result<PageOf<Kita>>;
    async fn count_kitas(&self, filter: &KitaFilter) -> Result<i64>;
    /// `(kita id, tag)` pairs, tags in alphabetical order.
    async fn tags_of_kitas(&self, ids: &[i64]) -> Result<Vec<(i64, String)>>;
    async fn create_kita(&self, actor: Actor, data: &KitaData) -> Result<Kita>;
    async fn update_kita(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        data: &KitaData,
    ) -> Result<Kita>;
    async fn set_kita_lifecycle(
        &self,
        actor: Actor,
        id: i64,
        expected_version: i32,
        lifecycle: Lifecycle,
    ) -> Result<Kita>;
}
