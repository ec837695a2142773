//! `company`: a company (producer, distributor, ...), shared between films.

use sea_orm::entity::prelude::*;

/// A company.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "company")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// URL key, unique (`geffen-pictures`).
    #[sea_orm(unique)]
    pub slug: String,
    /// Name.
    pub name: String,
    /// When the row was created.
    pub created_at: DateTimeUtc,
    /// When the row was last changed.
    pub updated_at: DateTimeUtc,
}

/// Relations of a company.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Links to films.
    #[sea_orm(has_many = "super::movie_company::Entity")]
    MovieCompany,
}

impl ActiveModelBehavior for ActiveModel {}
