//! Opaque keyset cursors for connections: they carry the last row's sort key.

use async_graphql::connection::CursorType;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A cursor over rows ordered by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdCursor(pub i32);

/// Why a cursor string was refused.
#[derive(Debug, thiserror::Error)]
#[error("invalid cursor")]
pub struct InvalidCursor;

const PREFIX: &str = "id:";

impl CursorType for IdCursor {
    type Error = InvalidCursor;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| InvalidCursor)?;
        let text = String::from_utf8(bytes).map_err(|_| InvalidCursor)?;
        let id = text.strip_prefix(PREFIX).ok_or(InvalidCursor)?;
        id.parse().map(IdCursor).map_err(|_| InvalidCursor)
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("{PREFIX}{}", self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_rejects_garbage() {
        let cursor = IdCursor(7).encode_cursor();
        assert_eq!(IdCursor::decode_cursor(&cursor).ok(), Some(IdCursor(7)));
        assert!(IdCursor::decode_cursor("not a cursor").is_err());
        assert!(IdCursor::decode_cursor(&URL_SAFE_NO_PAD.encode("id:x")).is_err());
    }
}
