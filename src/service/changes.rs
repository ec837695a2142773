//! What a write changed, named by cache keys, recorded in the change log and announced to
//! every server instance.
//!
//! Every response names the content it holds by keys (`film-42`, `person-7`, `films` for any
//! list of films, ...): the `Surrogate-Key` header for CDNs and the in-process response cache
//! both use them. A write gathers the keys of everything it changed, inside its transaction,
//! and on PostgreSQL sends them with `pg_notify` in that same transaction: every listening
//! instance hears of the change exactly when it commits, and never of one that rolled back.
//!
//! Every change is also [`record`]ed as a `change_event` row in the same transaction (the
//! durable change log that subscriptions and webhooks follow), and its id is sent on
//! [`EVENTS_CHANNEL`]. On PostgreSQL the log's writers queue on a transaction-level advisory
//! lock, so event ids are handed out in the order their transactions commit: a reader that
//! has seen event `n` has seen every event before it.

use std::collections::BTreeSet;

use chrono::Utc;
use entity::{ChangeKind, change_event};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbBackend, Statement};

use crate::error::AppError;

/// The PostgreSQL channel changes are announced on.
pub const CHANNEL: &str = "filmserver_changes";
/// The PostgreSQL channel on which the id of each new change event is sent.
pub const EVENTS_CHANNEL: &str = "filmserver_events";
/// The advisory lock the change log's writers hold from their event's insert to their commit.
const CHANGE_LOG_LOCK: i64 = 0x6669_6c6d_6c6f_6721;
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
    /// The change log's event for the write, once recorded.
    pub event: Option<i64>,
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
            event: None,
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
        event: None,
    })
}

/// A change to content, as the change log records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// What happened.
    pub kind: ChangeKind,
    /// The film (its own id), if a film changed.
    pub movie_id: Option<i32>,
    /// The public slug of what changed.
    pub slug: Option<String>,
    /// The film's version after the change.
    pub version: Option<i32>,
    /// Who made it.
    pub author: String,
}

/// Records `change` in the change log inside the write's transaction `tx`, and announces
/// `cache_keys` (what readers see that changed; none for a draft) as [`announce`] does. The
/// event names the cache keys and `also` (keys of pages that show what changed without
/// holding its key in the cache, such as the films naming a renamed person).
pub async fn record<C: ConnectionTrait>(
    tx: &C,
    change: Change,
    cache_keys: BTreeSet<String>,
    also: BTreeSet<String>,
) -> Result<Changed, AppError> {
    let backend = tx.get_database_backend();
    if backend == DbBackend::Postgres {
        tx.execute_raw(Statement::from_sql_and_values(
            backend,
            "SELECT pg_advisory_xact_lock($1)",
            [CHANGE_LOG_LOCK.into()],
        ))
        .await?;
    }
    let event_keys: Vec<&str> = cache_keys
        .iter()
        .chain(also.iter())
        .map(String::as_str)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let event = change_event::ActiveModel {
        kind: Set(change.kind),
        movie_id: Set(change.movie_id),
        slug: Set(change.slug),
        version: Set(change.version),
        public: Set(change.kind != ChangeKind::DraftChanged),
        keys: Set(event_keys.join(" ")),
        author: Set(change.author),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(tx)
    .await?;
    // Its webhook deliveries commit (or not) with it.
    crate::service::webhooks::enqueue(tx, &event).await?;
    let mut changed = if cache_keys.is_empty() {
        Changed::default()
    } else {
        announce(tx, cache_keys).await?
    };
    if backend == DbBackend::Postgres {
        tx.execute_raw(Statement::from_sql_and_values(
            backend,
            "SELECT pg_notify($1, $2)",
            [EVENTS_CHANNEL.into(), event.id.to_string().into()],
        ))
        .await?;
    }
    changed.event = Some(event.id);
    Ok(changed)
}

/// The keys of the films (their own ids, drafts' included as their film) that name person
/// `person_id` or company `company_id`, as the transaction sees it now.
pub async fn films_naming<C: ConnectionTrait>(
    tx: &C,
    person_id: Option<i32>,
    company_id: Option<i32>,
) -> Result<BTreeSet<String>, AppError> {
    let backend = tx.get_database_backend();
    let (p, c) = match backend {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?1", "?2"),
    };
    let sql = format!(
        "SELECT DISTINCT COALESCE(m.draft_of, m.id) AS id FROM movie m WHERE m.id IN ( \
         SELECT movie_id FROM credit WHERE person_id = {p} \
         UNION SELECT movie_id FROM \"character\" WHERE actor_id = {p} \
         UNION SELECT movie_id FROM movie_company WHERE company_id = {c})"
    );
    let rows = tx
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [person_id.into(), company_id.into()],
        ))
        .await?;
    rows.into_iter()
        .map(|row| Ok(film_key(row.try_get::<i32>("", "id")?)))
        .collect()
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
