//! Batch loaders: every relation resolves through one of these, so a page of 50 Kitas costs one
//! query per relation, not one per Kita. One set per request: nothing is cached across requests.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use srb_storage::{District, Kita, Provider, SocialSpace, Storage, StorageError};

pub type Loaders = DataLoader<ByKey, HashMapCache>;

/// A request's loader. The cache lives as long as the request, so a record loaded once is not
/// loaded again within it (and lists can prefetch what their items will ask for).
pub fn loaders(storage: Arc<dyn Storage>) -> Loaders {
    DataLoader::with_cache(ByKey(storage), tokio::spawn, HashMapCache::default())
}

/// One loader serving every key type: the key type says which table. The data loader batches
/// each key type separately.
pub struct ByKey(Arc<dyn Storage>);

#[derive(Clone, Debug)]
pub struct LoadError(Arc<StorageError>);

impl From<StorageError> for LoadError {
    fn from(e: StorageError) -> Self {
        LoadError(Arc::new(e))
    }
}

impl LoadError {
    pub fn into_gql(self) -> async_graphql::Error {
        crate::error::internal(self.0)
    }
}

macro_rules! loader {
    ($key:ty, $value:ty, $method:ident, $keyfn:expr) => {
        impl Loader<$key> for ByKey {
            type Value = $value;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, $value>, LoadError> {
                let ids: Vec<_> = keys.iter().map(|k| k.0.clone()).collect();
                let rows = self.0.$method(&ids).await?;
                Ok(rows.into_iter().map(|r| ($keyfn(&r), r)).collect())
            }
        }
    };
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DistrictKey(pub String);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SocialSpaceKey(pub i64);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProviderKey(pub i64);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KitaKey(pub i64);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TagsKey(pub i64);

loader!(DistrictKey, District, districts_by_ags, |d: &District| {
    DistrictKey(d.ags.clone())
});
loader!(
    SocialSpaceKey,
    SocialSpace,
    social_spaces_by_ids,
    |s: &SocialSpace| SocialSpaceKey(s.id)
);
loader!(ProviderKey, Provider, providers_by_ids, |p: &Provider| {
    ProviderKey(p.id)
});
loader!(KitaKey, Kita, kitas_by_ids, |k: &Kita| KitaKey(k.id));

impl Loader<TagsKey> for ByKey {
    type Value = Vec<String>;
    type Error = LoadError;

    async fn load(&self, keys: &[TagsKey]) -> Result<HashMap<TagsKey, Vec<String>>, LoadError> {
        let ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        let mut out: HashMap<TagsKey, Vec<String>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (id, tag) in self.0.tags_of_kitas(&ids).await? {
            out.entry(TagsKey(id)).or_default().push(tag);
        }
        Ok(out)
    }
}

/// The social spaces of a district; the flag says whether deleted ones count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SocialSpacesOf(pub String, pub bool);
/// The providers of a district; the flag says whether deleted ones count.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ProvidersOf(pub String, pub bool);

/// Groups keys by their include-deleted flag: one query per flag value, not per district.
fn by_flag<K: Clone>(keys: &[K], flag: impl Fn(&K) -> (String, bool)) -> [(bool, Vec<String>); 2] {
    let pick = |want: bool| {
        keys.iter()
            .map(&flag)
            .filter(|(_, f)| *f == want)
            .map(|(ags, _)| ags)
            .collect()
    };
    [(false, pick(false)), (true, pick(true))]
}

impl Loader<SocialSpacesOf> for ByKey {
    type Value = Vec<SocialSpace>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[SocialSpacesOf],
    ) -> Result<HashMap<SocialSpacesOf, Vec<SocialSpace>>, LoadError> {
        let mut out: HashMap<SocialSpacesOf, Vec<SocialSpace>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for (flag, districts) in by_flag(keys, |k| (k.0.clone(), k.1)) {
            for row in self.0.social_spaces_of(&districts, flag).await? {
                out.entry(SocialSpacesOf(row.district_ags.clone(), flag))
                    .or_default()
                    .push(row);
            }
        }
        Ok(out)
    }
}

impl Loader<ProvidersOf> for ByKey {
    type Value = Vec<Provider>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ProvidersOf],
    ) -> Result<HashMap<ProvidersOf, Vec<Provider>>, LoadError> {
        let mut out: HashMap<ProvidersOf, Vec<Provider>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for (flag, districts) in by_flag(keys, |k| (k.0.clone(), k.1)) {
            for row in self.0.providers_of(&districts, flag).await? {
                out.entry(ProvidersOf(row.district_ags.clone(), flag))
                    .or_default()
                    .push(row);
            }
        }
        Ok(out)
    }
}
