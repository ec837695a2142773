//! The in-process cache of anonymous read answers.
//!
//! - Keyed by the normalized query, operation name and variables ([`key`]).
//! - Bounded in bytes, least recently used out first ([`store`]), and by age (so even a change
//!   made behind the server's back, in SQL, shows within the time-to-live).
//! - Invalidated precisely: every answer is stored with the content keys it holds (`film-42`,
//!   `person-7`, `films`, ...); a write drops the answers holding any key it changed, here at
//!   once and, on PostgreSQL, on every other instance through `LISTEN`/`NOTIFY` ([`listener`]).
//!   While an instance is not listening (starting up, or the database away) it serves nothing
//!   from the cache, and it empties the cache each time it starts listening again, so a change
//!   announced while it was deaf is never missed.
//! - An answer computed while a change landed is not stored: each lookup notes the cache's
//!   generation, and [`ResponseCache::keep`] stores only if no invalidation happened since.
//! - With read replicas, a change is applied (here, and on every instance that hears it) only
//!   once every replica in rotation has replayed it ([`ReadRouter::caught_up_with_primary`]):
//!   an answer read from a replica that still had the old page, and stored meanwhile, is
//!   dropped then, and the write is acknowledged only after that.

pub mod aliases;
pub mod key;
pub mod listener;
pub mod store;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

pub use aliases::{Alias, RawForm, RawKey, raw_key};
pub use key::entry_key;
pub use store::{CachedResponse, EntryKey};

use crate::db::ReadRouter;
use crate::service::changes::{Announcement, Changed};
use aliases::Aliases;
use store::Store;

/// How long a write waits for every listening instance to acknowledge its announcement
/// before answering, so that by the time the editor sees the write succeed, no instance
/// serves what it changed. An instance that does not answer in time (it is stopping, or
/// its connection just broke and it will empty its cache) only delays the answer this long.
const ACK_WAIT: Duration = Duration::from_secs(1);

/// Announcements whose acknowledgements are counted (the most recent ones).
const ACKS_KEPT: usize = 1_024;

/// The response cache (cheap to clone; clones share one cache).
#[derive(Clone)]
pub struct ResponseCache(Arc<Shared>);

struct Shared {
    /// Byte budget; 0 turns the cache off.
    capacity: usize,
    /// Oldest entry served.
    ttl: Duration,
    store: Mutex<Generation>,
    /// Whether changes made by other writers are heard (always on SQLite, where this process
    /// is the only writer; on PostgreSQL while the listener is connected).
    listening: AtomicBool,
    acks: Mutex<Acks>,
    acked: Notify,
    hits: AtomicU64,
    misses: AtomicU64,
    invalidations: AtomicU64,
    /// The read replicas whose replay a change waits for, if any.
    replicas: Option<ReadRouter>,
    /// How long a write waits for every instance's acknowledgement.
    ack_wait: Duration,
    /// Requests' raw forms and their keys.
    aliases: Aliases,
}

/// Acknowledgements counted per announcement, oldest announcement first out.
#[derive(Default)]
struct Acks {
    counts: std::collections::HashMap<u64, u32>,
    order: VecDeque<u64>,
}

impl Acks {
    fn add(&mut self, notice: u64) {
        if !self.counts.contains_key(&notice) {
            if self.order.len() == ACKS_KEPT
                && let Some(oldest) = self.order.pop_front()
            {
                self.counts.remove(&oldest);
            }
            self.order.push_back(notice);
        }
        *self.counts.entry(notice).or_default() += 1;
    }

    fn count(&self, notice: u64) -> u32 {
        self.counts.get(&notice).copied().unwrap_or_default()
    }
}

/// The store and how many invalidations it has seen, under one lock.
struct Generation {
    store: Store,
    count: u64,
}

/// What a lookup found.
pub enum Lookup {
    /// A stored answer.
    Hit(Arc<CachedResponse>),
    /// Nothing: run the request, then offer the answer to [`ResponseCache::keep`].
    Miss(Ticket),
    /// The cache is off or not listening: run the request and store nothing.
    Bypass,
}

