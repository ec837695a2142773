//! `api_token`: an editor's or admin's bearer token, stored only as a SHA-256 hash.

use sea_orm::entity::prelude::*;

/// A bearer token.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_token")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Whom the token belongs to (recorded as the author of revisions).
    pub name: String,
    /// What it may do.
    pub role: TokenRole,
    /// The token's first characters (`fcs_AbCd`), to recognise it in lists.
    pub prefix: String,
    /// Hex SHA-256 of the whole token.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// When it was created.
    pub created_at: DateTimeUtc,
    /// When it was revoked; revoked tokens authenticate nothing.
    pub revoked_at: Option<DateTimeUtc>,
    /// A preview token's film (the one draft it may read).
    pub movie_id: Option<i32>,
    /// When a preview token stops working.
    pub expires_at: Option<DateTimeUtc>,
    /// Who made a preview token (the editor's token name).
    pub created_by: Option<String>,
}

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum TokenRole {
    /// Reads one film's draft and what the public reads; changes nothing.
    #[sea_orm(string_value = "preview")]
    Preview,
    /// Create and change films, people and companies.
    #[sea_orm(string_value = "editor")]
    Editor,
    /// Everything an editor may, and manage tokens and delete films.
    #[sea_orm(string_value = "admin")]
    Admin,
}

/// Tokens relate to nothing.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
