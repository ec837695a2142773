//! Ranked full-text search over films, characters, people and sections, kept current by the
//! database itself whatever writes the rows.
//!
//! - PostgreSQL: a generated, weighted `tsvector` column on each table (film titles `A`,
//!   names `B`, section titles `C`, bodies and descriptions `D`) with a GIN index.
//! - SQLite: one FTS5 table (porter stemming) kept by triggers on the four tables. On SQLite
//!   this migration runs outside a transaction (FTS5 schema changes inside one were seen to
//!   leave other pooled connections with a stale schema), so every statement is idempotent:
//!   an interrupted run completes when run again.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const POSTGRES_UP: &[&str] = &[
    "ALTER TABLE movie ADD COLUMN search tsvector GENERATED ALWAYS AS \
     (setweight(to_tsvector('english', title), 'A')) STORED",
    "ALTER TABLE person ADD COLUMN search tsvector GENERATED ALWAYS AS \
     (setweight(to_tsvector('english', name), 'B')) STORED",
    "ALTER TABLE character ADD COLUMN search tsvector GENERATED ALWAYS AS \
     (setweight(to_tsvector('english', name), 'B') || setweight(to_tsvector('english', description), 'D')) STORED",
    "ALTER TABLE section ADD COLUMN search tsvector GENERATED ALWAYS AS \
     (setweight(to_tsvector('english', title), 'C') || setweight(to_tsvector('english', body), 'D')) STORED",
    "CREATE INDEX idx_movie_search ON movie USING GIN (search)",
    "CREATE INDEX idx_person_search ON person USING GIN (search)",
    "CREATE INDEX idx_character_search ON character USING GIN (search)",
    "CREATE INDEX idx_section_search ON section USING GIN (search)",
];

const POSTGRES_DOWN: &[&str] = &[
    "ALTER TABLE section DROP COLUMN IF EXISTS search",
    "ALTER TABLE character DROP COLUMN IF EXISTS search",
    "ALTER TABLE person DROP COLUMN IF EXISTS search",
    "ALTER TABLE movie DROP COLUMN IF EXISTS search",
];

/// `kind` is 1 film, 2 person, 3 character, 4 section (lower kinds rank first on ties).
const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_index USING fts5(kind UNINDEXED, ref_id UNINDEXED, title, body, \
     tokenize = 'porter unicode61')",
    "INSERT INTO search_index (kind, ref_id, title, body) SELECT 1, id, title, '' FROM movie \
     WHERE NOT EXISTS (SELECT 1 FROM search_index i WHERE i.kind = 1 AND i.ref_id = movie.id)",
    "INSERT INTO search_index (kind, ref_id, title, body) SELECT 2, id, name, '' FROM person \
     WHERE NOT EXISTS (SELECT 1 FROM search_index i WHERE i.kind = 2 AND i.ref_id = person.id)",
    "INSERT INTO search_index (kind, ref_id, title, body) SELECT 3, id, name, description FROM character \
     WHERE NOT EXISTS (SELECT 1 FROM search_index i WHERE i.kind = 3 AND i.ref_id = character.id)",
    "INSERT INTO search_index (kind, ref_id, title, body) SELECT 4, id, title, body FROM section \
     WHERE NOT EXISTS (SELECT 1 FROM search_index i WHERE i.kind = 4 AND i.ref_id = section.id)",
    "CREATE TRIGGER IF NOT EXISTS search_movie_insert AFTER INSERT ON movie BEGIN \
     INSERT INTO search_index (kind, ref_id, title, body) VALUES (1, NEW.id, NEW.title, ''); END",
    "CREATE TRIGGER IF NOT EXISTS search_movie_update AFTER UPDATE OF title ON movie BEGIN \
     UPDATE search_index SET title = NEW.title WHERE kind = 1 AND ref_id = NEW.id; END",
    "CREATE TRIGGER IF NOT EXISTS search_movie_delete AFTER DELETE ON movie BEGIN \
     DELETE FROM search_index WHERE kind = 1 AND ref_id = OLD.id; END",
    "CREATE TRIGGER IF NOT EXISTS search_person_insert AFTER INSERT ON person BEGIN \
     INSERT INTO search_index (kind, ref_id, title, body) VALUES (2, NEW.id, NEW.name, ''); END",
    "CREATE TRIGGER IF NOT EXISTS search_person_update AFTER UPDATE OF name ON person BEGIN \
     UPDATE search_index SET title = NEW.name WHERE kind = 2 AND ref_id = NEW.id; END",
    "CREATE TRIGGER IF NOT EXISTS search_person_delete AFTER DELETE ON person BEGIN \
     DELETE FROM search_index WHERE kind = 2 AND ref_id = OLD.id; END",
    "CREATE TRIGGER IF NOT EXISTS search_character_insert AFTER INSERT ON character BEGIN \
     INSERT INTO search_index (kind, ref_id, title, body) VALUES (3, NEW.id, NEW.name, NEW.description); END",
    "CREATE TRIGGER IF NOT EXISTS search_character_update AFTER UPDATE OF name, description ON character BEGIN \
     UPDATE search_index SET title = NEW.name, body = NEW.description WHERE kind = 3 AND ref_id = NEW.id; END",
    "CREATE TRIGGER IF NOT EXISTS search_character_delete AFTER DELETE ON character BEGIN \
     DELETE FROM search_index WHERE kind = 3 AND ref_id = OLD.id; END",
    "CREATE TRIGGER IF NOT EXISTS search_section_insert AFTER INSERT ON section BEGIN \
     INSERT INTO search_index (kind, ref_id, title, body) VALUES (4, NEW.id, NEW.title, NEW.body); END",
    "CREATE TRIGGER IF NOT EXISTS search_section_update AFTER UPDATE OF title, body ON section BEGIN \
     UPDATE search_index SET title = NEW.title, body = NEW.body WHERE kind = 4 AND ref_id = NEW.id; END",
    "CREATE TRIGGER IF NOT EXISTS search_section_delete AFTER DELETE ON section BEGIN \
     DELETE FROM search_index WHERE kind = 4 AND ref_id = OLD.id; END",
];

const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS search_movie_insert",
    "DROP TRIGGER IF EXISTS search_movie_update",
    "DROP TRIGGER IF EXISTS search_movie_delete",
    "DROP TRIGGER IF EXISTS search_person_insert",
    "DROP TRIGGER IF EXISTS search_person_update",
    "DROP TRIGGER IF EXISTS search_person_delete",
    "DROP TRIGGER IF EXISTS search_character_insert",
    "DROP TRIGGER IF EXISTS search_character_update",
    "DROP TRIGGER IF EXISTS search_character_delete",
    "DROP TRIGGER IF EXISTS search_section_insert",
    "DROP TRIGGER IF EXISTS search_section_update",
    "DROP TRIGGER IF EXISTS search_section_delete",
    "DROP TABLE IF EXISTS search_index",
];

async fn run(manager: &SchemaManager<'_>, statements: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Postgres => run(manager, POSTGRES_UP).await,
            _ => run(manager, SQLITE_UP).await,
        }
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Postgres => run(manager, POSTGRES_DOWN).await,
            _ => run(manager, SQLITE_DOWN).await,
        }
    }
}
