//! Synthetic catalogue for the benchmark: `bench_data --films 10000 --database-url postgres://…`
//! adds N films (slugs `bench-1`, …) to a migrated database, each with 4 plot paragraphs,
//! 15 sections, 5 characters whose actors come from a shared pool, 3 themes, 2 locations, a
//! director and a company, in batched multi-row inserts. A database that already has
//! `bench-1` is left alone.

use std::process::ExitCode;
use std::time::Instant;

use chrono::Utc;
use clap::Parser;
use entity::{
    CompanyRole, CreditRole, character, company, credit, location, movie, movie_company, person,
    plot_paragraph, section, theme,
};
use filmserver::config::Config;
use filmserver::db;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr,
    EntityTrait, QueryFilter, QuerySelect, TransactionTrait,
};

/// Command line of the generator.
#[derive(Debug, Parser)]
#[command(about = "Adds a synthetic catalogue of films for the benchmark")]
struct Args {
    /// How many films to add.
    #[arg(long, default_value_t = 10_000)]
    films: i32,
    /// The database (PostgreSQL for the benchmark; SQLite works too).
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
}

/// Films written per transaction.
const BATCH: i32 = 500;

async fn next_id<E: EntityTrait>(db: &DatabaseConnection, id: E::Column) -> Result<i32, DbErr>
where
    E::Column: sea_orm::ColumnTrait,
{
    use sea_orm::ColumnTrait;
    let max: Option<Option<i32>> = E::find()
        .select_only()
        .column_as(id.max(), "max")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0) + 1)
}

