//! GraphQL over HTTP: status codes, media types, and clean errors for bad requests.

use serde_json::json;

use crate::helpers::TestApp;

const GQL: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

fn encode(query: &str) -> String {
    query
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn graphiql_and_playground_are_served(app: TestApp) {
    let page = app.get("/", "text/html").await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/html"));
    assert!(
        page.text.contains("graphiql"),
        "GraphiQL page: {}",
        page.text
    );
    assert!(page.text.contains("/graphql"));

    let page = app.get("/playground", "text/html").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("GraphQL Playground"));
}

async fn healthz_reports_the_database(app: TestApp) {
    let health = app.get("/healthz", "").await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json(), json!({ "status": "ok", "database": "up" }));
    let ready = app.get("/readyz", "").await;
    assert_eq!(
        (ready.status, ready.json()),
        (200, json!({ "status": "ready" }))
    );

    // A migration undone: alive, but not ready for traffic.
    use migration::MigratorTrait;
    migration::Migrator::down(app.db(), Some(1))
        .await
        .expect("undo a migration");
    let unready = app.get("/readyz", "").await;
    assert_eq!(unready.status, 503);
    assert_eq!(unready.json()["reason"], "1 migrations are not applied");
    assert_eq!(app.get("/healthz", "").await.status, 200);
}

async fn every_answer_carries_a_request_id(app: TestApp) {
    let first = app.get("/healthz", "").await;
    let second = app.get("/healthz", "").await;
    let (a, b) = (first.header("x-request-id"), second.header("x-request-id"));
    assert!(!a.is_empty() && a != b, "{a} {b}");
    let echoed = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "trace-42")
        .send()
        .await
        .expect("server answers");
    assert_eq!(
        echoed
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("trace-42")
    );
    let odd = app
        .client
        .get(format!("{}/healthz", app.address))
        .header("x-request-id", "no spaces or <tags> please")
        .send()
        .await
        .expect("server answers");
    let replaced = odd
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(replaced.starts_with("req-"), "{replaced}");
}

async fn metrics_count_requests_and_statements(app: TestApp) {
    let read = |text: &str, name: &str| -> u64 {
        text.lines()
            .find_map(|line| line.strip_prefix(&format!("{name} ")))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(u64::MAX)
    };
    let before = app.get("/metrics", "").await;
    assert_eq!(before.status, 200);
    app.query_data(
        r#"{ movie(slug: "m-butterfly") { title sections { title } } }"#,
        json!({}),
    )
    .await;
    let after = app.get("/metrics", "").await;
    let requests = read(&after.text, "filmserver_graphql_requests_total")
        - read(&before.text, "filmserver_graphql_requests_total");
    let statements = read(&after.text, "filmserver_sql_statements_total")
        - read(&before.text, "filmserver_sql_statements_total");
    assert_eq!((requests, statements), (1, 2), "{}", after.text);
}

async fn post_answers_in_the_accepted_media_type(app: TestApp) {
    let body = json!({ "query": "{ movie(slug: \"m-butterfly\") { title } }" });
    for (accept, expected) in [(GQL, GQL), (JSON, JSON), ("*/*", JSON), ("", JSON)] {
        let response = app.post_json("/graphql", &body, accept).await;
        assert_eq!(response.status, 200, "Accept: {accept}");
        assert!(
            response.header("content-type").starts_with(expected),
            "Accept: {accept} gave {}",
            response.header("content-type")
        );
        assert!(response.header("content-type").contains("charset=utf-8"));
        assert_eq!(response.header("vary"), "Accept, Authorization");
        assert_eq!(
            response.json()["data"],
            json!({ "movie": { "title": "M. Butterfly" } })
        );
    }
    let refused = app.post_json("/graphql", &body, "text/html").await;
    assert_eq!(refused.status, 406);
}

async fn get_runs_queries_with_variables(app: TestApp) {
    let query = encode("query One($slug: String!) { movie(slug: $slug) { releaseYear } }");
    let variables = encode(r#"{"slug":"m-butterfly"}"#);
    let response = app
        .get(
            &format!("/graphql?query={query}&variables={variables}&operationName=One"),
            GQL,
        )
        .await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.json()["data"],
        json!({ "movie": { "releaseYear": 1993 } })
    );
}

async fn mutation_over_get_is_405(app: TestApp) {
    let response = app
        .get(
            &format!("/graphql?query={}", encode("mutation { __typename }")),
            GQL,
        )
        .await;
    assert_eq!(response.status, 405);
    assert_eq!(response.header("allow"), "POST");
    assert_eq!(
        response.json()["errors"][0]["extensions"]["code"],
        "BAD_REQUEST"
    );
}

