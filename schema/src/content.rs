//! The typed content of knowledge documents, from `srb_app::content`; its input checks answer
//! GraphQL callers with `BAD_USER_INPUT` and the field.

pub use srb_app::content::*;

use crate::error::input_error;

pub fn body(field: &str, raw: Option<&str>) -> async_graphql::Result<Option<String>> {
    srb_app::content::body(field, raw).map_err(input_error)
}

pub fn required_body(field: &str, raw: &str) -> async_graphql::Result<String> {
    srb_app::content::required_body(field, raw).map_err(input_error)
}

pub fn list(field: &str, raw: &[String]) -> async_graphql::Result<Vec<String>> {
    srb_app::content::list(field, raw).map_err(input_error)
}

pub fn tasks(field: &str, texts: &[(Option<String>, String)]) -> async_graphql::Result<Vec<Task>> {
    srb_app::content::tasks(field, texts).map_err(input_error)
}
