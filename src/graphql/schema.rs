//! Builds the schema (the one seam `main`, the HTTP layer and the tests share) and prepares
//! each request's per-request data.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::{Request, Response, Schema, ValidationMode, Value};
use sea_orm::DatabaseConnection;
use sha2::Digest as _;

use crate::graphql::auth::Credentials;
use crate::graphql::cache_keys::SurrogateKeys;
use crate::graphql::context::RequestData;
use crate::graphql::extensions::{CheckOnly, ExecutionStarted, RequestErrorCodes};
use crate::graphql::generations::GenerationalCache;
use crate::graphql::limits::{QueryGuard, QueryLimits};
use crate::graphql::loaders;
use crate::graphql::mutation::MutationRoot;
use crate::graphql::query::QueryRoot;
use crate::graphql::subscription::SubscriptionRoot;
use crate::reads::RequestReads;
use crate::response_cache::ResponseCache;

/// The root types, as async-graphql puts them together.
type RootSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The server's GraphQL schema, built twice over the same types:
///
/// - the *checker* parses, validates every rule and enforces the [`QueryLimits`] (its
///   extensions code request errors and measure the cost), and executes nothing;
/// - the *runner* executes what the checker passed, with no extensions at all.
///
/// async-graphql resolves every field through a slower path (a `ResolveInfo` and a chain of
/// boxed hooks per field and per list item) as soon as a schema has any extension; ours only
/// need the parse and validation phases, so the runner keeps the fast path. It re-runs only
/// the cheap "fast" validation on the document the checker already parsed.
///
/// What the checker finds depends only on the query text, the operation name and the
/// variables, so a request equal in those to one that passed before passes again, at the same
/// cost: it goes straight to the runner.
#[derive(Clone)]
pub struct AppSchema {
    checker: RootSchema,
    runner: RootSchema,
    /// The `extensions` (the cost) of requests that passed the checker, by [`check_key`].
    passed: GenerationalCache<BTreeMap<String, Value>>,
}

/// What the checker's verdict on a request depends on: its operation name, variables and query
/// text (lengths first, so no two requests share a key).
fn check_key(request: &Request) -> String {
    let operation = request.operation_name.as_deref().unwrap_or_default();
    let variables = serde_json::to_string(&request.variables).unwrap_or_default();
    format!(
        "{}:{operation}{}:{variables}{}",
        operation.len(),
        variables.len(),
        request.query
    )
}

/// An executed (or refused) request.
#[derive(Debug)]
pub struct Executed {
    /// async-graphql's response, with the query's cost in `extensions.cost` when it ran.
    pub response: Response,
    /// Whether execution began; when not, `response` carries request errors and no `data`.
    pub executed: bool,
}

/// What the checker found of a request that passed it: the `extensions` (the cost) its
/// answer carries.
#[derive(Debug, Clone)]
pub struct Verdict {
    extensions: BTreeMap<String, Value>,
}

impl Verdict {
    /// The query's complexity, as limited by `MAX_QUERY_COMPLEXITY` (0 when unknown).
    pub fn complexity(&self) -> usize {
        let Some(Value::Object(cost)) = self.extensions.get("cost") else {
            return 0;
        };
        match cost.get("complexity") {
            Some(Value::Number(n)) => n.as_u64().map_or(0, |n| n as usize),
            _ => 0,
        }
    }
}

impl AppSchema {
    /// Checks `request` (parse, validation, limits), then executes it when it passes.
    pub async fn execute(&self, mut request: Request) -> Executed {
        match self.check(&mut request).await {
            Ok(verdict) => self.run(request, verdict).await,
            Err(refused) => Executed {
                response: refused,
                executed: false,
            },
        }
    }

    /// Checks `request` (parse, validation, limits) without running it: its [`Verdict`], or
    /// the response that refuses it (request errors, no `data`).
    pub async fn check(&self, request: &mut Request) -> Result<Verdict, Response> {
        let key = check_key(request);
        if let Some(extensions) = self.passed.get(&key) {
            return Ok(Verdict { extensions });
        }
        let started = ExecutionStarted::default();
        let mut check = Request::new(request.query.clone())
            .variables(request.variables.clone())
            .data(started.clone());
        check.operation_name = request.operation_name.clone();
        check.introspection_mode = request.introspection_mode;
        if let Ok(document) = request.parsed_query() {
            check.set_parsed_query(document.clone());
        }
        let checked = self.checker.execute(check).await;
        if !started.get() {
            return Err(checked);
        }
        self.passed.insert(&key, checked.extensions.clone());
        Ok(Verdict {
            extensions: checked.extensions,
        })
    }

    /// Runs a request that passed the checker as a stream of responses (a subscription's
    /// events; a query's one answer), with its connection's `session` data.
    pub fn stream(
        &self,
        request: Request,
        verdict: Verdict,
        session: std::sync::Arc<async_graphql::Data>,
    ) -> futures_util::stream::BoxStream<'static, Response> {
        use futures_util::StreamExt;
        let extensions = verdict.extensions;
        self.runner
            .execute_stream_with_session_data(request, session)
            .map(move |mut response| {
                response.extensions.extend(extensions.clone());
                response
            })
            .boxed()
    }

    /// Executes a request that passed the checker, adding the checker's `extensions`.
    pub async fn run(&self, request: Request, verdict: Verdict) -> Executed {
        let mut response = self.runner.execute(request).await;
        response.extensions.extend(verdict.extensions);
        Executed {
            response,
            executed: true,
        }
    }
}