async fn generate(db: &DatabaseConnection, films: i32) -> Result<(), DbErr> {
    if movie::Entity::find()
        .filter(movie::Column::Slug.eq("bench-1"))
        .one(db)
        .await?
        .is_some()
    {
        eprintln!("the database already has the benchmark films; nothing to do");
        return Ok(());
    }
    let now = Utc::now();
    let pool = (films / 10).max(100);
    let first_person = next_id::<person::Entity>(db, person::Column::Id).await?;
    let first_company = next_id::<company::Entity>(db, company::Column::Id).await?;
    let first_movie = next_id::<movie::Entity>(db, movie::Column::Id).await?;
    let people: Vec<person::ActiveModel> = (0..pool)
        .map(|i| person::ActiveModel {
            id: Set(first_person + i),
            slug: Set(format!("bench-person-{i}")),
            name: Set(format!("Bench Person {i}")),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    for chunk in people.chunks(1000) {
        person::Entity::insert_many(chunk.to_vec()).exec(db).await?;
    }
    let companies: Vec<company::ActiveModel> = (0..20)
        .map(|i| company::ActiveModel {
            id: Set(first_company + i),
            slug: Set(format!("bench-company-{i}")),
            name: Set(format!("Bench Company {i}")),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .collect();
    company::Entity::insert_many(companies).exec(db).await?;

    let started = Instant::now();
    let mut done = 0;
    while done < films {
        let count = BATCH.min(films - done);
        let tx = db.begin().await?;
        let ids: Vec<i32> = (done..done + count).map(|i| first_movie + i).collect();
        let movies = ids.iter().map(|&id| {
            let n = id - first_movie + 1;
            movie::ActiveModel {
                id: Set(id),
                slug: Set(format!("bench-{n}")),
                title: Set(format!("Bench Film {n}")),
                release_year: Set(1900 + n % 120),
                period_start_year: Set(Some(1900 + n % 100)),
                period_end_year: Set(Some(1905 + n % 100)),
                period_description: Set(Some(format!("The period of film {n}."))),
                setting_description: Set(Some(format!("Where film {n} happens."))),
                version: Set(1),
                created_at: Set(now),
                updated_at: Set(now),
                published_at: Set(Some(now)),
                first_published_at: Set(Some(now)),
                has_draft: Set(false),
                draft_of: Set(None),
                scheduled_publish_at: Set(None),
                scheduled_by: Set(None),
            }
        });
        movie::Entity::insert_many(movies).exec(&tx).await?;
        let mut plot = Vec::new();
        let mut sections = Vec::new();
        let mut characters = Vec::new();
        let mut themes = Vec::new();
        let mut locations = Vec::new();
        let mut credits = Vec::new();
        let mut companies = Vec::new();
        for &id in &ids {
            for p in 1..=4 {
                plot.push(plot_paragraph::ActiveModel {
                    movie_id: Set(id),
                    position: Set(p),
                    body: Set(format!(
                        "Paragraph {p} of film {id}: {}",
                        "words ".repeat(60)
                    )),
                    ..Default::default()
                });
            }
            for p in 1..=15 {
                sections.push(section::ActiveModel {
                    movie_id: Set(id),
                    position: Set(p),
                    title: Set(format!("Section {p}")),
                    body: Set(format!("Section {p} of film {id}: {}", "text ".repeat(40))),
                    ..Default::default()
                });
            }
            for p in 1..=5 {
                characters.push(character::ActiveModel {
                    movie_id: Set(id),
                    position: Set(p),
                    name: Set(format!("Character {p}")),
                    description: Set(format!("Character {p} of film {id}.")),
                    actor_id: Set(Some(first_person + (id * 7 + p) % pool)),
                    ..Default::default()
                });
            }
            for (p, (emoji, name)) in [("💔", "Love"), ("🎭", "Identity"), ("⚖️", "Politics")]
                .into_iter()
                .enumerate()
            {
                themes.push(theme::ActiveModel {
                    movie_id: Set(id),
                    position: Set(p as i32 + 1),
                    emoji: Set(emoji.to_owned()),
                    name: Set(name.to_owned()),
                    description: Set(format!("{name} in film {id}.")),
                    ..Default::default()
                });
            }
            for (p, name) in ["Paris", "Beijing"].into_iter().enumerate() {
                locations.push(location::ActiveModel {
                    movie_id: Set(id),
                    position: Set(p as i32 + 1),
                    name: Set(name.to_owned()),
                    ..Default::default()
                });
            }
            credits.push(credit::ActiveModel {
                movie_id: Set(id),
                person_id: Set(first_person + id % pool),
                role: Set(CreditRole::Director),
                position: Set(1),
                ..Default::default()
            });
            companies.push(movie_company::ActiveModel {
                movie_id: Set(id),
                company_id: Set(first_company + id % 20),
                role: Set(CompanyRole::Production),
                position: Set(1),
                ..Default::default()
            });
        }
        for chunk in plot.chunks(1000) {
            plot_paragraph::Entity::insert_many(chunk.to_vec())
                .exec(&tx)
                .await?;
        }
        for chunk in sections.chunks(1000) {
            section::Entity::insert_many(chunk.to_vec())
                .exec(&tx)
                .await?;
        }
        for chunk in characters.chunks(1000) {
            character::Entity::insert_many(chunk.to_vec())
                .exec(&tx)
                .await?;
        }
        for chunk in themes.chunks(1000) {
            theme::Entity::insert_many(chunk.to_vec()).exec(&tx).await?;
        }
        for chunk in locations.chunks(1000) {
            location::Entity::insert_many(chunk.to_vec())
                .exec(&tx)
                .await?;
        }
        credit::Entity::insert_many(credits).exec(&tx).await?;
        movie_company::Entity::insert_many(companies)
            .exec(&tx)
            .await?;
        tx.commit().await?;
        done += count;
        eprint!("\r{done} of {films} films");
    }
    eprintln!(" in {:.1?}", started.elapsed());
    if db.get_database_backend() == DbBackend::Postgres {
        // Rows were given ids: move the sequences past them.
        for table in ["movie", "person", "company"] {
            db.execute_unprepared(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .await?;
        }
        db.execute_unprepared("ANALYZE").await?;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let config = Config::for_database(args.database_url);
    let result = async {
        let (conn, _) = db::connect(&config).await?;
        db::migrate(&conn).await?;
        generate(&conn, args.films).await
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("bench_data: {err}");
            ExitCode::FAILURE
        }
    }
}
