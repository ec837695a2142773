//! Drafts: a published film that an editor changes gets a draft, a second `movie` row with
//! `draft_of` naming the film (at most one per film), with its own copies of the film's
//! lists. Readers never see draft rows; publishing moves the draft's content into the film's
//! own row and drops the draft. `has_draft` on the film's row says whether it has one, so
//! that "each film as editors see it" is a condition on one row. A draft's `slug` is stored
//! as `~` + its slug (no real slug starts with `~`), so the unique index keeps holding for
//! films and drafts alike.

use sea_orm_migration::prelude::*;

#[derive(DeriveIden)]
enum Movie {
    Table,
    DraftOf,
    HasDraft,
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
                        ColumnDef::new(Movie::HasDraft)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .to_owned(),
            )
            .await?;
        // SQLite adds a foreign key only with the column itself, so both speak this SQL.
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE movie ADD COLUMN draft_of INTEGER NULL \
                 REFERENCES movie (id) ON DELETE CASCADE",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_movie_draft_of")
                    .table(Movie::Table)
                    .col(Movie::DraftOf)
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::schema_is_current(manager).await?;
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM movie WHERE draft_of IS NOT NULL")
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("uq_movie_draft_of")
                    .table(Movie::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Movie::DraftOf, Movie::HasDraft] {
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
