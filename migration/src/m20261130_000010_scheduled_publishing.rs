//! Scheduled publishing: when a film is to be published (`scheduled_publish_at`), and which
//! editor asked for it (`scheduled_by`, the author its publication is recorded under). Due
//! schedules are found by the index.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Movie {
    Table,
    ScheduledPublishAt,
    ScheduledBy,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Movie::Table)
                    .add_column(
                        ColumnDef::new(Movie::ScheduledPublishAt)
                            .timestamp_with_time_zone()
                            .null(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Movie::Table)
                    .add_column(ColumnDef::new(Movie::ScheduledBy).string_len(100).null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_movie_scheduled_publish_at")
                    .table(Movie::Table)
                    .col(Movie::ScheduledPublishAt)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_is_current(manager).await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_movie_scheduled_publish_at")
                    .table(Movie::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Movie::ScheduledBy, Movie::ScheduledPublishAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Movie::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