async fn malformed_query_is_a_request_error(app: TestApp) {
    let body = json!({ "query": "{ movie(slug: " });
    let strict = app.post_json("/graphql", &body, GQL).await;
    assert_eq!(strict.status, 400);
    let error = strict.json();
    assert!(
        error.get("data").is_none(),
        "a request error has no data: {error}"
    );
    assert_eq!(
        error["errors"][0]["extensions"]["code"],
        "GRAPHQL_PARSE_FAILED"
    );

    let legacy = app.post_json("/graphql", &body, JSON).await;
    assert_eq!(legacy.status, 200);
    assert!(legacy.json().get("data").is_none());
    assert_eq!(
        legacy.json()["errors"][0]["extensions"]["code"],
        "GRAPHQL_PARSE_FAILED"
    );
}

async fn unknown_field_is_a_validation_error(app: TestApp) {
    let body = json!({ "query": "{ movie(slug: \"m-butterfly\") { budget } }" });
    let response = app.post_json("/graphql", &body, GQL).await;
    assert_eq!(response.status, 400);
    let error = response.json();
    assert!(error.get("data").is_none());
    assert_eq!(
        error["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    assert!(
        error["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("budget"))
    );
}

async fn bad_variable_is_a_request_error(app: TestApp) {
    let body = json!({
        "query": "query($slug: String!) { movie(slug: $slug) { title } }",
        "variables": { "slug": 42 }
    });
    let response = app.post_json("/graphql", &body, GQL).await;
    assert_eq!(response.status, 400, "{}", response.text);
    assert!(response.json().get("data").is_none());
    assert!(response.json()["errors"][0]["extensions"]["code"].is_string());

    let missing = json!({ "query": "query($slug: String!) { movie(slug: $slug) { title } }" });
    let response = app.post_json("/graphql", &missing, JSON).await;
    assert_eq!(response.status, 200);
    assert!(response.json().get("data").is_none(), "{}", response.text);
}

async fn bodies_that_are_not_graphql_requests_are_400(app: TestApp) {
    for body in [
        &b"this is not json"[..],
        b"",
        b"{\"query\": 42}",
        b"{\"qeury\": \"{ __typename }\"}",
        b"[{\"query\": \"{ __typename }\"}]",
        b"{\"query\": \"{ __typename }\", \"variables\": \"nope\"}",
    ] {
        for accept in [GQL, JSON] {
            let response = app
                .post_raw("/graphql", Some("application/json"), accept, body.to_vec())
                .await;
            assert_eq!(
                response.status,
                400,
                "body {:?} with {accept}: {}",
                String::from_utf8_lossy(body),
                response.text
            );
            let error = response.json();
            assert_eq!(error["errors"][0]["extensions"]["code"], "BAD_REQUEST");
            assert!(error.get("data").is_none());
        }
    }
}

async fn wrong_content_type_is_415(app: TestApp) {
    let body = br#"{"query":"{ __typename }"}"#.to_vec();
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/json; charset=utf-16"),
    ] {
        let response = app
            .post_raw("/graphql", content_type, GQL, body.clone())
            .await;
        assert_eq!(response.status, 415, "{content_type:?}");
        assert_eq!(
            response.json()["errors"][0]["extensions"]["code"],
            "BAD_REQUEST"
        );
    }
    let ok = app
        .post_raw(
            "/graphql",
            Some("application/json; charset=UTF-8"),
            GQL,
            body,
        )
        .await;
    assert_eq!(ok.status, 200);
}

async fn oversized_body_is_413(app: TestApp) {
    let padding = "a".repeat(app.state.max_body_bytes + 1);
    let body = json!({ "query": format!("{{ __typename }} # {padding}") });
    let response = app.post_json("/graphql", &body, GQL).await;
    assert_eq!(response.status, 413);
    assert_eq!(
        response.json()["errors"][0]["extensions"]["code"],
        "PAYLOAD_TOO_LARGE"
    );
    // And the server keeps serving.
    let data = app.query_data("{ __typename }", json!({})).await;
    assert_eq!(data["__typename"], "Query");
}

async fn field_errors_keep_data_and_status_200(app: TestApp) {
    let body = json!({ "query": "{ movie(slug: \"m-butterfly\") { title } movies(first: 1000) { totalCount } }" });
    let response = app.post_json("/graphql", &body, GQL).await;
    assert_eq!(response.status, 200);
    let body = response.json();
    assert_eq!(body["data"]["movie"]["title"], "M. Butterfly");
    assert_eq!(body["data"]["movies"], serde_json::Value::Null);
    assert_eq!(body["errors"][0]["path"], json!(["movies"]));
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["extensions"]["field"], "first");
}

