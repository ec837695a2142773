//! Automatic persisted queries (the Apollo protocol): a client sends
//! `extensions.persistedQuery.sha256Hash` without the query; the server answers from its store,
//! or with `PERSISTED_QUERY_NOT_FOUND`, after which the client sends the query and hash once.
//! GET requests stay short enough for CDNs. The store is bounded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::{Request, Value};
use sha2::{Digest, Sha256};

/// Most queries the store keeps; past that, storing one forgets another.
pub const MAX_PERSISTED_QUERIES: usize = 10_000;

/// The server's persisted queries, by their SHA-256 (hex).
#[derive(Debug, Clone, Default)]
pub struct PersistedQueries(Arc<Mutex<HashMap<String, String>>>);

/// Why a persisted-query request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersistedQueryError {
    /// The hash is not known: send the query with it.
    NotFound,
    /// The extension is malformed, or the query does not have the hash it claims.
    Invalid(String),
}

fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl PersistedQueries {
    /// Fills in (or checks and stores) the query of a request that carries a persisted-query
    /// extension; leaves other requests alone.
    pub fn resolve(&self, request: &mut Request) -> Result<(), PersistedQueryError> {
        let Some(extension) = request.extensions.get("persistedQuery") else {
            return Ok(());
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
        let hash = hash.to_ascii_lowercase();
        let Ok(mut store) = self.0.lock() else {
            return Err(PersistedQueryError::NotFound);
        };
        if request.query.trim().is_empty() {
            return match store.get(&hash) {
                Some(query) => {
                    request.query = query.clone();
                    Ok(())
                }
                None => Err(PersistedQueryError::NotFound),
            };
        }
        if sha256_hex(&request.query) != hash {
            return Err(PersistedQueryError::Invalid(
                "the query's SHA-256 is not `persistedQuery.sha256Hash`".into(),
            ));
        }
        if store.len() >= MAX_PERSISTED_QUERIES
            && let Some(forget) = store.keys().next().cloned()
        {
            store.remove(&forget);
        }
        store.insert(hash, request.query.clone());
        Ok(())
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

    #[test]
    fn stores_then_answers_by_hash() {
        let store = PersistedQueries::default();
        let query = "{ __typename }";
        let hash = sha256_hex(query);
        assert_eq!(
            store.resolve(&mut with_hash("", &hash)),
            Err(PersistedQueryError::NotFound)
        );
        assert_eq!(store.resolve(&mut with_hash(query, &hash)), Ok(()));
        let mut short = with_hash("", &hash);
        assert_eq!(store.resolve(&mut short), Ok(()));
        assert_eq!(short.query, query);
        assert!(matches!(
            store.resolve(&mut with_hash("{ other }", &hash)),
            Err(PersistedQueryError::Invalid(_))
        ));
    }
}
