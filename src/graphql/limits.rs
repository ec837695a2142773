//! Limits on what one request may ask for, all checked before any SQL runs.
//!
//! - Size: the query text in bytes.
//! - Shape, counted on the parsed document with every fragment expanded (each fragment is
//!   counted once and memoised, so a fragment that fans out exponentially costs linear time to
//!   count): fields, aliases, root fields, directives.
//! - Depth and complexity, as async-graphql's validation computes them: a list field costs
//!   its page size (or, for a film's own parts, an estimate of their size) times its children.
//!
//! The transport runs [`check_document`] on the parsed document before async-graphql sees it
//! (whose own checks follow every fragment spread, in time exponential in the fan-out).
//! A refusal is a request error coded `QUERY_LIMIT_EXCEEDED` whose `extensions` name the limit,
//! its maximum and the query's value. Every executed response reports its cost in
//! `extensions.cost`.

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, ServerError};

/// What a film's own list (sections, characters, themes, ...) is assumed to hold when a query's
/// complexity is computed: those lists have no page size, and real pages hold a few to a few
/// dozen items (the editors' validation caps them).
pub const LIST_ESTIMATE: usize = 20;

/// The most one field may add to a query's complexity: saturating here keeps async-graphql's
/// sum over a whole query far from overflowing.
const MAX_FIELD_COST: usize = 1_000_000_000_000;

/// The complexity of a film's own list: one, plus [`LIST_ESTIMATE`] times its children.
pub fn list_cost(child_complexity: usize) -> usize {
    child_complexity
        .saturating_mul(LIST_ESTIMATE)
        .saturating_add(1)
        .min(MAX_FIELD_COST)
}

/// The complexity of a page: one, plus the page size (`first`, or `default`, at most `max`)
/// times its children.
pub fn page_cost(first: Option<i32>, default: i32, max: i32, child_complexity: usize) -> usize {
    let size = first.unwrap_or(default).clamp(0, max) as usize;
    child_complexity
        .saturating_mul(size)
        .saturating_add(1)
        .min(MAX_FIELD_COST)
}

/// Limits on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// Longest query text, in bytes.
    pub max_query_bytes: usize,
    /// Deepest field nesting.
    pub max_depth: usize,
    /// Highest complexity (see the module docs).
    pub max_complexity: usize,
    /// Most field selections, with fragments expanded.
    pub max_fields: u64,
    /// Most aliased fields, with fragments expanded.
    pub max_aliases: u64,
    /// Most fields at the root of the operation.
    pub max_root_fields: u64,
    /// Most directives in the document, with fragments expanded.
    pub max_directives: u64,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_query_bytes: 32 * 1024,
            max_depth: 15,
            max_complexity: 50_000,
            max_fields: 1_000,
            max_aliases: 30,
            max_root_fields: 20,
            max_directives: 50,
        }
    }
}

/// What a query costs, as reported in `extensions.cost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueryCost {
    /// Complexity, as limited by `max_complexity`.
    pub complexity: usize,
    /// Depth, as limited by `max_depth`.
    pub depth: usize,
}

/// The error for a limit the query goes over.
pub fn exceeded(limit: &str, what: &str, max: u64, actual: u64) -> ServerError {
    let mut error = ServerError::new(
        format!(
            "the query has {actual} {what}; the limit is {max} ({} over)",
            actual.saturating_sub(max)
        ),
        None,
    );
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", "QUERY_LIMIT_EXCEEDED");
    extensions.set("limit", limit);
    extensions.set("max", max);
    extensions.set("actual", actual);
    error
}

/// Selection counts of a selection set, fragments expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    fields: u64,
    aliases: u64,
    directives: u64,
    /// Fields at this level (not below).
    top_fields: u64,
}

impl Counts {
    fn add(&mut self, other: Counts, top_level: bool) {
        self.fields = self.fields.saturating_add(other.fields);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.directives = self.directives.saturating_add(other.directives);
        if top_level {
            self.top_fields = self.top_fields.saturating_add(other.top_fields);
        }
    }
}

