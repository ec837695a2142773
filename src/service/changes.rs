//! What a write changed, named by cache keys, and announced to every server instance.
//!
//! Every response names the content it holds by keys (`film-42`, `person-7`, `films` for any
//! list of films, ...): the `Surrogate-Key` header for CDNs and the in-process response cache
//! both use them. A write gathers the keys of everything it changed, inside its transaction,
//! and on PostgreSQL sends them with `pg_notify` in that same transaction: every listening
//! instance hears of the change exactly when it commits, and never of one that rolled back.

use std::collections::BTreeSet;

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::error::AppError;

/// The PostgreSQL channel changes are announced on.
pub const CHANNEL: &str = "filmserver_changes";
/// The channel on which each listening instance acknowledges an announcement it applied.
pub const ACK_CHANNEL: &str = "filmserver_change_acks";
/// The `application_name` of every instance's listening connection, so a writer can count
/// the instances that will acknowledge its announcement.
pub const LISTENER_APPLICATION_NAME: &str = "filmserver-listener";

/// The key every list of films (and every search) carries: adding, removing or changing any
/// film changes them.
pub const FILMS: &str = "films";
/// The key every list of people carries.
pub const PEOPLE: &str = "people";
/// The key every lookup of a company that found none carries.
pub const COMPANIES: &str = "companies";
/// The payload key that means "everything changed".
pub const EVERYTHING: &str = "*";

/// Largest payload sent; PostgreSQL refuses notifications of 8000 bytes or more, and a
/// change that names more keys than fit is announced as [`EVERYTHING`].
const MAX_PAYLOAD_BYTES: usize = 7_000;

/// The key of one film.
pub fn film_key(movie_id: i32) -> String {
    format!("film-{movie_id}")
}

/// The key of one person.
pub fn person_key(person_id: i32) -> String {
    format!("person-{person_id}")
}

/// The key of one company.
pub fn company_key(company_id: i32) -> String {
    format!("company-{company_id}")
}

/// The keys a write changed, and how its announcement can be recognised when it comes back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changed {
    /// Cache keys of everything the write changed.
    pub keys: BTreeSet<String>,
    /// The announcement's nonce, when one was sent (PostgreSQL only).
    pub notice: Option<u64>,
    /// How many instances were listening when it was sent (each acknowledges it).
    pub listeners: u32,
}

/// A written row and what writing it changed.
#[derive(Debug, Clone)]
pub struct Saved<T> {
    /// The row as written.
    pub row: T,
    /// What the write changed.
    pub changed: Changed,
}

/// An announcement as it arrives on [`CHANNEL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    /// The sender's nonce.
    pub notice: u64,
    /// The keys changed; [`EVERYTHING`] means all of them.
    pub keys: Vec<String>,
}

impl Announcement {
    /// Reads a payload written by [`announce`]; `None` when it is not one.
    pub fn parse(payload: &str) -> Option<Self> {
        let mut words = payload.split(' ');
        let notice = words.next()?.parse().ok()?;
        Some(Self {
            notice,
            keys: words.filter(|w| !w.is_empty()).map(str::to_owned).collect(),
        })
    }
}

fn payload(notice: u64, keys: &BTreeSet<String>) -> String {
    let mut payload = notice.to_string();
    for key in keys {
        payload.push(' ');
        payload.push_str(key);
    }
    if payload.len() > MAX_PAYLOAD_BYTES {
        format!("{notice} {EVERYTHING}")
    } else {
        payload
    }
}

/// Announces `keys` inside the write's transaction `tx` (sent when it commits). On SQLite,
/// which has no notifications, only the instance that wrote learns of the change.
pub async fn announce<C: ConnectionTrait>(
    tx: &C,
    keys: BTreeSet<String>,
) -> Result<Changed, AppError> {
    if tx.get_database_backend() != DbBackend::Postgres {
        return Ok(Changed {
            keys,
            notice: None,
            listeners: 0,
        });
    }
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Internal(format!("no randomness for a change notice: {e}")))?;
    let notice = u64::from_le_bytes(bytes);
    tx.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), payload(notice, &keys).into()],
    ))
    .await?;
    let listeners = tx
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = $1",
            [LISTENER_APPLICATION_NAME.into()],
        ))
        .await?
        .map(|row| row.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or_default();
    Ok(Changed {
        keys,
        notice: Some(notice),
        listeners: u32::try_from(listeners).unwrap_or(u32::MAX),
    })
}

/// The keys of a film and of the people and companies on it, as the transaction sees it now.
pub async fn film_keys<C: ConnectionTrait>(
    tx: &C,
    movie_id: i32,
) -> Result<BTreeSet<String>, AppError> {
    let backend = tx.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT 'p' AS kind, person_id AS id FROM credit WHERE movie_id = $1 \
             UNION SELECT 'p', actor_id FROM \"character\" WHERE movie_id = $1 AND actor_id IS NOT NULL \
             UNION SELECT 'c', company_id FROM movie_company WHERE movie_id = $1"
        }
        _ => {
            "SELECT 'p' AS kind, person_id AS id FROM credit WHERE movie_id = ?1 \
             UNION SELECT 'p', actor_id FROM \"character\" WHERE movie_id = ?1 AND actor_id IS NOT NULL \
             UNION SELECT 'c', company_id FROM movie_company WHERE movie_id = ?1"
        }
    };
    let rows = tx
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [movie_id.into()],
        ))
        .await?;
    let mut keys = BTreeSet::from([film_key(movie_id), FILMS.to_owned()]);
    for row in rows {
        let kind: String = row.try_get("", "kind")?;
        let id: i32 = row.try_get("", "id")?;
        keys.insert(if kind == "p" {
            person_key(id)
        } else {
            company_key(id)
        });
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_reads_back_as_the_keys_it_carries() {
        let keys = BTreeSet::from([film_key(1), FILMS.to_owned(), person_key(2)]);
        let parsed = Announcement::parse(&payload(42, &keys));
        assert_eq!(
            parsed,
            Some(Announcement {
                notice: 42,
                keys: vec!["film-1".into(), "films".into(), "person-2".into()],
            })
        );
    }

    #[test]
    fn too_many_keys_are_announced_as_everything() {
        let keys: BTreeSet<String> = (0..2_000).map(film_key).collect();
        let parsed = Announcement::parse(&payload(7, &keys));
        assert_eq!(parsed.map(|a| a.keys), Some(vec![EVERYTHING.to_owned()]));
    }

    #[test]
    fn a_foreign_payload_is_not_an_announcement() {
        assert_eq!(Announcement::parse("hello world"), None);
    }
}