async fn response_fields_come_in_query_order(app: TestApp) {
    let body = json!({ "query": r#"{ movie(slug: "m-butterfly") {
        themes { name } title characters { actor { slug name } name } releaseYear plot
        ...Extra slug } }
        fragment Extra on Movie { period { endYear startYear } sections { body title } }"# });
    let response = app.post_json("/graphql", &body, GQL).await;
    let data = response.json();
    let movie = &data["data"]["movie"];
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    assert_eq!(
        keys(movie),
        [
            "themes",
            "title",
            "characters",
            "releaseYear",
            "plot",
            "period",
            "sections",
            "slug"
        ]
    );
    assert_eq!(keys(&movie["characters"][0]), ["actor", "name"]);
    assert_eq!(keys(&movie["characters"][0]["actor"]), ["slug", "name"]);
    assert_eq!(keys(&movie["period"]), ["endYear", "startYear"]);
    assert_eq!(keys(&movie["sections"][0]), ["body", "title"]);
}

/// Connections, top-level and nested, with a field that waits on the database (`totalCount`)
/// asked before those that do not.
async fn connection_fields_come_in_query_order(app: TestApp) {
    let data = app
        .query_data(
            r#"{ people(first: 2) { totalCount pageInfo { hasNextPage endCursor }
                 edges { node { roles(first: 1) { totalCount nodes { name } edges { cursor } }
                                name } cursor } } }"#,
            json!({}),
        )
        .await;
    let keys = |v: &serde_json::Value| -> Vec<String> {
        v.as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    };
    let people = &data["people"];
    assert_eq!(keys(people), ["totalCount", "pageInfo", "edges"], "{data}");
    assert_eq!(keys(&people["pageInfo"]), ["hasNextPage", "endCursor"]);
    let edge = &people["edges"][0];
    assert_eq!(keys(edge), ["node", "cursor"], "{data}");
    assert_eq!(keys(&edge["node"]), ["roles", "name"]);
    assert_eq!(
        keys(&edge["node"]["roles"]),
        ["totalCount", "nodes", "edges"],
        "{data}"
    );
}

crate::on_both_backends!(
    every_answer_carries_a_request_id,
    metrics_count_requests_and_statements,
    response_fields_come_in_query_order,
    connection_fields_come_in_query_order,
    graphiql_and_playground_are_served,
    healthz_reports_the_database,
    post_answers_in_the_accepted_media_type,
    get_runs_queries_with_variables,
    mutation_over_get_is_405,
    malformed_query_is_a_request_error,
    unknown_field_is_a_validation_error,
    bad_variable_is_a_request_error,
    bodies_that_are_not_graphql_requests_are_400,
    wrong_content_type_is_415,
    oversized_body_is_413,
    field_errors_keep_data_and_status_200,
);

/// Production settings: no GraphiQL, no introspection, no field suggestions.
#[tokio::test]
async fn graphiql_and_introspection_can_be_turned_off() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, |config| {
        config.graphiql = false;
        config.introspection = false;
    })
    .await
    .expect("a SQLite app");
    assert_eq!(app.get("/", "text/html").await.status, 404);
    assert_eq!(app.get("/playground", "text/html").await.status, 404);
    assert_eq!(app.get("/assets/nothing-to-see.js", "").await.status, 404);
    let introspection = app
        .graphql("{ __schema { types { name } } }", json!({}))
        .await;
    assert!(
        introspection.get("errors").is_some() || introspection["data"]["__schema"].is_null(),
        "{introspection}"
    );
    assert!(
        !introspection.to_string().contains("\"Movie\""),
        "{introspection}"
    );
    let typo = app
        .graphql(r#"{ movie(slug: "m-butterfly") { titel } }"#, json!({}))
        .await;
    let message = typo["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        message.contains("titel") && !message.contains("Did you mean"),
        "{message}"
    );
    let data = app
        .query_data(r#"{ movie(slug: "m-butterfly") { title } }"#, json!({}))
        .await;
    assert_eq!(data["movie"]["title"], "M. Butterfly");
}