struct Counter<'a> {
    document: &'a ExecutableDocument,
    fragments: HashMap<&'a Name, Counts>,
    visiting: Vec<&'a Name>,
    /// A fragment found to spread itself.
    cycle: Option<&'a Name>,
}

impl<'a> Counter<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet) -> Counts {
        let mut counts = Counts::default();
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    let field = &field.node;
                    let below = self.selection_set(&field.selection_set.node);
                    counts.add(below, false);
                    counts.fields = counts.fields.saturating_add(1);
                    counts.top_fields = counts.top_fields.saturating_add(1);
                    counts.directives = counts
                        .directives
                        .saturating_add(field.directives.len() as u64);
                    if field.alias.is_some() {
                        counts.aliases = counts.aliases.saturating_add(1);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let spread = &spread.node;
                    counts.directives = counts
                        .directives
                        .saturating_add(spread.directives.len() as u64);
                    let fragment = self.fragment(&spread.fragment_name.node);
                    counts.add(fragment, true);
                }
                Selection::InlineFragment(inline) => {
                    let inline = &inline.node;
                    counts.directives = counts
                        .directives
                        .saturating_add(inline.directives.len() as u64);
                    let below = self.selection_set(&inline.selection_set.node);
                    counts.add(below, true);
                }
            }
        }
        counts
    }

    fn fragment(&mut self, name: &'a Name) -> Counts {
        if let Some(counts) = self.fragments.get(name) {
            return *counts;
        }
        if self.visiting.contains(&name) {
            self.cycle.get_or_insert(name);
            return Counts::default();
        }
        let Some(definition) = self.document.fragments.get(name) else {
            return Counts::default();
        };
        self.visiting.push(name);
        let mut counts = self.selection_set(&definition.node.selection_set.node);
        counts.directives = counts
            .directives
            .saturating_add(definition.node.directives.len() as u64);
        self.visiting.pop();
        self.fragments.insert(name, counts);
        counts
    }
}

