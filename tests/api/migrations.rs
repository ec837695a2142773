//! The real migrations: repeatable, seeding once, and reversible.

use filmserver::db;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::json;

use crate::helpers::TestApp;

const TABLES: [&str; 12] = [
    "movie",
    "person",
    "company",
    "credit",
    "movie_company",
    "plot_paragraph",
    "section",
    "character",
    "theme",
    "location",
    "api_token",
    "movie_revision",
];

/// One integer a query returns.
pub async fn scalar(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("query runs")
        .expect("one row");
    row.try_get_by_index::<i64>(0).expect("an integer")
}

/// Rows in every table, to show that a refused operation changed nothing.
pub async fn row_counts(db: &DatabaseConnection) -> Vec<(&'static str, i64)> {
    let mut counts = Vec::new();
    for table in TABLES {
        counts.push((
            table,
            scalar(db, &format!("SELECT COUNT(*) FROM {table}")).await,
        ));
    }
    counts
}

async fn migrating_again_changes_nothing(app: TestApp) {
    let before = row_counts(app.db()).await;
    assert_eq!(
        before,
        [
            ("movie", 1),
            ("person", 3),
            ("company", 1),
            ("credit", 1),
            ("movie_company", 1),
            ("plot_paragraph", 10),
            ("section", 15),
            ("character", 3),
            ("theme", 3),
            ("location", 2),
            ("api_token", 0),
            ("movie_revision", 0),
        ]
    );
    db::migrate(app.db()).await.expect("migrate again");
    assert_eq!(row_counts(app.db()).await, before);
}

async fn seed_leaves_an_existing_film_alone(app: TestApp) {
    // An editor has changed the film; then the seed migration runs again (its record lost).
    app.db()
        .execute_unprepared(
            "UPDATE movie SET title = 'M. Butterfly (edited)' WHERE slug = 'm-butterfly'",
        )
        .await
        .expect("edit the film");
    app.db()
        .execute_unprepared("DELETE FROM seaql_migrations WHERE version LIKE '%seed_m_butterfly'")
        .await
        .expect("forget the seed migration");
    let before = row_counts(app.db()).await;
    db::migrate(app.db()).await.expect("migrate");
    assert_eq!(row_counts(app.db()).await, before);
    let data = app
        .query_data(r#"{ movie(slug: "m-butterfly") { title } }"#, json!({}))
        .await;
    assert_eq!(data["movie"]["title"], "M. Butterfly (edited)");
    let applied = scalar(
        app.db(),
        "SELECT COUNT(*) FROM seaql_migrations WHERE version LIKE '%seed_m_butterfly'",
    )
    .await;
    assert_eq!(applied, 1);
}

async fn every_migration_goes_down_and_up_again(app: TestApp) {
    Migrator::down(app.db(), None).await.expect("migrate down");
    for table in TABLES {
        let gone = app
            .db()
            .execute_unprepared(&format!("SELECT 1 FROM {table}"))
            .await;
        assert!(gone.is_err(), "table {table} survived the down migrations");
    }
    Migrator::up(app.db(), None)
        .await
        .expect("migrate up again");
    let data = app
        .query_data(
            r#"{ movie(slug: "m-butterfly") { title characters { actor { name } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data["movie"]["title"], "M. Butterfly");
    assert_eq!(data["movie"]["characters"][1]["actor"]["name"], "John Lone");
}

async fn seed_down_removes_only_what_it_added(app: TestApp) {
    // Another film shares the seed's director; undoing the seed must keep him.
    crate::helpers::add_films(&app, 1).await;
    app.db()
        .execute_unprepared(
            "UPDATE credit SET person_id = (SELECT id FROM person WHERE slug = 'david-cronenberg') \
             WHERE movie_id = (SELECT id FROM movie WHERE slug = 'film-1')",
        )
        .await
        .expect("share the director");
    // Undo every migration after the film tables, the seed included.
    let after_the_tables = u32::try_from(Migrator::migrations().len() - 1).expect("a few");
    Migrator::down(app.db(), Some(after_the_tables))
        .await
        .expect("undo the seed");
    // Read from the tables the seed wrote to (the API's own columns are undone too).
    let mut left = Vec::new();
    for (table, slug) in [
        ("movie", "m-butterfly"),
        ("person", "david-cronenberg"),
        ("person", "jeremy-irons"),
        ("company", "geffen-pictures"),
    ] {
        let row = app
            .db()
            .query_one_raw(Statement::from_string(
                app.db().get_database_backend(),
                format!("SELECT COUNT(*) AS n FROM {table} WHERE slug = '{slug}'"),
            ))
            .await
            .expect("count reads")
            .expect("a count");
        left.push((slug, row.try_get::<i64>("", "n").expect("a number")));
    }
    assert_eq!(
        left,
        vec![
            ("m-butterfly", 0),
            ("david-cronenberg", 1),
            ("jeremy-irons", 0),
            ("geffen-pictures", 1)
        ]
    );
}

/// A database made by the schema before publishing and drafts (films written then, as the
/// seed's write path wrote them) moves forward: its films are published, as they were public.
async fn a_database_of_the_schema_before_publishing_moves_forward(app: TestApp) {
    let since_publishing = ["m20261130_000008_publishing", "m20261130_000009_drafts"];
    let newer = Migrator::migrations()
        .iter()
        .rev()
        .take_while(|m| !since_publishing[0].eq(m.name()))
        .count()
        + 1;
    Migrator::down(app.db(), Some(u32::try_from(newer).expect("a few")))
        .await
        .expect("back to the schema before publishing");
    let applied = Migrator::get_applied_migrations(app.db())
        .await
        .expect("list");
    assert!(
        applied
            .iter()
            .all(|m| !since_publishing.contains(&m.name()))
    );
    let mut film = migration::seed::parse(migration::seed::M_BUTTERFLY_JSON).expect("seed parses");
    film.slug = "old-film".into();
    film.title = "A film of the old schema".into();
    migration::seed::insert_film(app.db(), &film)
        .await
        .expect("written by the old schema's path");

    Migrator::up(app.db(), None).await.expect("migrate forward");
    let data = app
        .query_data(
            r#"{ movie(slug: "old-film") { title publishedAt firstPublishedAt unpublishedChanges createdAt }
                 movies { totalCount } }"#,
            json!({}),
        )
        .await;
    let movie = &data["movie"];
    assert_eq!(movie["title"], "A film of the old schema", "{data}");
    assert_eq!(movie["unpublishedChanges"], false);
    assert_eq!(movie["publishedAt"], movie["createdAt"]);
    assert_eq!(movie["firstPublishedAt"], movie["createdAt"]);
    assert_eq!(data["movies"]["totalCount"], 2);
}

crate::on_both_backends!(
    a_database_of_the_schema_before_publishing_moves_forward,
    migrating_again_changes_nothing,
    seed_leaves_an_existing_film_alone,
    every_migration_goes_down_and_up_again,
    seed_down_removes_only_what_it_added,
);
