//! JSON text: strings written with the escapes `serde_json` uses, shared by the HTTP layer's
//! response writer (`http::json`) and the lists written straight to JSON
//! (`graphql::types::plain`).
//!
//! A film list is mostly long text. `serde_json` looks at every byte of a string through a
//! table to find those that need escaping; this writer first checks the whole text 32 bytes
//! at a time (with vector instructions; 8 at a time for short texts) and copies a text that
//! needs none in one go, and otherwise copies the runs between escapes.

/// Bytes looked at together: a run of text with nothing to escape is checked this many bytes
/// at a time (two SSE2 registers' worth, which the compiler uses for [`any_escaped`]).
const CHUNK: usize = 32;

/// Whether any byte of `chunk` is one JSON escapes (below 0x20, a quote or a backslash).
/// Written as a mask per byte, or-ed as two 128-bit words, with no early exit: the compiler
/// makes it three SSE2 compares per 16 bytes and one test (24 instructions for the chunk; a
/// fold of booleans gave 36).
fn any_escaped(chunk: &[u8; CHUNK]) -> bool {
    let mut low = [0u8; CHUNK / 2];
    let mut high = [0u8; CHUNK / 2];
    for at in 0..CHUNK / 2 {
        low[at] = escaped_mask(chunk[at]);
        high[at] = escaped_mask(chunk[at + CHUNK / 2]);
    }
    u128::from_ne_bytes(low) | u128::from_ne_bytes(high) != 0
}

/// 0xff for a byte JSON escapes, else 0.
fn escaped_mask(byte: u8) -> u8 {
    if byte < 0x20 || byte == b'"' || byte == b'\\' {
        0xff
    } else {
        0
    }
}

/// Eight copies of `byte`, one per byte of a word.
const fn repeated(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

/// [`any_escaped`] for eight bytes, in one word: the classic "has a zero byte" and "has a byte
/// less than n" tricks. Either may also set the high bit of a byte above one that matches (a
/// borrow carries into it), never when no byte matches, so the answer for the word is exact.
fn word_escaped(word: &[u8; 8]) -> bool {
    let word = u64::from_ne_bytes(*word);
    let has_zero = |v: u64| v.wrapping_sub(repeated(0x01)) & !v;
    let below_space = word.wrapping_sub(repeated(0x20)) & !word;
    (below_space | has_zero(word ^ repeated(b'"')) | has_zero(word ^ repeated(b'\\')))
        & repeated(0x80)
        != 0
}

/// Whether any byte of `bytes` is one JSON escapes. Most texts have none, and most are short
/// (names, titles, keys): they are checked by whole chunks or words, the last one overlapping
/// the one before it rather than copied out byte by byte.
fn any_needs_escape(bytes: &[u8]) -> bool {
    let length = bytes.len();
    if length >= CHUNK {
        let last = bytes[length - CHUNK..].try_into().map_or(true, any_escaped);
        last || bytes
            .chunks_exact(CHUNK)
            .any(|chunk| chunk.try_into().map_or(true, any_escaped))
    } else if length >= 8 {
        let last = bytes[length - 8..].try_into().map_or(true, word_escaped);
        last || bytes
            .chunks_exact(8)
            .any(|word| word.try_into().map_or(true, word_escaped))
    } else {
        bytes.iter().any(|&byte| escape(byte).is_some())
    }
}

/// The escape of `byte` in a JSON string, or `None` when it stands for itself.
fn escape(byte: u8) -> Option<Escape> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = |text: &'static [u8]| Some(Escape::Short(text));
    match byte {
        b'"' => short(b"\\\""),
        b'\\' => short(b"\\\\"),
        b'\n' => short(b"\\n"),
        b'\r' => short(b"\\r"),
        b'\t' => short(b"\\t"),
        0x08 => short(b"\\b"),
        0x0c => short(b"\\f"),
        0..0x20 => Some(Escape::Unicode([
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(byte >> 4)],
            HEX[usize::from(byte & 0xf)],
        ])),
        _ => None,
    }
}

/// How a byte is escaped: JSON's short form, or `\u00xx`.
enum Escape {
    Short(&'static [u8]),
    Unicode([u8; 6]),
}

impl Escape {
    fn bytes(&self) -> &[u8] {
        match self {
            Self::Short(bytes) => bytes,
            Self::Unicode(bytes) => bytes,
        }
    }
}

/// Appends `text` as a JSON string, escaped as `serde_json` escapes it: quote, backslash,
/// and the control characters below 0x20 (short forms where JSON has them, else `\u00xx`).
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    if !any_needs_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    // `bytes[start..at]` needs no escape and is not written yet.
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let end = match bytes
            .get(at..at + CHUNK)
            .and_then(|c| <&[u8; CHUNK]>::try_from(c).ok())
        {
            Some(chunk) if !any_escaped(chunk) => {
                at += CHUNK;
                continue;
            }
            Some(_) => at + CHUNK,
            None => bytes.len(),
        };
        // A chunk with something to escape, or the last few bytes: one byte at a time.
        for (offset, &byte) in bytes[at..end].iter().enumerate() {
            if let Some(escaped) = escape(byte) {
                out.extend_from_slice(&bytes[start..at + offset]);
                out.extend_from_slice(escaped.bytes());
                start = at + offset + 1;
            }
        }
        at = end;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn written(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8_lossy(&out).into_owned()
    }

    #[test]
    fn an_escape_on_either_side_of_a_chunk_boundary_is_written() {
        let lengths = (0..=17).chain([CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5]);
        for length in lengths {
            for at in 0..length {
                for special in ["\"", "\\", "\n", "\u{1}", "é", "💔"] {
                    let text = format!("{}{special}{}", "a".repeat(at), "b".repeat(length - at));
                    let expected = serde_json::to_string(&text).unwrap_or_default();
                    assert_eq!(written(&text), expected, "{text:?}");
                }
            }
        }
    }

    proptest! {
        #[test]
        fn long_text_is_escaped_as_serde_json_escapes_it(
            text in "([ -~]{0,70}[\\x00-\\x1f\"\\\\]?){0,6}"
        ) {
            prop_assert_eq!(written(&text), serde_json::to_string(&text).unwrap_or_default());
        }
    }
}
