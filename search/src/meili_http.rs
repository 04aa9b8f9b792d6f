//! The HTTP client the Meilisearch SDK sends its requests through.
//!
//! The SDK's own reqwest client streams every request body through a buffer of 8 MiB that it
//! allocates and zeroes per request (meilisearch-sdk 0.33, `reqwest::ReaderStream::new`; its
//! comment says 8 KiB), sent chunked. Measured here that was 5 of the 6 ms a search cost srb
//! on top of Meilisearch's own time: page faults and `memset`. This client serialises the body
//! once and sends it whole, with its length; answers are read as the SDK reads them.

use async_trait::async_trait;
use futures::io::AsyncRead;
use meilisearch_sdk::errors::Error;
use meilisearch_sdk::request::{parse_response, HttpClient, Method};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use serde::{de::DeserializeOwned, Serialize};

#[derive(Debug, Clone)]
pub struct MeiliHttp {
    client: reqwest::Client,
}

impl MeiliHttp {
    pub fn new(key: Option<&str>) -> Result<Self, Error> {
        let mut headers = HeaderMap::new();
        headers.insert(
            USER_AGENT,
            HeaderValue::from_static(concat!("srb-werkstatt/", env!("CARGO_PKG_VERSION"))),
        );
        if let Some(key) = key {
            let mut value = HeaderValue::from_str(&format!("Bearer {key}"))
                .map_err(|e| Error::Other(Box::new(e)))?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let client = reqwest::Client::builder()
            .default_headers(headers)
            .build()?;
        Ok(Self { client })
    }

    /// Sends one request and reads its answer as the SDK's own client does.
    async fn send<Query: Serialize, Output: DeserializeOwned>(
        &self,
        url: &str,
        verb: reqwest::Method,
        query: &Query,
        body: Option<(Vec<u8>, &str)>,
        expected_status_code: u16,
    ) -> Result<Output, Error> {
        let url = format!("{url}{}", yaup::to_string(query)?);
        let mut request = self.client.request(verb, &url);
        if let Some((bytes, content_type)) = body {
            request = request.header(CONTENT_TYPE, content_type).body(bytes);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let mut text = response.text().await?;
        if text.is_empty() {
            text = "null".to_owned();
        }
        parse_response(status, expected_status_code, &text, url)
    }
}

#[async_trait]
impl HttpClient for MeiliHttp {
    async fn request<Query, Body, Output>(
        &self,
        url: &str,
        method: Method<Query, Body>,
        expected_status_code: u16,
    ) -> Result<Output, Error>
    where
        Query: Serialize + Send + Sync,
        Body: Serialize + Send + Sync,
        Output: DeserializeOwned + 'static + Send,
    {
        let body = match method.body() {
            Some(body) => Some((serde_json::to_vec(body)?, "application/json")),
            None => None,
        };
        self.send(
            url,
            verb(&method),
            method.query(),
            body,
            expected_status_code,
        )
        .await
    }

    async fn stream_request<
        Query: Serialize + Send + Sync,
        Body: AsyncRead + Send + Sync + 'static,
        Output: DeserializeOwned + 'static,
    >(
        &self,
        url: &str,
        method: Method<Query, Body>,
        content_type: &str,
        expected_status_code: u16,
    ) -> Result<Output, Error> {
        use futures::AsyncReadExt;
        let verb = verb(&method);
        let (query, body) = match method {
            Method::Get { query } | Method::Delete { query } => (query, None),
            Method::Post { query, body }
            | Method::Put { query, body }
            | Method::Patch { query, body } => (query, Some(body)),
        };
        let bytes = match body {
            Some(body) => {
                let mut bytes = Vec::new();
                std::pin::pin!(body)
                    .read_to_end(&mut bytes)
                    .await
                    .map_err(|e| Error::Other(Box::new(e)))?;
                Some((bytes, content_type))
            }
            None => None,
        };
        self.send(url, verb, &query, bytes, expected_status_code)
            .await
    }

    fn is_tokio(&self) -> bool {
        true
    }
}

fn verb<Q, B>(method: &Method<Q, B>) -> reqwest::Method {
    match method {
        Method::Get { .. } => reqwest::Method::GET,
        Method::Delete { .. } => reqwest::Method::DELETE,
        Method::Post { .. } => reqwest::Method::POST,
        Method::Put { .. } => reqwest::Method::PUT,
        Method::Patch { .. } => reqwest::Method::PATCH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A search's body goes out whole, with its length, and the answer is read.
    #[tokio::test]
    async fn a_request_body_is_sent_whole_with_its_length() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/indexes/x/search", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut seen = Vec::new();
            let mut buf = [0u8; 4096];
            // Headers and the 9-byte body `{"q":"a"}`.
            while !String::from_utf8_lossy(&seen).contains("{\"q\":\"a\"}") {
                let n = socket.read(&mut buf).await.unwrap();
                assert!(n > 0, "connection closed before the body");
                seen.extend_from_slice(&buf[..n]);
            }
            let answer = "{\"ok\":true}";
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
                answer.len()
            );
            socket.write_all(reply.as_bytes()).await.unwrap();
            String::from_utf8(seen).unwrap().to_lowercase()
        });
        let http = MeiliHttp::new(Some("key")).unwrap();
        #[derive(serde::Serialize)]
        struct Body {
            q: &'static str,
        }
        let answer: serde_json::Value = http
            .request(
                &url,
                Method::Post {
                    query: (),
                    body: Body { q: "a" },
                },
                200,
            )
            .await
            .unwrap();
        assert_eq!(answer["ok"], true);
        let request = server.await.unwrap();
        assert!(request.contains("content-length: 9\r\n"), "{request}");
        assert!(!request.contains("transfer-encoding"), "{request}");
        assert!(
            request.contains("authorization: bearer key\r\n"),
            "{request}"
        );
    }
}
