//! Publishing: a film is public only once published. `published_at` is when its current
//! public version was published (null: not public: never published, or taken off the public
//! API); `first_published_at` is when it first was. Films that exist already were public, so
//! they count as published when they were created.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Movie {
    Table,
    CreatedAt,
    PublishedAt,
    FirstPublishedAt,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Movie::PublishedAt, Movie::FirstPublishedAt] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Movie::Table)
                        .add_column(ColumnDef::new(column).timestamp_with_time_zone().null())
                        .to_owned(),
                )
                .await?;
        }
        manager
            .exec_stmt(
                Query::update()
                    .table(Movie::Table)
                    .value(Movie::PublishedAt, Expr::col(Movie::CreatedAt))
                    .value(Movie::FirstPublishedAt, Expr::col(Movie::CreatedAt))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_is_current(manager).await?;
        for column in [Movie::FirstPublishedAt, Movie::PublishedAt] {
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
