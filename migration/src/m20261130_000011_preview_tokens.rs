//! Preview tokens: read-only tokens (role `preview`) for one film's draft, that expire. A
//! token gains the film it previews (`movie_id`), when it expires (`expires_at`), and who made
//! it (`created_by`); editors' and admins' tokens leave all three empty.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    MovieId,
    ExpiresAt,
    CreatedBy,
}

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ColumnDef::new(ApiToken::MovieId)
                .integer()
                .null()
                .to_owned(),
            ColumnDef::new(ApiToken::ExpiresAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(ApiToken::CreatedBy)
                .string_len(100)
                .null()
                .to_owned(),
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ApiToken::Table)
                        .add_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_is_current(manager).await?;
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM api_token WHERE role = 'preview'")
            .await?;
        for column in [ApiToken::CreatedBy, ApiToken::ExpiresAt, ApiToken::MovieId] {
            manager
                .alter_table(
                    Table::alter()
                        .table(ApiToken::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
