//! The operations on film content, over a `&DatabaseConnection`. Nothing here knows GraphQL
//! or HTTP: functions take ids and plain values, and return entity models or [`AppError`].
//!
//! Batched readers (`*_of_movies`, `*_by_ids`) take many parent ids and run ONE statement, so
//! the GraphQL loaders above them cost one statement per relation per request.
//!
//! [`AppError`]: crate::error::AppError

pub mod companies;
pub mod film_parts;
pub mod movies;
pub mod people;
