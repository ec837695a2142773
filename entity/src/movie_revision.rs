//! `movie_revision`: a film as it was after one change, who made it and when.

use sea_orm::entity::prelude::*;

/// One revision of a film.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "movie_revision")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The film.
    pub movie_id: i32,
    /// The film's version after the change.
    pub version: i32,
    /// What the change was.
    pub action: RevisionAction,
    /// The name of the token that made the change (`system` for history the server wrote).
    pub author: String,
    /// The token that made the change, while it exists.
    pub author_token_id: Option<i32>,
    /// When the change was made.
    pub created_at: DateTimeUtc,
    /// The whole film after the change (before it, for a deletion), in the shape of
    /// `createMovie`'s input.
    pub snapshot: Json,
}

/// What a revision records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum RevisionAction {
    /// The film was created (or first recorded, for films older than the history).
    #[sea_orm(string_value = "create")]
    Create,
    /// The film was changed.
    #[sea_orm(string_value = "update")]
    Update,
    /// The film was made what an earlier revision recorded.
    #[sea_orm(string_value = "restore")]
    Restore,
    /// The film was deleted; the snapshot is the film as it was.
    #[sea_orm(string_value = "delete")]
    Delete,
    /// The film was published: the public API shows it as the snapshot records it.
    #[sea_orm(string_value = "publish")]
    Publish,
    /// The film was taken off the public API (not deleted).
    #[sea_orm(string_value = "unpublish")]
    Unpublish,
}

/// Revisions outlive their film, so they hold its id without a relation.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
