//! The cache key of a request: its query with insignificant characters (whitespace, commas,
//! comments) dropped, its operation name, and its variables with object keys sorted, hashed.
//! Two requests with the same key always get the same answer.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::store::EntryKey;

/// The key of a request.
pub fn entry_key(query: &str, operation_name: Option<&str>, variables: &Value) -> EntryKey {
    let mut hasher = Sha256::new();
    hasher.update(normalize_query(query).as_bytes());
    hasher.update([0]);
    hasher.update(operation_name.unwrap_or_default().as_bytes());
    hasher.update([0]);
    hasher.update(canonical_json(variables).as_bytes());
    hasher.finalize().into()
}

/// The query with comments dropped and every run of ignored characters (whitespace, line
/// terminators, commas) reduced to one space, or to nothing beside punctuation. String
/// literals, block strings included, are kept byte for byte.
pub fn normalize_query(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut chars = query.char_indices().peekable();
    let mut pending_space = false;
    while let Some((at, c)) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' | ',' | '\u{feff}' => pending_space = true,
            '#' => {
                while chars.next_if(|&(_, c)| c != '\n' && c != '\r').is_some() {}
                pending_space = true;
            }
            '"' => {
                flush_space(&mut out, &mut pending_space, c);
                let end = string_end(query, at);
                out.push_str(&query[at..end]);
                while chars.next_if(|&(i, _)| i < end).is_some() {}
            }
            _ => {
                flush_space(&mut out, &mut pending_space, c);
                out.push(c);
            }
        }
    }
    out
}

/// Writes the pending separator before `next`, where it separates two names or numbers.
fn flush_space(out: &mut String, pending: &mut bool, next: char) {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '"';
    if *pending && out.chars().last().is_some_and(word) && word(next) {
        out.push(' ');
    }
    *pending = false;
}

/// Where the string literal starting at `start` (a `"`) ends: one past its closing quote, or
/// the end of the query when it is never closed (the parser refuses such a query anyway).
fn string_end(query: &str, start: usize) -> usize {
    let bytes = query.as_bytes();
    if bytes[start..].starts_with(b"\"\"\"") {
        let mut i = start + 3;
        while i < bytes.len() {
            if bytes[i..].starts_with(b"\\\"\"\"") {
                i += 4;
            } else if bytes[i..].starts_with(b"\"\"\"") {
                return i + 3;
            } else {
                i += 1;
            }
        }
        return bytes.len();
    }
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' | b'\r' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// JSON with every object's keys in sorted order, so `{"a":1,"b":2}` and `{"b":2,"a":1}` agree.
fn canonical_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let inner: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical_json(v)))
                .collect();
            format!("{{{}}}", inner.join(","))
        }
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(canonical_json).collect();
            format!("[{}]", inner.join(","))
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout_and_comments_do_not_change_the_key() {
        let a = "query Page($slug: String!) { movie(slug: $slug) { title, releaseYear } }";
        let b =
            "query Page($slug:String!){\n  # the film\n  movie(slug:$slug){title releaseYear}\n}";
        assert_eq!(normalize_query(a), normalize_query(b));
        assert_eq!(
            normalize_query(a),
            "query Page($slug:String!){movie(slug:$slug){title releaseYear}}"
        );
    }

    #[test]
    fn strings_are_kept_as_written() {
        let q = r#"{ search(query: "red  guards, # not a comment \" x") { totalCount } }"#;
        assert_eq!(
            normalize_query(q),
            r#"{search(query:"red  guards, # not a comment \" x"){totalCount}}"#
        );
        let block = "{ a(t: \"\"\"two  spaces \\\"\"\" here\"\"\") }";
        assert_eq!(
            normalize_query(block),
            "{a(t:\"\"\"two  spaces \\\"\"\" here\"\"\")}"
        );
    }

    #[test]
    fn text_beyond_ascii_is_kept_whole() {
        let q = "{ search(query: \"尊龍 ⚖\u{fe0f} \\\"\") { a } } # é";
        assert_eq!(
            normalize_query(q),
            "{search(query:\"尊龍 ⚖\u{fe0f} \\\"\"){a}}"
        );
        let unclosed = "{ a(t: \"\"\"é";
        assert_eq!(normalize_query(unclosed), "{a(t:\"\"\"é");
    }

    #[test]
    fn different_queries_get_different_keys() {
        let vars = json!({});
        assert_ne!(
            entry_key("{ movie(slug: \"a\") { title } }", None, &vars),
            entry_key("{ movie(slug: \"b\") { title } }", None, &vars)
        );
        assert_ne!(
            entry_key("{ a }", Some("A"), &vars),
            entry_key("{ a }", Some("B"), &vars)
        );
        assert_ne!(
            entry_key("{ ab }", None, &vars),
            entry_key("{ a b }", None, &vars)
        );
    }

    #[test]
    fn variable_order_does_not_change_the_key_but_values_do() {
        let q = "query($a: Int, $b: Int) { x }";
        assert_eq!(
            entry_key(q, None, &json!({"a": 1, "b": {"c": 2, "d": 3}})),
            entry_key(q, None, &json!({"b": {"d": 3, "c": 2}, "a": 1}))
        );
        assert_ne!(
            entry_key(q, None, &json!({"a": 1})),
            entry_key(q, None, &json!({"a": 2}))
        );
    }
}
