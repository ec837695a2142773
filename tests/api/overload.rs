//! Overload: past the concurrency limit requests are shed with 503 and Retry-After; an
//! operation over the time limit is cancelled with 503 TIMEOUT; the server serves on.

use std::time::Duration;

use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

use crate::helpers::{Backend, spawn_app_with};

/// The only request slot is held by a query stuck behind a lock (arranged by the test on
/// PostgreSQL); a slow body would not do, since bodies are read before a slot is taken.
#[tokio::test]
async fn requests_past_the_concurrency_limit_are_shed() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let Some(app) = spawn_app_with(Backend::Postgres, |config| {
        config.max_concurrent_requests = 1;
        config.response_cache_mb = 0;
    })
    .await
    else {
        return;
    };
    let lock = app.db().begin().await.expect("begin");
    lock.execute_unprepared("LOCK TABLE movie IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock the films");
    let holder = {
        let client = app.client.clone();
        let url = format!("{}/graphql", app.address);
        tokio::spawn(async move {
            client
                .post(url)
                .header("content-type", "application/json")
                .body(json!({ "query": r#"{ movie(slug: "m-butterfly") { title } }"# }).to_string())
                .send()
                .await
                .map(|response| response.status().as_u16())
        })
    };
    // Poll until the holder has the slot: a shed answer proves it.
    let mut shed = None;
    for _ in 0..100 {
        let answer = app
            .post_json(
                "/graphql",
                &json!({ "query": "{ __typename }" }),
                "application/graphql-response+json",
            )
            .await;
        if answer.status == 503 {
            shed = Some(answer);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let shed = shed.expect("a request past the limit is shed");
    assert_eq!(shed.header("retry-after"), "1");
    assert_eq!(
        shed.header("content-type"),
        "application/graphql-response+json; charset=utf-8",
        "the shed answer follows Accept"
    );
    assert_eq!(shed.header("vary"), "Accept, Authorization");
    assert_eq!(
        shed.json()["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );
    lock.rollback().await.expect("release the lock");
    assert_eq!(holder.await.expect("the holder ends").ok(), Some(200));
    let data = app.query_data("{ __typename }", json!({})).await;
    assert_eq!(data["__typename"], "Query", "the slot is free again");
}

/// A query stuck behind a lock (arranged by the test on PostgreSQL) outlives the request
/// timeout: the client gets 503 TIMEOUT at once, and PostgreSQL cancels the statement itself.
#[tokio::test]
async fn an_operation_over_the_time_limit_is_cancelled_with_its_sql() {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let Some(app) =
        spawn_app_with(Backend::Postgres, |config| config.request_timeout_ms = 300).await
    else {
        return;
    };
    let lock = app.db().begin().await.expect("begin");
    lock.execute_unprepared("LOCK TABLE movie IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock the films");
    let started = std::time::Instant::now();
    let response = app
        .post_json(
            "/graphql",
            &json!({ "query": r#"{ movie(slug: "m-butterfly") { title } }"# }),
            "application/json",
        )
        .await;
    assert_eq!(response.status, 503, "{}", response.text);
    assert_eq!(
        response.json()["errors"][0]["extensions"]["code"],
        "TIMEOUT"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // PostgreSQL's statement_timeout is the request timeout plus a second.
    tokio::time::sleep(Duration::from_millis(1_600)).await;
    let waiting = lock
        .query_one_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()",
        ))
        .await
        .expect("query pg_stat_activity")
        .and_then(|row| row.try_get_by_index::<i64>(0).ok());
    assert_eq!(
        waiting,
        Some(0),
        "the cancelled query still waits in PostgreSQL"
    );
    lock.rollback().await.expect("release the lock");
    let data = app
        .query_data(r#"{ movie(slug: "m-butterfly") { title } }"#, json!({}))
        .await;
    assert_eq!(
        data["movie"]["title"], "M. Butterfly",
        "the server serves on"
    );
}

#[tokio::test]
async fn a_client_dribbling_its_headers_is_dropped() {
    use tokio::io::AsyncReadExt;
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.header_read_timeout_secs = 1
    })
    .await
    .expect("a SQLite app");
    let address = app.address.trim_start_matches("http://").to_owned();
    let mut slow = TcpStream::connect(&address).await.expect("connect");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        .await
        .expect("write a first header");
    // The rest never comes: the server must close the connection (it may answer 408 first).
    let mut answer = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(20), slow.read_to_end(&mut answer))
        .await
        .expect("the server closed the connection instead of waiting forever");
    assert!(closed.is_ok() || answer.is_empty());
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    // And it serves everyone else as before.
    assert_eq!(app.get("/healthz", "").await.status, 200);
}

async fn create_person(
    app: &crate::helpers::TestApp,
    token: &str,
    name: &str,
) -> crate::helpers::HttpResponse {
    app.post_as(
        token,
        "mutation($name: String!) { createPerson(input: { name: $name }) { name } }",
        json!({ "name": name }),
    )
    .await
}

async fn people_named(app: &crate::helpers::TestApp, name: &str) -> usize {
    let data = app
        .query_data(
            "query($n: String) { people(nameContains: $n) { totalCount } }",
            json!({ "n": name }),
        )
        .await;
    data["people"]["totalCount"].as_u64().unwrap_or_default() as usize
}

#[tokio::test]
async fn mutations_past_a_tokens_rate_limit_get_429_and_change_nothing() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.mutations_per_minute_per_token = 2;
        config.response_cache_mb = 0;
    })
    .await
    .expect("a SQLite app");
    let alice = app.token("alice", entity::TokenRole::Editor).await;
    let bob = app.token("bob", entity::TokenRole::Editor).await;
    for n in 1..=2 {
        let made = create_person(&app, &alice, &format!("Limited {n}")).await;
        assert_eq!(made.status, 200, "{}", made.text);
    }
    let refused = create_person(&app, &alice, "Limited 3").await;
    assert_eq!(refused.status, 429, "{}", refused.text);
    let wait: u64 = refused.header("retry-after").parse().expect("seconds");
    assert!((1..=30).contains(&wait), "{wait}");
    assert_eq!(
        refused.json()["errors"][0]["extensions"]["code"],
        "RATE_LIMITED"
    );
    assert_eq!(people_named(&app, "Limited 3").await, 0);
    assert_eq!(people_named(&app, "Limited").await, 2);

    // Another token has its own allowance, and reads are not limited.
    assert_eq!(create_person(&app, &bob, "Limited 4").await.status, 200);
    for _ in 0..5 {
        assert_eq!(people_named(&app, "Limited").await, 3);
    }
}

#[tokio::test]
async fn mutations_past_an_addresss_rate_limit_get_429_whatever_the_token() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.mutations_per_minute_per_token = 0;
        config.mutations_per_minute_per_address = 2;
    })
    .await
    .expect("a SQLite app");
    let mut statuses = Vec::new();
    for n in 1..=3 {
        let token = app.token(&format!("t{n}"), entity::TokenRole::Editor).await;
        statuses.push(
            create_person(&app, &token, &format!("Address {n}"))
                .await
                .status,
        );
    }
    assert_eq!(statuses, [200, 200, 429]);
}
