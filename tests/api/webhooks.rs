//! Webhooks: admins register endpoints; every change readers can see is POSTed to the
//! endpoints that asked for its kind, signed (HMAC-SHA256 over "<t>.<body>"), retried with
//! backoff until answered 2xx, at least once, by one instance; a killed server loses no
//! delivery.

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use entity::TokenRole;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{
    Backend, TestApp, eventually, first_error_extensions, free_port, spawn_app_with,
    unpublish_the_seed, wait_until_up,
};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    event: String,
    signature_ok: bool,
    body: Value,
}

/// A local endpoint that answers 500 to its first `failures` requests, then 200.
#[derive(Clone)]
struct Receiver {
    secret: &'static str,
    failures: usize,
    seen: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<Received>>>,
}

/// Checks `X-Filmserver-Signature` (`t=<unix>,v1=<hex>`) as a receiver would.
fn verify(secret: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(header) = headers
        .get("x-filmserver-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut timestamp = None;
    let mut signature = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", t)) => timestamp = Some(t.to_owned()),
            Some(("v1", v)) => signature = hex::decode(v).ok(),
            _ => {}
        }
    }
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return false;
    };
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (chrono::Utc::now().timestamp() - t).abs() < 300);
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    fresh && mac.verify_slice(&signature).is_ok()
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let n = receiver.seen.fetch_add(1, Ordering::SeqCst);
    let received = Received {
        event: headers
            .get("x-filmserver-event")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        signature_ok: verify(receiver.secret, &headers, &body),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    receiver
        .received
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(received);
    if n < receiver.failures {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::NO_CONTENT
    }
}

impl Receiver {
    /// Starts a receiver on `listener`.
    fn start(listener: tokio::net::TcpListener, secret: &'static str, failures: usize) -> Self {
        let receiver = Self {
            secret,
            failures,
            seen: Arc::default(),
            received: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

const SECRET: &str = "a-shared-secret-of-some-length";
const CREATE: &str = "mutation($url: String!, $events: [ChangeKind!]!, $secret: String!) { createWebhook(url: $url, events: $events, secret: $secret) { id url events active createdBy } }";
const DELIVERIES: &str = "{ webhooks { id deliveries { eventId status attempts lastStatusCode lastDurationMs lastError } } }";

async fn app_for_webhooks(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |config| {
        config.webhook_allow_private_addresses = true;
        config.webhook_retry_base_ms = 50;
        config.live_poll_interval_ms = 50;
    })
    .await
}

/// A failing endpoint is retried until it answers; the delivery that succeeds carries a
/// signature the receiver verifies; drafts are never delivered; with two instances on one
/// database, the event is delivered by one of them (one success, one event id).
async fn a_failing_endpoint_is_retried_until_it_takes_the_signed_event(backend: Backend) {
    let Some(app) = app_for_webhooks(backend).await else {
        return;
    };
    let other = match backend {
        Backend::Postgres => Some(
            app.another_instance_with(|config| {
                config.webhook_allow_private_addresses = true;
                config.webhook_retry_base_ms = 50;
                config.live_poll_interval_ms = 50;
            })
            .await,
        ),
        Backend::Sqlite => None,
    };
    let admin = app.token("ops", TokenRole::Admin).await;
    let editor = app.token("alice", TokenRole::Editor).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}/hook", listener.local_addr().expect("address"));
    let receiver = Receiver::start(listener, SECRET, 2);

    let created = app
        .graphql_as(
            &admin,
            CREATE,
            json!({ "url": url, "events": ["PUBLISHED", "UNPUBLISHED"], "secret": SECRET }),
        )
        .await;
    assert_eq!(
        created["data"]["createWebhook"],
        json!({ "id": created["data"]["createWebhook"]["id"], "url": url,
                "events": ["PUBLISHED", "UNPUBLISHED"], "active": true, "createdBy": "ops" }),
        "{created}"
    );

    // A draft change is for editors only: nothing is sent.
    let seed = app
        .query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();
    let draft = app
        .graphql_as(
            &editor,
            "mutation($id: ID!) { updateMovie(id: $id, expectedVersion: 1, input: { title: \"Draft\" }) { version } }",
            json!({ "id": seed }),
        )
        .await;
    assert!(draft["data"]["updateMovie"]["version"].is_i64(), "{draft}");
    let discarded = app
        .graphql_as(
            &editor,
            "mutation($id: ID!, $v: Int!) { discardDraft(id: $id, expectedVersion: $v) { version } }",
            json!({ "id": seed, "v": draft["data"]["updateMovie"]["version"] }),
        )
        .await;
    assert!(
        discarded["data"]["discardDraft"]["version"].is_i64(),
        "{discarded}"
    );

    unpublish_the_seed(&app, &editor).await;
    eventually(
        "the third attempt is taken",
        Duration::from_secs(20),
        || async { receiver.received().len() >= 3 },
    )
    .await;
    let delivered = eventually_delivered(&app, &admin).await;
    let received = receiver.received();
    assert_eq!(received.len(), 3, "one event, three attempts: {received:?}");
    assert!(received.iter().all(|r| r.event == received[0].event));
    assert!(received.iter().all(|r| r.signature_ok), "{received:?}");
    let body = &received[2].body;
    assert_eq!(body["id"], received[2].event);
    assert_eq!(body["type"], "unpublished");
    assert_eq!(body["data"]["slug"], "m-butterfly");
    assert!(
        body["data"]["keys"]
            .as_array()
            .is_some_and(|keys| keys.contains(&json!("films"))),
        "{body}"
    );
    assert_eq!(
        delivered,
        json!([{ "eventId": received[0].event, "status": "DELIVERED", "attempts": 3,
                  "lastStatusCode": 204, "lastDurationMs": delivered[0]["lastDurationMs"],
                  "lastError": null }])
    );
    drop(other);
}

/// Polls the deliveries until the first is delivered; returns the deliveries.
async fn eventually_delivered(app: &TestApp, admin: &str) -> Value {
    let last = Mutex::new(Value::Null);
    eventually(
        "the delivery is recorded as delivered",
        Duration::from_secs(10),
        || async {
            let body = app.graphql_as(admin, DELIVERIES, json!({})).await;
            let deliveries = body["data"]["webhooks"][0]["deliveries"].clone();
            let delivered = deliveries[0]["status"] == "DELIVERED";
            *last.lock().unwrap_or_else(|p| p.into_inner()) = deliveries;
            delivered
        },
    )
    .await;
    last.into_inner().unwrap_or_else(|p| p.into_inner())
}

/// Registration checks every input at once, and only admins may register.
async fn registration_refuses_bad_endpoints(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |_| {}).await else {
        return;
    };
    let admin = app.token("ops", TokenRole::Admin).await;
    let editor = app.token("alice", TokenRole::Editor).await;
    let refused = app
        .graphql_as(
            &editor,
            CREATE,
            json!({ "url": "https://hooks.example.com/x", "events": ["PUBLISHED"], "secret": SECRET }),
        )
        .await;
    assert_eq!(first_error_extensions(&refused)["code"], "FORBIDDEN");

