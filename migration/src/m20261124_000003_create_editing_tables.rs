//! Creates the editors' tables: API tokens (stored only as hashes) and film revisions (a JSON
//! snapshot of the whole film after each change). Revisions outlive their film on purpose (no
//! foreign key to `movie`): the history of a deleted film, and who deleted it, stay.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    Name,
    Role,
    Prefix,
    TokenHash,
    CreatedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum MovieRevision {
    Table,
    Id,
    MovieId,
    Version,
    Action,
    Author,
    AuthorTokenId,
    CreatedAt,
    Snapshot,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .if_not_exists()
                    .col(pk_auto(ApiToken::Id))
                    .col(string_len(ApiToken::Name, 100))
                    .col(string_len(ApiToken::Role, 16))
                    .col(string_len(ApiToken::Prefix, 16))
                    .col(string_len_uniq(ApiToken::TokenHash, 64))
                    .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MovieRevision::Table)
                    .if_not_exists()
                    .col(pk_auto(MovieRevision::Id))
                    .col(integer(MovieRevision::MovieId))
                    .col(integer(MovieRevision::Version))
                    .col(string_len(MovieRevision::Action, 16))
                    .col(string_len(MovieRevision::Author, 100))
                    .col(integer_null(MovieRevision::AuthorTokenId))
                    .col(timestamp_with_time_zone(MovieRevision::CreatedAt))
                    .col(json_binary(MovieRevision::Snapshot))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MovieRevision::Table, MovieRevision::AuthorTokenId)
                            .to(ApiToken::Table, ApiToken::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_movie_revision_movie_version")
                    .table(MovieRevision::Table)
                    .col(MovieRevision::MovieId)
                    .col(MovieRevision::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_movie_revision_author_token")
                    .table(MovieRevision::Table)
                    .col(MovieRevision::AuthorTokenId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(MovieRevision::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .drop_table(Table::drop().table(ApiToken::Table).if_exists().to_owned())
            .await
    }
}
