//! Automatic persisted queries (the Apollo protocol): a client sends
//! `extensions.persistedQuery.sha256Hash` without the query; the server answers from its store,
//! or with `PERSISTED_QUERY_NOT_FOUND`, after which the client sends the query and hash once.
//! GET requests stay short enough for CDNs.
//!
//! Only a query that passed every check (size, parse, validation, limits) is stored, so a
//! client cannot fill the store with queries it could not run; the store is bounded by entries
//! and by bytes of query text, and forgets the least recently used first.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use async_graphql::{Request, ServerError, Value};
use sha2::{Digest, Sha256};

use crate::error::ErrorCode;
use crate::graphql::extensions::with_code;

/// The server's persisted queries, by their SHA-256 (hex).
#[derive(Debug, Clone)]
pub struct PersistedQueries(Arc<Mutex<Store>>);

/// A bounded least-recently-used map from hash to query text.
#[derive(Debug)]
struct Store {
    max_entries: usize,
    max_bytes: usize,
    bytes: usize,
    clock: u64,
    entries: HashMap<String, Entry>,
    /// Hashes by when they were last used, oldest first.
    recency: BTreeMap<u64, String>,
}

#[derive(Debug)]
struct Entry {
    query: Arc<str>,
    used: u64,
}

/// Why a persisted-query request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersistedQueryError {
    /// The hash is not known: send the query with it.
    NotFound,
    /// The extension is malformed, or the query does not have the hash it claims.
    Invalid(String),
}

impl PersistedQueryError {
    /// The error as a client is sent it, with its `extensions.code`.
    pub fn into_server_error(self) -> ServerError {
        let (code, message) = match self {
            Self::NotFound => (
                ErrorCode::PersistedQueryNotFound,
                "PersistedQueryNotFound".to_owned(),
            ),
            Self::Invalid(message) => (ErrorCode::BadRequest, message),
        };
        with_code(ServerError::new(message, None), code.as_str())
    }
}

/// A query sent with its hash: stored by [`PersistedQueries::register`] once it has passed
/// the checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    hash: String,
}

/// The SHA-256 of a text, in lowercase hex.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The `persistedQuery` extension's hash, when the request carries the extension.
pub fn requested_hash(request: &Request) -> Result<Option<String>, PersistedQueryError> {
    let Some(extension) = request.extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let Value::Object(fields) = extension else {
        return Err(PersistedQueryError::Invalid(
            "`persistedQuery` must be an object".into(),
        ));
    };
    if fields.get("version") != Some(&Value::from(1)) {
        return Err(PersistedQueryError::Invalid(
            "only `persistedQuery.version` 1 is supported".into(),
        ));
    }
    let Some(Value::String(hash)) = fields.get("sha256Hash") else {
        return Err(PersistedQueryError::Invalid(
            "`persistedQuery.sha256Hash` is missing".into(),
        ));
    };
    Ok(Some(hash.to_ascii_lowercase()))
}

