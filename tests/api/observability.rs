//! Seeing what happens: Prometheus metrics by operation and outcome with a latency histogram
//! and pool figures, and JSON request logs (from the real binary) that name the operation and
//! the error code, and never a token.

use std::io::Read;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::helpers::{Backend, free_port, spawn_app, wait_until_up};

#[tokio::test]
async fn metrics_count_requests_by_operation_and_outcome() {
    let app = spawn_app(Backend::Sqlite).await.expect("a SQLite app");
    app.graphql(
        r#"query Page { movie(slug: "m-butterfly") { title } }"#,
        json!({}),
    )
    .await;
    app.graphql(
        "query TooMany { movies(first: 1000) { edges { node { title } } } }",
        json!({}),
    )
    .await;
    app.graphql(
        "{ movies(first: 1) { edges { node { title } } } }",
        json!({}),
    )
    .await;
    let metrics = app.get("/metrics", "text/plain").await.text;
    for line in [
        r#"filmserver_graphql_requests_by_outcome_total{operation="Page",outcome="OK"} 1"#,
        r#"filmserver_graphql_requests_by_outcome_total{operation="TooMany",outcome="BAD_USER_INPUT"} 1"#,
        r#"filmserver_graphql_requests_by_outcome_total{operation="anonymous",outcome="OK"} 1"#,
        r#"filmserver_graphql_request_duration_seconds_count 3"#,
        r#"filmserver_graphql_request_duration_seconds_bucket{le="+Inf"} 3"#,
        "filmserver_database_up 1",
        "filmserver_db_pool_max_connections 5",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in:\n{metrics}");
    }
    let open: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("filmserver_db_pool_connections "))
        .and_then(|v| v.parse().ok())
        .expect("pool connections");
    assert!((1..=5).contains(&open), "{open}");
}

#[tokio::test]
async fn json_logs_name_the_operation_and_error_code_and_never_the_token() {
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let mut server = Command::new(env!("CARGO_BIN_EXE_filmserver"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--sqlite-path")
        .arg(dir.path().join("films.db"))
        .env_remove("DATABASE_URL")
        .env("LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the server starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    wait_until_up(&client, &base).await;

    let secret = "fcs_this-token-must-never-be-logged";
    let page = client
        .post(format!("{base}/graphql"))
        .header("content-type", "application/json")
        .header("x-request-id", "film-page-1")
        .body(
            json!({ "query": r#"query FilmPage { movie(slug: "m-butterfly") { title } }"# })
                .to_string(),
        )
        .send()
        .await
        .expect("answer");
    assert_eq!(page.status(), 200);
    let refused = client
        .post(format!("{base}/graphql"))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {secret}"))
        .body(
            json!({ "query": r#"mutation Rename { createPerson(input: { name: "X" }) { name } }"# })
                .to_string(),
        )
        .send()
        .await
        .expect("answer");
    assert_eq!(refused.status(), 200);

    // Stop it and read everything it logged.
    let _ = server.kill();
    let mut logs = String::new();
    if let Some(mut stderr) = server.stderr.take() {
        stderr.read_to_string(&mut logs).expect("read logs");
    }
    let _ = server.wait();
    assert!(!logs.contains(secret), "a token was logged:\n{logs}");
    assert!(!logs.contains("this-token"), "a token was logged:\n{logs}");

    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}")))
        .collect();
    let request = |operation: &str| {
        lines
            .iter()
            .find(|l| l["fields"]["message"] == "request" && l["fields"]["operation"] == operation)
            .unwrap_or_else(|| panic!("no request line for {operation}:\n{logs}"))
            .clone()
    };
    let page = request("FilmPage");
    assert_eq!(page["fields"]["request_id"], "film-page-1");
    assert_eq!(page["fields"]["status"], 200);
    assert_eq!(page["fields"]["error_code"], "-");
    assert_eq!(page["level"], "INFO");
    assert!(page["fields"]["duration_ms"].as_f64().is_some());
    let rename = request("Rename");
    assert_eq!(rename["fields"]["error_code"], "UNAUTHENTICATED");
    assert!(
        rename["fields"]["request_id"]
            .as_str()
            .is_some_and(|id| id.starts_with("req-"))
    );
}
