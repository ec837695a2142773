//! Puts response fields back in the order the query asked for them.
//!
//! The GraphQL spec asks that a response map lists fields in selection order. async-graphql 7
//! resolves a container's fields one after another only when it is declared `serial`; other
//! containers resolve their fields concurrently and write them in the order they finish, so a
//! field that waited on the database lands after one that did not. The API's own types are all
//! `serial`, so only two kinds of map can be out of order: the root (whose fields should run
//! concurrently) and the maps below introspection's root fields (`__schema`, `__type`), which
//! async-graphql declares itself. [`ResponseShape`] keeps the selected operation's selection
//! set and reorders those maps to match.

use std::collections::{HashMap, HashSet};

use async_graphql::Name;
use async_graphql::Value;
use async_graphql::parser::Positioned;
use async_graphql::parser::types::{FragmentDefinition, Selection, SelectionSet};

/// The selection order of one operation.
#[derive(Debug, Clone)]
pub struct ResponseShape {
    selection_set: SelectionSet,
    fragments: HashMap<Name, Positioned<FragmentDefinition>>,
}

/// One response key of a selection, in first-seen order.
struct Key<'a> {
    /// The response key (the alias, or else the field's name).
    key: &'a Name,
    /// Whether the field is one of introspection's (its name starts with `__`).
    introspection: bool,
    /// The selection sets that select below it.
    below: Vec<&'a SelectionSet>,
}

impl ResponseShape {
    /// The shape of an operation, given its selection set and the document's fragments.
    pub fn new(
        selection_set: SelectionSet,
        fragments: HashMap<Name, Positioned<FragmentDefinition>>,
    ) -> Self {
        Self {
            selection_set,
            fragments,
        }
    }

    /// Reorders `data` (the response's `data` entry) to selection order: the root map, and
    /// everything below an introspection field.
    pub fn apply(&self, data: &mut Value) {
        let keys = self.keys(&[&self.selection_set]);
        if let Value::Object(map) = data {
            reorder(map, &keys);
            for key in keys.iter().filter(|key| key.introspection) {
                if let Some(child) = map.get_mut(key.key) {
                    self.order(child, &key.below);
                }
            }
        }
    }

    /// The response keys `sets` select, fragments expanded.
    fn keys<'a>(&'a self, sets: &[&'a SelectionSet]) -> Vec<Key<'a>> {
        let mut keys = Vec::new();
        let mut spread = HashSet::new();
        for set in sets {
            self.collect(set, &mut keys, &mut spread);
        }
        keys
    }

    /// Reorders `value` and everything below it.
    fn order(&self, value: &mut Value, sets: &[&SelectionSet]) {
        if matches!(value, Value::List(_) | Value::Object(_)) {
            // The keys are worked out once for a whole list of objects.
            let keys = self.keys(sets);
            self.order_by(value, &keys);
        }
    }

    fn order_by(&self, value: &mut Value, keys: &[Key<'_>]) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.order_by(item, keys);
                }
            }
            Value::Object(map) => {
                reorder(map, keys);
                for key in keys {
                    if let Some(child) = map.get_mut(key.key) {
                        self.order(child, &key.below);
                    }
                }
            }
            _ => {}
        }
    }

    fn collect<'a>(
        &'a self,
        set: &'a SelectionSet,
        keys: &mut Vec<Key<'a>>,
        spread: &mut HashSet<&'a Name>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let key = &field.node.response_key().node;
                    let below = &field.node.selection_set.node;
                    match keys.iter_mut().find(|k| k.key == key) {
                        Some(found) => found.below.push(below),
                        None => keys.push(Key {
                            key,
                            introspection: field.node.name.node.starts_with("__"),
                            below: vec![below],
                        }),
                    }
                }
                Selection::FragmentSpread(fragment) => {
                    let name = &fragment.node.fragment_name.node;
                    // Each fragment once per object: it adds no new keys the second time, and
                    // this also stops a cycle (which validation rejects anyway).
                    if spread.insert(name)
                        && let Some(definition) = self.fragments.get(name)
                    {
                        self.collect(&definition.node.selection_set.node, keys, spread);
                    }
                }
                Selection::InlineFragment(inline) => {
                    self.collect(&inline.node.selection_set.node, keys, spread);
                }
            }
        }
    }
}

/// Puts the entries of `map` in the order of `keys` (a map already in order, the usual case,
/// is left as it is); entries `keys` does not name keep their place at the end.
fn reorder(map: &mut async_graphql::indexmap::IndexMap<Name, Value>, keys: &[Key<'_>]) {
    let mut expected = keys.iter().map(|k| k.key).filter(|k| map.contains_key(*k));
    if map
        .keys()
        .all(|key| expected.next().is_none_or(|e| e == key))
    {
        return;
    }
    let mut unordered = std::mem::take(map);
    for key in keys {
        if let Some(child) = unordered.shift_remove(key.key) {
            map.insert(key.key.clone(), child);
        }
    }
    map.extend(unordered);
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;
    use async_graphql::parser::types::DocumentOperations;

    fn shape(query: &str) -> ResponseShape {
        let document = parse_query(query).unwrap_or_else(|e| panic!("{e}"));
        let DocumentOperations::Single(operation) = document.operations else {
            panic!("one operation");
        };
        ResponseShape::new(operation.node.selection_set.node, document.fragments)
    }

    fn keys(value: &Value) -> Vec<String> {
        match value {
            Value::Object(map) => map.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    fn object<'a>(value: &'a Value, key: &str) -> &'a Value {
        match value {
            Value::Object(map) => map.get(key).unwrap_or(&Value::Null),
            _ => &Value::Null,
        }
    }

    #[test]
    fn restores_the_root_order_through_aliases_and_fragments() {
        let shape = shape("{ b: movie { title } ...F c: __typename } fragment F on Query { a }");
        let mut data = Value::from_json(serde_json::json!({
            "a": 1, "c": "Query", "b": { "title": "t" }
        }))
        .unwrap_or(Value::Null);
        shape.apply(&mut data);
        assert_eq!(keys(&data), ["b", "a", "c"]);
    }

    #[test]
    fn restores_order_below_introspection_but_leaves_serial_types_alone() {
        let shape = shape(
            "{ movie { title slug } s: __schema { types { name kind } queryType { name } } }",
        );
        let mut data = Value::from_json(serde_json::json!({
            "s": { "queryType": { "name": "Query" }, "types": [{ "kind": "OBJECT", "name": "Movie" }] },
            "movie": { "slug": "s", "title": "t" }
        }))
        .unwrap_or(Value::Null);
        shape.apply(&mut data);
        assert_eq!(keys(&data), ["movie", "s"]);
        let schema = object(&data, "s");
        assert_eq!(keys(schema), ["types", "queryType"]);
        let Value::List(types) = object(schema, "types") else {
            panic!("a list of types")
        };
        assert_eq!(keys(&types[0]), ["name", "kind"]);
        // The API's own types resolve serially, in order already: not walked.
        assert_eq!(keys(object(&data, "movie")), ["slug", "title"]);
    }
}
