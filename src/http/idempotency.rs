//! `Idempotency-Key` on mutations: a retried mutation is applied at most once, and a retry of
//! one that was applied gets the first answer again (with `Idempotent-Replayed: true`).
//!
//! The key is scoped to the token (two editors may use the same key) and bound to the request:
//! the same key with a different query or variables is refused with 422
//! `IDEMPOTENCY_KEY_REUSED`. A mutation whose key row exists but whose answer was never
//! recorded (the server died between the commit and recording it) is answered 409 `CONFLICT`:
//! it was applied; read the current state. How the key is claimed inside the mutation's own
//! transaction is in [`crate::service::idempotency`].

use async_graphql::Request as GraphQLRequest;
use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::{AppError, ErrorCode};
use crate::graphql::Preflight;
use crate::graphql::auth::Credentials;
use crate::graphql::mutation::UNKEYED_MUTATIONS;
use crate::response_cache::entry_key;
use crate::service::idempotency::{Claim, find};

/// The request header.
pub const HEADER: &str = "idempotency-key";

/// Longest key accepted.
const MAX_KEY_LEN: usize = 255;

/// What to do with a mutation, as far as its key goes.
pub enum Decision {
    /// No key: just run it.
    Run,
    /// Run it under this claim.
    RunClaimed(Claim),
    /// It was applied before: answer with this recorded body.
    Replay(String),
    /// Refuse it with this code (and the code's HTTP status) and message.
    Refuse(ErrorCode, String),
}

/// The key the client sent, if any, as text.
pub fn key_of(headers: &HeaderMap) -> Option<Result<String, ()>> {
    let value = headers.get(HEADER)?;
    let key = value.to_str().ok().map(str::trim).filter(|key| {
        !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic())
    });
    Some(key.map(str::to_owned).ok_or(()))
}

/// Decides how to run a mutation sent with `key` by the holder of `bearer`.
pub async fn decide(
    state: &AppState,
    key: Option<Result<String, ()>>,
    credentials: &Credentials,
    request: &GraphQLRequest,
    checked: &Preflight,
) -> Decision {
    let Some(key) = key else {
        return Decision::Run;
    };
    let Ok(key) = key else {
        return Decision::Refuse(
            ErrorCode::BadRequest,
            format!("`Idempotency-Key` must be 1 to {MAX_KEY_LEN} visible ASCII characters"),
        );
    };
    if checked.root_fields != 1
        || checked
            .root_field_names
            .iter()
            .any(|n| n.starts_with("..."))
    {
        return Decision::Refuse(
            ErrorCode::BadRequest,
            "a request with an `Idempotency-Key` must have exactly one mutation field, named at its root".into(),
        );
    }
    if let Some(field) = checked
        .root_field_names
        .iter()
        .find(|name| UNKEYED_MUTATIONS.contains(&name.as_str()))
    {
        return Decision::Refuse(
            ErrorCode::BadRequest,
            format!("`{field}` does not take an `Idempotency-Key`: send it without one"),
        );
    }
    let bearer = credentials.bearer();
    let scope = hex::encode(Sha256::digest(bearer.unwrap_or_default().as_bytes()));
    let key_hash = hex::encode(Sha256::digest(format!("{scope}\n{key}").as_bytes()));
    let variables = serde_json::to_value(&request.variables).unwrap_or_default();
    let request_hash = hex::encode(entry_key(
        &request.query,
        request.operation_name.as_deref(),
        &variables,
    ));
    match find(&state.db, &key_hash).await {
        Ok(None) => Decision::RunClaimed(Claim {
            key_hash,
            request_hash,
        }),
        Ok(Some(applied)) if applied.request_hash != request_hash => Decision::Refuse(
            ErrorCode::IdempotencyKeyReused,
            "this `Idempotency-Key` was used for a different request".into(),
        ),
        Ok(Some(applied)) => match applied.response {
            Some(answer) => Decision::Replay(answer),
            None => Decision::Refuse(
                ErrorCode::Conflict,
                "the mutation with this `Idempotency-Key` was applied, but its answer was not recorded: read the current state".into(),
            ),
        },
        Err(err) => {
            if matches!(err, AppError::Unavailable(_)) {
                state.availability.mark_down();
            } else {
                tracing::error!(error = ?err, "looking up an idempotency key failed");
            }
            Decision::Refuse(err.error_code(), err.client_message())
        }
    }
}
