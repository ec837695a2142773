//! Who sent a request and what it is called: the bearer token, the client's address, and the
//! operation's name for the log and metrics.

use std::net::{IpAddr, SocketAddr};

use async_graphql::Request as GraphQLRequest;
use axum::extract::{ConnectInfo, Request};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::response::Response;

use crate::graphql::auth::Credentials;
use crate::http::request_log::GraphQLOutcome;

/// The bearer token of `Authorization: Bearer <token>`. Any other `Authorization` header
/// counts as an invalid token (so it fails loudly instead of reading as anonymous).
pub fn credentials(headers: &HeaderMap) -> Credentials {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Credentials::new(None);
    };
    let value = value.to_str().unwrap_or_default().trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => "",
    };
    Credentials::new(Some(token.to_owned()))
}

/// The client's address: the peer's, or with `trust_forwarded_for` (behind a proxy that sets
/// it) the last address in `X-Forwarded-For`.
pub fn client_address(request: &Request, trust_forwarded_for: bool) -> Option<IpAddr> {
    address_of(
        request.headers(),
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0),
        trust_forwarded_for,
    )
}

/// [`client_address`] from a request's headers and its peer.
pub fn address_of(
    headers: &HeaderMap,
    peer: Option<SocketAddr>,
    trust_forwarded_for: bool,
) -> Option<IpAddr> {
    if trust_forwarded_for
        && let Some(forwarded) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(forwarded);
    }
    peer.map(|peer| peer.ip())
}

/// The operation's name, for the log and metrics: the request's `operationName`, else the
/// name of a document's first operation (`query FilmPage { … }`), read without parsing.
pub fn operation_name(request: &GraphQLRequest) -> Option<String> {
    if let Some(name) = &request.operation_name {
        return Some(name.clone());
    }
    let mut rest = request
        .query
        .trim_start_matches(['\u{feff}', ' ', '\t', '\n', '\r', ',']);
    while rest.starts_with('#') {
        rest = rest
            .split_once('\n')
            .map_or("", |(_, after)| after)
            .trim_start_matches([' ', '\t', '\n', '\r', ',']);
    }
    let after_keyword = ["query", "mutation", "subscription"]
        .iter()
        .find_map(|keyword| rest.strip_prefix(keyword))?;
    let name_start = after_keyword.trim_start_matches([' ', '\t', '\n', '\r', ',']);
    if name_start.len() == after_keyword.len() {
        return None; // `queryX`: not the keyword
    }
    let name: String = name_start
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit())).then_some(name)
}

/// Names the operation on the outcome the request log reads.
pub fn named(mut response: Response, operation: Option<String>) -> Response {
    if let Some(outcome) = response.extensions_mut().get_mut::<GraphQLOutcome>() {
        outcome.operation = operation;
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(query: &str) -> Option<String> {
        operation_name(&GraphQLRequest::new(query))
    }

    #[test]
    fn the_operation_name_comes_from_the_document_when_not_given() {
        assert_eq!(name_of("query FilmPage { a }").as_deref(), Some("FilmPage"));
        assert_eq!(
            name_of("# comment\n  mutation Rename($x: Int) { a }").as_deref(),
            Some("Rename")
        );
        assert_eq!(name_of("{ a }"), None);
        assert_eq!(name_of("query { a }"), None);
        assert_eq!(name_of("queryX { a }"), None);
        let given = GraphQLRequest::new("query A { a }").operation_name("B");
        assert_eq!(operation_name(&given).as_deref(), Some("B"));
    }
}
