//! Creates the film content tables: movie, person, company, their links, and a film's parts.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Movie {
    Table,
    Id,
    Slug,
    Title,
    ReleaseYear,
    PeriodStartYear,
    PeriodEndYear,
    PeriodDescription,
    SettingDescription,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Person {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Company {
    Table,
    Id,
}

/// Columns of the shared, named things (person, company).
#[derive(DeriveIden)]
enum Named {
    Id,
    Slug,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Credit {
    Table,
    PersonId,
}

#[derive(DeriveIden)]
enum MovieCompany {
    Table,
    CompanyId,
}

/// Columns of a link between a film and a shared thing (credit, movie_company).
#[derive(DeriveIden)]
enum Link {
    Id,
    MovieId,
    Role,
    Position,
}

#[derive(DeriveIden)]
enum PlotParagraph {
    Table,
    Body,
}

#[derive(DeriveIden)]
enum Section {
    Table,
    Title,
    Body,
}

#[derive(DeriveIden)]
enum Theme {
    Table,
    Emoji,
    Name,
    Description,
}

#[derive(DeriveIden)]
enum Location {
    Table,
    Name,
}

#[derive(DeriveIden)]
enum Character {
    Table,
    Name,
    Description,
    ActorId,
}

/// Columns every part of a film has.
#[derive(DeriveIden)]
enum Part {
    Id,
    MovieId,
    Position,
}

/// A table holding ordered parts of a film: id, movie_id (cascade), position, then `columns`.
fn film_part(table: impl IntoIden, columns: Vec<ColumnDef>) -> TableCreateStatement {
    let table = table.into_iden();
    let mut stmt = Table::create();
    stmt.table(table.clone())
        .if_not_exists()
        .col(pk_auto(Part::Id))
        .col(integer(Part::MovieId))
        .col(integer(Part::Position));
    for mut column in columns {
        stmt.col(&mut column);
    }
    stmt.foreign_key(
        ForeignKey::create()
            .from(table, Part::MovieId)
            .to(Movie::Table, Movie::Id)
            .on_delete(ForeignKeyAction::Cascade),
    );
    stmt.to_owned()
}

/// The unique (movie_id, position) index of a film part table; it also serves the foreign key.
fn film_part_order(name: &str, table: impl IntoIden + 'static) -> IndexCreateStatement {
    Index::create()
        .name(name)
        .table(table)
        .col(Part::MovieId)
        .col(Part::Position)
        .unique()
        .to_owned()
}

/// A table of shared, named things: id, unique slug, name, timestamps.
fn named_table(table: impl IntoIden) -> TableCreateStatement {
    Table::create()
        .table(table)
        .if_not_exists()
        .col(pk_auto(Named::Id))
        .col(string_len_uniq(Named::Slug, 100))
        .col(string_len(Named::Name, 300))
        .col(timestamp_with_time_zone(Named::CreatedAt))
        .col(timestamp_with_time_zone(Named::UpdatedAt))
        .to_owned()
}

/// Creates a link table between films and `other` (through column `other_id`), with a role
/// and a position, unique per (film, role, other), and indexed from the other side too.
async fn create_link_table(
    manager: &SchemaManager<'_>,
    table: impl IntoIden,
    other_id: impl IntoIden,
    other: (impl IntoIden, impl IntoIden),
) -> Result<(), DbErr> {
    let table = table.into_iden();
    let other_id = other_id.into_iden();
    let name = table.to_string();
    manager
        .create_table(
            Table::create()
                .table(table.clone())
                .if_not_exists()
                .col(pk_auto(Link::Id))
                .col(integer(Link::MovieId))
                .col(integer(other_id.clone()))
                .col(string_len(Link::Role, 32))
                .col(integer(Link::Position))
                .foreign_key(
                    ForeignKey::create()
                        .from(table.clone(), Link::MovieId)
                        .to(Movie::Table, Movie::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(table.clone(), other_id.clone())
                        .to(other.0, other.1)
                        .on_delete(ForeignKeyAction::Restrict),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name(format!("uq_{name}_movie_role_{other_id}"))
                .table(table.clone())
                .col(Link::MovieId)
                .col(Link::Role)
                .col(other_id.clone())
                .unique()
                .to_owned(),
        )
        .await?;
    manager
        .create_index(
            Index::create()
                .name(format!("idx_{name}_{other_id}"))
                .table(table)
                .col(other_id)
                .col(Link::MovieId)
                .to_owned(),
        )
        .await
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
                    .table(Movie::Table)
                    .if_not_exists()
                    .col(pk_auto(Movie::Id))
                    .col(string_len_uniq(Movie::Slug, 100))
                    .col(string_len(Movie::Title, 300))
                    .col(integer(Movie::ReleaseYear))
                    .col(integer_null(Movie::PeriodStartYear))
                    .col(integer_null(Movie::PeriodEndYear))
                    .col(text_null(Movie::PeriodDescription))
                    .col(text_null(Movie::SettingDescription))
                    .col(integer(Movie::Version).default(1))
                    .col(timestamp_with_time_zone(Movie::CreatedAt))
                    .col(timestamp_with_time_zone(Movie::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_movie_title")
                    .table(Movie::Table)
                    .col(Movie::Title)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_movie_release_year")
                    .table(Movie::Table)
                    .col(Movie::ReleaseYear)
                    .to_owned(),
            )
            .await?;
        manager.create_table(named_table(Person::Table)).await?;
        manager.create_table(named_table(Company::Table)).await?;
        create_link_table(
            manager,
            Credit::Table,
            Credit::PersonId,
            (Person::Table, Person::Id),
        )
        .await?;
        create_link_table(
            manager,
            MovieCompany::Table,
            MovieCompany::CompanyId,
            (Company::Table, Company::Id),
        )
        .await?;
        manager
            .create_table(film_part(
                PlotParagraph::Table,
                vec![text(PlotParagraph::Body)],
            ))
            .await?;
        manager
            .create_index(film_part_order(
                "uq_plot_paragraph_order",
                PlotParagraph::Table,
            ))
            .await?;
        manager
            .create_table(film_part(
                Section::Table,
                vec![string_len(Section::Title, 300), text(Section::Body)],
            ))
            .await?;
        manager
            .create_index(film_part_order("uq_section_order", Section::Table))
            .await?;
        manager
            .create_table(film_part(
                Theme::Table,
                vec![
                    string_len(Theme::Emoji, 32),
                    string_len(Theme::Name, 200),
                    text(Theme::Description),
                ],
            ))
            .await?;
        manager
            .create_index(film_part_order("uq_theme_order", Theme::Table))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_theme_name")
                    .table(Theme::Table)
                    .col(Theme::Name)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(film_part(
                Location::Table,
                vec![string_len(Location::Name, 200)],
            ))
            .await?;
        manager
            .create_index(film_part_order("uq_location_order", Location::Table))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_location_name")
                    .table(Location::Table)
                    .col(Location::Name)
                    .to_owned(),
            )
            .await?;
        let mut character = film_part(
            Character::Table,
            vec![
                string_len(Character::Name, 300),
                text(Character::Description),
                integer_null(Character::ActorId),
            ],
        );
        character.foreign_key(
            ForeignKey::create()
                .from(Character::Table, Character::ActorId)
                .to(Person::Table, Person::Id)
                .on_delete(ForeignKeyAction::SetNull),
        );
        manager.create_table(character).await?;
        manager
            .create_index(film_part_order("uq_character_order", Character::Table))
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_character_actor")
                    .table(Character::Table)
                    .col(Character::ActorId)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Children before parents, so foreign keys never dangle. Dropping a table drops its indexes.
        let tables: [DynIden; 10] = [
            Character::Table.into_iden(),
            Location::Table.into_iden(),
            Theme::Table.into_iden(),
            Section::Table.into_iden(),
            PlotParagraph::Table.into_iden(),
            MovieCompany::Table.into_iden(),
            Credit::Table.into_iden(),
            Company::Table.into_iden(),
            Person::Table.into_iden(),
            Movie::Table.into_iden(),
        ];
        for table in tables {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
