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
    /// A preview token's film: the one draft it may read.
    pub preview_of: Option<i32>,
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

/// `preview`, `editor` or `admin`.
pub fn role_name(role: TokenRole) -> &'static str {
    match role {
        TokenRole::Preview => "preview",
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

/// Makes a token for `name` with `role` (editor or admin; preview tokens come from
/// [`create_preview`]).
pub async fn create<C: ConnectionTrait>(
    db: &C,
    name: &str,
    role: TokenRole,
) -> Result<IssuedToken, AppError> {
    if role == TokenRole::Preview {
        return Err(AppError::bad_input(
            "role",
            "preview tokens are made for one film with createPreviewToken",
        ));
    }
    issue(db, name, role, None).await
}

/// What a preview token is for.
#[derive(Debug, Clone)]
pub struct Preview {
    /// The film whose draft it reads.
    pub movie_id: i32,
    /// When it stops working.
    pub expires_at: chrono::DateTime<Utc>,
    /// Who made it.
    pub created_by: String,
}

/// Longest a preview token may last: 30 days.
pub const MAX_PREVIEW_HOURS: i32 = 720;

/// Makes a read-only token for one film's draft, named `name`, lasting `hours`.
pub async fn create_preview<C: ConnectionTrait>(
    db: &C,
    name: &str,
    movie_id: i32,
    hours: i32,
    created_by: &str,
) -> Result<IssuedToken, AppError> {
    if !(1..=MAX_PREVIEW_HOURS).contains(&hours) {
        return Err(AppError::bad_input(
            "expiresInHours",
            format!("a preview lasts 1 to {MAX_PREVIEW_HOURS} hours, not {hours}"),
        ));
    }
    let preview = Preview {
        movie_id,
        expires_at: Utc::now() + chrono::Duration::hours(i64::from(hours)),
        created_by: created_by.to_owned(),
    };
    issue(db, name, TokenRole::Preview, Some(preview)).await
}

/// The preview tokens of one film, newest first (revoked and expired ones included).
pub async fn previews_of<C: ConnectionTrait>(
    db: &C,
    movie_id: i32,
) -> Result<Vec<api_token::Model>, AppError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::Role.eq(TokenRole::Preview))
        .filter(api_token::Column::MovieId.eq(movie_id))
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await?)
}

async fn issue<C: ConnectionTrait>(
    db: &C,
    name: &str,
    role: TokenRole,
    preview: Option<Preview>,
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
        movie_id: Set(preview.as_ref().map(|p| p.movie_id)),
        expires_at: Set(preview.as_ref().map(|p| p.expires_at)),
        created_by: Set(preview.map(|p| p.created_by)),
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

/// Revokes the preview token with this id; `BAD_USER_INPUT` for any other token.
pub async fn revoke_preview<C: ConnectionTrait>(
    db: &C,
    id: i32,
) -> Result<api_token::Model, AppError> {
    let is_preview = api_token::Entity::find_by_id(id)
        .one(db)
        .await?
        .is_some_and(|token| token.role == TokenRole::Preview);
    if !is_preview {
        return Err(AppError::bad_input("id", "not a preview token"));
    }
    revoke(db, id).await
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
        Some(token) if token.expires_at.is_some_and(|at| at <= Utc::now()) => {
            Err(AppError::Unauthenticated("the token has expired".into()))
        }
        Some(token) if token.revoked_at.is_none() => Ok(Principal {
            token_id: token.id,
            name: token.name,
            role: token.role,
            preview_of: token.movie_id,
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
            preview_of: None,
        };
        let editor = Principal {
            role: TokenRole::Editor,
            ..admin.clone()
        };
        let preview = Principal {
            role: TokenRole::Preview,
            preview_of: Some(7),
            ..admin.clone()
        };
        assert!(matches!(
            preview.require(TokenRole::Editor),
            Err(AppError::Forbidden(_))
        ));
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
