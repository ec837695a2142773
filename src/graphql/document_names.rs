//! Names in a request's document ([`DocumentFacts`]): every field name it uses, and the
//! response keys it may select twice in one place.
//!
//! The rows a request reads go into its loaders, which every selection of its document
//! shares: a film's characters read for one selection serve another that names more of
//! their fields. So what a read may leave out is decided by the whole document, not by the
//! selection that asked for it: a column is left out only when no field that shows it is named
//! anywhere (in the operation, or in any fragment).

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    ExecutableDocument, FragmentDefinition, Selection, SelectionSet,
};
use async_graphql::{Context, Name, Positioned, QueryEnv};
use std::sync::Arc;

/// `read` applied to the facts of the request's document: those the transport handed over,
/// else worked out from the operation being executed.
pub fn document_facts<T>(ctx: &Context<'_>, read: impl FnOnce(&DocumentFacts) -> T) -> T {
    match ctx.data_opt::<Arc<DocumentFacts>>() {
        Some(kept) => read(kept),
        None => read(&DocumentFacts::of_request(ctx.query_env)),
    }
}

/// What a parsed document names, worked out once per document: the document cache keeps it
/// with the document, and the HTTP transport hands it to the request (as request data).
/// Requests that come without it (subscriptions) work it out from what they execute
/// ([`of_request`](Self::of_request)).
#[derive(Debug)]
pub struct DocumentFacts {
    named: HashSet<String>,
    repeated: HashSet<String>,
}

impl DocumentFacts {
    /// The facts of `document`: over every operation it holds (the one a request selects is
    /// among them, so the answers err on the safe side for the others).
    pub fn of(document: &ExecutableDocument) -> Self {
        let operations = document.operations.iter();
        Self::over(
            operations.map(|(_, operation)| &operation.node.selection_set.node),
            &document.fragments,
        )
    }

    /// The facts of the operation a request executes.
    pub fn of_request(request: &QueryEnv) -> Self {
        Self::over(
            std::iter::once(&request.operation.node.selection_set.node),
            &request.fragments,
        )
    }

    fn over<'a>(
        operations: impl Iterator<Item = &'a SelectionSet>,
        fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    ) -> Self {
        let mut named = HashSet::new();
        let mut repeated = HashSet::new();
        for selection in operations {
            collect(selection, &mut named);
            repeated.extend(repeated_in(selection, fragments));
        }
        for fragment in fragments.values() {
            collect(&fragment.node.selection_set.node, &mut named);
        }
        Self {
            named: named.into_iter().map(str::to_owned).collect(),
            repeated,
        }
    }

    /// Whether the document names a field `field` anywhere.
    pub fn names(&self, field: &str) -> bool {
        self.named.contains(field)
    }

    /// Whether the document may select response key `key` twice in one place.
    pub fn repeats(&self, key: &str) -> bool {
        self.repeated.contains(key)
    }
}

/// Adds every field name `selection` uses (fragments are collected from their definitions).
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
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// The response keys an operation (its selection, with the document's fragments) may select
/// more than once under one parent (directly, through fragments, or inside a field itself
/// selected twice). async-graphql resolves each such selection and merges the values, item by
/// item for lists. Counted over the whole operation rather than per parent, so a key selected
/// once under each of two parents counts too: the answer errs on the side of "repeated".
fn repeated_in(
    operation: &SelectionSet,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
) -> HashSet<String> {
    let mut counts = Counts::default();
    let mut memo = HashMap::new();
    count(operation, fragments, &mut memo, &mut counts);
    counts
        .into_iter()
        .filter(|(_, times)| *times > 1)
        .map(|(key, _)| key.to_owned())
        .collect()
}

/// Times each response key is selected, capped at 2 (only "once" and "more" matter).
type Counts<'a> = HashMap<&'a str, u8>;

fn add<'a>(counts: &mut Counts<'a>, key: &'a str, times: u8) {
    let entry = counts.entry(key).or_default();
    *entry = entry.saturating_add(times).min(2);
}

