//! The Node project in `tests/web/`, run against the real server: real GraphQL client
//! libraries (urql with automatic persisted queries and Relay paging, a client typed by
//! graphql-codegen) and a real browser (Debian's Chromium driven by Playwright) using GraphiQL
//! and Playground as people do.
//!
//! Its packages come from `tests/web/package-lock.json` with `npm ci` on first run. Without
//! Node.js (or, for the browser, without Chromium) these tests are skipped with a message,
//! except when `CI` is set: then they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

use crate::helpers::{Backend, spawn_app, spawn_app_with};

/// Where Debian's Chromium lives (`CHROMIUM_PATH` overrides).
fn chromium_path() -> PathBuf {
    std::env::var_os("CHROMIUM_PATH")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

fn project_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/web")
}

/// Whether `program --version` runs.
fn runs(program: &Path) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// `Some(reason)` when this test cannot run here; panics instead when `CI` is set.
fn missing(needs_browser: bool) -> Option<String> {
    let reason = if !runs(Path::new("node")) || !runs(Path::new("npm")) {
        Some("Node.js and npm are not installed".to_owned())
    } else if needs_browser && !chromium_path().exists() {
        Some(format!("no Chromium at {}", chromium_path().display()))
    } else {
        None
    };
    if let Some(reason) = &reason {
        assert!(std::env::var_os("CI").is_none(), "CI is set but {reason}");
        eprintln!("skipping: {reason}");
    }
    reason
}

/// Installs the project's locked packages once per test run.
fn install_once() {
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let mut installed = INSTALLED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if *installed {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund", "--silent"])
        .current_dir(project_dir())
        .status()
        .expect("npm runs");
    assert!(status.success(), "npm ci failed in tests/web");
    *installed = true;
}

/// Runs `npm run <script>` in the project with these variables; prints what it said.
async fn npm_run(script: &'static str, vars: Vec<(&'static str, String)>) -> Output {
    let output = tokio::task::spawn_blocking(move || {
        install_once();
        Command::new("npm")
            .args(["run", "--silent", script])
            .envs(vars)
            .current_dir(project_dir())
            .output()
            .expect("npm runs")
    })
    .await
    .expect("npm finishes");
    eprintln!(
        "npm run {script}:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[tokio::test]
async fn client_libraries_page_persist_and_type_check_against_the_server() {
    if missing(false).is_some() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await.expect("a SQLite app");
    let token = app.token("client-tests", entity::TokenRole::Editor).await;

    for script in ["typecheck", "codegen:check"] {
        let output = npm_run(script, vec![]).await;
        assert!(output.status.success(), "npm run {script} failed");
    }
    let output = npm_run(
        "test:client",
        vec![
            ("FILMSERVER_URL", app.address.clone()),
            ("FILMSERVER_EDITOR_TOKEN", token),
        ],
    )
    .await;
    assert!(output.status.success(), "client-library tests failed");
}

/// The live tests (`tests/web/live/`) against `app`, with mutations sent to `writer`.
async fn live_clients_against(app: &crate::helpers::TestApp, writer: &crate::helpers::TestApp) {
    let token = app.token("web-tests", entity::TokenRole::Editor).await;
    let output = npm_run(
        "test:live",
        vec![
            ("FILMSERVER_URL", app.address.clone()),
            ("FILMSERVER_OTHER_URL", writer.address.clone()),
            ("FILMSERVER_EDITOR_TOKEN", token),
        ],
    )
    .await;
    assert!(output.status.success(), "live-update client tests failed");
}

#[tokio::test]
async fn subscriptions_reach_graphql_ws_and_playground_clients_on_sqlite() {
    if missing(false).is_some() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await.expect("a SQLite app");
    live_clients_against(&app, &app).await;
}

/// The WebSocket limits, on a server with small ones.
#[tokio::test]
async fn websocket_limits_hold_against_real_sockets() {
    if missing(false).is_some() {
        return;
    }
    const CAP: usize = 4;
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.ws_init_timeout_secs = 1;
        config.ws_idle_timeout_secs = 2;
        config.ws_keepalive_secs = 1;
        config.ws_subscriptions_per_connection = 2;
        config.ws_connections_per_address = CAP;
    })
    .await
    .expect("a SQLite app");
    let output = npm_run(
        "test:live-limits",
        vec![
            ("FILMSERVER_URL", app.address.clone()),
            ("FILMSERVER_WS_CAP", CAP.to_string()),
        ],
    )
    .await;
    assert!(output.status.success(), "WebSocket limit tests failed");
}

