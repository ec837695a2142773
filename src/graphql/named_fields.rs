//! The field names a request's document uses, anywhere in it.
//!
//! The rows a request reads go into its loaders, which every selection of its document
//! shares: a film's characters read for one selection serve another that names more of
//! their fields. So what a read may leave out is decided by the whole document, not by the
//! selection that asked for it: a column is left out only when no field that shows it is named
//! anywhere (in the operation, or in any fragment).

use std::collections::HashSet;

use async_graphql::Context;
use async_graphql::parser::types::{Selection, SelectionSet};

/// Every field name in the document `ctx` executes: its operation's and every fragment's.
pub fn named_fields<'a>(ctx: &Context<'a>) -> HashSet<&'a str> {
    // `query_env` is async-graphql's executing request (public, though left out of its
    // docs); the document's fragments are reachable nowhere else.
    let request: &'a async_graphql::QueryEnv = ctx.query_env;
    let mut names = HashSet::new();
    collect(&request.operation.node.selection_set.node, &mut names);
    for fragment in request.fragments.values() {
        collect(&fragment.node.selection_set.node, &mut names);
    }
    names
}

fn collect<'a>(selection: &'a SelectionSet, names: &mut HashSet<&'a str>) {
    for item in &selection.items {
        match &item.node {
            Selection::Field(field) => {
                names.insert(field.node.name.node.as_str());
                collect(&field.node.selection_set.node, names);
            }
            Selection::InlineFragment(fragment) => {
                collect(&fragment.node.selection_set.node, names);
            }
            // Fragments are collected from their definitions.
            Selection::FragmentSpread(_) => {}
        }
    }
}
