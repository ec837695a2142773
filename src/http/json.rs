//! Writes a GraphQL response as JSON: the same bytes `serde_json` writes, in less time.
//!
//! A film list is mostly long text. `serde_json` looks at every byte of a string through a
//! table to find those that need escaping; this writer looks at eight bytes at a time and
//! copies runs that need none in one go. `data` is written here; `extensions` and `errors`
//! (small, and shaped by async-graphql) go through `serde_json`.

use async_graphql::{Response, Value};

/// The response as JSON, exactly as `serde_json::to_vec(&response)` would write it.
pub fn response_to_vec(response: &Response) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(4096);
    out.extend_from_slice(b"{\"data\":");
    write_value(&mut out, &response.data)?;
    if !response.extensions.is_empty() {
        out.extend_from_slice(b",\"extensions\":");
        serde_json::to_writer(&mut out, &response.extensions)?;
    }
    if !response.errors.is_empty() {
        out.extend_from_slice(b",\"errors\":");
        serde_json::to_writer(&mut out, &response.errors)?;
    }
    out.push(b'}');
    Ok(out)
}

/// Appends `value` as JSON.
fn write_value(out: &mut Vec<u8>, value: &Value) -> serde_json::Result<()> {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Boolean(true) => out.extend_from_slice(b"true"),
        Value::Boolean(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => serde_json::to_writer(&mut *out, number)?,
        Value::String(text) => write_str(out, text),
        Value::Enum(name) => write_str(out, name),
        Value::Binary(bytes) => serde_json::to_writer(&mut *out, bytes.as_ref())?,
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item)?;
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(out, key);
                out.push(b':');
                write_value(out, item)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

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
fn write_str(out: &mut Vec<u8>, text: &str) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{Name, ServerError};
    use proptest::prelude::*;

    fn same_as_serde_json(response: &Response) {
        let ours = response_to_vec(response).unwrap_or_default();
        let theirs = serde_json::to_vec(response).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }

    #[test]
    fn escapes_as_serde_json_does() {
        let every_low_byte: String = (0u8..0x80).map(char::from).collect();
        for text in [
            String::new(),
            every_low_byte,
            "Song Liling «蝴蝶» 💔 \"quoted\" back\\slash\u{7f}\u{2028}".to_owned(),
            "exactly8".to_owned(),
            "seven\"\n".to_owned(),
        ] {
            same_as_serde_json(&Response::new(Value::String(text)));
        }
    }

    #[test]
    fn writes_every_kind_of_value_and_the_envelope() {
        let data = Value::from_json(serde_json::json!({
            "movies": [{ "title": "M. Butterfly", "year": 1993, "rank": 0.25, "up": true,
                         "down": false, "none": null, "empty": [], "nothing": {} }],
        }))
        .unwrap_or(Value::Null);
        let mut response = Response::new(data)
            .extension("cost", Value::from(12))
            .extension("trace", Value::Enum(Name::new("ON")));
        response.errors.push(ServerError::new("broken", None));
        same_as_serde_json(&response);
        same_as_serde_json(&Response::new(Value::Binary(vec![0, 1, 255].into())));
        same_as_serde_json(&Response::from_errors(vec![ServerError::new("x", None)]));
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Boolean),
            any::<i64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<String>().prop_map(Value::String),
            "[ -~\\x00-\\x1f\"\\\\]{0,40}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(Value::List),
                prop::collection::vec(("[a-z\"\\\\\\n]{0,6}", inner), 0..8).prop_map(|entries| {
                    Value::Object(
                        entries
                            .into_iter()
                            .map(|(k, v)| (Name::new(k), v))
                            .collect(),
                    )
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_value_is_written_as_serde_json_writes_it(data in value()) {
            same_as_serde_json(&Response::new(data));
        }
    }
}
