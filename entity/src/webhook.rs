//! `webhook`: an endpoint an admin registered to be told of changes.

use sea_orm::entity::prelude::*;

/// One registered endpoint.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    /// Surrogate key.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Where events are POSTed (`https://…`).
    pub url: String,
    /// The change kinds it wants, space-separated (`published unpublished`).
    pub events: String,
    /// The shared secret its deliveries are signed with (HMAC-SHA256).
    pub secret: String,
    /// Whether deliveries are made (an inactive endpoint keeps its history).
    pub active: bool,
    /// The name of the token that registered it.
    pub created_by: String,
    /// When it was registered.
    pub created_at: DateTimeUtc,
    /// When it was last changed.
    pub updated_at: DateTimeUtc,
}

/// An endpoint's deliveries go with it.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// Its deliveries.
    #[sea_orm(has_many = "super::webhook_delivery::Entity")]
    Deliveries,
}

impl Related<super::webhook_delivery::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Deliveries.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
