//! Seeds M. Butterfly (1993) from `seeds/m-butterfly.json`. A database that already has the
//! film is left alone, so running it again changes nothing.

use sea_orm_migration::prelude::*;

use crate::seed;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let film = seed::parse(seed::M_BUTTERFLY_JSON)?;
        let db = manager.get_connection();
        if !seed::film_exists(db, &film.slug).await? {
            seed::insert_film(db, &film).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let film = seed::parse(seed::M_BUTTERFLY_JSON)?;
        seed::delete_film(manager.get_connection(), &film).await
    }
}
