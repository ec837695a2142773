//! `character`: a character of a film, optionally played by a person, in order.

use sea_orm::entity::prelude::*;

/// A character of a film.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "character")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The film this belongs to.
    pub movie_id: i32,
    /// Order within the film, from 1.
    pub position: i32,
    /// Name as the film page gives it.
    pub name: String,
    /// Prose about the character.
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// The person who plays the character, when known.
    pub actor_id: Option<i32>,
}

/// Relations of a character.
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
    /// The actor.
    #[sea_orm(
        belongs_to = "super::person::Entity",
        from = "Column::ActorId",
        to = "super::person::Column::Id",
        on_delete = "SetNull"
    )]
    Actor,
}

impl Related<super::movie::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Movie.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Related<super::person::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Actor.def()
    }
}