/// A miss, to be filled in when the answer is ready.
pub struct Ticket {
    key: EntryKey,
    generation: u64,
    /// The request's raw form, remembered once its answer is kept.
    alias: Option<Box<(RawKey, Alias)>>,
}

impl Ticket {
    /// Remembers the request by its raw form (`raw` standing for `alias`) if its answer is
    /// kept: only requests that passed every check and got an answer are remembered.
    pub fn remember_as(mut self, raw: RawKey, alias: Alias) -> Self {
        self.alias = Some(Box::new((raw, alias)));
        self
    }
}

/// Cache figures for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Answers served from the cache.
    pub hits: u64,
    /// Lookups that found nothing.
    pub misses: u64,
    /// Changes applied (each drops the answers holding what it changed).
    pub invalidations: u64,
    /// Answers held now.
    pub entries: u64,
    /// Bytes held now.
    pub bytes: u64,
}

impl ResponseCache {
    /// A cache of at most `capacity` bytes whose entries live at most `ttl`; `listening` is
    /// whether it starts out hearing every change (true unless a listener will connect).
    pub fn new(capacity: usize, ttl: Duration, listening: bool) -> Self {
        Self::with_replicas(capacity, ttl, listening, None)
    }

    /// A cache like [`new`](Self::new) in front of read `replicas`: a change is applied only
    /// once they have replayed it, and a write waits that much longer for the
    /// acknowledgements of other instances (which wait for their replicas too).
    pub fn with_replicas(
        capacity: usize,
        ttl: Duration,
        listening: bool,
        replicas: Option<ReadRouter>,
    ) -> Self {
        let replicas = replicas.filter(ReadRouter::has_replicas);
        if let Some(replicas) = &replicas {
            replicas.set_following(listening);
        }
        let ack_wait = ACK_WAIT
            + replicas
                .as_ref()
                .map_or(Duration::ZERO, ReadRouter::max_lag);
        Self(Arc::new(Shared {
            replicas,
            ack_wait,
            capacity,
            ttl,
            store: Mutex::new(Generation {
                store: Store::new(capacity),
                count: 0,
            }),
            listening: AtomicBool::new(listening),
            acks: Mutex::new(Acks::default()),
            acked: Notify::new(),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            invalidations: AtomicU64::new(0),
            aliases: Aliases::default(),
        }))
    }

    /// Looks `key` up.
    pub fn lookup(&self, key: EntryKey) -> Lookup {
        let shared = &self.0;
        if shared.capacity == 0 || !shared.listening.load(Ordering::Acquire) {
            return Lookup::Bypass;
        }
        let Ok(mut generation) = shared.store.lock() else {
            return Lookup::Bypass;
        };
        match generation.store.get(&key, shared.ttl) {
            Some(found) => {
                shared.hits.fetch_add(1, Ordering::Relaxed);
                Lookup::Hit(found)
            }
            None => {
                shared.misses.fetch_add(1, Ordering::Relaxed);
                Lookup::Miss(Ticket {
                    key,
                    generation: generation.count,
                    alias: None,
                })
            }
        }
    }

    /// The stored answer to the request whose raw form is `raw`, with what the raw form stands
    /// for, when the cache knows the form and holds its answer (a hit). Anything else (an
    /// unknown form, no answer, the cache off or deaf) is `None` and counts nothing: the
    /// request is then read and looked up by its key as usual.
    pub fn lookup_raw(&self, raw: &RawKey) -> Option<(Arc<CachedResponse>, Alias)> {
        let shared = &self.0;
        if shared.capacity == 0 || !shared.listening.load(Ordering::Acquire) {
            return None;
        }
        let alias = shared.aliases.get(raw)?;
        let found = shared
            .store
            .lock()
            .ok()?
            .store
            .get(&alias.key, shared.ttl)?;
        shared.hits.fetch_add(1, Ordering::Relaxed);
        Some((found, alias))
    }

