//! `theme`: a theme of a film, with its emoji, in order.

use sea_orm::entity::prelude::*;

/// A theme of a film.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "theme")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The film this belongs to.
    pub movie_id: i32,
    /// Order within the film, from 1.
    pub position: i32,
    /// One emoji (a grapheme cluster, variation selector included).
    pub emoji: String,
    /// Short name.
    pub name: String,
    /// Prose.
    #[sea_orm(column_type = "Text")]
    pub description: String,
}

/// Relations of a theme.
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
