//! Health for load balancers: `GET /healthz` (the process is alive; it also says whether the
//! database answers, but stays 200 when it does not, so a database outage never gets healthy
//! processes restarted) and `GET /readyz` (the database answers and has every migration: the
//! instance can take traffic). With read replicas `/readyz` lists each one (answering, in
//! rotation, lag); a replica down only reduces capacity, so it never makes an instance unready.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::{AppState, db};

/// The process is alive: always 200, with whether the database answers.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = if state.availability.serving() && db::ping(&state.db).await {
        "up"
    } else {
        "down"
    };
    (
        StatusCode::OK,
        Json(json!({ "status": "ok", "database": database })),
    )
}

/// Reports whether this instance can serve: 200 when the database answers and is fully
/// migrated, 503 (with the reason) otherwise.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let unready = |reason: String| {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "not ready", "reason": reason })),
        )
    };
    if !state.availability.serving() || !db::ping(&state.db).await {
        return unready("the database does not answer".into());
    }
    match db::pending_migrations(&state.db).await {
        Ok(0) => (StatusCode::OK, Json(ready(&state))),
        Ok(pending) => unready(format!("{pending} migrations are not applied")),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check could not read migrations");
            unready("the migrations could not be read".into())
        }
    }
}

/// The body of a ready answer: the replicas' state, when there are any.
fn ready(state: &AppState) -> Value {
    if !state.reads.has_replicas() {
        return json!({ "status": "ready" });
    }
    let replicas: Vec<Value> = state
        .reads
        .statuses()
        .into_iter()
        .map(|replica| {
            json!({
                "replica": replica.label,
                "up": replica.answering,
                "inRotation": replica.in_rotation,
                "lagMs": replica.lag_ms,
            })
        })
        .collect();
    json!({ "status": "ready", "replicas": replicas })
}
