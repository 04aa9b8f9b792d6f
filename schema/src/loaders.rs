//! Batch loaders: every relation resolves through one of these, so a page of 50 Kitas costs one
//! query per relation, not one per Kita. One set per request: nothing is cached across requests.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use srb_storage::{District, Kita, Provider, SocialSpace, Storage, StorageError};

pub type Loaders = DataLoader<ByKey, HashMapCache>;

/// A request's loader. The cache lives as long as the request, so a record loaded once is not
/// loaded again within it (and lists can prefetch what their items will ask for).
pub fn loaders(storage: Arc<dyn Storage>) -> Loaders {
    DataLoader::with_cache(ByKey(storage), tokio::spawn, HashMapCache::default())
}

/// Loads these keys now, in one batch, and keeps them for the rest of the request. A list that
/// prefetches knows every key its items will ask for; the loader's batching window (a 1 ms timer
/// served by a thread of its own) would only add latency and a thread hop to each relation.
pub async fn prefetch<K>(
    loaders: &Loaders,
    keys: impl IntoIterator<Item = K>,
) -> Result<HashMap<K, <ByKey as Loader<K>>::Value>, LoadError>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    ByKey: Loader<K, Error = LoadError>,
{
    let keys: Vec<K> = keys
        .into_iter()
        .collect::<HashSet<K>>()
        .into_iter()
        .collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let found = loaders.loader().load(&keys).await?;
    loaders
        .feed_many(found.iter().map(|(k, v)| (k.clone(), v.clone())))
        .await;
    Ok(found)
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

/// The lists of records per district: one query per include-deleted flag value, not one per
/// district.
macro_rules! district_list_loader {
    ($key:ident, $value:ty, $method:ident) => {
        impl Loader<$key> for ByKey {
            type Value = Vec<$value>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Vec<$value>>, LoadError> {
                let mut out: HashMap<$key, Vec<$value>> =
                    keys.iter().map(|k| (k.clone(), Vec::new())).collect();
                for flag in [false, true] {
                    let districts: Vec<String> = keys
                        .iter()
                        .filter(|k| k.1 == flag)
                        .map(|k| k.0.clone())
                        .collect();
                    for row in self.0.$method(&districts, flag).await? {
                        out.entry($key(row.district_ags.clone(), flag))
                            .or_default()
                            .push(row);
                    }
                }
                Ok(out)
            }
        }
    };
}

district_list_loader!(SocialSpacesOf, SocialSpace, social_spaces_of);
district_list_loader!(ProvidersOf, Provider, providers_of);

/// A district's official plan of a year, read and decompressed once per request however many
/// Kitas ask for their part of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct OfficialPlanKey(pub String, pub i32);

pub type OfficialRun = Arc<crate::planning::RunPayload>;

impl Loader<OfficialPlanKey> for ByKey {
    type Value = OfficialRun;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[OfficialPlanKey],
    ) -> Result<HashMap<OfficialPlanKey, OfficialRun>, LoadError> {
        let mut years: Vec<i32> = keys.iter().map(|k| k.1).collect();
        years.sort_unstable();
        years.dedup();
        let mut out = HashMap::new();
        for year in years {
            let districts: Vec<String> = keys
                .iter()
                .filter(|k| k.1 == year)
                .map(|k| k.0.clone())
                .collect();
            let plans = self.0.official_plans(year, &districts).await?;
            let ids: Vec<i64> = plans.iter().map(|p| p.run_id).collect();
            for run in self.0.runs_by_ids(&ids).await? {
                let payload = crate::planning::payload(&run)?;
                out.insert(
                    OfficialPlanKey(run.district_ags.clone(), year),
                    Arc::new(payload),
                );
            }
        }
        Ok(out)
    }
}

/// The indicator definitions that apply to a district (its own and the state-wide ones).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DefinitionsOf(pub String);

impl Loader<DefinitionsOf> for ByKey {
    type Value = Arc<Vec<srb_storage::IndicatorDefinition>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[DefinitionsOf],
    ) -> Result<HashMap<DefinitionsOf, Self::Value>, LoadError> {
        let districts: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let all = self.0.indicator_definitions(&districts).await?;
        Ok(keys
            .iter()
            .map(|k| {
                let defs = all
                    .iter()
                    .filter(|d| d.district_ags.is_none() || d.district_ags.as_deref() == Some(&k.0))
                    .cloned()
                    .collect();
                (k.clone(), Arc::new(defs))
            })
            .collect())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WorkshopKey(pub i64);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionKey(pub i64);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DocumentKey(pub i64);

loader!(
    WorkshopKey,
    srb_storage::Workshop,
    workshops_by_ids,
    |w: &srb_storage::Workshop| WorkshopKey(w.id)
);
loader!(
    SessionKey,
    srb_storage::WorkshopSession,
    sessions_by_ids,
    |s: &srb_storage::WorkshopSession| SessionKey(s.id)
);
loader!(
    DocumentKey,
    srb_storage::KnowledgeDocument,
    documents_by_ids,
    |d: &srb_storage::KnowledgeDocument| DocumentKey(d.id)
);

/// Lists keyed by one parent id, filled by one query over all parents of a batch.
macro_rules! grouped_loader {
    ($key:ident, $value:ty, |$s:ident, $ids:ident| $fetch:expr, |$row:ident| $group:expr) => {
        impl Loader<$key> for ByKey {
            type Value = Vec<$value>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Vec<$value>>, LoadError> {
                let $ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
                let mut out: HashMap<$key, Vec<$value>> =
                    keys.iter().map(|k| (*k, Vec::new())).collect();
                let $s = &self.0;
                for $row in $fetch {
                    let (key, value) = $group;
                    out.entry($key(key)).or_default().push(value);
                }
                Ok(out)
            }
        }
    };
}

/// The live sessions of a workshop, in agenda order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SessionsOf(pub i64);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContributionTags(pub i64);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DocumentTags(pub i64);
/// Copies made of a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ForksOf(pub i64);
/// A document's revisions, newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RevisionsOf(pub i64);

grouped_loader!(
    SessionsOf,
    srb_storage::WorkshopSession,
    |s, ids| s.sessions_of(&ids, false).await?,
    |row| (row.workshop_id, row)
);
grouped_loader!(
    ContributionTags,
    String,
    |s, ids| s.tags_of_contributions(&ids).await?,
    |row| row
);
grouped_loader!(
    DocumentTags,
    String,
    |s, ids| s.tags_of_documents(&ids).await?,
    |row| row
);
grouped_loader!(
    ForksOf,
    srb_storage::DocumentFork,
    |s, ids| s.forks_of(&ids).await?,
    |row| (row.origin_id, row)
);
grouped_loader!(
    RevisionsOf,
    srb_storage::KnowledgeRevision,
    |s, ids| s.revisions_of(&ids).await?,
    |row| (row.document_id, row)
);
