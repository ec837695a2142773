//! `idempotency_key`: an applied mutation's `Idempotency-Key` (hashed with its token), written
//! in the mutation's own transaction, and the answer it got, replayed to retries.

use sea_orm::entity::prelude::*;

/// An applied mutation's key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_key")]
pub struct Model {
    /// Hex SHA-256 of the token and the client's key.
    #[sea_orm(primary_key, auto_increment = false)]
    pub key_hash: String,
    /// Hex SHA-256 of the request (query, operation name, variables), so a key reused for a
    /// different request is refused.
    pub request_hash: String,
    /// The answer the mutation got, once recorded.
    pub response: Option<String>,
    /// When the mutation was applied.
    pub created_at: DateTimeUtc,
}

/// Keys relate to nothing.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