/// How deep the parser may recurse; the depth limit proper is [`QueryLimits::max_depth`],
/// this only keeps a pathological document from exhausting the stack.
const PARSER_RECURSION_LIMIT: usize = 128;

/// Builds the schema over these database pools (writes, reads) and change feed, with these
/// query limits; without introspection
/// (and without field suggestions, which leak the schema too) when `introspection` is false.
/// Runs no migrations and no queries.
pub fn build_schema(
    db: DatabaseConnection,
    read_db: DatabaseConnection,
    change_feed: crate::live::ChangeFeed,
    webhook_policy: crate::service::webhooks::AddressPolicy,
    limits: QueryLimits,
    introspection: bool,
) -> AppSchema {
    AppSchema {
        passed: GenerationalCache::default(),
        checker: checker(limits, introspection),
        runner: finish(
            roots()
                .data(db)
                .data(ReadPool(read_db))
                .data(change_feed)
                .data(webhook_policy)
                .validation_mode(ValidationMode::Fast),
            introspection,
        ),
    }
}

fn roots() -> async_graphql::SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
}

fn finish(
    builder: async_graphql::SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot>,
    introspection: bool,
) -> RootSchema {
    let builder = builder.limit_recursive_depth(PARSER_RECURSION_LIMIT);
    if introspection {
        builder.finish()
    } else {
        builder
            .disable_introspection()
            .disable_suggestions()
            .finish()
    }
}

/// The checking schema: parse, validation and limits, and no execution (no database).
fn checker(limits: QueryLimits, introspection: bool) -> RootSchema {
    finish(
        roots()
            .extension(RequestErrorCodes)
            .extension(QueryGuard(limits))
            .extension(CheckOnly),
        introspection,
    )
}

/// Checks documents (`(id, text)`) as a request of each of their operations would be checked
/// (size, parse, validation, limits), without a database; one line per problem. An id of 64
/// hex digits must be its document's SHA-256, as clients compute it.
pub async fn check_documents<'a>(
    documents: impl IntoIterator<Item = (&'a str, &'a str)>,
    limits: QueryLimits,
    introspection: bool,
) -> Vec<String> {
    let schema = AppSchema {
        passed: GenerationalCache::default(),
        checker: checker(limits, introspection),
        runner: checker(limits, introspection),
    };
    let mut problems = Vec::new();
    for (id, text) in documents {
        if id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
            let hash = hex::encode(sha2::Sha256::digest(text.as_bytes()));
            if !hash.eq_ignore_ascii_case(id) {
                problems.push(format!(
                    "{id}: the id is not the document's SHA-256 ({hash})"
                ));
            }
        }
        let names: Vec<Option<String>> = match async_graphql::parser::parse_query(text) {
            Ok(document) => match document.operations {
                async_graphql::parser::types::DocumentOperations::Single(_) => vec![None],
                async_graphql::parser::types::DocumentOperations::Multiple(operations) => {
                    operations
                        .keys()
                        .map(|name| Some(name.to_string()))
                        .collect()
                }
            },
            Err(err) => {
                problems.push(format!("{id}: does not parse: {err}"));
                continue;
            }
        };
        for name in names {
            let mut request = Request::new(text);
            request.operation_name = name.clone();
            if text.len() > limits.max_query_bytes {
                problems.push(format!(
                    "{id}: {} bytes, over the {}-byte limit",
                    text.len(),
                    limits.max_query_bytes
                ));
                break;
            }
            if let Err(refused) = schema.check(&mut request).await {
                let messages: Vec<String> =
                    refused.errors.iter().map(|e| e.message.clone()).collect();
                let operation = name
                    .map(|n| format!(" (operation {n})"))
                    .unwrap_or_default();
                problems.push(format!("{id}{operation}: {}", messages.join("; ")));
            }
        }
    }
    problems
}

/// The schema's SDL, as committed in `schema.graphql`. Needs no database.
pub fn sdl() -> String {
    roots().extension(RequestErrorCodes).finish().sdl()
}

/// The pool queries read through (see [`db::connect_reads`](crate::db::connect_reads)), for
/// what reads outside a request's own snapshot (each event of a subscription).
#[derive(Clone)]
pub struct ReadPool(pub DatabaseConnection);

/// What the transport learns about a request while it runs.
#[derive(Clone)]
pub struct RequestHandles {
    /// The films the response contains.
    pub surrogate_keys: SurrogateKeys,
    /// Where the request read from (whether a replica failed it).
    pub reads: Arc<RequestReads>,
}

/// Gives an HTTP request its `reads` (one snapshot for a query, the pool for a mutation; see
/// [`RequestReads`]), its credentials, its own DataLoaders, the response cache its writes
/// invalidate, and the handles the transport reads afterwards (with the answer's surrogate
/// keys when `keys_wanted`: the cache keeps the answer or the client may revalidate it).
pub fn prepare_request(
    request: Request,
    reads: RequestReads,
    credentials: Credentials,
    responses: &ResponseCache,
    loader_delay: std::time::Duration,
    keys_wanted: bool,
) -> (Request, RequestHandles) {
    let handles = RequestHandles {
        surrogate_keys: SurrogateKeys::new(keys_wanted),
        reads: Arc::new(reads),
    };
    let request = request
        .data(Arc::new(RequestData::new(loaders::for_request(
            handles.reads.clone(),
            loader_delay,
        ))))
        .data(credentials)
        .data(responses.clone())
        .data(handles.surrogate_keys.clone())
        // The HTTP layer writes the answer (`http::json`), so plain lists may come back as
        // their JSON text.
        .data(crate::graphql::types::plain::WrittenAsJson);
    (request, handles)
}
