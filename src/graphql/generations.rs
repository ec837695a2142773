//! A bounded cache of values by text key, for things worked out from a request's text that
//! clients send over and over (parsed documents, checks passed).
//!
//! It holds two generations: lookups search the current one, then the previous one (moving a
//! hit to the current one); when the current one is full it becomes the previous one and the
//! old previous one is dropped. Entries in use stay, the rest age out, and memory stays
//! bounded by twice a generation's limits however many distinct keys clients send.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Most entries in one generation.
const MAX_ENTRIES: usize = 1_000;
/// Most key text in one generation, in bytes (a value is assumed to grow with its key).
pub const MAX_KEY_BYTES: usize = 1 << 20;

/// One generation of entries.
struct Generation<V> {
    entries: HashMap<Arc<str>, V>,
    key_bytes: usize,
}

impl<V> Default for Generation<V> {
    fn default() -> Self {
        Self {
            entries: HashMap::new(),
            key_bytes: 0,
        }
    }
}

impl<V> Generation<V> {
    fn insert(&mut self, key: Arc<str>, value: V) {
        self.key_bytes += key.len();
        if let Some(_replaced) = self.entries.insert(key.clone(), value) {
            self.key_bytes -= key.len();
        }
    }

    fn is_full(&self) -> bool {
        self.entries.len() >= MAX_ENTRIES || self.key_bytes >= MAX_KEY_BYTES
    }
}

struct Generations<V> {
    current: Generation<V>,
    previous: Generation<V>,
}

/// Values by text key, in two generations; cheap to clone (clones share the entries).
pub struct GenerationalCache<V>(Arc<Mutex<Generations<V>>>);

impl<V> Clone for GenerationalCache<V> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<V> Default for GenerationalCache<V> {
    fn default() -> Self {
        Self(Arc::new(Mutex::new(Generations {
            current: Generation::default(),
            previous: Generation::default(),
        })))
    }
}

impl<V: Clone> GenerationalCache<V> {
    /// The value kept under `key`, if any.
    pub fn get(&self, key: &str) -> Option<V> {
        let mut generations = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = generations.current.entries.get(key) {
            return Some(value.clone());
        }
        let (key, value) = generations.previous.entries.remove_entry(key)?;
        generations.previous.key_bytes -= key.len();
        generations.current.insert(key, value.clone());
        Some(value)
    }

    /// Keeps `value` under `key` (a key longer than a generation may hold is not kept).
    pub fn insert(&self, key: &str, value: V) {
        if key.len() > MAX_KEY_BYTES {
            return;
        }
        let mut generations = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if generations.current.is_full() {
            generations.previous = std::mem::take(&mut generations.current);
        }
        generations.current.insert(Arc::from(key), value);
    }

    /// How many entries are kept.
    pub fn len(&self) -> usize {
        let generations = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        generations.current.entries.len() + generations.previous.entries.len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_stays_bounded_and_entries_in_use_stay() {
        let cache = GenerationalCache::default();
        for i in 0..5 * MAX_ENTRIES {
            cache.insert(&format!("key {i}"), i);
            if cache.get("favourite").is_none() {
                cache.insert("favourite", usize::MAX);
            }
            assert!(cache.len() <= 2 * MAX_ENTRIES);
        }
        assert_eq!(cache.get("favourite"), Some(usize::MAX));
        assert_eq!(cache.get("key 0"), None, "an entry not in use aged out");
        assert_eq!(
            cache.get(&format!("key {}", 5 * MAX_ENTRIES - 1)),
            Some(5 * MAX_ENTRIES - 1)
        );
    }

    #[test]
    fn a_key_too_long_to_keep_is_not_kept() {
        let cache = GenerationalCache::default();
        cache.insert(&"x".repeat(MAX_KEY_BYTES + 1), 1);
        assert!(cache.is_empty());
    }
}
