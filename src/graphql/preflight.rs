//! Checks a request before it runs, where async-graphql leaves a gap: which operation it
//! selects (the transport refuses mutations over GET), and whether every required variable is
//! given (a missing one is a *request* error under the GraphQL-over-HTTP spec, not a field
//! error). It also keeps the operation's field order, which the response is put back into.

use std::sync::Arc;

use async_graphql::parser::types::{
    DocumentOperations, OperationDefinition, OperationType, Selection,
};
use async_graphql::{Request, ServerError, Value};

use crate::error::ErrorCode;
use crate::graphql::document_cache::DocumentCache;
use crate::graphql::document_names::DocumentFacts;
use crate::graphql::field_order::ResponseShape;
use crate::graphql::limits::{QueryLimits, check_document, exceeded};

/// What the pre-flight found.
#[derive(Debug, Default)]
pub struct Preflight {
    /// The type of the selected operation, when the document parses and selects one.
    pub operation: Option<OperationType>,
    /// The selected operation's field order, to restore in the response.
    pub shape: Option<ResponseShape>,
    /// Request errors to answer with instead of running (empty when the request may run).
    pub errors: Vec<ServerError>,
    /// How many selections the operation has at its root.
    pub root_fields: usize,
    /// The names of the fields at the operation's root (a fragment spread there is named
    /// `...`, an inline fragment `... on`).
    pub root_field_names: Vec<String>,
    /// What the document names, when it parses.
    pub facts: Option<Arc<DocumentFacts>>,
}

/// Checks the request's size, parses its document (through `documents`, and cached on the
/// request for execution) and checks the document's shape against `limits`, then its
/// variables. A document that does not parse passes: execution reports the syntax error.
pub fn preflight(
    request: &mut Request,
    limits: &QueryLimits,
    documents: &DocumentCache,
) -> Preflight {
    if request.query.len() > limits.max_query_bytes {
        return Preflight {
            errors: vec![exceeded(
                "queryBytes",
                "bytes",
                limits.max_query_bytes as u64,
                request.query.len() as u64,
            )],
            ..Preflight::default()
        };
    }
    let operation_name = request.operation_name.clone();
    let variables = request.variables.clone();
    let Some((document, facts)) = documents.parse(request) else {
        return Preflight::default();
    };
    if let Err(errors) = check_document(document, limits) {
        return Preflight {
            errors,
            ..Preflight::default()
        };
    }
    let selected = match (&document.operations, operation_name.as_deref()) {
        (DocumentOperations::Single(op), _) => Some(&op.node),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| &op.node),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| &op.node)
        }
        _ => None,
    };
    let Some(operation) = selected else {
        return Preflight::default();
    };
    let root_field_names = operation
        .selection_set
        .node
        .items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(field) => field.node.name.node.to_string(),
            Selection::FragmentSpread(_) => "...".to_owned(),
            Selection::InlineFragment(_) => "... on".to_owned(),
        })
        .collect();
    Preflight {
        root_fields: operation.selection_set.node.items.len(),
        root_field_names,
        operation: Some(operation.ty),
        shape: Some(ResponseShape::new(
            operation.selection_set.node.clone(),
            document.fragments.clone(),
        )),
        errors: missing_variables(operation, &variables),
        facts: Some(facts),
    }
}

/// Errors for the non-null variables without a default that the request leaves out or nulls.
fn missing_variables(
    operation: &OperationDefinition,
    variables: &async_graphql::Variables,
) -> Vec<ServerError> {
    operation
        .variable_definitions
        .iter()
        .filter(|definition| {
            let definition = &definition.node;
            !definition.var_type.node.nullable
                && definition.default_value.is_none()
                && matches!(
                    variables.get(&definition.name.node),
                    None | Some(Value::Null)
                )
        })
        .map(|definition| {
            let name = &definition.node.name.node;
            let mut error = ServerError::new(
                format!(
                    "variable `${name}` of type `{}` is required but was not given",
                    definition.node.var_type.node
                ),
                Some(definition.pos),
            );
            let extensions = error.extensions.get_or_insert_with(Default::default);
            extensions.set("code", ErrorCode::BadUserInput.as_str());
            extensions.set("field", format!("${name}"));
            error
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, variables: serde_json::Value, name: Option<&str>) -> Preflight {
        let mut request =
            Request::new(query).variables(async_graphql::Variables::from_json(variables));
        if let Some(name) = name {
            request = request.operation_name(name);
        }
        preflight(
            &mut request,
            &QueryLimits::default(),
            &DocumentCache::default(),
        )
    }

    #[test]
    fn finds_the_selected_operation() {
        let doc = "query A { a } mutation B { b }";
        assert_eq!(
            check(doc, serde_json::json!({}), Some("B")).operation,
            Some(OperationType::Mutation)
        );
        assert_eq!(check(doc, serde_json::json!({}), None).operation, None);
        assert_eq!(
            check("{ a }", serde_json::json!({}), None).operation,
            Some(OperationType::Query)
        );
    }

    #[test]
    fn reports_missing_required_variables() {
        let doc = "query($a: String!, $b: Int, $c: Int! = 1) { x }";
        let found = check(doc, serde_json::json!({ "b": null }), None);
        assert_eq!(found.errors.len(), 1);
        assert!(found.errors[0].message.contains("$a"));
        assert!(
            check(doc, serde_json::json!({ "a": "x" }), None)
                .errors
                .is_empty()
        );
        assert_eq!(
            check(doc, serde_json::json!({ "a": null }), None)
                .errors
                .len(),
            1
        );
    }
}