    /// Remembers that the raw form `raw` stands for `alias` (see [`aliases`]): for a request
    /// the cache just answered (a miss remembers its form through its [`Ticket`] once its
    /// answer is kept), so only forms of requests that passed every check are remembered.
    pub fn remember_raw(&self, raw: RawKey, alias: Alias) {
        if self.0.capacity > 0 {
            self.0.aliases.insert(raw, alias);
        }
    }

    /// Stores the answer to a missed lookup, holding `content_keys`, unless something was
    /// invalidated since the lookup (the answer may predate that change).
    pub fn keep(&self, ticket: Ticket, response: CachedResponse, content_keys: Vec<String>) {
        let shared = &self.0;
        if !shared.listening.load(Ordering::Acquire) {
            return;
        }
        let Ok(mut generation) = shared.store.lock() else {
            return;
        };
        if generation.count == ticket.generation {
            generation
                .store
                .insert(ticket.key, response, content_keys, Instant::now());
            drop(generation);
            if let Some(remembered) = ticket.alias {
                let (raw, alias) = *remembered;
                shared.aliases.insert(raw, alias);
            }
        }
    }

    /// Drops the answers holding any of `keys`, here.
    pub fn invalidate<'k>(&self, keys: impl IntoIterator<Item = &'k str>) {
        let shared = &self.0;
        shared.invalidations.fetch_add(1, Ordering::Relaxed);
        match shared.store.lock() {
            Ok(mut generation) => {
                generation.count += 1;
                generation.store.invalidate(keys);
            }
            Err(poisoned) => {
                let mut generation = poisoned.into_inner();
                generation.count += 1;
                generation.store.clear();
            }
        }
    }

    /// Applies a write made through this instance: drops what it changed here (again once
    /// the read replicas have replayed it), then waits (at most [`ACK_WAIT`], plus
    /// `MAX_REPLICA_LAG_MS` with replicas) until every instance that was listening when it
    /// committed has acknowledged applying it.
    pub async fn apply(&self, changed: &Changed) {
        self.invalidate(changed.keys.iter().map(String::as_str));
        if let Some(replicas) = &self.0.replicas
            && !changed.keys.is_empty()
        {
            replicas.caught_up_with_primary().await;
            self.invalidate(changed.keys.iter().map(String::as_str));
        }
        let Some(notice) = changed.notice else {
            return;
        };
        let all_acknowledged = async {
            loop {
                let notified = self.0.acked.notified();
                if self.acks(notice) >= changed.listeners {
                    return;
                }
                notified.await;
            }
        };
        if tokio::time::timeout(self.0.ack_wait, all_acknowledged)
            .await
            .is_err()
        {
            tracing::warn!(
                acknowledged = self.acks(notice),
                listening = changed.listeners,
                "not every instance acknowledged a change in time"
            );
        }
    }

    fn acks(&self, notice: u64) -> u32 {
        self.0
            .acks
            .lock()
            .map(|acks| acks.count(notice))
            .unwrap_or(u32::MAX)
    }

    /// Applies an announcement heard on the channel (any instance's, this one's included).
    /// With read replicas the listener calls this only once they have replayed it; it
    /// acknowledges the announcement afterwards.
    pub fn heard(&self, announcement: &Announcement) {
        self.invalidate(announcement.keys.iter().map(String::as_str));
    }

    /// The read replicas changes wait for, if any.
    pub fn replicas(&self) -> Option<&ReadRouter> {
        self.0.replicas.as_ref()
    }

    /// Counts an instance's acknowledgement of the announcement `notice`.
    pub fn acknowledged(&self, notice: u64) {
        if let Ok(mut acks) = self.0.acks.lock() {
            acks.add(notice);
        }
        self.0.acked.notify_waiters();
    }

    /// Whether changes by other writers are heard. Going deaf stops serving from the cache
    /// (and from read replicas); starting to listen again empties it (what was missed meanwhile
    /// is unknown; the listener lets the replicas catch up with the primary first).
    pub fn set_listening(&self, listening: bool) {
        if listening {
            self.invalidate([crate::service::changes::EVERYTHING]);
        }
        // Deaf, this instance would not hold back for a write elsewhere: its replicas rest.
        if let Some(replicas) = &self.0.replicas {
            replicas.set_following(listening);
        }
        self.0.listening.store(listening, Ordering::Release);
        if !listening {
            self.invalidate([crate::service::changes::EVERYTHING]);
        }
        self.0.acked.notify_waiters();
    }

    /// Waits until the cache hears every change (at once unless a listener is connecting),
    /// at most `limit`; returns whether it does.
    pub async fn listening_within(&self, limit: Duration) -> bool {
        let listening = async {
            loop {
                let notified = self.0.acked.notified();
                if self.0.listening.load(Ordering::Acquire) {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, listening).await.is_ok()
    }

    /// Whether the cache is serving answers now.
    pub fn is_serving(&self) -> bool {
        self.0.capacity > 0 && self.0.listening.load(Ordering::Acquire)
    }

    /// Current figures.
    pub fn stats(&self) -> CacheStats {
        let shared = &self.0;
        let (entries, bytes) = shared
            .store
            .lock()
            .map(|g| (g.store.len() as u64, g.store.bytes() as u64))
            .unwrap_or_default();
        CacheStats {
            hits: shared.hits.load(Ordering::Relaxed),
            misses: shared.misses.load(Ordering::Relaxed),
            invalidations: shared.invalidations.load(Ordering::Relaxed),
            entries,
            bytes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    fn answer(body: &str) -> CachedResponse {
        CachedResponse {
            body: Bytes::from(body.to_owned()),
            etag: "\"t\"".into(),
            surrogate_keys: None,
        }
    }

    fn cache() -> ResponseCache {
        ResponseCache::new(1 << 20, Duration::from_secs(60), true)
    }

    #[test]
    fn an_answer_computed_across_a_change_is_not_kept() {
        let cache = cache();
        let Lookup::Miss(ticket) = cache.lookup([1; 32]) else {
            panic!("an empty cache misses");
        };
        cache.invalidate(["film-1"]);
        cache.keep(ticket, answer("old"), vec!["film-1".into()]);
        assert!(matches!(cache.lookup([1; 32]), Lookup::Miss(_)));
    }

    #[test]
    fn a_kept_answer_is_served_until_its_content_changes() {
        let cache = cache();
        let Lookup::Miss(ticket) = cache.lookup([1; 32]) else {
            panic!("an empty cache misses");
        };
        cache.keep(ticket, answer("page"), vec!["film-1".into()]);
        assert!(matches!(cache.lookup([1; 32]), Lookup::Hit(found) if found.body == "page"));
        cache.heard(&Announcement {
            notice: 9,
            keys: vec!["film-1".into()],
        });
        assert!(matches!(cache.lookup([1; 32]), Lookup::Miss(_)));
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.misses), (1, 2));
    }

    #[test]
    fn a_deaf_cache_serves_nothing_and_forgets_everything() {
        let cache = cache();
        let Lookup::Miss(ticket) = cache.lookup([1; 32]) else {
            panic!("an empty cache misses");
        };
        cache.keep(ticket, answer("page"), vec![]);
        cache.set_listening(false);
        assert!(matches!(cache.lookup([1; 32]), Lookup::Bypass));
        cache.set_listening(true);
        assert!(matches!(cache.lookup([1; 32]), Lookup::Miss(_)));
    }

    #[test]
    fn a_cache_of_no_bytes_is_off() {
        let cache = ResponseCache::new(0, Duration::from_secs(60), true);
        assert!(matches!(cache.lookup([1; 32]), Lookup::Bypass));
    }

    #[tokio::test]
    async fn a_write_waits_until_every_listener_acknowledged_it() {
        let cache = cache();
        let changed = Changed {
            keys: ["film-1".to_owned()].into(),
            notice: Some(5),
            listeners: 2,
            event: None,
        };
        cache.acknowledged(5);
        let second = {
            let cache = cache.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(20)).await;
                cache.acknowledged(5);
            })
        };
        let started = Instant::now();
        cache.apply(&changed).await;
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(20), "waited for the second");
        assert!(waited < ACK_WAIT, "returned on the second acknowledgement");
        assert_eq!(cache.acks(5), 2);
        second.await.ok();
    }
}
