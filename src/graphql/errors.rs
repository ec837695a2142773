//! Reporting a service error from a resolver: an [`AppError::Invalid`] becomes one GraphQL
//! error per problem (each with its `extensions.field`), so a client sees every problem of
//! its input at once.

use async_graphql::{Context, PathSegment};

use crate::error::AppError;

/// Adds all but the last problem of `err` to the response and returns the last, for the
/// resolver to fail with.
pub fn report(ctx: &Context<'_>, err: AppError) -> async_graphql::Error {
    let mut problems = err.into_problems();
    let last = problems.pop();
    let path: Vec<PathSegment> = ctx
        .path_node
        .map(|node| {
            node.to_string_vec()
                .into_iter()
                .map(PathSegment::Field)
                .collect()
        })
        .unwrap_or_default();
    for problem in problems {
        let mut error = problem.into_graphql().into_server_error(ctx.item.pos);
        error.path = path.clone();
        ctx.add_error(error);
    }
    match last {
        Some(problem) => problem.into_graphql(),
        None => AppError::Internal("an error without problems".into()).into_graphql(),
    }
}
