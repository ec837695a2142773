//! Parsed GraphQL documents, kept by query text.
//!
//! Clients send the same few documents over and over, and async-graphql's parser (a PEG
//! parser) costs more than anything else a small request does. Parsing each distinct text once
//! and handing each request a copy of the document takes that cost off every request after
//! the first.
//!
//! The cache holds two generations: lookups search the current one, then the previous one
//! (moving a hit to the current one); when the current one is full it becomes the previous
//! one and the old previous one is dropped. Documents in use stay, the rest age out, and
//! memory stays bounded by twice [`MAX_TEXT_BYTES`] of query text (and the documents parsed
//! from it), however many distinct documents clients send.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::Request;
use async_graphql::parser::types::ExecutableDocument;

/// Most documents in one generation.
const MAX_ENTRIES: usize = 1_000;
/// Most query text in one generation, in bytes.
const MAX_TEXT_BYTES: usize = 1 << 20;

/// One generation of documents.
#[derive(Default)]
struct Generation {
    documents: HashMap<Arc<str>, Arc<ExecutableDocument>>,
    text_bytes: usize,
}

impl Generation {
    fn insert(&mut self, text: Arc<str>, document: Arc<ExecutableDocument>) {
        self.text_bytes += text.len();
        self.documents.insert(text, document);
    }

    fn is_full(&self) -> bool {
        self.documents.len() >= MAX_ENTRIES || self.text_bytes >= MAX_TEXT_BYTES
    }
}

#[derive(Default)]
struct Generations {
    current: Generation,
    previous: Generation,
}

/// Parsed documents by query text, shared by every request (cheap to clone).
#[derive(Clone, Default)]
pub struct DocumentCache(Arc<Mutex<Generations>>);

impl DocumentCache {
    /// Gives `request` its parsed document, from the cache when its text was parsed before;
    /// a document that parses is kept for next time. `None` when the text does not parse
    /// (execution reports the syntax error).
    pub fn parse<'r>(&self, request: &'r mut Request) -> Option<&'r ExecutableDocument> {
        if let Some(document) = self.find(&request.query) {
            request.set_parsed_query(ExecutableDocument::clone(&document));
        } else {
            let document = request.parsed_query().ok()?.clone();
            self.keep(&request.query, document);
        }
        request.parsed_query().ok()
    }

    fn find(&self, text: &str) -> Option<Arc<ExecutableDocument>> {
        let mut generations = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(document) = generations.current.documents.get(text) {
            return Some(document.clone());
        }
        let (text, document) = generations.previous.documents.remove_entry(text)?;
        generations.previous.text_bytes -= text.len();
        generations.current.insert(text, document.clone());
        Some(document)
    }

    fn keep(&self, text: &str, document: ExecutableDocument) {
        if text.len() > MAX_TEXT_BYTES {
            return;
        }
        let mut generations = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if generations.current.is_full() {
            generations.previous = std::mem::take(&mut generations.current);
        }
        generations
            .current
            .insert(Arc::from(text), Arc::new(document));
    }

    /// How many documents are kept.
    pub fn len(&self) -> usize {
        let generations = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        generations.current.documents.len() + generations.previous.documents.len()
    }

    /// Whether no document is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_is_parsed_once_and_its_document_handed_out_again() {
        let cache = DocumentCache::default();
        let query = "{ movie(slug: \"m-butterfly\") { title } }";
        let first = cache.parse(&mut Request::new(query)).cloned();
        assert_eq!(cache.len(), 1);
        let again = cache.parse(&mut Request::new(query)).cloned();
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

    #[test]
    fn memory_stays_bounded_and_documents_in_use_stay() {
        let cache = DocumentCache::default();
        let favourite = "{ favourite: __typename }";
        for i in 0..5 * MAX_ENTRIES {
            cache.parse(&mut Request::new(format!("{{ a{i}: __typename }}")));
            cache.parse(&mut Request::new(favourite));
            assert!(cache.len() <= 2 * MAX_ENTRIES);
        }
        let before = cache.len();
        cache.parse(&mut Request::new(favourite));
        assert_eq!(cache.len(), before, "the favourite was still kept");
    }
}
