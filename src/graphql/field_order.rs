//! Puts response fields back in the order the query asked for them.
//!
//! The GraphQL spec asks that a response map lists fields in selection order. async-graphql 7
//! resolves sibling fields concurrently and writes them in the order they finish, so a field
//! that waited on a DataLoader lands after one that did not. [`ResponseShape`] keeps the
//! selected operation's selection set and reorders the executed `data` to match.

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

/// Response keys in first-seen order, each with the selection sets that select below it.
type OrderedKeys<'a> = Vec<(&'a Name, Vec<&'a SelectionSet>)>;

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

    /// Reorders `data` (the response's `data` entry) to selection order.
    pub fn apply(&self, data: &mut Value) {
        self.order(data, &[&self.selection_set]);
    }

    fn order(&self, value: &mut Value, sets: &[&SelectionSet]) {
        if matches!(value, Value::List(_) | Value::Object(_)) {
            // The keys are worked out once for a whole list of objects.
            let mut keys: OrderedKeys<'_> = Vec::new();
            let mut spread = HashSet::new();
            for set in sets {
                self.collect(set, &mut keys, &mut spread);
            }
            self.order_by(value, &keys);
        }
    }

    fn order_by(&self, value: &mut Value, keys: &OrderedKeys<'_>) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.order_by(item, keys);
                }
            }
            Value::Object(map) => {
                let mut expected = keys
                    .iter()
                    .map(|(k, _)| *k)
                    .filter(|k| map.contains_key(*k));
                let in_order = map
                    .keys()
                    .all(|key| expected.next().is_none_or(|e| e == key));
                if in_order {
                    // The usual case: only the children may need it.
                    for (key, below) in keys {
                        if let Some(child) = map.get_mut(*key) {
                            self.order(child, below);
                        }
                    }
                    return;
                }
                let mut unordered = std::mem::take(map);
                for (key, below) in keys {
                    if let Some(mut child) = unordered.shift_remove(*key) {
                        self.order(&mut child, below);
                        map.insert((*key).clone(), child);
                    }
                }
                // Anything the shape does not name keeps its place at the end.
                map.extend(unordered);
            }
            _ => {}
        }
    }

    fn collect<'a>(
        &'a self,
        set: &'a SelectionSet,
        keys: &mut OrderedKeys<'a>,
        spread: &mut HashSet<&'a Name>,
    ) {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let key = &field.node.response_key().node;
                    let below = &field.node.selection_set.node;
                    match keys.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, sets)) => sets.push(below),
                        None => keys.push((key, vec![below])),
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

    #[test]
    fn restores_selection_order_through_lists_aliases_and_fragments() {
        let shape = shape(
            "{ m: movie { title ...F slug ... on Movie { year } } } fragment F on Movie { cast { b a } }",
        );
        let mut data = Value::from_json(serde_json::json!({
            "m": [{ "year": 1, "cast": [{ "a": 1, "b": 2 }], "slug": "s", "title": "t" }]
        }))
        .unwrap_or(Value::Null);
        shape.apply(&mut data);
        let Value::Object(root) = &data else {
            panic!("object")
        };
        let Some(Value::List(movies)) = root.get("m") else {
            panic!("list")
        };
        assert_eq!(keys(&movies[0]), ["title", "cast", "slug", "year"]);
        let Value::Object(movie) = &movies[0] else {
            panic!("object")
        };
        let Some(Value::List(cast)) = movie.get("cast") else {
            panic!("list")
        };
        assert_eq!(keys(&cast[0]), ["b", "a"]);
    }
}
