//! The bounded store: entries by key, least recently used first out, and an index from each
//! content key (`film-42`) to the entries that hold it, so a change drops exactly those.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::service::changes::EVERYTHING;

/// A cached answer: the serialized response and what the transport sends with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedResponse {
    /// The response body (a successful GraphQL response).
    pub body: Bytes,
    /// Its entity tag.
    pub etag: String,
    /// Its `Surrogate-Key` header value, when it names any content.
    pub surrogate_keys: Option<String>,
}

/// A lookup key: the SHA-256 of the normalized request.
pub type EntryKey = [u8; 32];

struct Entry {
    response: Arc<CachedResponse>,
    content_keys: Vec<String>,
    last_used: u64,
    stored_at: Instant,
    size: usize,
}

/// Entries within a byte budget.
pub(super) struct Store {
    capacity: usize,
    bytes: usize,
    clock: u64,
    entries: HashMap<EntryKey, Entry>,
    by_use: BTreeMap<u64, EntryKey>,
    by_content: HashMap<String, HashSet<EntryKey>>,
}

/// Fixed cost counted per entry on top of its bytes (key, indexes, allocation headers).
const ENTRY_OVERHEAD: usize = 256;

impl Store {
    pub(super) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            bytes: 0,
            clock: 0,
            entries: HashMap::new(),
            by_use: BTreeMap::new(),
            by_content: HashMap::new(),
        }
    }

    /// Bytes held now.
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Entries held now.
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// The entry under `key`, unless it is older than `ttl` (then it is dropped).
    pub(super) fn get(&mut self, key: &EntryKey, ttl: Duration) -> Option<Arc<CachedResponse>> {
        if self
            .entries
            .get(key)
            .is_some_and(|entry| entry.stored_at.elapsed() > ttl)
        {
            self.remove(key);
        }
        self.clock += 1;
        let now = self.clock;
        let entry = self.entries.get_mut(key)?;
        self.by_use.remove(&entry.last_used);
        entry.last_used = now;
        self.by_use.insert(now, *key);
        Some(entry.response.clone())
    }

    /// Keeps `response` under `key`, dropping the least recently used entries to make room.
    /// An entry larger than an eighth of the budget is not kept.
    pub(super) fn insert(
        &mut self,
        key: EntryKey,
        response: CachedResponse,
        content_keys: Vec<String>,
        stored_at: Instant,
    ) {
        let size = response.body.len()
            + response.etag.len()
            + response.surrogate_keys.as_ref().map_or(0, String::len)
            + content_keys.iter().map(String::len).sum::<usize>()
            + ENTRY_OVERHEAD;
        if size > self.capacity / 8 {
            return;
        }
        self.remove(&key);
        while self.bytes + size > self.capacity {
            let Some((_, oldest)) = self.by_use.pop_first() else {
                break;
            };
            self.remove(&oldest);
        }
        self.clock += 1;
        for content in &content_keys {
            self.by_content
                .entry(content.clone())
                .or_default()
                .insert(key);
        }
        self.by_use.insert(self.clock, key);
        self.bytes += size;
        self.entries.insert(
            key,
            Entry {
                response: Arc::new(response),
                content_keys,
                last_used: self.clock,
                stored_at,
                size,
            },
        );
    }

    /// Drops every entry that holds any of `content_keys` ([`EVERYTHING`] drops all).
    pub(super) fn invalidate<'k>(&mut self, content_keys: impl IntoIterator<Item = &'k str>) {
        for content in content_keys {
            if content == EVERYTHING {
                self.clear();
                return;
            }
            if let Some(holders) = self.by_content.remove(content) {
                for key in holders {
                    self.remove(&key);
                }
            }
        }
    }

    pub(super) fn clear(&mut self) {
        self.entries.clear();
        self.by_use.clear();
        self.by_content.clear();
        self.bytes = 0;
    }

    fn remove(&mut self, key: &EntryKey) {
        let Some(entry) = self.entries.remove(key) else {
            return;
        };
        self.by_use.remove(&entry.last_used);
        self.bytes -= entry.size;
        for content in &entry.content_keys {
            if let Some(holders) = self.by_content.get_mut(content) {
                holders.remove(key);
                if holders.is_empty() {
                    self.by_content.remove(content);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TTL: Duration = Duration::from_secs(60);

    fn response(body: &str) -> CachedResponse {
        CachedResponse {
            body: Bytes::from(body.to_owned()),
            etag: "\"t\"".into(),
            surrogate_keys: None,
        }
    }

    fn key(n: u8) -> EntryKey {
        [n; 32]
    }

    #[test]
    fn a_change_drops_only_the_entries_that_hold_it() {
        let mut store = Store::new(1 << 20);
        store.insert(key(1), response("a"), vec!["film-1".into()], Instant::now());
        store.insert(
            key(2),
            response("b"),
            vec!["film-2".into(), "films".into()],
            Instant::now(),
        );
        store.insert(
            key(3),
            response("c"),
            vec!["film-1".into(), "films".into()],
            Instant::now(),
        );
        store.invalidate(["film-1"]);
        assert!(store.get(&key(1), TTL).is_none());
        assert!(store.get(&key(3), TTL).is_none());
        assert_eq!(
            store.get(&key(2), TTL).map(|r| r.body.clone()),
            Some("b".into())
        );
        store.invalidate(["films"]);
        assert_eq!(store.len(), 0);
        assert_eq!(store.bytes(), 0);
    }

    #[test]
    fn everything_drops_all() {
        let mut store = Store::new(1 << 20);
        store.insert(key(1), response("a"), vec!["film-1".into()], Instant::now());
        store.insert(key(2), response("b"), vec![], Instant::now());
        store.invalidate([EVERYTHING]);
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn the_least_recently_used_entry_goes_first_and_the_budget_holds() {
        let body = "x".repeat(1_000);
        let capacity = 8 * (1_000 + 3 + ENTRY_OVERHEAD) + 100;
        let mut store = Store::new(capacity);
        for n in 0..8 {
            store.insert(key(n), response(&body), vec![], Instant::now());
        }
        assert_eq!(store.len(), 8);
        // Use the oldest, so the second oldest is now the least recently used.
        assert!(store.get(&key(0), TTL).is_some());
        store.insert(key(8), response(&body), vec![], Instant::now());
        assert!(store.bytes() <= capacity);
        assert!(store.get(&key(0), TTL).is_some());
        assert!(store.get(&key(1), TTL).is_none());
        assert!(store.get(&key(8), TTL).is_some());
    }

    #[test]
    fn an_entry_older_than_its_time_to_live_is_dropped() {
        let mut store = Store::new(1 << 20);
        let long_ago = Instant::now() - Duration::from_secs(120);
        store.insert(key(1), response("old"), vec!["film-1".into()], long_ago);
        assert!(store.get(&key(1), TTL).is_none());
        assert_eq!(store.bytes(), 0);
    }

    #[test]
    fn an_entry_too_large_for_the_budget_is_not_kept() {
        let mut store = Store::new(8_000);
        store.insert(key(1), response(&"x".repeat(2_000)), vec![], Instant::now());
        assert_eq!(store.len(), 0);
    }

    #[test]
    fn replacing_an_entry_keeps_the_byte_count_true() {
        let mut store = Store::new(1 << 20);
        store.insert(
            key(1),
            response("aaaa"),
            vec!["film-1".into()],
            Instant::now(),
        );
        store.insert(
            key(1),
            response("bb"),
            vec!["film-2".into()],
            Instant::now(),
        );
        assert_eq!(store.len(), 1);
        assert_eq!(store.bytes(), 2 + 3 + 6 + ENTRY_OVERHEAD);
        store.invalidate(["film-1"]);
        assert_eq!(store.len(), 1);
        store.invalidate(["film-2"]);
        assert_eq!(store.bytes(), 0);
    }
}
