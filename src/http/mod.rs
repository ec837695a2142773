//! The HTTP surface: routes, and the one seam ([`app`]) that `main` and the tests share.
//!
//! | route            | what                                                        |
//! |------------------|-------------------------------------------------------------|
//! | `GET /`          | GraphiQL, pointed at `/graphql` (unless turned off)         |
//! | `GET /playground`| GraphQL Playground, for those who know it (likewise)        |
//! | `GET /assets/…`  | the IDEs' scripts and styles, embedded and pinned (likewise) |
//! | `POST /graphql`  | GraphQL over HTTP (any operation)                           |
//! | `GET /graphql`   | GraphQL over HTTP (queries only; a mutation is 405)         |
//! | `GET /graphql` + `Upgrade: websocket` | subscriptions (graphql-transport-ws, graphql-ws) |
//! | `GET /healthz`   | whether the database answers                                |
//! | `GET /readyz`    | whether the database answers and is fully migrated          |
//! | `GET /metrics`   | counters in the Prometheus text format                      |

pub mod answer;
pub mod assets;
pub mod caching;
pub mod graphql;
pub mod health;
pub mod idempotency;
pub mod intake;
pub mod json;
pub mod media;
pub mod metrics;
pub mod overload;
pub mod per_address;
pub mod persisted;
pub mod rate_limit;
pub mod request_log;
pub mod trusted;
pub mod websocket;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::routing::get;
use tower::ServiceBuilder;

use crate::AppState;

/// The application's router over this state.
pub fn app(state: AppState) -> Router {
    let max_concurrent = state.max_concurrent_requests;
    let mut router = Router::new();
    if state.graphiql {
        router = router
            .route("/", get(assets::graphiql))
            .route("/playground", get(assets::playground))
            .route("/assets/{name}", get(assets::asset));
    }
    router
        .route(
            "/graphql",
            get(graphql::graphql_get).post(graphql::graphql_post),
        )
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .with_state(state.clone())
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    request_log::log_requests,
                ))
                // Per-address caps and whole bodies before a request slot is taken.
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    intake::admit_whole,
                ))
                .layer(HandleErrorLayer::new(overload::refuse))
                .load_shed()
                .concurrency_limit(max_concurrent),
        )
}
