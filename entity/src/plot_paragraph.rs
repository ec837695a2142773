//! `plot_paragraph`: one paragraph of a film's plot synopsis, in order.

use sea_orm::entity::prelude::*;

/// A paragraph of a film's plot.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "plot_paragraph")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The film this belongs to.
    pub movie_id: i32,
    /// Order within the film, from 1.
    pub position: i32,
    /// The paragraph text.
    #[sea_orm(column_type = "Text")]
    pub body: String,
}

/// Relations of a plot_paragraph.
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
