//! Who is asking and how much: the client's address (the peer, or behind configured proxies
//! their `X-Forwarded-For` entry) and a request budget per address and per credential.
//!
//! The budgets live in this process: behind a load balancer each instance grants its own, so
//! the effective budget is the instance count times the configured one. That is a bound on
//! load, not a security boundary; the sign-in limits, which are one, are kept in the database.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde_json::json;
use srb_schema::auth::ClientAddr;
use srb_schema::Code;

/// Requests per minute; `None` switches a budget off.
#[derive(Debug, Clone, Copy)]
pub struct Budgets {
    pub per_address: Option<NonZeroU32>,
    pub per_credential: Option<NonZeroU32>,
    /// Proxies in front of the server that append to `X-Forwarded-For` (0: none, the header is
    /// the client's own and ignored).
    pub proxy_hops: usize,
}

pub struct Limiter {
    budgets: Budgets,
    addresses: Option<DefaultKeyedRateLimiter<IpAddr>>,
    credentials: Option<DefaultKeyedRateLimiter<String>>,
    seen: AtomicU64,
}

/// Every this many requests the buckets of quiet keys are dropped, so memory stays bounded.
const HOUSEKEEPING_EVERY: u64 = 4_096;

impl Limiter {
    pub fn new(budgets: Budgets) -> Arc<Self> {
        Arc::new(Self {
            budgets,
            addresses: budgets
                .per_address
                .map(|n| RateLimiter::keyed(Quota::per_minute(n))),
            credentials: budgets
                .per_credential
                .map(|n| RateLimiter::keyed(Quota::per_minute(n))),
            seen: AtomicU64::new(0),
        })
    }

    /// `Err(seconds)` when the address or the credential has spent its budget.
    fn check(&self, addr: Option<IpAddr>, credential: Option<String>) -> Result<(), u64> {
        if self
            .seen
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(HOUSEKEEPING_EVERY)
        {
            if let Some(l) = &self.addresses {
                l.retain_recent();
            }
            if let Some(l) = &self.credentials {
                l.retain_recent();
            }
        }
        let wait = |not_until: governor::NotUntil<_>| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1)
        };
        if let (Some(limiter), Some(addr)) = (&self.addresses, addr) {
            limiter.check_key(&addr).map_err(wait)?;
        }
        if let (Some(limiter), Some(credential)) = (&self.credentials, credential) {
            limiter.check_key(&credential).map_err(wait)?;
        }
        Ok(())
    }
}

/// The client's address: the peer, or behind `hops` proxies the entry the outermost of them
/// appended to `X-Forwarded-For` (entries before it are the client's say and may be forged).
pub fn client_addr(peer: Option<IpAddr>, headers: &HeaderMap, hops: usize) -> Option<IpAddr> {
    if hops == 0 {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect();
    forwarded
        .len()
        .checked_sub(hops)
        .and_then(|i| forwarded[i].parse().ok())
        .or(peer)
}

/// The credential a request carries (bearer token or session cookie), hashed: buckets are
/// keyed by it without keeping secrets in memory.
fn credential(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    bearer
        .or_else(|| srb_web::session_secret(headers))
        .map(|secret| srb_schema::auth::hash_token(&secret))
}

/// Operations endpoints answer load balancers and monitoring, which must never be refused.
fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

pub async fn middleware(
    mut req: axum::extract::Request,
    next: axum::middleware::Next,
    limiter: Arc<Limiter>,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let addr = client_addr(peer, req.headers(), limiter.budgets.proxy_hops);
    if let Some(addr) = addr {
        req.extensions_mut().insert(ClientAddr(addr));
    }
    if !exempt(req.uri().path()) {
        if let Err(seconds) = limiter.check(addr, credential(req.headers())) {
            metrics::counter!("srb_rate_limited_total").increment(1);
            return refused(req.uri().path(), seconds);
        }
    }
    next.run(req).await
}

fn refused(path: &str, seconds: u64) -> Response {
    if !path.starts_with("/graphql") {
        return srb_web::too_many_requests_page(seconds);
    }
    let body = json!({ "errors": [{
        "message": format!(
            "Zu viele Anfragen in kurzer Zeit. Bitte in {seconds} Sekunden erneut versuchen."
        ),
        "extensions": { "code": Code::RateLimited.as_str(), "retryAfterSeconds": seconds }
    }] });
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::RETRY_AFTER, HeaderValue::from(seconds)),
        ],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().unwrap());
        h
    }

    #[test]
    fn without_proxies_a_forwarded_header_is_ignored() {
        let peer = Some("10.0.0.9".parse().unwrap());
        assert_eq!(client_addr(peer, &forwarded("203.0.113.7"), 0), peer);
    }

    #[test]
    fn behind_one_proxy_the_entry_it_appended_counts_not_the_forged_ones() {
        let peer = Some("10.0.0.9".parse().unwrap());
        let h = forwarded("198.51.100.1, 203.0.113.7");
        assert_eq!(
            client_addr(peer, &h, 1),
            Some("203.0.113.7".parse().unwrap())
        );
        assert_eq!(
            client_addr(peer, &h, 2),
            Some("198.51.100.1".parse().unwrap())
        );
        // Fewer entries than proxies: the header is not what the proxies would send.
        assert_eq!(client_addr(peer, &h, 3), peer);
    }
}
