//! Writes a GraphQL response as JSON: the same bytes `serde_json` writes, in less time.
//!
//! A film list is mostly long text, which `serde_json` escapes byte by byte; strings here go
//! through [`write_str`](crate::json_text::write_str), which checks whole runs at a time.
//! `data` is written here; `extensions` and `errors`
//! (small, and shaped by async-graphql) go through `serde_json`. A binary value in `data` is
//! JSON text written ahead (`graphql::types::plain::WrittenAsJson`) and is copied as it is.

use async_graphql::{Response, Value};

use crate::json_text::write_str;

/// The response as JSON, exactly as `serde_json::to_vec(&response)` would write it.
pub fn response_to_vec(response: &Response) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(estimated_len(&response.data) + 256);
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

/// About how many bytes `value` takes as JSON: exact for JSON text written ahead and for
/// texts without escapes, a guess for the rest. The buffer is then allocated once; grown by
/// doubling, a film list's 145 KB were copied some six times on the way.
fn estimated_len(value: &Value) -> usize {
    match value {
        Value::Binary(json) => json.len(),
        Value::String(text) => text.len() + 2,
        Value::Enum(name) => name.len() + 2,
        Value::List(items) => {
            items
                .iter()
                .map(|item| estimated_len(item) + 1)
                .sum::<usize>()
                + 2
        }
        Value::Object(map) => {
            map.iter()
                .map(|(key, item)| key.len() + 4 + estimated_len(item))
                .sum::<usize>()
                + 2
        }
        Value::Null | Value::Boolean(_) | Value::Number(_) => 8,
    }
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
        // JSON text already (a plain list, `graphql::types::plain::WrittenAsJson`): no type of
        // the schema answers with binary data.
        Value::Binary(json) => out.extend_from_slice(json),
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
        same_as_serde_json(&Response::from_errors(vec![ServerError::new("x", None)]));
    }

    #[test]
    fn json_text_written_ahead_is_copied_as_it_is() {
        let list = br#"[{"title":"Act \"One\""},{"title":null}]"#;
        let data = Value::from_json(serde_json::json!({ "movie": { "sections": null } }))
            .unwrap_or(Value::Null);
        let Value::Object(mut root) = data else {
            panic!("an object");
        };
        let mut movie = async_graphql::indexmap::IndexMap::new();
        movie.insert(Name::new("sections"), Value::Binary(list.to_vec().into()));
        root.insert(Name::new("movie"), Value::Object(movie));
        let written = response_to_vec(&Response::new(Value::Object(root))).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&written),
            r#"{"data":{"movie":{"sections":[{"title":"Act \"One\""},{"title":null}]}}}"#
        );
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
