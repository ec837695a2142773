//! What editors' operations return: tokens, revisions, and a deleted film's receipt.

use async_graphql::{Enum, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{api_token, movie_revision};

use crate::ids::{NodeKind, encode};

/// What a token may do.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "entity::TokenRole")]
pub enum TokenRole {
    /// Read one film's draft (a reviewer's link, made by `createPreviewToken`); change nothing.
    Preview,
    /// Create and change films, people and companies.
    Editor,
    /// Everything an editor may, and manage tokens and delete films.
    Admin,
}

/// What a revision records.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "entity::RevisionAction")]
pub enum RevisionAction {
    /// The film was created (or first recorded, for a film older than the history).
    Create,
    /// The film was changed.
    Update,
    /// The film was made what an earlier revision recorded.
    Restore,
    /// The film was deleted; the snapshot is the film as it was.
    Delete,
    /// The film was published: readers see it as the snapshot records it.
    Publish,
    /// The film was taken off the public API (it still exists for editors).
    Unpublish,
}

/// An API token as stored: never the secret itself.
#[derive(Clone)]
pub struct ApiToken(pub api_token::Model);

/// An API token as stored: never the secret itself.
#[Object(serial)]
impl ApiToken {
    /// The token's number (for `revokeToken`).
    async fn id(&self) -> i32 {
        self.0.id
    }

    /// Whom it belongs to; recorded as the author of their changes.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it may do.
    async fn role(&self) -> TokenRole {
        self.0.role.into()
    }

    /// Its first characters, to recognise it.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was revoked; null while it is valid.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }

    /// When it stops working (preview tokens); null for tokens that do not expire.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }

    /// Who made it (preview tokens: the editor's token name).
    async fn created_by(&self) -> Option<&str> {
        self.0.created_by.as_deref()
    }
}

/// A token just made: the secret is shown this once and never again.
#[derive(SimpleObject)]
#[graphql(serial)]
pub struct CreatedToken {
    /// The secret: send it as `Authorization: Bearer <token>`. Store it now.
    pub token: String,
    /// The stored record.
    pub info: ApiToken,
}

/// A film as it was after one change.
#[derive(Clone)]
pub struct Revision(pub movie_revision::Model);

/// A film as it was after one change.
#[Object(serial)]
impl Revision {
    /// The film's version after the change (`restoreMovieRevision` takes it).
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// What the change was.
    async fn action(&self) -> RevisionAction {
        self.0.action.into()
    }

    /// The name of the token that made the change (`system` for a film's state before its
    /// first recorded change).
    async fn author(&self) -> &str {
        &self.0.author
    }

    /// When the change was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The whole film after the change, in the shape of `createMovie`'s input.
    async fn snapshot(&self) -> Json<&serde_json::Value> {
        Json(&self.0.snapshot)
    }
}

/// What `deleteMovie` removed.
#[derive(SimpleObject)]
#[graphql(serial)]
pub struct DeletedMovie {
    /// The deleted film's global id.
    pub id: ID,
    /// The deleted film's slug (now free).
    pub slug: String,
}

impl DeletedMovie {
    /// The receipt for a deleted film.
    pub fn new(movie: &entity::movie::Model) -> Self {
        Self {
            id: encode(NodeKind::Movie, movie.id),
            slug: movie.slug.clone(),
        }
    }
}
