//! The `srb` server: configuration, HTTP (GraphQL over HTTP, operations endpoints), demo data.

pub mod config;
pub mod demo;
pub mod demo_accounts;
pub mod demo_knowledge;
pub mod demo_monitoring;
pub mod demo_plans;
pub mod http;
pub mod indexer;
pub mod limits;
pub mod memory;
pub mod telemetry;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use secrecy::ExposeSecret;
use srb_storage::Storage;
use tokio::net::TcpListener;

pub use config::{Config, MeiliConfig};

/// Opens the database (creating the data directory for SQLite) and applies migrations.
pub async fn open_storage(config: &Config) -> Result<Arc<dyn Storage>> {
    let url = config.database_url.expose_secret();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("creating the data directory {}", config.data_dir.display())
        })?;
    }
    let storage = srb_storage::connect(url)
        .await
        .with_context(|| format!("opening the database {}", config.database_url_redacted()))?;
    storage.migrate().await.context("applying migrations")?;
    Ok(storage)
}

/// Replaces the embedded database with a backup (see `srb_storage::backup::restore`). Refused
/// while a server runs on this data directory (its search index is held open: replacing the
/// database under it would leave it writing to a file that is gone). The old search index goes:
/// it held the newer state, and the next start fills a new one from the restored database.
pub async fn restore(
    config: &Config,
    from: &std::path::Path,
) -> Result<srb_storage::backup::Summary> {
    let index_dir = config.data_dir.join("search");
    if index_dir.exists() {
        match srb_search::Switchable::open(index_dir.clone()) {
            Err(srb_search::SearchError::Locked) => anyhow::bail!(
                "Der Server läuft noch (sein Suchindex ist geöffnet): erst beenden, dann \
                 wiederherstellen."
            ),
            Ok(index) => drop(index),
            Err(_) => {}
        }
    }
    let summary = srb_storage::backup::restore(from, config.database_url.expose_secret()).await?;
    if index_dir.exists() {
        std::fs::remove_dir_all(&index_dir)
            .with_context(|| format!("removing the old search index {}", index_dir.display()))?;
    }
    Ok(summary)
}

/// Opens the embedded search index in the data directory.
pub fn open_search(config: &Config) -> Result<Arc<srb_search::Switchable>> {
    let dir = config.data_dir.join("search");
    let index = srb_search::Switchable::open(dir.clone())
        .with_context(|| format!("opening the search index in {}", dir.display()))?;
    Ok(Arc::new(index))
}

/// The configured search backend: Meilisearch when `MEILI_URL` is set, else the embedded index.
pub enum SearchBackend {
    Embedded(Arc<srb_search::Switchable>),
    Meili(Arc<srb_search::MeiliIndex>),
}

impl SearchBackend {
    pub async fn open(config: &Config) -> Result<Self> {
        match &config.meili {
            Some(m) => {
                let index = srb_search::MeiliIndex::connect(
                    &m.url,
                    m.key.as_ref().map(|k| k.expose_secret()),
                    &m.index,
                )
                .await
                .with_context(|| format!("connecting to Meilisearch at {}", m.url))?;
                Ok(Self::Meili(Arc::new(index)))
            }
            None => Ok(Self::Embedded(open_search(config)?)),
        }
    }

    /// Whether opening created the index, which is then empty.
    pub fn created(&self) -> bool {
        match self {
            Self::Embedded(i) => i.created(),
            Self::Meili(i) => i.created(),
        }
    }

    pub fn index(&self) -> Arc<dyn srb_search::SearchIndex> {
        match self {
            Self::Embedded(i) => i.clone(),
            Self::Meili(i) => i.clone(),
        }
    }
}

/// A server bound to its address, ready to run.
pub struct Server {
    listener: TcpListener,
    router: axum::Router,
    search: SearchBackend,
    timeouts: config::Timeouts,
    storage: Arc<dyn Storage>,
    /// The feed this instance's indexer holds: (target, holder).
    feed: Option<(String, String)>,
    indexer: Option<tokio::task::JoinHandle<()>>,
    draining: Arc<std::sync::atomic::AtomicBool>,
}

/// The search index this configuration feeds, for the outbox's one-index rule.
pub fn feed_target(config: &Config) -> String {
    indexer::feed_target(
        config
            .meili
            .as_ref()
            .map(|m| (m.url.as_str(), m.index.as_str())),
        &config.data_dir.join("search"),
    )
}

pub use indexer::feed_holder;

