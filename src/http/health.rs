//! Health for load balancers: `GET /healthz` (the database answers) and `GET /readyz` (the
//! database answers and has every migration: the instance can take traffic).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::{AppState, db};

/// Reports whether the database answers: 200, or 503.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    if db::ping(&state.db).await {
        (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": "up" })),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "unavailable", "database": "down" })),
        )
    }
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
    if !db::ping(&state.db).await {
        return unready("the database does not answer".into());
    }
    match db::pending_migrations(&state.db).await {
        Ok(0) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Ok(pending) => unready(format!("{pending} migrations are not applied")),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check could not read migrations");
            unready("the migrations could not be read".into())
        }
    }
}