    for (url, secret, events, fields) in [
        (
            "ftp://hooks.example.com/x",
            "short",
            json!(["PUBLISHED"]),
            vec!["url", "secret"],
        ),
        (
            "https://user:pw@hooks.example.com/",
            SECRET,
            json!(["PUBLISHED"]),
            vec!["url"],
        ),
        (
            "http://169.254.169.254/latest",
            SECRET,
            json!(["PUBLISHED"]),
            vec!["url"],
        ),
        (
            "http://127.0.0.1:9/x",
            SECRET,
            json!(["PUBLISHED"]),
            vec!["url"],
        ),
        (
            "https://hooks.example.com/x",
            SECRET,
            json!(["DRAFT_CHANGED"]),
            vec!["events"],
        ),
    ] {
        let body = app
            .graphql_as(
                &admin,
                CREATE,
                json!({ "url": url, "events": events, "secret": secret }),
            )
            .await;
        let errors = body["errors"].as_array().cloned().unwrap_or_default();
        let got: Vec<&str> = errors
            .iter()
            .filter(|e| e["extensions"]["code"] == "BAD_USER_INPUT")
            .filter_map(|e| e["extensions"]["field"].as_str())
            .collect();
        assert_eq!(got, fields, "{url}: {body}");
    }
    let listed = app
        .graphql_as(&admin, "{ webhooks { id } }", json!({}))
        .await;
    assert_eq!(
        listed["data"]["webhooks"],
        json!([]),
        "nothing was registered"
    );
}

#[tokio::test]
async fn on_sqlite_a_failing_endpoint_is_retried_until_it_takes_the_signed_event() {
    a_failing_endpoint_is_retried_until_it_takes_the_signed_event(Backend::Sqlite).await;
}

