//! The GraphQL schema: query roots, API types, DataLoaders, and the extension that codes
//! request errors. Knows services, not HTTP.

pub mod context;
pub mod extensions;
pub mod field_order;
pub mod loaders;
pub mod preflight;
pub mod query;
pub mod schema;
pub mod types;

pub use preflight::{Preflight, preflight};
pub use schema::{AppSchema, build_schema, prepare_request};
