//! `GET /metrics`: counters in the Prometheus text format: the GraphQL requests served, the SQL
//! statements the pool has run (the benchmark divides one by the other), and the response
//! cache's hits, misses, invalidations and size.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::AppState;

/// GraphQL requests served (shared by clones).
#[derive(Debug, Clone, Default)]
pub struct RequestCounter(Arc<AtomicU64>);

impl RequestCounter {
    /// Counts one request.
    pub fn increment(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests so far.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The counters, as Prometheus text.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let cache = state.responses.stats();
    let body = format!(
        "# HELP filmserver_graphql_requests_total GraphQL requests served.\n\
         # TYPE filmserver_graphql_requests_total counter\n\
         filmserver_graphql_requests_total {}\n\
         # HELP filmserver_sql_statements_total SQL statements run by the pool.\n\
         # TYPE filmserver_sql_statements_total counter\n\
         filmserver_sql_statements_total {}\n\
         # HELP filmserver_response_cache_hits_total Answers served from the response cache.\n\
         # TYPE filmserver_response_cache_hits_total counter\n\
         filmserver_response_cache_hits_total {}\n\
         # HELP filmserver_response_cache_misses_total Cacheable requests the cache could not answer.\n\
         # TYPE filmserver_response_cache_misses_total counter\n\
         filmserver_response_cache_misses_total {}\n\
         # HELP filmserver_response_cache_invalidations_total Changes applied to the response cache.\n\
         # TYPE filmserver_response_cache_invalidations_total counter\n\
         filmserver_response_cache_invalidations_total {}\n\
         # HELP filmserver_response_cache_entries Answers held in the response cache.\n\
         # TYPE filmserver_response_cache_entries gauge\n\
         filmserver_response_cache_entries {}\n\
         # HELP filmserver_response_cache_bytes Bytes held in the response cache.\n\
         # TYPE filmserver_response_cache_bytes gauge\n\
         filmserver_response_cache_bytes {}\n",
        state.graphql_requests.get(),
        state.sql_statements.get(),
        cache.hits,
        cache.misses,
        cache.invalidations,
        cache.entries,
        cache.bytes,
    );
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}
