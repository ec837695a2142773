//! `person`: a real person (director, actor, ...), shared between films.

use sea_orm::entity::prelude::*;

/// A real person.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "person")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// URL key, unique (`jeremy-irons`).
    #[sea_orm(unique)]
    pub slug: String,
    /// Full name.
    pub name: String,
    /// When the row was created.
    pub created_at: DateTimeUtc,
    /// When the row was last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations of a person.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Credits on films.
    #[sea_orm(has_many = "super::credit::Entity")]
    Credit,
    /// Characters played.
    #[sea_orm(has_many = "super::character::Entity")]
    Character,
}

impl ActiveModelBehavior for ActiveModel {}
