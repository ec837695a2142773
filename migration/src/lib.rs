//! Schema migrations of the film content server, and the migration that seeds M. Butterfly.
//!
//! Migrations are frozen once released: they speak SQL through sea-query with their own
//! identifiers, never through the entity crate, so later changes to the entities cannot change
//! what an old migration does.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_film_tables;
mod m20261124_000002_seed_m_butterfly;
mod m20261124_000003_create_editing_tables;
mod m20261124_000004_listing_indexes;
mod m20261124_000005_search;
mod m20261124_000006_idempotency_keys;
mod m20261124_000007_people_listing_index;
mod m20261130_000008_publishing;
mod m20261130_000009_drafts;
mod m20261130_000010_scheduled_publishing;
mod m20261130_000011_preview_tokens;
mod m20261201_000012_change_log;
mod m20261201_000013_webhooks;
pub mod seed;

/// Makes sure the connection a migration's `down` runs on has the current schema before it
/// alters a table: on SQLite, a pooled connection whose copy of the schema went stale (another
/// connection changed it) fails to alter a table with "no such table". Reading the schema
/// refreshes it. Other databases need nothing.
pub(crate) async fn schema_is_current(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    if manager.get_database_backend() == sea_orm::DbBackend::Sqlite {
        manager
            .get_connection()
            .execute_unprepared("SELECT count(*) FROM sqlite_master")
            .await?;
    }
    Ok(())
}

/// Runs this crate's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_film_tables::Migration),
            Box::new(m20261124_000002_seed_m_butterfly::Migration),
            Box::new(m20261124_000003_create_editing_tables::Migration),
            Box::new(m20261124_000004_listing_indexes::Migration),
            Box::new(m20261124_000005_search::Migration),
            Box::new(m20261124_000006_idempotency_keys::Migration),
            Box::new(m20261124_000007_people_listing_index::Migration),
            Box::new(m20261130_000008_publishing::Migration),
            Box::new(m20261130_000009_drafts::Migration),
            Box::new(m20261130_000010_scheduled_publishing::Migration),
            Box::new(m20261130_000011_preview_tokens::Migration),
            Box::new(m20261201_000012_change_log::Migration),
            Box::new(m20261201_000013_webhooks::Migration),
        ]
    }
}
