//! Limits on a document's shape that depth and complexity do not see: how many fields the
//! root of one operation may ask for (aliases included), so one request cannot fan out into
//! thousands of lookups, password checks or files.

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Name, Positioned};
use std::collections::HashMap;

/// Root fields one operation may select, aliases and fragments counted.
pub const MAX_ROOT_FIELDS: usize = 30;

fn count(
    set: &SelectionSet,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    depth: usize,
) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(f) if depth < 8 => {
                count(&f.node.selection_set.node, fragments, depth + 1)
            }
            Selection::FragmentSpread(s) if depth < 8 => {
                fragments.get(&s.node.fragment_name.node).map_or(0, |f| {
                    count(&f.node.selection_set.node, fragments, depth + 1)
                })
            }
            _ => 0,
        })
        .sum()
}

/// The German reason when an operation of `doc` selects too many root fields.
pub fn check(doc: &ExecutableDocument) -> Result<(), String> {
    for (_, op) in doc.operations.iter() {
        let n = count(&op.node.selection_set.node, &doc.fragments, 0);
        if n > MAX_ROOT_FIELDS {
            return Err(format!(
                "Die Anfrage fragt {n} Felder auf oberster Ebene ab; höchstens {MAX_ROOT_FIELDS} sind je Anfrage erlaubt."
            ));
        }
    }
    Ok(())
}
