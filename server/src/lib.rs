//! The `srb` server: configuration, HTTP (GraphQL over HTTP, operations endpoints), demo data.

pub mod config;
pub mod demo;
pub mod demo_knowledge;
pub mod demo_plans;
pub mod http;
pub mod telemetry;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use secrecy::ExposeSecret;
use srb_storage::Storage;
use tokio::net::TcpListener;

pub use config::Config;

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

/// A server bound to its address, ready to run.
pub struct Server {
    listener: TcpListener,
    router: axum::Router,
}

impl Server {
    pub async fn bind(config: &Config, storage: Arc<dyn Storage>) -> Result<Self> {
        let listener = TcpListener::bind(config.addr)
            .await
            .with_context(|| format!("binding {}", config.addr))?;
        let router = http::router(config, storage);
        Ok(Self { listener, router })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("bound listener has an address")
    }

    /// Serves until `shutdown` resolves; requests in flight then finish before this returns.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("serving HTTP")
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
