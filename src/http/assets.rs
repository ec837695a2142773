//! The vendored browser assets (GraphiQL, its explorer plugin, Playground), embedded in the
//! binary and served from the server's own origin, so the IDE pages work with no network and
//! run no code from anyone else's.
//!
//! `assets/dist/` holds them, built by `scripts/refresh-assets.sh` from pinned npm packages,
//! each listed with its SHA-256 in `assets/SHA256SUMS`; `build.rs` embeds exactly those files.
//! Every asset but the two pages is named by its content hash, so it is served as immutable
//! for a year; the pages are revalidated on every load and carry a Content-Security-Policy that
//! admits only this origin.

use axum::body::Body;
use axum::extract::Path;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, ETAG, IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Every embedded file: name under `assets/dist/`, its recorded SHA-256 (hex), its bytes.
pub static FILES: &[(&str, &str, &[u8])] =
    include!(concat!(env!("OUT_DIR"), "/vendored_assets.rs"));

/// The page GraphiQL runs in (served at `/`).
const GRAPHIQL_PAGE: &str = "graphiql.html";
/// The page Playground runs in (served at `/playground`).
const PLAYGROUND_PAGE: &str = "playground.html";

/// What the IDE pages may load and do: scripts, fonts, workers and requests from this origin
/// only. Styles may also be inline because both IDEs set element styles from script (React
/// style props, Monaco's and styled-components' `<style>` elements).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; \
     connect-src 'self'; worker-src 'self'; object-src 'none'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'self'";

/// How long browsers and CDNs keep a content-hashed asset: a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// GraphiQL, pointed at `/graphql`.
pub async fn graphiql(headers: HeaderMap) -> Response {
    page(GRAPHIQL_PAGE, &headers)
}

/// GraphQL Playground, pointed at `/graphql`.
pub async fn playground(headers: HeaderMap) -> Response {
    page(PLAYGROUND_PAGE, &headers)
}

/// One content-hashed asset under `/assets/`.
pub async fn asset(Path(name): Path<String>, headers: HeaderMap) -> Response {
    if name == GRAPHIQL_PAGE || name == PLAYGROUND_PAGE || name.ends_with(".gz") {
        return StatusCode::NOT_FOUND.into_response();
    }
    match find(&name) {
        Some(file) => serve(file, &headers, IMMUTABLE, false),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn page(name: &str, headers: &HeaderMap) -> Response {
    match find(name) {
        Some(file) => serve(file, headers, "no-cache", true),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// An embedded file by name.
fn find(name: &str) -> Option<&'static (&'static str, &'static str, &'static [u8])> {
    FILES.iter().find(|(file, _, _)| *file == name)
}

/// The file's answer: `304` when the client holds these bytes already, its gzip twin when one
/// is embedded and the client takes gzip, else the bytes themselves.
fn serve(
    &(name, sha256, bytes): &'static (&'static str, &'static str, &'static [u8]),
    headers: &HeaderMap,
    cache_control: &'static str,
    is_page: bool,
) -> Response {
    let etag = format!("\"{sha256}\"");
    let mut answer = if if_none_match(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let gzipped = accepts_gzip(headers)
            .then(|| find(&format!("{name}.gz")))
            .flatten();
        match gzipped {
            Some(&(_, _, gz)) => {
                let mut answer = Body::from(gz).into_response();
                answer
                    .headers_mut()
                    .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                answer
            }
            None => Body::from(bytes).into_response(),
        }
    };
    let out = answer.headers_mut();
    out.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(name)));
    out.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    out.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(ETAG, value);
    }
    out.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    if is_page {
        for (header, value) in [
            ("content-security-policy", CONTENT_SECURITY_POLICY),
            ("x-frame-options", "DENY"),
            ("referrer-policy", "no-referrer"),
            ("cross-origin-opener-policy", "same-origin"),
            (
                "permissions-policy",
                "camera=(), microphone=(), geolocation=()",
            ),
        ] {
            out.insert(
                HeaderName::from_static(header),
                HeaderValue::from_static(value),
            );
        }
    }
    answer
}

/// The comma-separated items of every `name` header.
fn list_items(headers: &HeaderMap, name: HeaderName) -> impl Iterator<Item = &str> {
    headers
        .get_all(name)
        .into_iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
}

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    list_items(headers, IF_NONE_MATCH).any(|tag| {
        let tag = tag.trim();
        tag == "*" || tag.trim_start_matches("W/") == etag
    })
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    list_items(headers, ACCEPT_ENCODING).any(|coding| {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|param| {
            param
                .trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q == 0.0)
        });
        name.eq_ignore_ascii_case("gzip") && !refused
    })
}

/// The media type of a file, by its extension.
fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "ttf" => "font/ttf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn every_embedded_file_matches_its_recorded_checksum() {
        assert!(find(GRAPHIQL_PAGE).is_some() && find(PLAYGROUND_PAGE).is_some());
        for (name, sha256, bytes) in FILES {
            assert_eq!(hex::encode(Sha256::digest(bytes)), *sha256, "{name}");
        }
    }

    #[test]
    fn gzip_is_taken_unless_refused() {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("br, gzip;q=0.8"));
        assert!(accepts_gzip(&headers));
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("gzip;q=0, br"));
        assert!(!accepts_gzip(&headers));
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_static("identity"));
        assert!(!accepts_gzip(&headers));
    }
}
