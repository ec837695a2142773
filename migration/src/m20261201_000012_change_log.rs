//! The change log: one `change_event` row per committed change to content, written in the
//! change's own transaction. Ids grow in commit order and are never reused (`AUTOINCREMENT`
//! on SQLite, a sequence on PostgreSQL), so a reader resumes after the last id it saw; old
//! events are dropped by age (the index on `created_at`).

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum ChangeEvent {
    Table,
    Id,
    Kind,
    MovieId,
    Slug,
    Version,
    Public,
    Keys,
    Author,
    CreatedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let id = match manager.get_database_backend() {
            // SQLite: only an INTEGER PRIMARY KEY may be AUTOINCREMENT (and it is 64-bit).
            sea_orm::DbBackend::Sqlite => ColumnDef::new(ChangeEvent::Id)
                .integer()
                .not_null()
                .auto_increment()
                .primary_key()
                .to_owned(),
            _ => ColumnDef::new(ChangeEvent::Id)
                .big_integer()
                .not_null()
                .auto_increment()
                .primary_key()
                .to_owned(),
        };
        manager
            .create_table(
                Table::create()
                    .table(ChangeEvent::Table)
                    .col(id)
                    .col(ColumnDef::new(ChangeEvent::Kind).string_len(24).not_null())
                    .col(ColumnDef::new(ChangeEvent::MovieId).integer().null())
                    .col(ColumnDef::new(ChangeEvent::Slug).string_len(200).null())
                    .col(ColumnDef::new(ChangeEvent::Version).integer().null())
                    .col(ColumnDef::new(ChangeEvent::Public).boolean().not_null())
                    .col(ColumnDef::new(ChangeEvent::Keys).text().not_null())
                    .col(
                        ColumnDef::new(ChangeEvent::Author)
                            .string_len(100)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(ChangeEvent::CreatedAt)
                            .timestamp_with_time_zone()
                            .not_null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_change_event_created_at")
                    .table(ChangeEvent::Table)
                    .col(ChangeEvent::CreatedAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_is_current(manager).await?;
        manager
            .drop_table(Table::drop().table(ChangeEvent::Table).to_owned())
            .await
    }
}
