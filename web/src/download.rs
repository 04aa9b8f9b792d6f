//! A file the API produced (`FileDownload`: name, media type, Base64), sent as a download.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::Value;

use crate::{text, PageError};

pub fn file(download: &Value) -> Result<Response, PageError> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text(download, "contentBase64"))
        .map_err(|e| {
            let reference = srb_schema::error::new_reference();
            tracing::error!(%reference, error = %e, "download not Base64");
            PageError::Internal(reference)
        })?;
    let name = text(download, "fileName");
    // RFC 6266: an ASCII fallback and the UTF-8 name.
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        crate::layout::urlencode(name).replace('+', "%20")
    );
    let mut response = (StatusCode::OK, bytes).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(text(download, "mediaType")) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(response)
}
