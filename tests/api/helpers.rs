//! Test harness: the real app on port 0 over a fresh, really migrated database per test.
//!
//! SQLite tests use a new file in a temporary directory through the server's default
//! (no `DATABASE_URL`) path. PostgreSQL tests create a new database on the server named by
//! `TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) and drop it when
//! the test ends. Without a reachable PostgreSQL the Postgres tests are skipped, unless `CI` is
//! set, where they fail.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use filmserver::config::Config;
use filmserver::{AppState, SqlStatementCounter, server};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// The database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates a `sqlite` and a `postgres` test module, each with one `#[tokio::test]` per name,
/// calling `async fn name(app: TestApp)` of the enclosing module.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(app) = $crate::helpers::spawn_app($crate::helpers::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            )*
        }
    };
}

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// The backend under test.
    pub backend: Backend,
    /// The server's state (database pool, statement counter).
    pub state: AppState,
    /// An HTTP client.
    pub client: reqwest::Client,
    /// The database, dropped with the last instance that uses it.
    database: std::sync::Arc<TestDatabase>,
}

/// A plain HTTP response, read whole.
pub struct HttpResponse {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl HttpResponse {
    /// The body as JSON (panics with the body when it is not JSON: a test failure).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.text))
    }

    /// A header's value, or "".
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }
}

impl TestApp {
    /// The database pool the server uses.
    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// Command-line flags that point the `filmserver` binary at this test's database.
    pub fn database_args(&self) -> Vec<String> {
        let config = &self.database.config;
        match &config.database_url {
            Some(url) => vec!["--database-url".into(), url.clone()],
            None => vec![
                "--sqlite-path".into(),
                config.sqlite_path.display().to_string(),
            ],
        }
    }

    /// The statement counter of the server's pool.
    pub fn sql(&self) -> &SqlStatementCounter {
        &self.state.sql_statements
    }

    /// POSTs `{query, variables}` to /graphql with `Accept: application/graphql-response+json`
    /// and returns the response body, asserting a JSON response.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .post_json(
                "/graphql",
                &json!({ "query": query, "variables": variables }),
                "application/graphql-response+json",
            )
            .await;
        response.json()
    }

    /// POSTs `{query, variables}` with `Authorization: Bearer <token>`; returns the body.
    pub async fn graphql_as(&self, token: &str, query: &str, variables: Value) -> Value {
        self.post_as(token, query, variables).await.json()
    }

    /// POSTs `{query, variables}` with `Authorization: Bearer <token>`; returns the response.
    pub async fn post_as(&self, token: &str, query: &str, variables: Value) -> HttpResponse {
        self.post_as_with(token, &[], query, variables).await
    }

    /// Like [`post_as`](Self::post_as), with more request headers.
    pub async fn post_as_with(
        &self,
        token: &str,
        headers: &[(&str, &str)],
        query: &str,
        variables: Value,
    ) -> HttpResponse {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .header("authorization", format!("Bearer {token}"));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request
            .body(json!({ "query": query, "variables": variables }).to_string())
            .send()
            .await
            .expect("server answers");
        read(response).await
    }

    /// Makes a token with this role and returns its secret.
    pub async fn token(&self, name: &str, role: entity::TokenRole) -> String {
        filmserver::service::tokens::create(self.db(), name, role)
            .await
            .expect("create a token")
            .secret
    }

    /// Like [`graphql`](Self::graphql), but asserts there are no errors and returns `data`.
    pub async fn query_data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }

    /// POSTs a JSON body with this `Accept` header.
    pub async fn post_json(&self, path: &str, body: &Value, accept: &str) -> HttpResponse {
        self.post_raw(
            path,
            Some("application/json"),
            accept,
            body.to_string().into_bytes(),
        )
        .await
    }

    /// POSTs raw bytes with the given `Content-Type` (none when `None`) and `Accept`.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        accept: &str,
        body: Vec<u8>,
    ) -> HttpResponse {
        let mut request = self
            .client
            .post(format!("{}{path}", self.address))
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        if !accept.is_empty() {
            request = request.header("accept", accept);
        }
        read(request.send().await.expect("server answers")).await
    }

    /// GETs a path (with its query string) with this `Accept` header ("" for none).
    pub async fn get(&self, path_and_query: &str, accept: &str) -> HttpResponse {
        let mut request = self.client.get(format!("{}{path_and_query}", self.address));
        if !accept.is_empty() {
            request = request.header("accept", accept);
        }
        read(request.send().await.expect("server answers")).await
    }
}

