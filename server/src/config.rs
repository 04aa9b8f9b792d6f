//! Configuration: environment variables over an optional TOML file (`SRB_CONFIG`) over defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// An import file may have 10 MB; the rest is room for the multipart framing and the operation.
pub const DEFAULT_UPLOAD_LIMIT: usize = 11 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// Settings of one `srb` process. `Debug` never shows the database URL: it may hold a password.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: SecretString,
    pub addr: SocketAddr,
    pub log_format: LogFormat,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    /// Largest multipart request (a file upload with its GraphQL operation).
    pub upload_limit: usize,
    pub depth_limit: usize,
    pub complexity_limit: usize,
    /// Serve `/_bench/districts`, the plain-JSON baseline for benchmarks.
    pub bench_routes: bool,
    /// Meilisearch instead of the embedded index (`MEILI_URL`, `MEILI_KEY`, `MEILI_INDEX`).
    pub meili: Option<MeiliConfig>,
    /// Run this instance's search indexer (`SRB_SEARCH_WORKER=false` for instances that only
    /// serve while others index).
    pub search_worker: bool,
    pub timeouts: Timeouts,
    /// Requests per minute from one address (`SRB_RATE_PER_ADDRESS`, 0: no limit).
    pub rate_per_address: u32,
    /// Requests per minute with one token or session (`SRB_RATE_PER_TOKEN`, 0: no limit).
    pub rate_per_token: u32,
    /// Proxies in front that append to `X-Forwarded-For` (`SRB_PROXY_HOPS`, default 0).
    pub proxy_hops: usize,
    /// The bearer token `/metrics` asks for (`SRB_METRICS_TOKEN`); without one there are no
    /// metrics over HTTP, since they tell much about the installation.
    pub metrics_token: Option<SecretString>,
}

/// Generous for people (a page is a handful of requests; an office may share one address),
/// tight enough that one client cannot occupy the server.
pub const DEFAULT_RATE_PER_ADDRESS: u32 = 1_200;
pub const DEFAULT_RATE_PER_TOKEN: u32 = 600;

/// How long the server waits, so no client holds a connection or a worker forever.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// For a request's headers to arrive (`SRB_HEADER_TIMEOUT_S`).
    pub header_read: std::time::Duration,
    /// For an answer, file uploads apart (`SRB_REQUEST_TIMEOUT_S`).
    pub request: std::time::Duration,
    /// For an answer to a file upload (`SRB_UPLOAD_TIMEOUT_S`).
    pub upload: std::time::Duration,
    /// For open requests after a shutdown signal, before they are cut (`SRB_SHUTDOWN_S`).
    pub shutdown: std::time::Duration,
    /// Between a shutdown signal and the stop of accepting (`SRB_DRAIN_S`): `/readyz` answers
    /// 503 `draining` meanwhile and requests are still served, so a load balancer's health
    /// check takes the instance out before it goes. 0 (the default) stops at once; behind a
    /// load balancer set it above the check's interval × failures.
    pub drain: std::time::Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        use std::time::Duration;
        Self {
            header_read: Duration::from_secs(10),
            request: Duration::from_secs(30),
            upload: Duration::from_secs(120),
            shutdown: Duration::from_secs(20),
            drain: Duration::ZERO,
        }
    }
}

fn seconds(name: &str, default: std::time::Duration) -> Result<std::time::Duration> {
    Ok(env_parsed::<u64>(name)?
        .map(std::time::Duration::from_secs)
        .unwrap_or(default))
}

#[derive(Debug, Clone)]
pub struct MeiliConfig {
    pub url: String,
    pub key: Option<SecretString>,
    /// Name of the index (several installations can share one Meilisearch).
    pub index: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    addr: Option<SocketAddr>,
    log_format: Option<LogFormat>,
    body_limit: Option<usize>,
    upload_limit: Option<usize>,
    depth_limit: Option<usize>,
    complexity_limit: Option<usize>,
    meili_url: Option<String>,
    meili_index: Option<String>,
    search_worker: Option<bool>,
    rate_per_address: Option<u32>,
    rate_per_token: Option<u32>,
    proxy_hops: Option<usize>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn env_parsed<T: std::str::FromStr>(name: &str) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    env(name)
        .map(|v| {
            v.parse::<T>()
                .map_err(|e| anyhow::anyhow!("{name}={v:?} is not valid: {e}"))
        })
        .transpose()
}

