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
    /// The name of the token that made the change.
    pub author: String,
    /// When the change was made.
    pub created_at: DateTimeUtc,
    /// The whole film after the change, in the shape of `createMovie`'s input.
    pub snapshot: Json,
}

/// Relations of a revision.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The film.
    #[sea_orm(
        belongs_to = "super::movie::Entity",
        from = "Column::MovieId",
        to = "super::movie::Column::Id",
        on_delete = "Cascade"
    )]
    Movie,
}

impl Related<super::movie::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Movie.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