/// Reads a response whole.
pub async fn read(response: reqwest::Response) -> HttpResponse {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body reads");
    HttpResponse {
        status,
        headers,
        text,
    }
}

/// A free local port (released again for whoever takes it next).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts the app on a fresh database of this backend; `None` when the test is skipped.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

/// Like [`spawn_app`], with the configuration changed by `configure` first.
pub async fn spawn_app_with(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
) -> Option<TestApp> {
    let mut database = TestDatabase::create(backend).await?;
    // Scheduled publishing looks at the database on its own; tests that count statements
    // or move the schema must not race it, so only the tests of schedules turn it on.
    database.config.schedule_check_interval_ms = 0;
    configure(&mut database.config);
    let config = database.config.clone();
    Some(serve(backend, std::sync::Arc::new(database), &config).await)
}

/// Serves the app on the PostgreSQL database at `database_url`, which the caller owns (a
/// cluster of the test's own), configured by `configure`.
pub async fn spawn_app_on(database_url: &str, configure: impl FnOnce(&mut Config)) -> TestApp {
    let mut database = TestDatabase {
        config: Config::for_database(database_url),
        cleanup: Cleanup::Nothing,
    };
    database.config.schedule_check_interval_ms = 0;
    configure(&mut database.config);
    let config = database.config.clone();
    serve(Backend::Postgres, std::sync::Arc::new(database), &config).await
}

/// Serves a new instance of the app on `database`, configured by `config`.
async fn serve(
    backend: Backend,
    database: std::sync::Arc<TestDatabase>,
    config: &Config,
) -> TestApp {
    let state = server::prepare_state(config)
        .await
        .expect("the app starts on its database");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
    let address = format!("http://{}", listener.local_addr().expect("local address"));
    tokio::spawn(server::serve_until(
        listener,
        state.clone(),
        std::future::pending(),
    ));
    TestApp {
        address,
        backend,
        state,
        client: reqwest::Client::new(),
        database,
    }
}

impl TestApp {
    /// A second server instance on the same database (as behind a load balancer).
    pub async fn another_instance(&self) -> TestApp {
        self.another_instance_with(|_| {}).await
    }

    /// Like [`another_instance`](Self::another_instance), configured by `configure` first.
    pub async fn another_instance_with(&self, configure: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = self.database.config.clone();
        configure(&mut config);
        serve(self.backend, self.database.clone(), &config).await
    }

    /// The database URL the app was started with.
    pub fn database_url(&self) -> String {
        self.database.config.effective_database_url()
    }
}

/// A fresh database for one test, removed when dropped.
pub struct TestDatabase {
    /// The server configuration pointing at it.
    pub config: Config,
    cleanup: Cleanup,
}

enum Cleanup {
    /// A database the test does not own (a cluster of its own, stopped by its owner).
    Nothing,
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
}

/// The maintenance database tests create their databases from.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    format!("{base}/{name}{query}")
}

