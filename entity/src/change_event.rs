//! `change_event`: the change log. Every committed change to content (a film published,
//! unpublished, deleted, its draft changed; a person or company created or changed) writes one
//! row in the transaction of the change itself, so the log holds exactly what committed. Ids
//! grow in commit order: subscribers and webhooks resume after the last id they saw.

use sea_orm::entity::prelude::*;

/// One change.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "change_event")]
pub struct Model {
    /// The event's id: grows in the order changes commit, never reused.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// What happened.
    pub kind: ChangeKind,
    /// The film it happened to (its own id, never a draft's), if a film.
    pub movie_id: Option<i32>,
    /// The slug of what changed (the film's public slug, or the person's or company's).
    pub slug: Option<String>,
    /// The film's version after the change, if a film.
    pub version: Option<i32>,
    /// Whether readers can see the change (`false`: only a draft changed).
    pub public: bool,
    /// The content keys the change touched (as `Surrogate-Key` names them), space-separated.
    pub keys: String,
    /// Who made the change (a token's name, or `system`).
    pub author: String,
    /// When the change committed (near enough: when its transaction wrote the event).
    pub created_at: DateTimeUtc,
}

/// What a change was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
pub enum ChangeKind {
    /// A film was published (first, or again with its draft's changes).
    #[sea_orm(string_value = "published")]
    Published,
    /// A film was taken off the public API.
    #[sea_orm(string_value = "unpublished")]
    Unpublished,
    /// A film was deleted.
    #[sea_orm(string_value = "deleted")]
    Deleted,
    /// A film's draft was created, changed or thrown away (editors only).
    #[sea_orm(string_value = "draft_changed")]
    DraftChanged,
    /// A person was created or changed (renamed, a new slug).
    #[sea_orm(string_value = "person_changed")]
    PersonChanged,
    /// A company was created or changed.
    #[sea_orm(string_value = "company_changed")]
    CompanyChanged,
}

/// Events outlive their film, so they hold its id without a relation.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
