//! Relay global ids: opaque strings that name a type and a row (`base64url("Movie:42")`).

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AppError;

/// The types that have global ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// A film.
    Movie,
    /// A person.
    Person,
    /// A company.
    Company,
    /// A character of a film.
    Character,
    /// A section of a film page.
    Section,
    /// A theme of a film.
    Theme,
    /// A location of a film.
    Location,
}

impl NodeKind {
    const ALL: [NodeKind; 7] = [
        Self::Movie,
        Self::Person,
        Self::Company,
        Self::Character,
        Self::Section,
        Self::Theme,
        Self::Location,
    ];

    /// The GraphQL type name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Movie => "Movie",
            Self::Person => "Person",
            Self::Company => "Company",
            Self::Character => "Character",
            Self::Section => "Section",
            Self::Theme => "Theme",
            Self::Location => "Location",
        }
    }
}

/// The global id of row `id` of type `kind`.
pub fn encode(kind: NodeKind, id: i32) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.name())))
}

/// The type and row a global id names; `BAD_USER_INPUT` (at `field`) when it is not one of ours.
pub fn decode(global_id: &str, field: &str) -> Result<(NodeKind, i32), AppError> {
    let invalid = || {
        let shown: String = global_id.chars().take(64).collect();
        AppError::bad_input(field, format!("`{shown}` is not a valid id"))
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(global_id.trim_end_matches('='))
        .map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    let (type_name, id) = text.split_once(':').ok_or_else(invalid)?;
    let kind = NodeKind::ALL
        .into_iter()
        .find(|kind| kind.name() == type_name)
        .ok_or_else(invalid)?;
    let id = id.parse::<i32>().map_err(|_| invalid())?;
    Ok((kind, id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let id = encode(NodeKind::Theme, 42);
        assert_eq!(decode(&id, "id").ok(), Some((NodeKind::Theme, 42)));
    }

    #[test]
    fn rejects_foreign_ids() {
        for bad in ["", "!!", "TW92aWU", "Q2F0OjE", "TW92aWU6eA"] {
            let err = decode(bad, "id").err();
            assert!(matches!(err, Some(AppError::BadUserInput { .. })), "{bad}");
        }
    }
}
