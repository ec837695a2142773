//! `GET /metrics`: the Prometheus text format: GraphQL requests by operation and outcome, a
//! latency histogram, the SQL statements the pool has run (the benchmark divides them by the
//! requests), the pool's connections, whether the database is up, the response cache's hits,
//! misses, invalidations and size, the persisted queries' count and bytes, and the intake's
//! open-connection addresses and bodies being read.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::db::replicas::ReplicaStatus;

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

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 13] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Operation names counted under their own label; the rest count as `other` (clients choose
/// names, and each label value is a time series).
const MAX_OPERATION_LABELS: usize = 100;

/// GraphQL requests by operation and outcome, and their latency (shared by clones).
#[derive(Clone, Default)]
pub struct HttpMetrics(Arc<HttpMetricsInner>);

#[derive(Default)]
struct HttpMetricsInner {
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
    /// Counts by operation, then by outcome.
    by_outcome: Mutex<HashMap<String, HashMap<String, u64>>>,
}

impl HttpMetrics {
    /// Counts one answered GraphQL request.
    pub fn observe(&self, operation: Option<&str>, outcome: &str, elapsed: Duration) {
        let inner = &self.0;
        let seconds = elapsed.as_secs_f64();
        for (bound, bucket) in BUCKETS.iter().zip(&inner.buckets) {
            if seconds <= *bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        inner.count.fetch_add(1, Ordering::Relaxed);
        inner.sum_micros.fetch_add(
            u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        let Ok(mut by_outcome) = inner.by_outcome.lock() else {
            return;
        };
        let operation = label(operation);
        // No allocation once an operation and outcome have been seen.
        if let Some(count) = by_outcome
            .get_mut(operation)
            .and_then(|outcomes| outcomes.get_mut(outcome))
        {
            *count += 1;
            return;
        }
        let operation =
            if by_outcome.contains_key(operation) || by_outcome.len() < MAX_OPERATION_LABELS {
                operation
            } else {
                "other"
            };
        *by_outcome
            .entry(operation.to_owned())
            .or_default()
            .entry(label(Some(outcome)).to_owned())
            .or_default() += 1;
    }

    fn render(&self, out: &mut String) {
        let inner = &self.0;
        out.push_str(
            "# HELP filmserver_graphql_requests_by_outcome_total GraphQL requests by operation name and outcome (OK or the first error code).\n\
             # TYPE filmserver_graphql_requests_by_outcome_total counter\n",
        );
        if let Ok(by_outcome) = inner.by_outcome.lock() {
            let mut rows: Vec<_> = by_outcome
                .iter()
                .flat_map(|(op, outcomes)| outcomes.iter().map(move |(out, n)| (op, out, n)))
                .collect();
            rows.sort();
            for (operation, outcome, count) in rows {
                let _ = writeln!(
                    out,
                    "filmserver_graphql_requests_by_outcome_total{{operation=\"{operation}\",outcome=\"{outcome}\"}} {count}"
                );
            }
        }
        out.push_str(
            "# HELP filmserver_graphql_request_duration_seconds Time to answer a GraphQL request.\n\
             # TYPE filmserver_graphql_request_duration_seconds histogram\n",
        );
        for (bound, bucket) in BUCKETS.iter().zip(&inner.buckets) {
            let _ = writeln!(
                out,
                "filmserver_graphql_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = inner.count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "filmserver_graphql_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}\n\
             filmserver_graphql_request_duration_seconds_sum {}\n\
             filmserver_graphql_request_duration_seconds_count {count}",
            inner.sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
    }
}

/// A label value: a GraphQL name as given, `anonymous` for none, `invalid` for anything else
/// (so no client text reaches the output unchecked).
fn label(name: Option<&str>) -> &str {
    match name {
        None | Some("") => "anonymous",
        Some(name)
            if name.len() <= 64
                && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
        {
            name
        }
        Some(_) => "invalid",
    }
}

/// The metrics, as Prometheus text.
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let cache = state.responses.stats();
    let (open, idle) = crate::db::pool_connections(&state.db);
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
         filmserver_response_cache_bytes {}\n\
         # HELP filmserver_db_pool_connections Connections the database pool holds.\n\
         # TYPE filmserver_db_pool_connections gauge\n\
         filmserver_db_pool_connections {open}\n\
         # HELP filmserver_db_pool_idle_connections Pool connections not in use.\n\
         # TYPE filmserver_db_pool_idle_connections gauge\n\
         filmserver_db_pool_idle_connections {idle}\n\
         # HELP filmserver_db_pool_max_connections Most connections the pool may open.\n\
         # TYPE filmserver_db_pool_max_connections gauge\n\
         filmserver_db_pool_max_connections {}\n\
         # HELP filmserver_database_up Whether the database answered, as last seen (1 or 0).\n\
         # TYPE filmserver_database_up gauge\n\
         filmserver_database_up {}\n",
        state.graphql_requests.get(),
        state.sql_statements.get(),
        cache.hits,
        cache.misses,
        cache.invalidations,
        cache.entries,
        cache.bytes,
        state.db_max_connections,
        u8::from(state.availability.serving()),
    );
    let mut body = body;
    let (persisted, persisted_bytes) = state.persisted.size();
    let _ = write!(
        body,
        "# HELP filmserver_persisted_queries Automatic persisted queries stored.\n\
         # TYPE filmserver_persisted_queries gauge\n\
         filmserver_persisted_queries {persisted}\n\
         # HELP filmserver_persisted_query_bytes Bytes of query text the persisted queries hold.\n\
         # TYPE filmserver_persisted_query_bytes gauge\n\
         filmserver_persisted_query_bytes {persisted_bytes}\n\
         # HELP filmserver_open_connections_addresses Client addresses with open connections.\n\
         # TYPE filmserver_open_connections_addresses gauge\n\
         filmserver_open_connections_addresses {}\n\
         # HELP filmserver_pending_bodies Request bodies being read now.\n\
         # TYPE filmserver_pending_bodies gauge\n\
         filmserver_pending_bodies {}\n",
        state.connections.addresses(),
        state.intake.pending_bodies_now(),
    );
    let (read_open, read_idle) = crate::db::pool_connections(state.reads.primary());
    let _ = write!(
        body,
        "# HELP filmserver_db_read_pool_connections Connections the pool queries read through holds (the write pool's on SQLite).\n\
         # TYPE filmserver_db_read_pool_connections gauge\n\
         filmserver_db_read_pool_connections {read_open}\n\
         # HELP filmserver_db_read_pool_idle_connections Read pool connections not in use.\n\
         # TYPE filmserver_db_read_pool_idle_connections gauge\n\
         filmserver_db_read_pool_idle_connections {read_idle}\n\
         # HELP filmserver_live_subscriptions Subscriptions this instance runs now.\n\
         # TYPE filmserver_live_subscriptions gauge\n\
         filmserver_live_subscriptions {}\n\
         # HELP filmserver_change_feed_last_event The last change event this instance's feed passed on.\n\
         # TYPE filmserver_change_feed_last_event gauge\n\
         filmserver_change_feed_last_event {}\n",
        state.change_feed.subscribers(),
        state.change_feed.last_seen().unwrap_or_default(),
    );
    render_replicas(&state, &mut body);
    state.http_metrics.render(&mut body);
    ([(CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

/// A per-replica metric: name, type, help, and its value for one replica.
type ReplicaSeries = (
    &'static str,
    &'static str,
    &'static str,
    fn(&ReplicaStatus) -> String,
);

/// The read replicas' figures, one series per replica (labelled `host:port/database`), and
/// the query snapshots the primary served instead.
fn render_replicas(state: &AppState, body: &mut String) {
    if !state.reads.has_replicas() {
        return;
    }
    let statuses = state.reads.statuses();
    let _ = write!(
        body,
        "# HELP filmserver_primary_query_reads_total Query snapshots read from the primary that a read replica could have served (none was in rotation, or it failed).\n\
         # TYPE filmserver_primary_query_reads_total counter\n\
         filmserver_primary_query_reads_total {}\n",
        state.reads.primary_reads()
    );
    let (waits, waited) = state.reads.waits();
    let _ = write!(
        body,
        "# HELP filmserver_replica_waits_total Writes that waited for the replicas to replay them before they were acknowledged (or applied to the cache).\n\
         # TYPE filmserver_replica_waits_total counter\n\
         filmserver_replica_waits_total {waits}\n\
         # HELP filmserver_replica_wait_seconds_total Seconds those writes waited, in all.\n\
         # TYPE filmserver_replica_wait_seconds_total counter\n\
         filmserver_replica_wait_seconds_total {waited:.6}\n"
    );
    let series: [ReplicaSeries; 8] = [
        (
            "filmserver_replica_up",
            "gauge",
            "Whether the read replica answered its last check (1 or 0).",
            |s| u8::from(s.answering).to_string(),
        ),
        (
            "filmserver_replica_in_rotation",
            "gauge",
            "Whether queries read from the replica now (1 or 0).",
            |s| u8::from(s.in_rotation).to_string(),
        ),
        (
            "filmserver_replica_lag_seconds",
            "gauge",
            "How far behind the primary the replica was at its last check.",
            |s| format!("{:.3}", s.lag_ms as f64 / 1000.0),
        ),
        (
            "filmserver_replica_reads_total",
            "counter",
            "Query snapshots the replica served.",
            |s| s.reads.to_string(),
        ),
        (
            "filmserver_replica_failovers_total",
            "counter",
            "Queries run again on the primary after the replica failed them.",
            |s| s.failovers.to_string(),
        ),
        (
            "filmserver_replica_removals_total",
            "counter",
            "Times the replica was taken out of rotation.",
            |s| s.removals.to_string(),
        ),
        (
            "filmserver_replica_pool_connections",
            "gauge",
            "Connections the replica's pool holds.",
            |s| s.pool.0.to_string(),
        ),
        (
            "filmserver_replica_pool_idle_connections",
            "gauge",
            "Replica pool connections not in use.",
            |s| s.pool.1.to_string(),
        ),
    ];
    for (name, kind, help, value) in series {
        let _ = write!(body, "# HELP {name} {help}\n# TYPE {name} {kind}\n");
        for status in &statuses {
            let _ = writeln!(
                body,
                "{name}{{replica=\"{}\"}} {}",
                status.label.replace(['\\', '"', '\n'], "_"),
                value(status)
            );
        }
    }
}
