//! Builds the schema (the one seam `main`, the HTTP layer and the tests share) and prepares
//! each request's per-request data.

use async_graphql::{EmptySubscription, Request, Schema};
use sea_orm::DatabaseConnection;

use crate::graphql::auth::Credentials;
use crate::graphql::cache_keys::SurrogateKeys;
use crate::graphql::extensions::{ExecutionStarted, RequestErrorCodes};
use crate::graphql::limits::{QueryGuard, QueryLimits};
use crate::graphql::loaders;
use crate::graphql::mutation::MutationRoot;
use crate::graphql::query::QueryRoot;
use crate::response_cache::ResponseCache;

/// The server's GraphQL schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// How deep the parser may recurse; the depth limit proper is [`QueryLimits::max_depth`],
/// this only keeps a pathological document from exhausting the stack.
const PARSER_RECURSION_LIMIT: usize = 128;

/// Builds the schema over this database pool, with these query limits; without introspection
/// (and without field suggestions, which leak the schema too) when `introspection` is false.
/// Runs no migrations and no queries.
pub fn build_schema(db: DatabaseConnection, limits: QueryLimits, introspection: bool) -> AppSchema {
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .data(db)
    .extension(RequestErrorCodes)
    .extension(QueryGuard(limits))
    .limit_recursive_depth(PARSER_RECURSION_LIMIT);
    if introspection {
        builder.finish()
    } else {
        builder
            .disable_introspection()
            .disable_suggestions()
            .finish()
    }
}

/// The schema's SDL, as committed in `schema.graphql`. Needs no database.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .extension(RequestErrorCodes)
    .finish()
    .sdl()
}

/// What the transport learns about a request while it runs.
#[derive(Debug, Clone, Default)]
pub struct RequestHandles {
    /// Whether execution began (else the response is a request error, without `data`).
    pub started: ExecutionStarted,
    /// The films the response contains.
    pub surrogate_keys: SurrogateKeys,
}

/// Gives a request its credentials, its own DataLoaders, the response cache its writes
/// invalidate, and the handles the transport reads afterwards.
pub fn prepare_request(
    request: Request,
    db: &DatabaseConnection,
    credentials: Credentials,
    responses: &ResponseCache,
    loader_delay: std::time::Duration,
) -> (Request, RequestHandles) {
    let handles = RequestHandles::default();
    let request = request
        .data(loaders::for_request(db, loader_delay))
        .data(credentials)
        .data(responses.clone())
        .data(handles.started.clone())
        .data(handles.surrogate_keys.clone());
    (request, handles)
}
