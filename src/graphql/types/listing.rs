//! Inputs of `movies(filter:, orderBy:)`, and the opaque keyset cursors of film and people
//! pages.

use async_graphql::{Enum, InputObject};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AppError;
use crate::service::movie_list::{Direction, MovieCursor, MovieFilter, MovieSort};
use crate::service::person_list::PersonCursor;
use crate::service::validate::{MAX_NAME, quote};
use crate::service::visibility::ReadScope;

/// Which films to list; every field given must hold.
#[derive(InputObject, Clone, Default)]
pub struct MovieFilterInput {
    /// The title contains this text (case-insensitive).
    pub title_contains: Option<String>,
    /// Released in or after this year.
    pub release_year_from: Option<i32>,
    /// Released in or before this year.
    pub release_year_to: Option<i32>,
    /// The slug of a person who acted in the film or is credited on it (directed, wrote, ...).
    pub person: Option<String>,
    /// The name of one of the film's themes (case-insensitive).
    pub theme: Option<String>,
    /// The name of a place the film is set in (case-insensitive).
    pub location: Option<String>,
}

impl MovieFilterInput {
    /// The service's filter; `BAD_USER_INPUT` (at `filter.…`) for an impossible one.
    pub fn into_filter(self) -> Result<MovieFilter, AppError> {
        if let (Some(from), Some(to)) = (self.release_year_from, self.release_year_to)
            && from > to
        {
            return Err(AppError::bad_input(
                "filter.releaseYearFrom",
                format!("the range starts ({from}) after it ends ({to})"),
            ));
        }
        for (field, text) in [
            ("filter.titleContains", &self.title_contains),
            ("filter.person", &self.person),
            ("filter.theme", &self.theme),
            ("filter.location", &self.location),
        ] {
            if let Some(text) = text
                && text.chars().count() > MAX_NAME
            {
                return Err(AppError::bad_input(
                    field,
                    format!("must be at most {MAX_NAME} characters"),
                ));
            }
        }
        Ok(MovieFilter {
            title_contains: self.title_contains,
            release_year_from: self.release_year_from,
            release_year_to: self.release_year_to,
            person: self.person,
            theme: self.theme,
            location: self.location,
            scope: ReadScope::default(),
        })
    }
}

/// What films are ordered by; ties are always broken by when the film was added.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[graphql(remote = "MovieSort")]
pub enum MovieOrderField {
    /// When the film was added.
    #[default]
    Added,
    /// Title, case-insensitively.
    Title,
    /// Year of first release.
    ReleaseYear,
    /// When the film was created.
    CreatedAt,
    /// When the film was last changed.
    UpdatedAt,
}

/// Ascending or descending.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug, Default)]
#[graphql(remote = "Direction")]
pub enum OrderDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// How to order films.
#[derive(InputObject, Clone, Copy, Default)]
pub struct MovieOrderInput {
    /// What to order by.
    #[graphql(default)]
    pub field: MovieOrderField,
    /// Which way.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// The opaque string of a keyset cursor (base64url of its JSON).
fn encode<T: serde::Serialize>(cursor: &T) -> String {
    let json = serde_json::to_vec(cursor).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// A keyset cursor from its string; `BAD_USER_INPUT` at `after` when it is not one of ours.
fn decode<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, AppError> {
    let bad = || AppError::bad_input("after", format!("`{}` is not a valid cursor", quote(text)));
    let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}

/// The opaque string of a film cursor.
pub fn encode_cursor(cursor: &MovieCursor) -> String {
    encode(cursor)
}

/// A film cursor from its string; `BAD_USER_INPUT` at `after` when it is not one of ours.
pub fn decode_cursor(text: &str) -> Result<MovieCursor, AppError> {
    decode(text)
}

/// The opaque string of a person cursor.
pub fn encode_person_cursor(cursor: &PersonCursor) -> String {
    encode(cursor)
}

/// A person cursor from its string; `BAD_USER_INPUT` at `after` when it is not one of ours.
pub fn decode_person_cursor(text: &str) -> Result<PersonCursor, AppError> {
    decode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = MovieCursor {
            sort: MovieSort::Title,
            direction: Direction::Desc,
            value: Some(serde_json::json!("M. Butterfly")),
            id: 7,
        };
        assert_eq!(decode_cursor(&encode_cursor(&cursor)).ok(), Some(cursor));
        assert!(decode_cursor("not a cursor").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("{}")).is_err());
    }
}
