//! Database outages: the server starts without its database, fails fast and clearly while the
//! database is away, and recovers by itself when it returns, without a restart.
//!
//! The faults are real network faults: the server reaches PostgreSQL through a TCP proxy that
//! the test cuts (every connection dropped, new ones refused) and restores.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::helpers::{Backend, HttpResponse, TestApp, spawn_app};

/// A TCP proxy to PostgreSQL that can be cut and restored.
struct FaultyLink {
    address: String,
    up: Arc<AtomicBool>,
    cuts: watch::Sender<u64>,
}

impl FaultyLink {
    async fn to(upstream: String, up: bool) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("address").to_string();
        let up = Arc::new(AtomicBool::new(up));
        let (cuts, _) = watch::channel(0u64);
        let (flag, cut_rx) = (up.clone(), cuts.subscribe());
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !flag.load(Ordering::SeqCst) {
                    continue; // dropped: the client sees the connection closed
                }
                let (upstream, mut cut) = (upstream.clone(), cut_rx.clone());
                // Only cuts from now on end this connection.
                cut.borrow_and_update();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self { address, up, cuts }
    }

    /// Drops every connection through the link and refuses new ones.
    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.cuts.send_modify(|n| *n += 1);
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// `url` with its `host:port` replaced by `address`; also returns the original `host:port`.
fn through(url: &str, address: &str) -> (String, String) {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let authority_start = url[after_scheme..]
        .find('@')
        .map_or(after_scheme, |i| after_scheme + i + 1);
    let authority_end = url[authority_start..]
        .find('/')
        .map_or(url.len(), |i| authority_start + i);
    let mut upstream = url[authority_start..authority_end].to_owned();
    if !upstream.contains(':') {
        upstream.push_str(":5432");
    }
    let rewritten = format!(
        "{}{address}{}",
        &url[..authority_start],
        &url[authority_end..]
    );
    (rewritten, upstream)
}

const PAGE: &str = r#"{ movie(slug: "m-butterfly") { title } }"#;

async fn page(app: &TestApp) -> HttpResponse {
    app.post_json(
        "/graphql",
        &json!({ "query": PAGE }),
        "application/graphql-response+json",
    )
    .await
}

/// Polls until the film page is served, failing after 20 s.
async fn until_served(app: &TestApp) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answer = page(app).await;
        if answer.status == 200 && answer.json()["data"]["movie"]["title"] == "M. Butterfly" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the server never recovered: {}",
            answer.text
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A server on a fresh PostgreSQL database reached through a link that starts `up`; the
/// first instance (direct) made the database, and is returned too so it lives as long.
async fn app_behind_link(up: bool) -> Option<(TestApp, FaultyLink, TestApp)> {
    let direct = spawn_app(Backend::Postgres).await?;
    let url = direct.database_url();
    let (_, upstream) = through(&url, "");
    let link = FaultyLink::to(upstream, up).await;
    let proxied = direct
        .another_instance_with(|config| {
            config.database_url = Some(through(&url, &link.address).0);
            config.db_acquire_timeout_secs = 1;
            // Every request goes to the database.
            config.response_cache_mb = 0;
        })
        .await;
    Some((proxied, link, direct))
}

#[tokio::test]
async fn a_server_started_without_its_database_refuses_fast_then_recovers() {
    let Some((app, link, _direct)) = app_behind_link(false).await else {
        return;
    };
    let healthz = app.get("/healthz", "application/json").await;
    assert_eq!(
        healthz.status, 200,
        "the process is alive: {}",
        healthz.text
    );
    let ready = app.get("/readyz", "application/json").await;
    assert_eq!(ready.status, 503, "{}", ready.text);

    let refused = page(&app).await;
    assert_eq!(refused.status, 503, "{}", refused.text);
    assert_eq!(refused.header("retry-after"), "1");
    assert_eq!(
        refused.json()["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );
    assert!(refused.json().get("data").is_none());

    link.restore();
    until_served(&app).await;
    let ready = app.get("/readyz", "application/json").await;
    assert_eq!(ready.status, 200, "{}", ready.text);
}

#[tokio::test]
async fn a_database_lost_under_load_gives_clear_errors_and_comes_back() {
    let Some((app, link, _direct)) = app_behind_link(true).await else {
        return;
    };
    until_served(&app).await;

    link.cut();
    let mut last = page(&app).await;
    let mut codes = Vec::new();
    for _ in 0..5 {
        let body: Value = last.json();
        assert_eq!(body["data"]["movie"], Value::Null, "{}", last.text);
        codes.push(body["errors"][0]["extensions"]["code"].clone());
        last = page(&app).await;
    }
    assert!(
        codes.iter().all(|code| code == "SERVICE_UNAVAILABLE"),
        "{codes:?}"
    );
    // The first request that found the database gone marked it down: the rest are refused
    // at once, with 503 and a hint when to retry.
    assert_eq!(last.status, 503, "{}", last.text);
    assert_eq!(last.header("retry-after"), "1");
    // Plain JSON clients get the same error with 200, as the spec asks for that media type.
    let plain = app
        .post_json("/graphql", &json!({ "query": PAGE }), "application/json")
        .await;
    assert_eq!(
        plain.json()["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );

    link.restore();
    until_served(&app).await;
}

#[test]
fn urls_are_rewritten_to_go_through_the_link() {
    assert_eq!(
        through("postgres://postgres@127.0.0.1:5432/db_1", "127.0.0.1:9"),
        (
            "postgres://postgres@127.0.0.1:9/db_1".to_owned(),
            "127.0.0.1:5432".to_owned()
        )
    );
    assert_eq!(
        through("postgres://u@db/x?sslmode=disable", "h:1").1,
        "db:5432"
    );
}
