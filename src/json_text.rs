//! JSON text: strings written with the escapes `serde_json` uses, shared by the HTTP layer's
//! response writer (`http::json`) and the lists written straight to JSON
//! (`graphql::types::plain`).
//!
//! A film list is mostly long text. `serde_json` looks at every byte of a string through a
//! table to find those that need escaping; this writer looks at eight bytes at a time and
//! copies runs that need none in one go.

/// Eight copies of `byte`, one per byte of a word.
const fn repeated(byte: u8) -> u64 {
    u64::from_ne_bytes([byte; 8])
}

const ONES: u64 = repeated(0x01);
const HIGH_BITS: u64 = repeated(0x80);

/// Whether any byte of `word` is below 0x20, a quote or a backslash (what JSON escapes).
/// Exact, by the classic "has a zero byte" and "has a byte less than n" tricks.
fn needs_escape(word: u64) -> bool {
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGH_BITS != 0;
    let below_space = word.wrapping_sub(repeated(0x20)) & !word & HIGH_BITS != 0;
    below_space || has_zero(word ^ repeated(b'"')) || has_zero(word ^ repeated(b'\\'))
}

/// Appends `text` as a JSON string, escaped as `serde_json` escapes it: quote, backslash,
/// and the control characters below 0x20 (short forms where JSON has them, else `\u00xx`).
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(chunk) = bytes.get(i..i + 8) {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            if !needs_escape(u64::from_ne_bytes(word)) {
                i += 8;
                continue;
            }
        }
        let byte = bytes[i];
        let escaped: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..0x20 => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xf)],
            ],
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escaped);
        i += 1;
        start = i;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}
