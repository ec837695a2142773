//! The GraphQL schema: query and mutation roots, API types, DataLoaders, authentication of
//! writers, and the extension that codes request errors. Knows services, not HTTP.

pub mod auth;
pub mod cache_keys;
pub mod context;
pub mod document_cache;
pub mod document_names;
pub mod errors;
pub mod extensions;
pub mod field_order;
pub mod generations;
pub mod limits;
pub mod loaders;
pub mod mutation;
pub mod prefetch;
pub mod preflight;
pub mod query;
pub mod schema;
pub mod subscription;
pub mod types;

pub use document_cache::DocumentCache;
pub use preflight::{Preflight, preflight};
pub use schema::{AppSchema, build_schema, check_documents, prepare_request};
