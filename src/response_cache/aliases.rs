//! Requests known by their exact bytes: the cache key a request's raw form maps to.
//!
//! Finding a request's cache key takes reading its JSON body, then normalizing its query and
//! hashing that with its variables: on a cached page that is a fifth of the server's work, as
//! much as sending the answer. Clients send the same bytes again and again (the same app, the
//! same page), so once a request's answer is in the cache, its key is also kept under the
//! SHA-256 of the raw request (the `POST` body, or the `GET` query string): a later request with
//! the same bytes finds its answer without being read. Only requests that passed every check
//! and were answered are remembered, and entries are small (long operation names are not kept),
//! so the table's memory is bounded. The raw form determines the key (the same bytes are read, resolved and normalized the
//! same way), so an alias never goes stale; it only leads to an answer the cache still holds,
//! and a request it does not lead to one is read and checked as usual. SHA-256 is collision
//! resistant: no one can make other bytes lead to someone else's key.

use std::collections::HashMap;
use std::sync::Mutex;

use sha2::{Digest, Sha256};

use super::store::EntryKey;

/// A request's raw bytes, hashed with how they came.
pub type RawKey = [u8; 32];

/// How a request's raw form came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawForm {
    /// A `POST` body.
    PostBody,
    /// A `GET` query string.
    GetQueryString,
}

/// The key of a request's raw form.
pub fn raw_key(form: RawForm, bytes: &[u8]) -> RawKey {
    let mut hasher = Sha256::new();
    hasher.update([match form {
        RawForm::PostBody => b'P',
        RawForm::GetQueryString => b'G',
    }]);
    hasher.update(bytes);
    hasher.finalize().into()
}

/// What a raw form stands for.
#[derive(Debug, Clone)]
pub struct Alias {
    /// The request's cache key.
    pub key: EntryKey,
    /// Its operation's name, for the request log and metrics (none when longer than
    /// [`MAX_OPERATION_NAME`]: the table holds small entries only).
    pub operation: Option<String>,
    /// The persisted query it names by hash, if any: an answer by alias marks that query as
    /// used, as reading the request would have.
    pub persisted: Option<String>,
}

/// Longest operation name an alias keeps.
pub const MAX_OPERATION_NAME: usize = 128;

impl Alias {
    /// The alias of a request with this key, operation name and persisted-query hash.
    pub fn new(key: EntryKey, operation: Option<String>, persisted: Option<String>) -> Self {
        Self {
            key,
            operation: operation.filter(|name| name.len() <= MAX_OPERATION_NAME),
            persisted: persisted.filter(|hash| hash.len() <= MAX_OPERATION_NAME),
        }
    }
}

/// Raw forms and their cache keys, at most [`MAX_ALIASES`] (all dropped when full, and
/// learned again from the requests that follow).
#[derive(Default)]
pub struct Aliases(Mutex<HashMap<RawKey, Alias>>);

/// Raw forms remembered at most (a few hundred bytes each at most).
pub const MAX_ALIASES: usize = 16_384;

impl Aliases {
    /// What `raw` stands for, if known.
    pub fn get(&self, raw: &RawKey) -> Option<Alias> {
        self.0.lock().ok()?.get(raw).cloned()
    }

    /// Remembers that `raw` stands for `alias`.
    pub fn insert(&self, raw: RawKey, alias: Alias) {
        let Ok(mut aliases) = self.0.lock() else {
            return;
        };
        if aliases.len() >= MAX_ALIASES && !aliases.contains_key(&raw) {
            aliases.clear();
        }
        aliases.insert(raw, alias);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_part_of_the_key() {
        assert_ne!(
            raw_key(RawForm::PostBody, b"query=x"),
            raw_key(RawForm::GetQueryString, b"query=x")
        );
        assert_eq!(
            raw_key(RawForm::PostBody, b"{}"),
            raw_key(RawForm::PostBody, b"{}")
        );
    }

    #[test]
    fn a_full_table_starts_over_rather_than_growing() {
        let aliases = Aliases::default();
        for n in 0..=MAX_ALIASES {
            let mut raw = [0; 32];
            raw[..8].copy_from_slice(&(n as u64).to_le_bytes());
            aliases.insert(raw, Alias::new([1; 32], None, None));
        }
        let len = aliases.0.lock().map(|a| a.len()).unwrap_or_default();
        assert!(len <= MAX_ALIASES, "{len}");
        assert_eq!(len, 1);
    }
}

#[cfg(test)]
mod alias_tests {
    use super::*;

    #[test]
    fn long_names_are_not_kept() {
        let long = "a".repeat(MAX_OPERATION_NAME + 1);
        let alias = Alias::new([0; 32], Some(long.clone()), Some(long));
        assert!(alias.operation.is_none() && alias.persisted.is_none());
        let alias = Alias::new([0; 32], Some("FilmPage".into()), None);
        assert_eq!(alias.operation.as_deref(), Some("FilmPage"));
    }
}
