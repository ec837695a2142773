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

/// Writes the pending separator before `next`, where it separates two names or numbers (or
/// could join a sign or a dot to a number: `1 .5` is not `1.5`, nor `- 1` `-1`).
fn flush_space(out: &mut String, pending: &mut bool, next: char) {
    let word =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '"' | '.' | '-' | '+');
    if *pending && out.chars().last().is_some_and(word) && word(next) {
        out.push(' ');
    }
    *pending = false;
}

/// Where the string literal starting at `start` (a `"`) ends: one past its closing quote, or
/// past the line end or the query's end when it is never closed (the parser refuses such a
/// query anyway).
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
            // Unterminated: the line terminator is kept too, so that it still tells this
            // string apart from one that runs on to other text.
            b'\n' | b'\r' => return i + 1,
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

    /// GraphQL's lexical tokens of a text, as the spec reads them (the oracle of the property
    /// test below): ignored characters and comments dropped; anything the spec does not read
    /// as a token is kept as an `?` token of its own character.
    fn tokens(text: &str) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        let mut out = Vec::new();
        let mut i = 0;
        let name_start = |c: char| c.is_ascii_alphabetic() || c == '_';
        let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let starts_with = |i: usize, s: &str| {
            s.chars()
                .enumerate()
                .all(|(k, c)| chars.get(i + k) == Some(&c))
        };
        while i < chars.len() {
            let c = chars[i];
            match c {
                ' ' | '\t' | '\n' | '\r' | ',' | '\u{feff}' => i += 1,
                '#' => {
                    while i < chars.len() && chars[i] != '\n' && chars[i] != '\r' {
                        i += 1;
                    }
                }
                '.' if starts_with(i, "...") => {
                    out.push("...".into());
                    i += 3;
                }
                '!' | '$' | '&' | '(' | ')' | ':' | '=' | '@' | '[' | ']' | '{' | '|' | '}' => {
                    out.push(c.to_string());
                    i += 1;
                }
                '"' if starts_with(i, "\"\"\"") => {
                    let start = i;
                    i += 3;
                    loop {
                        if i >= chars.len() {
                            break;
                        } else if starts_with(i, "\\\"\"\"") {
                            i += 4;
                        } else if starts_with(i, "\"\"\"") {
                            i += 3;
                            break;
                        } else {
                            i += 1;
                        }
                    }
                    out.push(chars[start..i].iter().collect());
                }
                '"' => {
                    let start = i;
                    i += 1;
                    while i < chars.len() && chars[i] != '"' && chars[i] != '\n' {
                        i += if chars[i] == '\\' { 2 } else { 1 };
                    }
                    if i < chars.len() && chars[i] == '"' {
                        i += 1;
                    }
                    out.push(chars[start..i].iter().collect());
                }
                c if c == '-' || c.is_ascii_digit() => {
                    let start = i;
                    i += 1;
                    while i < chars.len()
                        && (chars[i].is_ascii_digit()
                            || matches!(chars[i], '.' | 'e' | 'E' | '+' | '-'))
                    {
                        i += 1;
                    }
                    out.push(chars[start..i].iter().collect());
                }
                c if name_start(c) => {
                    let start = i;
                    while i < chars.len() && name_char(chars[i]) {
                        i += 1;
                    }
                    out.push(chars[start..i].iter().collect());
                }
                other => {
                    out.push(format!("?{other}"));
                    i += 1;
                }
            }
        }
        out
    }

    /// Pieces documents are made of, chosen to meet at every edge the normaliser must keep:
    /// names and numbers that would merge, signs and dots that would join a number, strings
    /// and block strings holding separators, comments and quotes.
    const PIECES: &[&str] = &[
        "a",
        "b",
        "ab",
        "a1",
        "_",
        "on",
        "query",
        "{",
        "}",
        "(",
        ")",
        ":",
        "=",
        "@",
        "!",
        "$",
        "[",
        "]",
        "|",
        "...",
        ".",
        "1",
        "12",
        "-",
        "-1",
        "1.5",
        ".5",
        "5",
        "e5",
        "1e5",
        "+",
        "\"a b\"",
        "\"a#b\"",
        "\"a,b\"",
        "\"\\\"\"",
        "\"\"",
        "\"\"\"x  y\"\"\"",
        "\"\"\"a\\\"\"\"b\"\"\"",
        "\"",
    ];

    /// What may stand between two pieces.
    const GAPS: &[&str] = &[
        "",
        " ",
        ",",
        "\n",
        "\t",
        "  ",
        " # note\n",
        "\u{feff}",
        ", \n",
    ];

    fn render(parts: &[(usize, usize)]) -> String {
        parts
            .iter()
            .map(|&(piece, gap)| format!("{}{}", PIECES[piece], GAPS[gap]))
            .collect()
    }

    fn parts() -> impl proptest::strategy::Strategy<Value = Vec<(usize, usize)>> {
        proptest::collection::vec((0..PIECES.len(), 0..GAPS.len()), 0..10)
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(20_000))]

        /// Two documents that share a cache key are the same document: the same tokens in
        /// the same order. Pairs are drawn both at random and as one document laid out twice.
        #[test]
        fn documents_that_share_a_key_have_the_same_tokens(
            a in parts(),
            b in parts(),
            relayout in proptest::collection::vec(0..GAPS.len(), 10),
            same_pieces in proptest::bool::ANY,
        ) {
            let b: Vec<(usize, usize)> = if same_pieces {
                a.iter().zip(&relayout).map(|(&(piece, _), &gap)| (piece, gap)).collect()
            } else {
                b
            };
            let (a, b) = (render(&a), render(&b));
            if normalize_query(&a) == normalize_query(&b) {
                proptest::prop_assert_eq!(tokens(&a), tokens(&b), "{:?} and {:?}", a, b);
            }
        }
    }

    #[test]
    fn a_space_that_separates_tokens_is_kept() {
        // `1 .5` is an Int and a stray dot; `1.5` a Float. `- 1` is not `-1`.
        assert_ne!(
            normalize_query("{ f(a: 1 .5) }"),
            normalize_query("{ f(a: 1.5) }")
        );
        assert_ne!(
            normalize_query("{ f(a: - 1) }"),
            normalize_query("{ f(a: -1) }")
        );
        assert_ne!(normalize_query("{ a . b }"), normalize_query("{ a.b }"));
    }
}
