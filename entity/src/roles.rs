//! The kinds of link between a film and a person or a company, stored as short strings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a person did on a film (acting is modelled by `character.actor_id`, not here).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CreditRole {
    /// Directed the film.
    #[sea_orm(string_value = "director")]
    Director,
    /// Wrote the screenplay.
    #[sea_orm(string_value = "writer")]
    Writer,
    /// Produced the film.
    #[sea_orm(string_value = "producer")]
    Producer,
    /// Composed the score.
    #[sea_orm(string_value = "composer")]
    Composer,
    /// Director of photography.
    #[sea_orm(string_value = "cinematographer")]
    Cinematographer,
    /// Edited the film.
    #[sea_orm(string_value = "editor")]
    Editor,
}

/// What a company did for a film.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompanyRole {
    /// Produced ("made") the film.
    #[sea_orm(string_value = "production")]
    Production,
    /// Distributed the film.
    #[sea_orm(string_value = "distribution")]
    Distribution,
}
