//! Content negotiation for GraphQL over HTTP: which response media type the client accepts,
//! and whether a request body's media type is one we read.

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT, CONTENT_TYPE};

/// The response media types of the GraphQL-over-HTTP spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMedia {
    /// `application/graphql-response+json`: request errors get 4xx statuses.
    GraphQLResponseJson,
    /// `application/json`: the legacy type; request errors still get 200.
    Json,
}

impl ResponseMedia {
    /// The `Content-Type` header value.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphQLResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// The media type to answer with, from the `Accept` header: the client's most preferred of the
/// two (ties go to `application/graphql-response+json` when named); `application/json` when the
/// header is absent or says `*/*`; `None` when it accepts neither (406).
pub fn negotiate(headers: &HeaderMap) -> Option<ResponseMedia> {
    let Some(accept) = headers.get(ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(ResponseMedia::Json);
    };
    if accept.trim().is_empty() {
        return Some(ResponseMedia::Json);
    }
    let mut best: Option<(f32, u8, ResponseMedia)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if quality <= 0.0 {
            continue;
        }
        // Specificity breaks ties: an exact type beats `application/*`, which beats `*/*`.
        let candidate = match media.as_str() {
            "application/graphql-response+json" => (3, ResponseMedia::GraphQLResponseJson),
            "application/json" => (2, ResponseMedia::Json),
            "application/*" | "*/*" => (1, ResponseMedia::Json),
            _ => continue,
        };
        let better = match best {
            None => true,
            Some((q, s, _)) => quality > q || (quality == q && candidate.0 > s),
        };
        if better {
            best = Some((quality, candidate.0, candidate.1));
        }
    }
    best.map(|(_, _, media)| media)
}

/// Why a POST body's media type is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyMediaError {
    /// No `Content-Type` header.
    Missing,
    /// Not `application/json`, or a charset other than UTF-8.
    Unsupported(String),
}

/// Checks that a POST body is `application/json` in UTF-8 (the charset may be omitted).
pub fn check_body_media(headers: &HeaderMap) -> Result<(), BodyMediaError> {
    let value = headers
        .get(CONTENT_TYPE)
        .ok_or(BodyMediaError::Missing)?
        .to_str()
        .map_err(|_| BodyMediaError::Unsupported("(not text)".into()))?;
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    if media != "application/json" {
        return Err(BodyMediaError::Unsupported(value.to_owned()));
    }
    for param in parts {
        if let Some((name, charset)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("charset")
        {
            let charset = charset.trim().trim_matches('"');
            if !charset.eq_ignore_ascii_case("utf-8") && !charset.eq_ignore_ascii_case("utf8") {
                return Err(BodyMediaError::Unsupported(value.to_owned()));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> Option<ResponseMedia> {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")),
        );
        negotiate(&headers)
    }

    #[test]
    fn negotiates_per_spec() {
        use ResponseMedia::*;
        assert_eq!(negotiate(&HeaderMap::new()), Some(Json));
        assert_eq!(accept("*/*"), Some(Json));
        assert_eq!(accept("application/json"), Some(Json));
        assert_eq!(
            accept("application/graphql-response+json"),
            Some(GraphQLResponseJson)
        );
        assert_eq!(
            accept("application/graphql-response+json, application/json;q=0.9"),
            Some(GraphQLResponseJson)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(Json)
        );
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }

    #[test]
    fn body_must_be_utf8_json() {
        let with = |v: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(v));
            check_body_media(&headers)
        };
        assert_eq!(
            check_body_media(&HeaderMap::new()),
            Err(BodyMediaError::Missing)
        );
        assert!(with("application/json").is_ok());
        assert!(with("application/json; charset=utf-8").is_ok());
        assert!(with("application/json; charset=utf-16").is_err());
        assert!(with("text/plain").is_err());
    }
}
