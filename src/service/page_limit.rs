//! A page's row limit written into its statement's text rather than bound as a parameter.
//!
//! PostgreSQL plans a prepared statement afresh for its first five runs, then keeps one
//! generic plan if that plan's estimated cost is close to the fresh ones'. A generic plan
//! cannot know `LIMIT $1` and is costed as if it returned a tenth of the table (1,000 of
//! 10,000 films), while a fresh plan knows the page is 21 rows: the generic plan looks forty
//! times dearer and is never kept, so every page of films was planned anew, which took longer
//! (0.2 ms) than running it (0.08 ms). With the limit in the text, the generic plan is costed
//! for the real page and is kept after five runs. Page sizes are few (a client asks for one or
//! two, and at most 101 texts exist per shape), so the connections' statement caches hold them.

use sea_orm::{ConnectionTrait, DbErr, QueryTrait, Select};

use crate::service::by_position::{self, ReadByPosition};

/// Runs `select` (which must have no `LIMIT` or `OFFSET` of its own) for its first `limit`
/// rows, the limit written into the statement; rows are read by position.
pub async fn all_limited<E, C>(
    db: &C,
    select: Select<E>,
    limit: u64,
) -> Result<Vec<E::Model>, DbErr>
where
    E: ReadByPosition,
    C: ConnectionTrait,
{
    let mut statement = select.build(db.get_database_backend());
    // `limit` is a number, never text from a request: nothing to escape.
    statement.sql.push_str(&format!(" LIMIT {limit}"));
    by_position::all_of::<E, C>(db, statement).await
}
