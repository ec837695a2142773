//! `movie_company`: A company's part in a film (production, distribution).

use sea_orm::entity::prelude::*;

use crate::CompanyRole;

/// A company's part in a film (production, distribution).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "movie_company")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The film.
    pub movie_id: i32,
    /// The company.
    pub company_id: i32,
    /// What the company did for the film.
    pub role: CompanyRole,
    /// Order among the film's companies, from 1.
    pub position: i32,
}

/// Relations of a movie_company row.
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
    /// The company.
    #[sea_orm(
        belongs_to = "super::company::Entity",
        from = "Column::CompanyId",
        to = "super::company::Column::Id",
        on_delete = "Restrict"
    )]
    Company,
}

impl Related<super::movie::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Movie.def()
    }
}

impl Related<super::company::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Company.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