/// Adds what `selection` selects to `counts`; a fragment's own counts are worked out once
/// (`memo`) and added per spread, so nested fragments cost no more than their text.
fn count<'a>(
    selection: &'a SelectionSet,
    fragments: &'a HashMap<Name, Positioned<FragmentDefinition>>,
    memo: &mut HashMap<&'a str, Option<Counts<'a>>>,
    counts: &mut Counts<'a>,
) {
    for item in &selection.items {
        match &item.node {
            Selection::Field(field) => {
                let field = &field.node;
                add(counts, field.response_key().node.as_str(), 1);
                // What a field selects is counted with the field: selected twice, its
                // selection is merged too, so its keys count twice (a key below a field is
                // counted once per time the field is).
                if !field.selection_set.node.items.is_empty() {
                    let mut inner = Counts::default();
                    count(&field.selection_set.node, fragments, memo, &mut inner);
                    for (key, times) in inner {
                        add(counts, key, times);
                    }
                }
            }
            Selection::InlineFragment(fragment) => {
                count(&fragment.node.selection_set.node, fragments, memo, counts);
            }
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                if !memo.contains_key(name) {
                    // Marked while counted: a cycle (which validation refuses) adds nothing.
                    memo.insert(name, None);
                    let mut own = Counts::default();
                    if let Some(fragment) = fragments.get(name) {
                        count(&fragment.node.selection_set.node, fragments, memo, &mut own);
                    }
                    memo.insert(name, Some(own));
                }
                if let Some(Some(own)) = memo.get(name) {
                    let own: Vec<(&'a str, u8)> = own.iter().map(|(k, t)| (*k, *t)).collect();
                    for (key, times) in own {
                        add(counts, key, times);
                    }
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

    #[test]
    fn a_documents_facts_cover_every_operation_and_fragment() {
        let Ok(document) = parse_query(
            "query A { movie { sections { id } sections { body } } } \
             query B { movies { nodes { ...F } } } fragment F on Movie { characters { description } }",
        ) else {
            panic!("parses");
        };
        let facts = DocumentFacts::of(&document);
        for name in [
            "movie",
            "sections",
            "id",
            "body",
            "movies",
            "nodes",
            "characters",
            "description",
        ] {
            assert!(facts.names(name), "{name}");
        }
        assert!(!facts.names("title"));
        assert!(facts.repeats("sections"));
        assert!(!facts.repeats("characters"));
    }

    fn repeated(query: &str) -> Vec<String> {
        let Ok(document) = parse_query(query) else {
            panic!("parses: {query}");
        };
        let DocumentOperations::Single(operation) = &document.operations else {
            panic!("one operation");
        };
        let mut keys: Vec<String> =
            repeated_in(&operation.node.selection_set.node, &document.fragments)
                .into_iter()
                .collect();
        keys.sort();
        keys
    }

    #[test]
    fn keys_selected_once_are_not_repeated() {
        assert!(repeated("{ movie { title sections { id body } } }").is_empty());
        assert!(repeated("{ movie { ...F } } fragment F on Movie { sections { id } }").is_empty());
        // A key under a field selected twice, but in one of them only: nothing to merge.
        assert_eq!(
            repeated("{ movie { id } movie { sections { body } } }"),
            ["movie"]
        );
    }

    #[test]
    fn keys_selected_twice_directly_through_fragments_or_below_a_repeated_field_are() {
        assert_eq!(
            repeated("{ movie { sections { title } sections { body } } }"),
            ["sections"]
        );
        assert_eq!(
            repeated("{ movie { ... on Movie { sections { id } } sections { body } } }"),
            ["sections"]
        );
        assert_eq!(
            repeated("{ movie { ...F ...F } } fragment F on Movie { sections { title } }"),
            ["sections", "title"]
        );
        assert_eq!(
            repeated(
                "{ m: movie { ...G } } fragment G on Movie { ...F ...F } \
                 fragment F on Movie { sections { id } }"
            ),
            ["id", "sections"]
        );
        assert_eq!(
            repeated("{ movie { sections { title } } movie { sections { body } } }"),
            ["movie", "sections"]
        );
    }

    #[test]
    fn a_key_once_under_each_of_two_parents_counts_as_repeated() {
        // Counted over the whole operation: on the safe side, such lists stay values.
        assert_eq!(
            repeated("{ movie { sections { id } } movies { nodes { sections { id } } } }"),
            ["id", "sections"]
        );
    }
}