/// Checks a parsed document's shape against the limits; every limit it goes over is reported.
pub fn check_document(
    document: &ExecutableDocument,
    limits: &QueryLimits,
) -> Result<(), Vec<ServerError>> {
    let mut counter = Counter {
        document,
        fragments: HashMap::new(),
        visiting: Vec::new(),
        cycle: None,
    };
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(operations) => operations.values().collect(),
    };
    let mut total = Counts::default();
    let mut most_root_fields = 0;
    for operation in operations {
        let counts = counter.selection_set(&operation.node.selection_set.node);
        most_root_fields = most_root_fields.max(counts.top_fields);
        total.add(counts, false);
        total.directives = total
            .directives
            .saturating_add(operation.node.directives.len() as u64);
    }
    let mut errors = Vec::new();
    if let Some(name) = counter.cycle {
        let mut error = ServerError::new(
            format!("fragment `{name}` spreads itself, directly or through other fragments"),
            None,
        );
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", "GRAPHQL_VALIDATION_FAILED");
        errors.push(error);
    }
    let checks = [
        (
            "fields",
            "field selections",
            limits.max_fields,
            total.fields,
        ),
        ("aliases", "aliases", limits.max_aliases, total.aliases),
        (
            "rootFields",
            "root fields",
            limits.max_root_fields,
            most_root_fields,
        ),
        (
            "directives",
            "directives",
            limits.max_directives,
            total.directives,
        ),
    ];
    for (limit, what, max, actual) in checks {
        if actual > max {
            errors.push(exceeded(limit, what, max, actual));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn limits(query: &str) -> Vec<String> {
        let document = parse_query(query).unwrap_or_else(|e| panic!("{e}"));
        match check_document(&document, &QueryLimits::default()) {
            Ok(()) => Vec::new(),
            Err(errors) => errors
                .iter()
                .filter_map(|e| e.extensions.as_ref()?.get("limit").map(|v| v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn counts_through_exponential_fragments_quickly() {
        let mut query = String::from("{ ...F0 }\n");
        for i in 0..40 {
            query.push_str(&format!(
                "fragment F{i} on Query {{ ...F{} ...F{} }}\n",
                i + 1,
                i + 1
            ));
        }
        query.push_str("fragment F40 on Query { __typename }");
        assert_eq!(limits(&query), ["\"fields\"", "\"rootFields\""]);
    }

    #[test]
    fn counts_aliases_and_directives() {
        let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
        assert_eq!(
            limits(&format!("{{ {aliases} }}")),
            ["\"aliases\"", "\"rootFields\""]
        );
        let directives = "@skip(if: false) ".repeat(51);
        assert_eq!(
            limits(&format!("{{ __typename {directives} }}")),
            ["\"directives\""]
        );
        assert!(limits("{ movie(slug: \"x\") { title } }").is_empty());
    }
}

mod extension {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_graphql::extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
    };
    use async_graphql::parser::types::ExecutableDocument;
    use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Value, Variables};

    use super::{QueryLimits, check_document, exceeded};

    /// Enforces [`QueryLimits`] and reports each executed query's cost.
    pub struct QueryGuard(pub QueryLimits);

    impl ExtensionFactory for QueryGuard {
        fn create(&self) -> Arc<dyn Extension> {
            Arc::new(QueryGuardExtension {
                limits: self.0,
                complexity: AtomicUsize::new(0),
                depth: AtomicUsize::new(0),
            })
        }
    }

    struct QueryGuardExtension {
        limits: QueryLimits,
        complexity: AtomicUsize,
        depth: AtomicUsize,
    }

    fn first(mut errors: Vec<ServerError>) -> ServerError {
        if errors.is_empty() {
            ServerError::new("the query is over a limit", None)
        } else {
            errors.swap_remove(0)
        }
    }

    #[async_graphql::async_trait::async_trait]
    impl Extension for QueryGuardExtension {
        async fn parse_query(
            &self,
            ctx: &ExtensionContext<'_>,
            query: &str,
            variables: &Variables,
            next: NextParseQuery<'_>,
        ) -> ServerResult<ExecutableDocument> {
            let max = self.limits.max_query_bytes;
            if query.len() > max {
                return Err(exceeded(
                    "queryBytes",
                    "bytes",
                    max as u64,
                    query.len() as u64,
                ));
            }
            let document = next.run(ctx, query, variables).await?;
            check_document(&document, &self.limits).map_err(first)?;
            Ok(document)
        }

        async fn validation(
            &self,
            ctx: &ExtensionContext<'_>,
            next: NextValidation<'_>,
        ) -> Result<ValidationResult, Vec<ServerError>> {
            let result = next.run(ctx).await?;
            let mut errors = Vec::new();
            if result.depth > self.limits.max_depth {
                errors.push(exceeded(
                    "depth",
                    "levels of nesting",
                    self.limits.max_depth as u64,
                    result.depth as u64,
                ));
            }
            if result.complexity > self.limits.max_complexity {
                errors.push(exceeded(
                    "complexity",
                    "points of complexity",
                    self.limits.max_complexity as u64,
                    result.complexity as u64,
                ));
            }
            if !errors.is_empty() {
                return Err(errors);
            }
            self.complexity.store(result.complexity, Ordering::Relaxed);
            self.depth.store(result.depth, Ordering::Relaxed);
            Ok(result)
        }

        async fn execute(
            &self,
            ctx: &ExtensionContext<'_>,
            operation_name: Option<&str>,
            next: NextExecute<'_>,
        ) -> Response {
            let response = next.run(ctx, operation_name).await;
            let cost = Value::from_json(serde_json::json!({
                "complexity": self.complexity.load(Ordering::Relaxed),
                "maxComplexity": self.limits.max_complexity,
                "depth": self.depth.load(Ordering::Relaxed),
                "maxDepth": self.limits.max_depth,
            }))
            .unwrap_or(Value::Null);
            response.extension("cost", cost)
        }
    }
}

pub use extension::QueryGuard;