impl Server {
    /// Binds the address, opens the search index and starts this instance's indexer.
    pub async fn bind(config: &Config, storage: Arc<dyn Storage>) -> Result<Self> {
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let search = SearchBackend::open(config).await?;
        // Before anything is queued: a second index at this outbox would miss updates.
        let feed = if config.search_worker {
            let feed = (feed_target(config), feed_holder());
            indexer::join_feed(storage.as_ref(), &feed.0, &feed.1).await?;
            Some(feed)
        } else {
            if matches!(search, SearchBackend::Embedded(_)) {
                tracing::warn!(
                    "SRB_SEARCH_WORKER=false with the embedded index: nobody feeds this \
                     instance's index, its search answers stay as they are"
                );
            }
            None
        };
        if search.created() {
            // A new index (first start, deleted, or a new format) is filled from the
            // database by the workers, as after `srb reindex`.
            let queued = storage.enqueue_all().await?;
            tracing::info!(queued, "new search index: every record queued");
        }
        let indexer = feed
            .is_some()
            .then(|| indexer::spawn(storage.clone(), search.index(), feed.clone()));
        let draining = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let router = http::router(config, storage.clone(), search.index(), draining.clone());
        Ok(Self {
            listener,
            router,
            search,
            timeouts: config.timeouts,
            storage,
            feed,
            indexer,
            draining,
        })
    }

    /// The embedded search index, if that is the backend (tests close and reopen it).
    pub fn embedded_search(&self) -> Option<Arc<srb_search::Switchable>> {
        match &self.search {
            SearchBackend::Embedded(i) => Some(i.clone()),
            SearchBackend::Meili(_) => None,
        }
    }

    /// The search index this instance serves and feeds, whichever the backend.
    pub fn search_index(&self) -> Arc<dyn srb_search::SearchIndex> {
        self.search.index()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    /// Serves until `shutdown` resolves; requests in flight then finish before this returns.
    pub async fn run(
        mut self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
        use hyper_util::server::conn::auto::Builder;
        // hyper directly rather than `axum::serve`, for what axum does not offer: a deadline
        // for a request's headers (a slow client holds no connection) and for shutdown.
        let mut builder = Builder::new(TokioExecutor::new());
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.timeouts.header_read);
        let graceful = hyper_util::server::graceful::GracefulShutdown::new();
        tokio::pin!(shutdown);
        let drain_end = tokio::time::sleep(std::time::Duration::ZERO);
        tokio::pin!(drain_end);
        loop {
            tokio::select! {
                accepted = self.listener.accept() => {
                    let (stream, peer) = match accepted {
                        Ok(accepted) => accepted,
                        Err(e) => {
                            // Out of file descriptors and the like: wait, then go on.
                            tracing::warn!(error = %e, "accept");
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    // The peer's address for the limits, as `axum::serve` would give it.
                    let router = self.router.clone();
                    let service = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                        req.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                        tower::ServiceExt::oneshot(router.clone(), req)
                    });
                    let connection = builder
                        .serve_connection_with_upgrades(TokioIo::new(stream), service)
                        .into_owned();
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, "connection ended");
                        }
                    });
                }
                _ = &mut shutdown, if !self.draining.load(std::sync::atomic::Ordering::Relaxed) => {
                    if self.timeouts.drain.is_zero() {
                        break;
                    }
                    // Still serving, but no longer ready: the load balancer sends the next
                    // requests elsewhere; then the stop below finds little left to finish.
                    tracing::info!(drain_s = self.timeouts.drain.as_secs(), "draining before the stop");
                    self.draining.store(true, std::sync::atomic::Ordering::Relaxed);
                    drain_end.as_mut().reset(tokio::time::Instant::now() + self.timeouts.drain);
                }
                _ = &mut drain_end, if self.draining.load(std::sync::atomic::Ordering::Relaxed) => break,
            }
        }
        drop(self.listener);
        if tokio::time::timeout(self.timeouts.shutdown, graceful.shutdown())
            .await
            .is_err()
        {
            tracing::warn!(
                deadline_s = self.timeouts.shutdown.as_secs(),
                "shutdown deadline passed: open requests are cut"
            );
        }
        // The rows this worker holds go to the others now, not when their lease ends.
        if let Some(indexer) = self.indexer.take() {
            indexer.abort();
            let _ = indexer.await;
        }
        if let Some((_, holder)) = &self.feed {
            if let Err(e) = self.storage.leave_search_worker(holder).await {
                tracing::warn!(error = %e, "leaving the search workers");
            }
        }
        // An embedded index is this instance's alone: free the feed for whoever comes next.
        // A shared Meilisearch feed stays with the instances still running.
        if let (Some((target, _)), SearchBackend::Embedded(_)) = (&self.feed, &self.search) {
            if let Err(e) = self.storage.leave_search_feed(target).await {
                tracing::warn!(error = %e, "leaving the search feed");
            }
        }
        Ok(())
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown requested: finishing requests in flight");
}
