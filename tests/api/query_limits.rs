//! Expensive and hostile queries are refused before any SQL runs, with an error that names the
//! limit and by how much, and the server keeps serving. Transport-level, so SQLite only.

use std::time::Instant;

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app};

const GQL: &str = "application/graphql-response+json";

/// The introspection query GraphiQL sends (graphql-js `getIntrospectionQuery`).
const INTROSPECTION: &str = r#"
query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) {
    name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }
}"#;

async fn app() -> TestApp {
    spawn_app(Backend::Sqlite).await.expect("a SQLite app")
}

/// Sends `query`, asserts it is refused as a request error over `limit`, and that the server
/// still answers a normal query afterwards.
async fn refused(app: &TestApp, query: &str, limit: &str) -> Value {
    let started = Instant::now();
    let response = app
        .post_json("/graphql", &json!({ "query": query }), GQL)
        .await;
    let elapsed = started.elapsed();
    let body = response.json();
    eprintln!("{limit}: refused in {elapsed:?}");
    assert_eq!(response.status, 400, "{body}");
    assert!(body.get("data").is_none(), "{body}");
    let extensions = &body["errors"][0]["extensions"];
    assert_eq!(extensions["code"], "QUERY_LIMIT_EXCEEDED", "{body}");
    assert_eq!(extensions["limit"], limit, "{body}");
    assert!(
        extensions["actual"].as_u64() > extensions["max"].as_u64(),
        "{body}"
    );
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("over"),
        "the message says by how much: {message}"
    );
    let data = app
        .query_data(r#"{ movie(slug: "m-butterfly") { title } }"#, json!({}))
        .await;
    assert_eq!(
        data["movie"]["title"], "M. Butterfly",
        "the server keeps serving"
    );
    body
}

#[tokio::test]
async fn graphiql_introspection_fits_the_default_limits() {
    let app = app().await;
    let body = app.graphql(INTROSPECTION, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    assert!(
        body["data"]["__schema"]["types"]
            .as_array()
            .is_some_and(|t| t.len() > 20)
    );
}

#[tokio::test]
async fn every_response_reports_its_cost() {
    let app = app().await;
    let body = app
        .graphql(
            "{ movies(first: 10) { edges { node { title sections { title } } } } }",
            json!({}),
        )
        .await;
    let cost = &body["extensions"]["cost"];
    assert_eq!(cost["depth"], 5, "{body}");
    assert_eq!(cost["maxComplexity"], 50_000);
    // movies: 1 + 10 × (edges 1 + node 1 + title 1 + sections (1 + 20 × title 1)).
    assert_eq!(cost["complexity"], 241);
    let small = app.graphql("{ __typename }", json!({})).await;
    assert_eq!(
        small["extensions"]["cost"]["complexity"], 0,
        "__typename is free"
    );
}

#[tokio::test]
async fn a_request_checked_before_is_checked_again_with_other_variables() {
    let app = app().await;
    let query = "query Films($first: Int) { movies(first: $first) { edges { node { title } } } }";
    for _ in 0..2 {
        let body = app.graphql(query, json!({ "first": 10 })).await;
        assert!(body.get("errors").is_none(), "{body}");
        // movies: 1 + 10 × (edges 1 + node 1 + title 1), the second time too.
        assert_eq!(body["extensions"]["cost"]["complexity"], 31, "{body}");
    }
    let body = app.graphql(query, json!({ "first": 2 })).await;
    assert_eq!(body["extensions"]["cost"]["complexity"], 7, "{body}");
    let response = app
        .post_json(
            "/graphql",
            &json!({ "query": query, "variables": { "first": "ten" } }),
            GQL,
        )
        .await;
    assert_eq!(response.status, 400, "{}", response.text);
    assert_eq!(
        response.json()["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    let response = app
        .post_json(
            "/graphql",
            &json!({ "query": query, "operationName": "Other", "variables": { "first": 10 } }),
            GQL,
        )
        .await;
    assert_eq!(response.status, 400, "{}", response.text);
}

#[tokio::test]
async fn a_hundred_aliases_of_a_deep_field() {
    let app = app().await;
    let fields: String = (0..100)
        .map(|i| format!(r#"a{i}: movie(slug: "m-butterfly") {{ characters {{ actor {{ roles {{ nodes {{ movie {{ title }} }} }} }} }} }} "#))
        .collect();
    refused(&app, &format!("{{ {fields} }}"), "aliases").await;
}

#[tokio::test]
async fn five_hundred_repeated_fields() {
    let app = app().await;
    let titles = "title ".repeat(500);
    let query = format!(
        r#"{{ movie(slug: "m-butterfly") {{ {titles} }} movies {{ edges {{ node {{ {titles} }} }} }} }}"#
    );
    refused(&app, &query, "fields").await;
}

#[tokio::test]
async fn nesting_forty_deep() {
    let app = app().await;
    let mut query = String::from("title");
    for _ in 0..20 {
        query = format!("characters {{ movie {{ {query} }} }}");
    }
    let query = format!(r#"{{ movie(slug: "m-butterfly") {{ {query} }} }}"#);
    refused(&app, &query, "depth").await;
}

#[tokio::test]
async fn too_complex() {
    let app = app().await;
    let query = "{ movies(first: 100) { edges { node { characters { actor { roles { nodes { movie { sections { title body } } } } } } } } } }";
    refused(&app, query, "complexity").await;
}

#[tokio::test]
async fn a_directive_repeated_a_thousand_times() {
    let app = app().await;
    let directives = "@include(if: true) ".repeat(1000);
    refused(
        &app,
        &format!("{{ __typename {directives} }}"),
        "directives",
    )
    .await;
}

#[tokio::test]
async fn a_fragment_that_fans_out_exponentially() {
    let app = app().await;
    let mut query = String::from("{ ...F0 }\n");
    for i in 0..50 {
        query.push_str(&format!(
            "fragment F{i} on Query {{ ...F{next} ...F{next} }}\n",
            next = i + 1
        ));
    }
    query.push_str("fragment F50 on Query { movies { edges { node { title } } } }");
    refused(&app, &query, "fields").await;
}

#[tokio::test]
async fn circular_fragments() {
    let app = app().await;
    let query = "{ ...A } fragment A on Query { movie(slug: \"x\") { ...B } } fragment B on Movie { characters { movie { ...B } } }";
    let response = app
        .post_json("/graphql", &json!({ "query": query }), GQL)
        .await;
    assert_eq!(response.status, 400, "{}", response.text);
    let body = response.json();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("`B` spreads itself")),
        "{body}"
    );
    let data = app.query_data("{ __typename }", json!({})).await;
    assert_eq!(data["__typename"], "Query");
}

#[tokio::test]
async fn a_long_query_text() {
    let app = app().await;
    let padding = " ".repeat(40 * 1024);
    refused(&app, &format!("{{ __typename {padding} }}"), "queryBytes").await;
}

#[tokio::test]
async fn a_three_megabyte_body_is_413() {
    let app = app().await;
    let body = json!({ "query": format!("{{ __typename }} #{}", "x".repeat(3 * 1024 * 1024)) });
    let response = app.post_json("/graphql", &body, GQL).await;
    assert_eq!(response.status, 413);
    let data = app.query_data("{ __typename }", json!({})).await;
    assert_eq!(data["__typename"], "Query");
}