impl PersistedQueries {
    /// A store of at most `max_entries` queries and `max_bytes` bytes of query text.
    pub fn new(max_entries: usize, max_bytes: usize) -> Self {
        Self(Arc::new(Mutex::new(Store {
            max_entries,
            max_bytes,
            bytes: 0,
            clock: 0,
            entries: HashMap::new(),
            recency: BTreeMap::new(),
        })))
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        // The store's invariants hold between statements; a panic elsewhere cannot break them.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Fills in the query of a request that carries only a persisted-query hash, or checks
    /// the hash of one that carries both (then `Some`: store it once it passes the checks).
    /// Leaves other requests alone.
    pub fn resolve(
        &self,
        request: &mut Request,
    ) -> Result<Option<Registration>, PersistedQueryError> {
        let Some(hash) = requested_hash(request)? else {
            return Ok(None);
        };
        if request.query.trim().is_empty() {
            return match self.get(&hash) {
                Some(query) => {
                    request.query = query.to_string();
                    Ok(None)
                }
                None => Err(PersistedQueryError::NotFound),
            };
        }
        if sha256_hex(&request.query) != hash {
            return Err(PersistedQueryError::Invalid(
                "the query's SHA-256 is not `persistedQuery.sha256Hash`".into(),
            ));
        }
        Ok(Some(Registration { hash }))
    }

    /// Marks the query stored under `hash` (if any) as just used: a request answered without
    /// being read (`response_cache::aliases`) still counts as a use.
    pub fn touch(&self, hash: &str) {
        let _ = self.get(hash);
    }

    /// The query stored under `hash`, marked as just used.
    fn get(&self, hash: &str) -> Option<Arc<str>> {
        let mut store = self.store();
        store.clock += 1;
        let now = store.clock;
        let entry = store.entries.get_mut(hash)?;
        let before = std::mem::replace(&mut entry.used, now);
        let query = entry.query.clone();
        store.recency.remove(&before);
        store.recency.insert(now, hash.to_owned());
        Some(query)
    }

    /// Stores `query` (which passed every check) under its registration's hash, forgetting
    /// the least recently used queries as the bounds require. A query larger than the whole
    /// byte bound is not stored.
    pub fn register(&self, registration: Registration, query: &str) {
        let mut store = self.store();
        if query.len() > store.max_bytes || store.max_entries == 0 {
            return;
        }
        store.clock += 1;
        let now = store.clock;
        if let Some(old) = store.entries.remove(&registration.hash) {
            store.recency.remove(&old.used);
            store.bytes -= old.query.len();
        }
        while store.entries.len() >= store.max_entries
            || store.bytes + query.len() > store.max_bytes
        {
            let Some((_, oldest)) = store.recency.pop_first() else {
                break;
            };
            if let Some(forgotten) = store.entries.remove(&oldest) {
                store.bytes -= forgotten.query.len();
            }
        }
        store.bytes += query.len();
        store.recency.insert(now, registration.hash.clone());
        store.entries.insert(
            registration.hash,
            Entry {
                query: Arc::from(query),
                used: now,
            },
        );
    }

    /// How many queries are stored, and how many bytes of query text they hold.
    pub fn size(&self) -> (usize, usize) {
        let store = self.store();
        (store.entries.len(), store.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_hash(query: &str, hash: &str) -> Request {
        let mut request = Request::new(query);
        let extension = Value::from_json(serde_json::json!({ "version": 1, "sha256Hash": hash }))
            .unwrap_or(Value::Null);
        request
            .extensions
            .0
            .insert("persistedQuery".into(), extension);
        request
    }

    fn register(store: &PersistedQueries, query: &str) {
        let registration = store.resolve(&mut with_hash(query, &sha256_hex(query)));
        match registration {
            Ok(Some(registration)) => store.register(registration, query),
            other => panic!("not a registration: {other:?}"),
        }
    }

    fn known(store: &PersistedQueries, query: &str) -> bool {
        store
            .resolve(&mut with_hash("", &sha256_hex(query)))
            .is_ok()
    }

    #[test]
    fn stores_once_registered_then_answers_by_hash() {
        let store = PersistedQueries::new(10, 1_000);
        let query = "{ __typename }";
        let hash = sha256_hex(query);
        assert_eq!(
            store.resolve(&mut with_hash("", &hash)),
            Err(PersistedQueryError::NotFound)
        );
        // Sending the query with its hash stores nothing until it is registered.
        assert!(matches!(
            store.resolve(&mut with_hash(query, &hash)),
            Ok(Some(_))
        ));
        assert!(!known(&store, query));
        register(&store, query);
        let mut short = with_hash("", &hash);
        assert_eq!(store.resolve(&mut short), Ok(None));
        assert_eq!(short.query, query);
        assert!(matches!(
            store.resolve(&mut with_hash("{ other }", &hash)),
            Err(PersistedQueryError::Invalid(_))
        ));
    }

    #[test]
    fn bounded_by_entries_least_recently_used_out_first() {
        let store = PersistedQueries::new(2, 1_000);
        register(&store, "{ a }");
        register(&store, "{ b }");
        assert!(known(&store, "{ a }"), "a is used, so b is now the oldest");
        register(&store, "{ c }");
        assert!(known(&store, "{ a }"));
        assert!(!known(&store, "{ b }"));
        assert!(known(&store, "{ c }"));
        assert_eq!(store.size(), (2, 10));
    }

    #[test]
    fn bounded_by_bytes() {
        let store = PersistedQueries::new(100, 25);
        for n in 0..20 {
            register(&store, &format!("{{ field{n:02} }}"));
            let (_, bytes) = store.size();
            assert!(bytes <= 25, "{bytes} bytes stored");
        }
        assert_eq!(store.size(), (2, 22));
        assert!(known(&store, "{ field19 }") && known(&store, "{ field18 }"));
        register(&store, &"x".repeat(26));
        assert_eq!(
            store.size().0,
            2,
            "a query over the whole bound is not stored"
        );
    }

    #[test]
    fn registering_again_does_not_count_twice() {
        let store = PersistedQueries::new(10, 1_000);
        register(&store, "{ a }");
        register(&store, "{ a }");
        assert_eq!(store.size(), (1, 5));
    }
}
