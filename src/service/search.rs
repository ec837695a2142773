//! Ranked full-text search across films, people, characters and sections, on PostgreSQL
//! (weighted `tsvector`s, `websearch_to_tsquery`, `ts_rank`, `ts_headline`) and on SQLite (FTS5
//! with porter stemming, `bm25`, `snippet`), with the same API and, for the seed, the same top
//! hits. Matched words are marked `<b>…</b>` in the snippet.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::error::AppError;
use crate::service::visibility::ReadScope;

/// What a hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    /// A film (its title).
    Movie,
    /// A person (their name).
    Person,
    /// A character (name and description).
    Character,
    /// A section of a film page (title and body).
    Section,
}

impl HitKind {
    fn from_code(code: i32) -> Option<Self> {
        match code {
            1 => Some(Self::Movie),
            2 => Some(Self::Person),
            3 => Some(Self::Character),
            4 => Some(Self::Section),
            _ => None,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// What was found.
    pub kind: HitKind,
    /// Its row id.
    pub id: i32,
    /// Relevance: higher is better (comparable within one search).
    pub rank: f64,
    /// The matching text with the matched words marked `<b>…</b>`.
    pub snippet: String,
}

/// Longest search text accepted.
pub const MAX_QUERY_CHARS: usize = 200;

const POSTGRES: &str = "
WITH q AS (SELECT websearch_to_tsquery('english', $1) AS query),
hits AS (
  SELECT kind, id, rank, text FROM (
    SELECT 1 AS kind, m.id, ts_rank(m.search, q.query)::float8 AS rank, m.title AS text
      FROM movie m, q WHERE m.search @@ q.query AND {visible}
    UNION ALL
    SELECT 2, p.id, ts_rank(p.search, q.query)::float8, p.name
      FROM person p, q WHERE p.search @@ q.query
    UNION ALL
    SELECT 3, c.id, ts_rank(c.search, q.query)::float8, c.name || ': ' || c.description
      FROM character c JOIN movie m ON m.id = c.movie_id, q WHERE c.search @@ q.query AND {visible}
    UNION ALL
    SELECT 4, s.id, ts_rank(s.search, q.query)::float8, s.title || ': ' || s.body
      FROM section s JOIN movie m ON m.id = s.movie_id, q WHERE s.search @@ q.query AND {visible}
  ) found
  ORDER BY rank DESC, kind, id
  LIMIT $2 OFFSET $3
)
SELECT kind, id, rank,
  ts_headline('english', text, (SELECT query FROM q),
              'StartSel=<b>, StopSel=</b>, MaxWords=24, MinWords=8, MaxFragments=1') AS snippet
FROM hits ORDER BY rank DESC, kind, id";

/// Film titles count four times a body match, names twice (as PostgreSQL's weights do).
const SQLITE: &str = "
SELECT kind, id, rank, snippet FROM (
  SELECT CAST(kind AS INTEGER) AS kind, CAST(ref_id AS INTEGER) AS id,
         -bm25(search_index, 0.0, 0.0, 10.0, 1.0)
           * (CASE kind WHEN 1 THEN 4.0 WHEN 2 THEN 2.0 WHEN 3 THEN 2.0 ELSE 1.0 END) AS rank,
         snippet(search_index, -1, '<b>', '</b>', '…', 24) AS snippet
  FROM search_index WHERE search_index MATCH ?
   AND (CAST(kind AS INTEGER) = 2 OR EXISTS (
     SELECT 1 FROM movie m WHERE {visible} AND m.id = CASE CAST(kind AS INTEGER)
       WHEN 1 THEN CAST(ref_id AS INTEGER)
       WHEN 3 THEN (SELECT movie_id FROM \"character\" WHERE id = CAST(ref_id AS INTEGER))
       WHEN 4 THEN (SELECT movie_id FROM section WHERE id = CAST(ref_id AS INTEGER))
     END))
) ORDER BY rank DESC, kind, id LIMIT ? OFFSET ?";

/// An FTS5 query for the words of `text`: every word, each quoted (so no user text is ever
/// read as FTS5 syntax).
fn fts5_query(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| format!("\"{word}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Up to `limit` hits for `text`, best first, skipping the first `offset`; films (and their
/// characters and sections) that `scope` may not see are never hits. People are a shared
/// directory, found whichever films they are in.
pub async fn search<C: ConnectionTrait>(
    db: &C,
    text: &str,
    offset: u64,
    limit: u64,
    scope: ReadScope,
) -> Result<Vec<Hit>, AppError> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::bad_input(
            "query",
            format!("must be at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    let backend = db.get_database_backend();
    let (sql, query) = match backend {
        DbBackend::Postgres => (POSTGRES, text.to_owned()),
        _ => (SQLITE, fts5_query(text)),
    };
    if query.trim().is_empty() {
        return Ok(Vec::new());
    }
    let values: Vec<Value> = vec![query.into(), (limit as i64).into(), (offset as i64).into()];
    let sql = sql.replace("{visible}", &scope.films_sql("m"));
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows {
        let kind: i32 = row.try_get("", "kind")?;
        let Some(kind) = HitKind::from_code(kind) else {
            continue;
        };
        hits.push(Hit {
            kind,
            id: row.try_get("", "id")?,
            rank: row.try_get("", "rank")?,
            snippet: row.try_get("", "snippet")?,
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_never_becomes_fts5_syntax() {
        assert_eq!(
            fts5_query("re-education camp"),
            "\"re\" \"education\" \"camp\""
        );
        assert_eq!(fts5_query("\" OR * NEAR("), "\"OR\" \"NEAR\"");
        assert_eq!(fts5_query("  "), "");
    }
}