impl Config {
    pub fn load() -> Result<Self> {
        let file = match env("SRB_CONFIG") {
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading the configuration file {path}"))?;
                toml::from_str::<FileConfig>(&text)
                    .with_context(|| format!("parsing the configuration file {path}"))?
            }
            None => FileConfig::default(),
        };
        let data_dir = env("SRB_DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("./data"));
        let database_url = env("DATABASE_URL")
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite:{}", data_dir.join("srb.sqlite3").display()));
        let log_format = match env("SRB_LOG_FORMAT") {
            Some(v) if v.eq_ignore_ascii_case("json") => LogFormat::Json,
            Some(v) if v.eq_ignore_ascii_case("text") => LogFormat::Text,
            Some(v) => anyhow::bail!("SRB_LOG_FORMAT={v:?} is not valid: expected text or json"),
            None => file.log_format.unwrap_or(LogFormat::Text),
        };
        Ok(Self {
            addr: env_parsed("SRB_ADDR")?
                .or(file.addr)
                .unwrap_or_else(|| "127.0.0.1:8080".parse().expect("valid default address")),
            body_limit: env_parsed("SRB_BODY_LIMIT")?
                .or(file.body_limit)
                .unwrap_or(1024 * 1024),
            upload_limit: env_parsed("SRB_UPLOAD_LIMIT")?
                .or(file.upload_limit)
                .unwrap_or(DEFAULT_UPLOAD_LIMIT),
            depth_limit: env_parsed("SRB_DEPTH_LIMIT")?
                .or(file.depth_limit)
                .unwrap_or(srb_schema::Limits::default().depth),
            complexity_limit: env_parsed("SRB_COMPLEXITY_LIMIT")?
                .or(file.complexity_limit)
                .unwrap_or(srb_schema::Limits::default().complexity),
            bench_routes: env("SRB_BENCH_ROUTES").is_some_and(|v| v == "1" || v == "true"),
            meili: env("MEILI_URL").or(file.meili_url).map(|url| MeiliConfig {
                url,
                // A key belongs in the environment, never in a file in the repository.
                key: env("MEILI_KEY")
                    .or_else(|| env("MEILI_MASTER_KEY"))
                    .map(SecretString::from),
                index: env("MEILI_INDEX")
                    .or(file.meili_index.clone())
                    .unwrap_or_else(|| "srb".to_owned()),
            }),
            search_worker: env_parsed("SRB_SEARCH_WORKER")?
                .or(file.search_worker)
                .unwrap_or(true),
            timeouts: {
                let d = Timeouts::default();
                Timeouts {
                    header_read: seconds("SRB_HEADER_TIMEOUT_S", d.header_read)?,
                    request: seconds("SRB_REQUEST_TIMEOUT_S", d.request)?,
                    upload: seconds("SRB_UPLOAD_TIMEOUT_S", d.upload)?,
                    shutdown: seconds("SRB_SHUTDOWN_S", d.shutdown)?,
                    drain: seconds("SRB_DRAIN_S", d.drain)?,
                }
            },
            rate_per_address: env_parsed("SRB_RATE_PER_ADDRESS")?
                .or(file.rate_per_address)
                .unwrap_or(DEFAULT_RATE_PER_ADDRESS),
            rate_per_token: env_parsed("SRB_RATE_PER_TOKEN")?
                .or(file.rate_per_token)
                .unwrap_or(DEFAULT_RATE_PER_TOKEN),
            proxy_hops: env_parsed("SRB_PROXY_HOPS")?
                .or(file.proxy_hops)
                .unwrap_or(0),
            // A secret belongs in the environment, never in a file in the repository.
            metrics_token: env("SRB_METRICS_TOKEN").map(SecretString::from),
            data_dir,
            database_url: SecretString::from(database_url),
            log_format,
        })
    }

    /// For tests and embedding: defaults around a given database.
    pub fn for_database(database_url: &str, data_dir: PathBuf) -> Self {
        Self {
            data_dir,
            database_url: SecretString::from(database_url.to_owned()),
            addr: "127.0.0.1:0".parse().expect("valid address"),
            log_format: LogFormat::Text,
            body_limit: 1024 * 1024,
            upload_limit: DEFAULT_UPLOAD_LIMIT,
            depth_limit: srb_schema::Limits::default().depth,
            complexity_limit: srb_schema::Limits::default().complexity,
            bench_routes: false,
            meili: None,
            search_worker: true,
            timeouts: Timeouts::default(),
            rate_per_address: DEFAULT_RATE_PER_ADDRESS,
            rate_per_token: DEFAULT_RATE_PER_TOKEN,
            proxy_hops: 0,
            metrics_token: None,
        }
    }

    pub fn budgets(&self) -> crate::limits::Budgets {
        crate::limits::Budgets {
            per_address: std::num::NonZeroU32::new(self.rate_per_address),
            per_credential: std::num::NonZeroU32::new(self.rate_per_token),
            proxy_hops: self.proxy_hops,
        }
    }

    pub fn limits(&self) -> srb_schema::Limits {
        srb_schema::Limits {
            depth: self.depth_limit,
            complexity: self.complexity_limit,
        }
    }

    /// The database URL with any password replaced, for log lines.
    pub fn database_url_redacted(&self) -> String {
        redact_url(self.database_url.expose_secret())
    }
}

fn redact_url(url: &str) -> String {
    // scheme://user:password@host/… → scheme://user:***@host/…; the password ends at the last
    // `@`, since an unencoded one may hold `@` itself.
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.rsplit_once('@') {
            let user = userinfo.split(':').next().unwrap_or("");
            return format!("{scheme}://{user}:***@{host}");
        }
    }
    url.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_with_an_at_sign_is_redacted_whole() {
        let shown = redact_url("postgres://srb:p@ss@w0rd@db.example:5432/srb");
        assert_eq!(shown, "postgres://srb:***@db.example:5432/srb");
        assert!(!shown.contains("ss") && !shown.contains("w0rd"));
    }

    #[test]
    fn debug_and_logs_never_show_the_database_password() {
        let c = Config::for_database(
            "postgres://srb:s3cret-pw@db.example:5432/srb",
            PathBuf::from("data"),
        );
        let debug = format!("{c:?}");
        assert!(!debug.contains("s3cret-pw"), "{debug}");
        assert!(!c.database_url_redacted().contains("s3cret-pw"));
        assert_eq!(
            c.database_url_redacted(),
            "postgres://srb:***@db.example:5432/srb"
        );
    }
}