/// Trusted documents hold over WebSocket as over HTTP: the server runs only the manifest the
/// Node test reads (`tests/web/live/trusted-documents.json`) for anonymous clients.
#[tokio::test]
async fn websocket_clients_run_only_trusted_documents_unless_they_are_editors() {
    if missing(false).is_some() {
        return;
    }
    let manifest = project_dir().join("live/trusted-documents.json");
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.trusted_documents = Some(manifest);
    })
    .await
    .expect("a SQLite app");
    let token = app.token("web-tests", entity::TokenRole::Editor).await;
    let output = npm_run(
        "test:live-trusted",
        vec![
            ("FILMSERVER_URL", app.address.clone()),
            ("FILMSERVER_EDITOR_TOKEN", token),
        ],
    )
    .await;
    assert!(
        output.status.success(),
        "trusted documents over WebSocket failed"
    );
}

/// A client that stops reading is dropped once a message has waited the send timeout.
#[tokio::test]
async fn a_websocket_client_that_stops_reading_is_dropped() {
    if missing(false).is_some() {
        return;
    }
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.ws_send_timeout_secs = 1;
        config.ws_subscriptions_per_connection = 0;
        config.read_budget_per_minute = 0;
        config.mutations_per_minute_per_token = 0;
        config.mutations_per_minute_per_address = 0;
    })
    .await
    .expect("a SQLite app");
    let token = app.token("web-tests", entity::TokenRole::Editor).await;
    let output = npm_run(
        "test:live-slow",
        vec![
            ("FILMSERVER_URL", app.address.clone()),
            ("FILMSERVER_EDITOR_TOKEN", token),
        ],
    )
    .await;
    assert!(output.status.success(), "slow-consumer test failed");
}

/// Two instances on one PostgreSQL: the clients subscribe to one, the mutations go to the
/// other.
#[tokio::test]
async fn subscriptions_hear_changes_made_through_another_instance_on_postgres() {
    if missing(false).is_some() {
        return;
    }
    let Some(app) = spawn_app(Backend::Postgres).await else {
        return;
    };
    let writer = app.another_instance().await;
    live_clients_against(&app, &writer).await;
}

#[tokio::test]
async fn graphiql_and_playground_work_in_a_real_browser() {
    if missing(true).is_some() {
        return;
    }
    let app = spawn_app(Backend::Sqlite).await.expect("a SQLite app");
    let token = app.token("browser-tests", entity::TokenRole::Editor).await;
    let without_ides = spawn_app_with(Backend::Sqlite, |config| config.graphiql = false)
        .await
        .expect("a SQLite app");
    let screenshots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    // Only this run's screenshots stay, so a FAILED one is about this run.
    let _ = std::fs::remove_dir_all(&screenshots);

    let output = npm_run(
        "test:browser",
        vec![
            ("FILMSERVER_URL", app.address.clone()),
            ("FILMSERVER_EDITOR_TOKEN", token),
            ("FILMSERVER_WITHOUT_IDES_URL", without_ides.address.clone()),
            ("CHROMIUM_PATH", chromium_path().display().to_string()),
            ("SCREENSHOT_DIR", screenshots.display().to_string()),
        ],
    )
    .await;
    assert!(
        output.status.success(),
        "browser tests failed; screenshots in {}",
        screenshots.display()
    );

    // What the browser saved is really there: each IDE's film, through the API.
    let created = app
        .query_data(
            r#"{ graphiql: movie(slug: "browser-test-film-graphiql") { title }
                 playground: movie(slug: "browser-test-film-playground") { title } }"#,
            serde_json::json!({}),
        )
        .await;
    assert_eq!(
        created,
        serde_json::json!({
            "graphiql": { "title": "Made in GraphiQL" },
            "playground": { "title": "Made in Playground" }
        }),
        "the films created in the browser are not in the database"
    );
}
