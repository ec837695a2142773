//! Codes request errors and records whether execution began.
//!
//! The GraphQL-over-HTTP spec tells a *request error* (the document could not be parsed or
//! validated, the operation not chosen: no `data` entry, HTTP 400 for
//! `application/graphql-response+json`) from a *field error* (execution ran: `data` present,
//! HTTP 200). async-graphql answers both with a `Response`; [`RequestErrorCodes`] codes parse
//! and validation errors and records whether execution was reached.
//!
//! [`CheckOnly`] ends a request where execution would begin: the checking schema (see
//! [`AppSchema`](crate::graphql::AppSchema)) runs the request phases and executes nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};

/// Set when a request reaches execution; put in the checked request's data.
#[derive(Debug, Clone, Default)]
pub struct ExecutionStarted(Arc<AtomicBool>);

impl ExecutionStarted {
    /// Whether execution began (so the response carries `data`).
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Codes request errors and records whether execution was reached; add it to the schema.
pub struct RequestErrorCodes;

impl ExtensionFactory for RequestErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestErrorCodesExtension)
    }
}

struct RequestErrorCodesExtension;

/// Gives `error` this code unless it has one.
pub fn with_code(mut error: ServerError, code: &str) -> ServerError {
    let extensions = error.extensions.get_or_insert_with(Default::default);
    if extensions.get("code").is_none() {
        extensions.set("code", code);
    }
    error
}

#[async_graphql::async_trait::async_trait]
impl Extension for RequestErrorCodesExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables)
            .await
            .map_err(|e| with_code(e, "GRAPHQL_PARSE_FAILED"))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| with_code(e, "GRAPHQL_VALIDATION_FAILED"))
                .collect()
        })
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(started) = ctx.data_opt::<ExecutionStarted>() {
            started.0.store(true, Ordering::Relaxed);
        }
        next.run(ctx, operation_name).await
    }
}

/// Stops every request where execution would begin, answering with an empty response (the
/// extensions before it still see that response, and add to it). Add it last.
pub struct CheckOnly;

impl ExtensionFactory for CheckOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(CheckOnlyExtension)
    }
}

struct CheckOnlyExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for CheckOnlyExtension {
    async fn execute(
        &self,
        _ctx: &ExtensionContext<'_>,
        _operation_name: Option<&str>,
        _next: NextExecute<'_>,
    ) -> Response {
        Response::default()
    }
}
