//! Idempotency keys: a mutation sent with a key is applied at most once, however often it is
//! retried.
//!
//! The transport runs a keyed mutation inside [`with_claim`]; every write transaction of the
//! service ([`begin_write`](crate::service::editing::begin_write)) then inserts the key's row
//! first thing ([`claim_in`]), so the row commits exactly when the write does. A retry finds
//! the row ([`find`]) and gets the recorded answer ([`record_answer`]) instead of a second
//! write; two racing requests with one key cannot both insert it (the key is the primary key),
//! so the loser changes nothing and is told so.

use std::future::Future;

use chrono::{Duration, Utc};
use entity::idempotency_key;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter,
};

use crate::error::AppError;

/// How long keys are kept; a retry later than this is a new request.
pub const KEPT_FOR_HOURS: i64 = 24;

/// The key a mutation is being applied under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// Hex SHA-256 of the token and the client's key.
    pub key_hash: String,
    /// Hex SHA-256 of the request.
    pub request_hash: String,
}

tokio::task_local! {
    static CLAIM: Claim;
}

/// Runs `work` (the execution of one keyed mutation) with `claim` in force for its writes.
pub async fn with_claim<F: Future>(claim: Option<Claim>, work: F) -> F::Output {
    match claim {
        Some(claim) => CLAIM.scope(claim, work).await,
        None => work.await,
    }
}

/// Inside a write transaction: records the key in force, if any. `CONFLICT` when the key has
/// been used already (by a request that committed first).
pub async fn claim_in<C: ConnectionTrait>(tx: &C) -> Result<(), AppError> {
    let Ok(claim) = CLAIM.try_with(Claim::clone) else {
        return Ok(());
    };
    let now = Utc::now();
    idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(now - Duration::hours(KEPT_FOR_HOURS)))
        .exec(tx)
        .await?;
    let inserted = idempotency_key::ActiveModel {
        key_hash: Set(claim.key_hash),
        request_hash: Set(claim.request_hash),
        response: Set(None),
        created_at: Set(now),
    }
    .insert(tx)
    .await;
    match inserted.map_err(AppError::from) {
        Ok(_) => Ok(()),
        Err(AppError::Conflict { .. }) => Err(AppError::conflict(
            "this Idempotency-Key was used by another request that was applied; nothing changed",
        )),
        Err(other) => Err(other),
    }
}

/// The key's record, if its mutation was applied (within [`KEPT_FOR_HOURS`]).
pub async fn find(
    db: &DatabaseConnection,
    key_hash: &str,
) -> Result<Option<idempotency_key::Model>, AppError> {
    let cutoff = Utc::now() - Duration::hours(KEPT_FOR_HOURS);
    Ok(idempotency_key::Entity::find_by_id(key_hash.to_owned())
        .filter(idempotency_key::Column::CreatedAt.gte(cutoff))
        .one(db)
        .await?)
}

/// Records the answer of the mutation applied under `key_hash` (nothing when it was not
/// applied: then there is no row).
pub async fn record_answer(
    db: &DatabaseConnection,
    key_hash: &str,
    answer: &str,
) -> Result<(), AppError> {
    idempotency_key::Entity::update_many()
        .col_expr(
            idempotency_key::Column::Response,
            sea_orm::sea_query::Expr::value(answer.to_owned()),
        )
        .filter(idempotency_key::Column::KeyHash.eq(key_hash))
        .filter(idempotency_key::Column::Response.is_null())
        .exec(db)
        .await?;
    Ok(())
}
