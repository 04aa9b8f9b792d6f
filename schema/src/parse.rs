//! Input parsing of `srb_domain::parse`, answering GraphQL callers with `BAD_USER_INPUT` and
//! the field.

use async_graphql::Result;
use srb_domain::parse;

use crate::error::input_error;

pub fn name(field: &str, raw: &str) -> Result<String> {
    parse::name(field, raw).map_err(input_error)
}

pub fn text(field: &str, raw: Option<&str>) -> Result<Option<String>> {
    parse::text(field, raw).map_err(input_error)
}

pub fn short_text(field: &str, raw: Option<&str>) -> Result<Option<String>> {
    parse::short_text(field, raw).map_err(input_error)
}

pub fn postal_code(field: &str, raw: Option<&str>) -> Result<Option<String>> {
    parse::postal_code(field, raw).map_err(input_error)
}

pub fn places(field: &str, n: i32) -> Result<i32> {
    parse::places(field, n).map_err(input_error)
}

pub fn places_under3(field: &str, under3: i32, places: i32) -> Result<i32> {
    parse::places_under3(field, under3, places).map_err(input_error)
}

pub fn tags(field: &str, raw: &[String]) -> Result<Vec<String>> {
    parse::tags(field, raw).map_err(input_error)
}
