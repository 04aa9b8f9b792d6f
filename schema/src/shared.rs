//! Helpers every area of the graph uses: paging of connections, patches of optional fields,
//! the district an input names.

use async_graphql::{Context, InputObject, MaybeUndefined, ID};
use rust_decimal::Decimal;
use srb_allocation::Cents;
use srb_storage as st;

use crate::ctx_storage;
use crate::error::{bad_input, OrGqlError};
use crate::ids;

/// Page size when a client names neither `first` nor `last`.
pub const DEFAULT_PAGE: i32 = 20;
/// The largest page one request may ask for.
pub const MAX_PAGE: i32 = 100;

/// Complexity of a paginated field: the page size times what each item costs.
pub fn page_complexity(first: Option<i32>, last: Option<i32>, child: usize) -> usize {
    let n = first.or(last).unwrap_or(DEFAULT_PAGE).clamp(0, MAX_PAGE) as usize;
    1 + n.max(1) * child
}

pub(crate) struct PageArgs {
    pub(crate) page: st::Page,
}

pub(crate) fn page_args(
    after: Option<String>,
    before: Option<String>,
    first: Option<i32>,
    last: Option<i32>,
) -> async_graphql::Result<PageArgs> {
    if first.is_some() && last.is_some() {
        return Err(bad_input(
            "first",
            "Bitte entweder first oder last angeben, nicht beides.",
        ));
    }
    for (name, value) in [("first", first), ("last", last)] {
        if let Some(n) = value {
            if !(0..=MAX_PAGE).contains(&n) {
                return Err(bad_input(
                    name,
                    format!("{name} muss zwischen 0 und {MAX_PAGE} liegen, nicht {n}."),
                ));
            }
        }
    }
    let after = after.map(|c| ids::parse_cursor(&c, "after")).transpose()?;
    let before = before
        .map(|c| ids::parse_cursor(&c, "before"))
        .transpose()?;
    Ok(PageArgs {
        page: st::Page {
            after,
            before,
            limit: first.or(last).unwrap_or(DEFAULT_PAGE) as i64,
            from_end: last.is_some(),
        },
    })
}

pub(crate) fn page_info<T>(args: &PageArgs, result: &st::PageOf<T>) -> (bool, bool) {
    let p = args.page;
    if p.from_end {
        (result.has_more, p.before.is_some())
    } else {
        (p.after.is_some(), result.has_more)
    }
}

/// Applies an optional-field patch: absent keeps, null clears, a value replaces.
pub(crate) fn patch<T: Clone>(current: &Option<T>, change: &MaybeUndefined<T>) -> Option<T> {
    match change {
        MaybeUndefined::Undefined => current.clone(),
        MaybeUndefined::Null => None,
        MaybeUndefined::Value(v) => Some(v.clone()),
    }
}

/// The district of an input, which must be one of the 41.
pub(crate) async fn known_district(ctx: &Context<'_>, ags: &str) -> async_graphql::Result<String> {
    Ok(district_at(ctx, ags, "input.districtAgs").await?.ags)
}

/// The district of an AGS given in `field`; an unknown one is the caller's error.
pub(crate) async fn district_at(
    ctx: &Context<'_>,
    ags: &str,
    field: &str,
) -> async_graphql::Result<st::District> {
    let ags = ags.trim();
    ctx_storage(ctx)
        .districts_by_ags(&[ags.to_owned()])
        .await
        .gql()?
        .into_iter()
        .next()
        .ok_or_else(|| {
            bad_input(
                field,
                format!("„{ags}“ ist kein Jugendamtsbezirk in Rheinland-Pfalz (unbekannter AGS)."),
            )
        })
}

/// Cents as euros.
pub(crate) fn euros(cents: Cents) -> Decimal {
    Decimal::new(cents, 2)
}

pub(crate) fn check_year(field: &str, year: i32) -> async_graphql::Result<i32> {
    if (2021..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(bad_input(
            field,
            format!("{year} ist kein Jahr des Sozialraumbudgets (2021 bis 2100)."),
        ))
    }
}

/// Löschen oder Wiederherstellen: welches Objekt, in welcher gelesenen Version.
#[derive(InputObject)]
pub struct LifecycleInput {
    pub id: ID,
    pub version: i32,
}

/// What the expensive fields cost in the complexity budget of one request (see
/// `Limits::complexity`): within 5,000, at most ten spreadsheets, twenty workshop
/// documentations, ten previews or runs, four password checks.
pub const COST_FILE: usize = 500;
pub const COST_DOCUMENTATION: usize = 250;
pub const COST_SEARCH: usize = 100;
pub const COST_COMPUTATION: usize = 500;
pub const COST_PASSWORD: usize = 1_200;