#[tokio::test]
async fn on_postgres_two_instances_retry_a_failing_endpoint_until_it_takes_the_signed_event() {
    a_failing_endpoint_is_retried_until_it_takes_the_signed_event(Backend::Postgres).await;
}

#[tokio::test]
async fn on_sqlite_registration_refuses_bad_endpoints() {
    registration_refuses_bad_endpoints(Backend::Sqlite).await;
}

#[tokio::test]
async fn on_postgres_registration_refuses_bad_endpoints() {
    registration_refuses_bad_endpoints(Backend::Postgres).await;
}

/// The server binary on `db`, listening on `port`, delivering to private addresses.
fn start_server(db: &std::path::Path, port: u16) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_filmserver"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--sqlite-path")
        .arg(db)
        .env_remove("DATABASE_URL")
        .env("WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true")
        .env("WEBHOOK_RETRY_BASE_MS", "200")
        .env("WEBHOOK_TIMEOUT_SECS", "1")
        .env("LIVE_POLL_INTERVAL_MS", "100")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server starts")
}

/// The server is killed (SIGKILL) after a change committed and before its delivery was made
/// (the endpoint was not listening yet); once restarted, it delivers.
#[tokio::test]
async fn a_delivery_queued_before_the_server_was_killed_arrives_after_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("films.db");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut server = start_server(&db, port);
    wait_until_up(&client, &base).await;
    let token = String::from_utf8(
        Command::new(env!("CARGO_BIN_EXE_filmserver"))
            .args(["token", "create", "--name", "ops", "--role", "admin"])
            .arg("--sqlite-path")
            .arg(&db)
            .env_remove("DATABASE_URL")
            .output()
            .expect("a token")
            .stdout,
    )
    .expect("text")
    .trim()
    .to_owned();
    let post = |query: &str, variables: Value| {
        client
            .post(format!("{base}/graphql"))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {token}"))
            .body(json!({ "query": query, "variables": variables }).to_string())
            .send()
    };
    // The endpoint's port is reserved but nobody listens yet: deliveries fail.
    let hook_port = free_port();
    let url = format!("http://127.0.0.1:{hook_port}/hook");
    let created: Value = post(
        CREATE,
        json!({ "url": url, "events": ["UNPUBLISHED"], "secret": SECRET }),
    )
    .await
    .expect("answer")
    .json()
    .await
    .expect("JSON");
    assert!(
        created["data"]["createWebhook"]["id"].is_string(),
        "{created}"
    );
    let seed: Value = post(
        r#"{ movie(slug: "m-butterfly") { id version } }"#,
        json!({}),
    )
    .await
    .expect("answer")
    .json()
    .await
    .expect("JSON");
    let unpublished: Value = post(
        "mutation($id: ID!, $v: Int!) { unpublishMovie(id: $id, expectedVersion: $v) { version } }",
        json!({ "id": seed["data"]["movie"]["id"], "v": seed["data"]["movie"]["version"] }),
    )
    .await
    .expect("answer")
    .json()
    .await
    .expect("JSON");
    assert!(
        unpublished["data"]["unpublishMovie"]["version"].is_i64(),
        "{unpublished}"
    );

    // Committed, not delivered: kill the server outright.
    server.kill().expect("SIGKILL");
    let _ = server.wait();

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", hook_port))
        .await
        .expect("the reserved port");
    let receiver = Receiver::start(listener, SECRET, 0);
    let mut restarted = start_server(&db, port);
    wait_until_up(&client, &base).await;
    eventually(
        "the delivery arrives after the restart",
        Duration::from_secs(30),
        || async { !receiver.received().is_empty() },
    )
    .await;
    let received = receiver.received();
    assert!(received[0].signature_ok, "{received:?}");
    assert_eq!(received[0].body["type"], "unpublished");
    assert_eq!(received[0].body["data"]["slug"], "m-butterfly");
    let _ = restarted.kill();
    let _ = restarted.wait();
}

