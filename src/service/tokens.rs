//! Editors' bearer tokens: `fcs_` followed by 256 random bits (base64url), shown once when made
//! and stored only as a SHA-256 hash. High-entropy tokens need no salt or slow hash: guessing
//! one is as hard as guessing the token itself.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use entity::TokenRole;
use entity::api_token;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// What every token starts with, so leaked tokens are easy to recognise (and to scan for).
pub const TOKEN_PREFIX: &str = "fcs_";

/// Longest token name.
pub const MAX_NAME_LEN: usize = 100;

/// Who a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's id.
    pub token_id: i32,
    /// The token's name (the author of revisions).
    pub name: String,
    /// What the token may do.
    pub role: TokenRole,
}

impl Principal {
    /// `FORBIDDEN` unless this principal has at least `role`.
    pub fn require(&self, role: TokenRole) -> Result<(), AppError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs the {} role; the token has {}",
                role_name(role),
                role_name(self.role)
            )))
        }
    }
}

/// `editor` or `admin`.
pub fn role_name(role: TokenRole) -> &'static str {
    match role {
        TokenRole::Editor => "editor",
        TokenRole::Admin => "admin",
    }
}

/// A new token: the secret (shown once) and its stored record.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The whole token; never stored.
    pub secret: String,
    /// What is stored.
    pub record: api_token::Model,
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Makes a token for `name` with `role`.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    name: &str,
    role: TokenRole,
) -> Result<IssuedToken, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_LEN {
        return Err(AppError::bad_input(
            "name",
            format!("a token name is 1 to {MAX_NAME_LEN} characters"),
        ));
    }
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    let secret = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(random));
    let record = api_token::ActiveModel {
        name: Set(name.to_owned()),
        role: Set(role),
        prefix: Set(secret.chars().take(8).collect()),
        token_hash: Set(hash(&secret)),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(IssuedToken { secret, record })
}

/// Every token, newest first (revoked ones included).
pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<api_token::Model>, AppError> {
    Ok(api_token::Entity::find()
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?)
}

/// Revokes the token with this id (revoking twice keeps the first time).
pub async fn revoke<C: ConnectionTrait>(db: &C, id: i32) -> Result<api_token::Model, AppError> {
    let token = api_token::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no token with id {id}")))?;
    if token.revoked_at.is_some() {
        return Ok(token);
    }
    let mut active: api_token::ActiveModel = token.into();
    active.revoked_at = Set(Some(Utc::now()));
    Ok(active.update(db).await?)
}

/// The principal a bearer token stands for; `UNAUTHENTICATED` when there is no token, or it is
/// unknown or revoked.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    bearer: Option<&str>,
) -> Result<Principal, AppError> {
    let Some(secret) = bearer.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(AppError::Unauthenticated(
            "this needs `Authorization: Bearer <token>`".into(),
        ));
    };
    let token = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash(secret)))
        .one(db)
        .await?;
    match token {
        Some(token) if token.revoked_at.is_none() => Ok(Principal {
            token_id: token.id,
            name: token.name,
            role: token.role,
        }),
        Some(_) => Err(AppError::Unauthenticated("the token is revoked".into())),
        None => Err(AppError::Unauthenticated("the token is not known".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        let admin = Principal {
            token_id: 1,
            name: "a".into(),
            role: TokenRole::Admin,
        };
        let editor = Principal {
            role: TokenRole::Editor,
            ..admin.clone()
        };
        assert!(admin.require(TokenRole::Editor).is_ok());
        assert!(editor.require(TokenRole::Editor).is_ok());
        assert!(matches!(
            editor.require(TokenRole::Admin),
            Err(AppError::Forbidden(_))
        ));
    }

    #[test]
    fn hashes_are_hex_sha256() {
        assert_eq!(hash("abc").len(), 64);
        assert_ne!(hash("abc"), hash("abd"));
    }
}
