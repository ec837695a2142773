//! Trusted documents (safelisting, as Relay, Apollo and GraphQL Yoga recommend for first-party
//! apps): an optional manifest of the operations the site's own apps send, loaded at start.
//! In that mode an anonymous client may run only a listed operation, by its id
//! (`extensions.persistedQuery.sha256Hash`, over GET or POST) or by its exact text; anything
//! else is refused with `PERSISTED_QUERY_NOT_IN_LIST`. A request with a valid token may still
//! run any document.
//!
//! Two manifest shapes are read: a flat JSON object of id → document (graphql-codegen's client
//! preset `persisted-documents.json`, Relay's `persisted_queries.json`), and Apollo's
//! `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "body"}]}`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use async_graphql::Request;
use serde::Deserialize;

use super::persisted::{PersistedQueryError, requested_hash, sha256_hex};

/// What an anonymous client is told when it sends a document that is not listed.
pub const NOT_LISTED: &str = "this server runs only its listed (trusted) documents for anonymous clients: send a listed document's id in `extensions.persistedQuery.sha256Hash`";

/// A loaded manifest: documents by id, and the ids of listed texts.
#[derive(Debug, Clone, Default)]
pub struct TrustedDocuments {
    by_id: HashMap<String, Arc<str>>,
    /// SHA-256 of each listed text, so that a listed document sent as text passes too.
    by_text_hash: HashMap<String, String>,
}

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The manifest's path.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not a manifest of a known shape.
    #[error("{path} is not a trusted-documents manifest: {reason}")]
    Shape {
        /// The manifest's path.
        path: String,
        /// What is wrong.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Manifest {
    Apollo {
        format: String,
        version: u32,
        operations: Vec<ApolloOperation>,
    },
    Flat(HashMap<String, String>),
}

#[derive(Deserialize)]
struct ApolloOperation {
    id: String,
    body: String,
}

impl TrustedDocuments {
    /// Reads a manifest file.
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text).map_err(|reason| ManifestError::Shape {
            path: path.display().to_string(),
            reason,
        })
    }

    /// Reads a manifest's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let manifest: Manifest = serde_json::from_str(text).map_err(|err| {
            format!("expected an object of id → document, or Apollo's manifest ({err})")
        })?;
        let documents: Vec<(String, String)> = match manifest {
            Manifest::Apollo {
                format,
                version,
                operations,
            } => {
                if format != "apollo-persisted-query-manifest" || version != 1 {
                    return Err(format!(
                        "unknown manifest format `{format}` version {version}"
                    ));
                }
                operations.into_iter().map(|op| (op.id, op.body)).collect()
            }
            Manifest::Flat(documents) => documents.into_iter().collect(),
        };
        if documents.is_empty() {
            return Err("the manifest lists no documents".into());
        }
        let mut trusted = Self::default();
        for (id, document) in documents {
            trusted
                .by_text_hash
                .insert(sha256_hex(&document), id.to_ascii_lowercase());
            trusted
                .by_id
                .insert(id.to_ascii_lowercase(), Arc::from(document));
        }
        Ok(trusted)
    }

    /// The listed document with this id.
    pub fn document(&self, id: &str) -> Option<&Arc<str>> {
        self.by_id.get(&id.to_ascii_lowercase())
    }

    /// Whether `request` is a listed document: by id (whose text it then gets), or by its exact
    /// text. `Err` when it names a listed id with a different text. Over HTTP and WebSocket
    /// alike, an unlisted document then runs only for an editor's token.
    pub fn admit(&self, request: &mut Request) -> Result<bool, PersistedQueryError> {
        match requested_hash(request)? {
            Some(id) => match self.document(&id) {
                Some(document) => {
                    if !request.query.trim().is_empty() && request.query != document.as_ref() {
                        return Err(PersistedQueryError::Invalid(
                            "the query is not the listed document with this id".into(),
                        ));
                    }
                    request.query = document.to_string();
                    Ok(true)
                }
                None => Ok(false),
            },
            None => Ok(self.lists_text(&request.query)),
        }
    }

    /// Whether this exact text is a listed document.
    pub fn lists_text(&self, text: &str) -> bool {
        self.by_text_hash.contains_key(&sha256_hex(text))
    }

    /// Every listed document, by id (sorted by id).
    pub fn documents(&self) -> Vec<(&str, &str)> {
        let mut all: Vec<(&str, &str)> = self
            .by_id
            .iter()
            .map(|(id, document)| (id.as_str(), document.as_ref()))
            .collect();
        all.sort_unstable();
        all
    }

    /// How many documents are listed.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether none are.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_flat_manifest() {
        let query = "query A { __typename }";
        let hash = sha256_hex(query);
        let trusted =
            TrustedDocuments::parse(&serde_json::json!({ hash.clone(): query }).to_string())
                .unwrap_or_default();
        assert_eq!(trusted.len(), 1);
        assert_eq!(trusted.document(&hash).map(|d| d.as_ref()), Some(query));
        assert_eq!(
            trusted
                .document(&hash.to_ascii_uppercase())
                .map(|d| d.as_ref()),
            Some(query)
        );
        assert!(trusted.lists_text(query));
        assert!(!trusted.lists_text("query B { __typename }"));
    }

    #[test]
    fn reads_apollos_manifest() {
        let manifest = serde_json::json!({
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [{ "id": "abc", "name": "A", "type": "query", "body": "query A { __typename }" }]
        });
        let trusted = TrustedDocuments::parse(&manifest.to_string()).unwrap_or_default();
        assert_eq!(
            trusted.document("abc").map(|d| d.as_ref()),
            Some("query A { __typename }")
        );
    }

    #[test]
    fn refuses_what_is_not_a_manifest() {
        assert!(TrustedDocuments::parse("[1, 2]").is_err());
        assert!(TrustedDocuments::parse("{}").is_err());
        assert!(
            TrustedDocuments::parse(r#"{"format": "other", "version": 1, "operations": []}"#)
                .is_err()
        );
    }
}
