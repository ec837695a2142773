//! Parsed GraphQL documents, kept by query text.
//!
//! Clients send the same few documents over and over, and async-graphql's parser (a PEG
//! parser) costs more than anything else a small request does. Parsing each distinct text once
//! and handing each request a copy of the document takes that cost off every request after
//! the first.
//!
//! The documents are kept in a [`GenerationalCache`], bounded in entries and query text.

use std::sync::Arc;

use async_graphql::Request;
use async_graphql::parser::types::ExecutableDocument;

use crate::graphql::document_names::DocumentFacts;
use crate::graphql::generations::GenerationalCache;

/// A parsed document and what it names.
struct Parsed {
    document: ExecutableDocument,
    facts: Arc<DocumentFacts>,
}

/// Parsed documents by query text, shared by every request (cheap to clone).
#[derive(Clone, Default)]
pub struct DocumentCache(GenerationalCache<Arc<Parsed>>);

impl DocumentCache {
    /// Gives `request` its parsed document, from the cache when its text was parsed before;
    /// a document that parses is kept for next time, with its [`DocumentFacts`]. `None` when
    /// the text does not parse (execution reports the syntax error).
    pub fn parse<'r>(
        &self,
        request: &'r mut Request,
    ) -> Option<(&'r ExecutableDocument, Arc<DocumentFacts>)> {
        let facts = if let Some(parsed) = self.0.get(&request.query) {
            request.set_parsed_query(parsed.document.clone());
            parsed.facts.clone()
        } else {
            let document = request.parsed_query().ok()?.clone();
            let facts = Arc::new(DocumentFacts::of(&document));
            let parsed = Parsed {
                document,
                facts: facts.clone(),
            };
            self.0.insert(&request.query, Arc::new(parsed));
            facts
        };
        Some((request.parsed_query().ok()?, facts))
    }

    /// How many documents are kept.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no document is kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_parsed_once_and_its_document_handed_out_again() {
        let cache = DocumentCache::default();
        let query = "{ movie(slug: \"m-butterfly\") { title } }";
        let first = cache.parse(&mut Request::new(query)).map(|p| p.0.clone());
        assert_eq!(cache.len(), 1);
        let again = cache.parse(&mut Request::new(query)).map(|p| p.0.clone());
        assert_eq!(cache.len(), 1);
        assert!(first.is_some());
        assert_eq!(format!("{first:?}"), format!("{again:?}"));
    }

    #[test]
    fn a_text_that_does_not_parse_is_not_kept() {
        let cache = DocumentCache::default();
        assert!(cache.parse(&mut Request::new("{ movie(")).is_none());
        assert!(cache.is_empty());
    }
}
