//! Indexes for listing films: each ordering with its id tie-break (titles case-insensitively),
//! and case-insensitive lookups of themes and locations by name. Plain SQL that SQLite and
//! PostgreSQL both accept (expression indexes included).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (index name, table and key).
const INDEXES: [(&str, &str); 6] = [
    ("idx_movie_title_order", "movie (LOWER(title), id)"),
    ("idx_movie_release_year_order", "movie (release_year, id)"),
    ("idx_movie_created_order", "movie (created_at, id)"),
    ("idx_movie_updated_order", "movie (updated_at, id)"),
    ("idx_theme_lower_name", "theme (LOWER(name))"),
    ("idx_location_lower_name", "location (LOWER(name))"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, key) in INDEXES {
            db.execute_unprepared(&format!("CREATE INDEX IF NOT EXISTS {name} ON {key}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in INDEXES {
            db.execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }
}
