//! The HTTP surface: routes, and the one seam ([`app`]) that `main` and the tests share.
//!
//! | route            | what                                                        |
//! |------------------|-------------------------------------------------------------|
//! | `GET /`          | GraphiQL, pointed at `/graphql`                             |
//! | `GET /playground`| GraphQL Playground, for those who know it                   |
//! | `POST /graphql`  | GraphQL over HTTP (any operation)                           |
//! | `GET /graphql`   | GraphQL over HTTP (queries only; a mutation is 405)         |
//! | `GET /healthz`   | whether the database answers                                |
//! | `GET /metrics`   | counters in the Prometheus text format                      |

pub mod caching;
pub mod graphql;
pub mod health;
pub mod media;
pub mod metrics;
pub mod pages;
pub mod persisted;

use axum::Router;
use axum::routing::get;

use crate::AppState;

/// The application's router over this state.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(pages::graphiql))
        .route("/playground", get(pages::playground))
        .route(
            "/graphql",
            get(graphql::graphql_get).post(graphql::graphql_post),
        )
        .route("/healthz", get(health::healthz))
        .route("/metrics", get(metrics::metrics))
        .with_state(state)
}