fn unique_name() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    format!(
        "filmserver_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestDatabase {
    /// Creates the database; `None` when PostgreSQL is unreachable outside CI.
    pub async fn create(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let mut config = Config::for_database("");
                config.database_url = None;
                config.sqlite_path = dir.path().join("films.db");
                Some(Self {
                    config,
                    cleanup: Cleanup::Sqlite(dir),
                })
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let admin = match Database::connect(admin_url.as_str()).await {
                    Ok(admin) => admin,
                    Err(err) if std::env::var_os("CI").is_some() => {
                        panic!("CI is set but PostgreSQL at {admin_url} is unreachable: {err}")
                    }
                    Err(err) => {
                        eprintln!("skipping a PostgreSQL test: {admin_url} is unreachable: {err}");
                        return None;
                    }
                };
                let name = unique_name();
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create a test database");
                let _ = admin.close().await;
                Some(Self {
                    config: Config::for_database(with_database(&admin_url, &name)),
                    cleanup: Cleanup::Postgres { admin_url, name },
                })
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return;
        };
        let (admin_url, name) = (admin_url.clone(), name.clone());
        // Drop runs inside the test's runtime; a separate thread with its own runtime may block.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            runtime.block_on(async {
                let admin = Database::connect(admin_url.as_str()).await.ok()?;
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
                    .ok()?;
                admin.close().await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(()))) {
            eprintln!("could not drop a test database");
        }
    }
}

#[test]
fn database_name_is_replaced() {
    assert_eq!(
        with_database("postgres://u@h:5432/postgres", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h:5432", "x"),
        "postgres://u@h:5432/x"
    );
    assert_eq!(
        with_database("postgres://u@h/db?sslmode=disable", "x"),
        "postgres://u@h/x?sslmode=disable"
    );
}

/// Adds `count` published films shaped like the seed (slugs `film-1`, ...), each with its own
/// director and with actors drawn from a shared pool of five, through the seed's own write
/// path.
pub async fn add_films(app: &TestApp, count: usize) {
    let template = migration::seed::parse(migration::seed::M_BUTTERFLY_JSON).expect("seed parses");
    for i in 1..=count {
        let mut film = template.clone();
        film.slug = format!("film-{i}");
        film.title = format!("Film {i}");
        film.release_year = 1950 + i as i32;
        film.directors[0].name = format!("Director {i}");
        for (j, character) in film.characters.iter_mut().enumerate() {
            if let Some(actor) = character.actor.as_mut() {
                actor.name = format!("Actor {}", (i + j) % 5);
            }
        }
        migration::seed::insert_film(app.db(), &film)
            .await
            .expect("insert a film");
    }
    // The seed's frozen write path predates publishing; these films are public, like the seed.
    app.db()
        .execute_unprepared(
            "UPDATE movie SET published_at = created_at, first_published_at = created_at \
             WHERE published_at IS NULL AND slug LIKE 'film-%'",
        )
        .await
        .expect("publish the films");
}

/// Waits until `holds` says yes, asking again every 20 ms; fails the test, naming `what`, when
/// it still says no after `limit`.
pub async fn eventually<F, Fut>(what: &str, limit: std::time::Duration, mut holds: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + limit;
    while !holds().await {
        assert!(std::time::Instant::now() < deadline, "never: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

/// Unpublishes M. Butterfly (at whatever version it is) as `editor`; returns its new version.
pub async fn unpublish_the_seed(app: &TestApp, editor: &str) -> i64 {
    let seed = app
        .query_data(
            r#"{ movie(slug: "m-butterfly") { id version } }"#,
            json!({}),
        )
        .await["movie"]
        .clone();
    let done = app
        .graphql_as(
            editor,
            "mutation($id: ID!, $v: Int!) { unpublishMovie(id: $id, expectedVersion: $v) { version } }",
            json!({ "id": seed["id"], "v": seed["version"] }),
        )
        .await;
    done["data"]["unpublishMovie"]["version"]
        .as_i64()
        .unwrap_or_else(|| panic!("unpublished: {done}"))
}

/// Waits until a server started as a process (at `base`) answers `/healthz`.
pub async fn wait_until_up(client: &reqwest::Client, base: &str) {
    eventually(
        "the server answers",
        std::time::Duration::from_secs(60),
        || async { client.get(format!("{base}/healthz")).send().await.is_ok() },
    )
    .await;
}

/// Percent-encodes a query-string value.
pub fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `errors[0].extensions` of a response body.
pub fn first_error_extensions(body: &Value) -> &Value {
    &body["errors"][0]["extensions"]
}