/// An endpoint that answers with a redirect, not at all, or without end: the redirect is not
/// followed (the attempt is recorded with its 307), a silent endpoint is given up on at the
/// timeout, and of an answer that never ends only the first 64 KiB are read (the attempt is
/// recorded with its status and the answer's start, and the endpoint could write little more
/// than that before the connection was dropped).
async fn deliveries_follow_no_redirect_and_time_out(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |config| {
        config.webhook_allow_private_addresses = true;
        config.webhook_timeout_secs = 1;
        config.webhook_retry_base_ms = 3_600_000;
        config.live_poll_interval_ms = 50;
    })
    .await
    else {
        return;
    };
    let admin = app.token("ops", TokenRole::Admin).await;
    let editor = app.token("alice", TokenRole::Editor).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let followed = Arc::new(AtomicUsize::new(0));
    let counted = followed.clone();
    // What the endless endpoint managed to write.
    const CHUNK: &[u8] = &[b'x'; 16 * 1024];
    let endless_wrote = Arc::new(AtomicUsize::new(0));
    let written = endless_wrote.clone();
    let endpoint = axum::Router::new()
        .route(
            "/redirect",
            axum::routing::post(|| async {
                (
                    StatusCode::TEMPORARY_REDIRECT,
                    [(axum::http::header::LOCATION, "/target")],
                )
            }),
        )
        .route(
            "/target",
            axum::routing::post(move || async move {
                counted.fetch_add(1, Ordering::SeqCst);
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/silent",
            axum::routing::post(|| async {
                std::future::pending::<()>().await;
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/endless",
            axum::routing::post(move || async move {
                let chunks = futures_util::stream::repeat_with(move || {
                    written.fetch_add(CHUNK.len(), Ordering::SeqCst);
                    Ok::<_, std::convert::Infallible>(Bytes::from_static(CHUNK))
                });
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    axum::body::Body::from_stream(chunks),
                )
            }),
        );
    tokio::spawn(async move { axum::serve(listener, endpoint).await });
    for path in ["/redirect", "/silent", "/endless"] {
        let created = app
            .graphql_as(
                &admin,
                CREATE,
                json!({ "url": format!("{base}{path}"), "events": ["UNPUBLISHED"], "secret": SECRET }),
            )
            .await;
        assert!(
            created["data"]["createWebhook"]["id"].is_string(),
            "{created}"
        );
    }
    unpublish_the_seed(&app, &editor).await;

    let attempted = Mutex::new(Value::Null);
    eventually("both endpoints were attempted", Duration::from_secs(15), || async {
        let body = app
            .graphql_as(
                &admin,
                "{ webhooks { url deliveries { attempts lastStatusCode lastDurationMs lastError } } }",
                json!({}),
            )
            .await;
        let hooks = body["data"]["webhooks"].clone();
        let done = hooks
            .as_array()
            .is_some_and(|hooks| hooks.iter().all(|h| h["deliveries"][0]["attempts"] == 1 && !h["deliveries"][0]["lastDurationMs"].is_null()));
        *attempted.lock().unwrap_or_else(|p| p.into_inner()) = hooks;
        done
    })
    .await;
    let hooks = attempted.into_inner().unwrap_or_else(|p| p.into_inner());
    let redirect = &hooks[0]["deliveries"][0];
    assert_eq!(redirect["lastStatusCode"], 307, "{hooks}");
    assert_eq!(
        followed.load(Ordering::SeqCst),
        0,
        "the redirect was followed"
    );
    let silent = &hooks[1]["deliveries"][0];
    assert_eq!(silent["lastStatusCode"], Value::Null, "{hooks}");
    assert!(
        silent["lastError"]
            .as_str()
            .is_some_and(|e| e.starts_with("no answer")),
        "{hooks}"
    );
    let waited = silent["lastDurationMs"].as_i64().unwrap_or(i64::MAX);
    assert!((900..5_000).contains(&waited), "gave up after {waited} ms");
    let endless = &hooks[2]["deliveries"][0];
    assert_eq!(endless["lastStatusCode"], 500, "{hooks}");
    assert_eq!(
        endless["lastError"],
        format!("answered 500: {}", "x".repeat(200)),
        "{hooks}"
    );
    // 64 KiB read, plus what the sockets' buffers held when the connection was dropped;
    // read to the timeout, a second of loopback carries hundreds of megabytes.
    let wrote = endless_wrote.load(Ordering::SeqCst);
    assert!(wrote < 32 << 20, "the endpoint wrote {wrote} bytes");
}

#[tokio::test]
async fn on_sqlite_deliveries_follow_no_redirect_and_time_out() {
    deliveries_follow_no_redirect_and_time_out(Backend::Sqlite).await;
}
