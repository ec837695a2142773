//! The operations on film content, over any connection or transaction (`&impl ConnectionTrait`). Nothing here knows GraphQL
//! or HTTP: functions take ids and plain values, and return entity models or [`AppError`].
//!
//! Batched readers (`*_of_movies`, `*_by_ids`) take many parent ids and run ONE statement, so
//! the GraphQL loaders above them cost one statement per relation per request.
//!
//! [`AppError`]: crate::error::AppError

pub mod by_position;
pub mod change_log;
pub mod changes;
pub mod companies;
pub mod directory;
pub mod document;
pub mod editing;
pub mod film_bundle;
pub mod film_parts;
pub mod idempotency;
pub mod movie_list;
pub mod movies;
pub mod nested_pages;
pub mod page_limit;
pub mod people;
pub mod per_parent;
pub mod person_list;
pub mod revisions;
pub mod search;
pub mod slug;
pub mod snapshot;
pub mod tokens;
pub mod validate;
pub mod visibility;
pub mod webhooks;
