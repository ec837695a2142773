//! Public-internet hardening, round two, at the GraphQL layer: persisted queries that cannot
//! grow memory, trusted documents, the per-address read budget, and the review's small fixes
//! (token mutations refuse an `Idempotency-Key`; a replay spends no rate limit).

use entity::TokenRole;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{Backend, HttpResponse, TestApp, percent_encode, read, spawn_app_with};
use crate::migrations::scalar;

const PAGE: &str = r#"query FilmPage { movie(slug: "m-butterfly") { title characters { name } } }"#;

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn register_body(query: &str) -> Value {
    json!({ "query": query, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(query) } } })
}

fn by_hash_body(hash: &str) -> Value {
    json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } })
}

async fn post(app: &TestApp, body: &Value) -> HttpResponse {
    app.post_json("/graphql", body, "application/graphql-response+json")
        .await
}

/// A gauge of `/metrics`.
async fn metric(app: &TestApp, name: &str) -> u64 {
    let text = app.get("/metrics", "").await.text;
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics:\n{text}"))
}

fn code(response: &HttpResponse) -> Value {
    response.json()["errors"][0]["extensions"]["code"].clone()
}

#[tokio::test]
async fn only_queries_that_pass_are_persisted_and_the_store_stays_bounded() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.persisted_queries_max_bytes = 4_096;
        config.max_query_bytes = 2_048;
    })
    .await
    .expect("a SQLite app");
    // Over the size limit, not parsing, not validating: refused and not stored.
    let too_large = format!("{{ __typename }} #{}", "x".repeat(3_000));
    let refused = [too_large.as_str(), "{ movie(slug: ", "{ noSuchField }"];
    for query in refused {
        let answer = post(&app, &register_body(query)).await;
        assert_eq!(answer.status, 400, "{}", answer.text);
        let again = post(&app, &by_hash_body(&sha256(query))).await;
        assert_eq!(code(&again), "PERSISTED_QUERY_NOT_FOUND", "{query}");
    }
    assert_eq!(metric(&app, "filmserver_persisted_query_bytes").await, 0);

    // Far more than the bound, each 1 KB and valid: the store keeps the newest within 4 KB.
    let queries: Vec<String> = (0..200)
        .map(|n| format!("{{ __typename }} # {n:04} {}", "p".repeat(1_000)))
        .collect();
    for query in &queries {
        let answer = post(&app, &register_body(query)).await;
        assert_eq!(answer.json()["data"]["__typename"], "Query");
    }
    let bytes = metric(&app, "filmserver_persisted_query_bytes").await;
    let entries = metric(&app, "filmserver_persisted_queries").await;
    assert!(bytes <= 4_096, "{bytes} bytes stored");
    assert_eq!(entries, 4);
    let newest = post(&app, &by_hash_body(&sha256(&queries[199]))).await;
    assert_eq!(newest.json()["data"]["__typename"], "Query");
    let oldest = post(&app, &by_hash_body(&sha256(&queries[0]))).await;
    assert_eq!(code(&oldest), "PERSISTED_QUERY_NOT_FOUND");
}

/// A manifest in graphql-codegen's client-preset shape (hash → document).
fn manifest(dir: &tempfile::TempDir, documents: &[&str]) -> std::path::PathBuf {
    let map: serde_json::Map<String, Value> = documents
        .iter()
        .map(|document| (sha256(document), Value::from(*document)))
        .collect();
    let path = dir.path().join("persisted-documents.json");
    std::fs::write(&path, Value::Object(map).to_string()).expect("write the manifest");
    path
}

async fn only_trusted_documents_run_for_anonymous_clients(backend: Backend) {
    let dir = tempfile::tempdir().expect("a directory");
    let path = manifest(&dir, &[PAGE]);
    let Some(app) = spawn_app_with(backend, |config| {
        config.trusted_documents = Some(path.clone());
    })
    .await
    else {
        return;
    };
    let title = |response: &HttpResponse| response.json()["data"]["movie"]["title"].clone();
    // Listed: by id over POST and GET, and by its exact text.
    assert_eq!(
        title(&post(&app, &by_hash_body(&sha256(PAGE))).await),
        "M. Butterfly"
    );
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256(PAGE) } });
    let get = app
        .get(
            &format!(
                "/graphql?extensions={}",
                percent_encode(&extensions.to_string())
            ),
            "application/graphql-response+json",
        )
        .await;
    assert_eq!(title(&get), "M. Butterfly");
    assert_eq!(
        title(&post(&app, &json!({ "query": PAGE })).await),
        "M. Butterfly"
    );
    // Not listed: another text, an unknown id, or registering a new persisted query.
    let other = r#"{ movie(slug: "m-butterfly") { title } }"#;
    for body in [
        json!({ "query": other }),
        by_hash_body(&sha256(other)),
        register_body(other),
    ] {
        let refused = post(&app, &body).await;
        assert_eq!(refused.status, 400, "{}", refused.text);
        assert_eq!(code(&refused), "PERSISTED_QUERY_NOT_IN_LIST");
        assert!(refused.json().get("data").is_none());
    }
    // A listed id with another text is refused too.
    let mismatch = post(
        &app,
        &json!({ "query": other, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": sha256(PAGE) } } }),
    )
    .await;
    assert_eq!(code(&mismatch), "BAD_REQUEST");
    // An editor's token may run anything; a made-up token may not.
    let editor = app.token("alice", TokenRole::Editor).await;
    let as_editor = app.post_as(&editor, other, json!({})).await;
    assert_eq!(as_editor.json()["data"]["movie"]["title"], "M. Butterfly");
    let bogus = app.post_as("fcs_not_a_token", other, json!({})).await;
    assert_eq!(code(&bogus), "PERSISTED_QUERY_NOT_IN_LIST");
}

#[tokio::test]
async fn only_trusted_documents_run_for_anonymous_clients_on_sqlite() {
    only_trusted_documents_run_for_anonymous_clients(Backend::Sqlite).await;
}

#[tokio::test]
async fn only_trusted_documents_run_for_anonymous_clients_on_postgres() {
    only_trusted_documents_run_for_anonymous_clients(Backend::Postgres).await;
}

#[tokio::test]
async fn a_manifest_that_would_fail_stops_the_server_and_the_check_says_why() {
    let dir = tempfile::tempdir().expect("a directory");
    let deep = "{ movie(slug: \"x\") { characters { actor { roles { edges { node { movie { characters { actor { roles { edges { node { movie { title } } } } } } } } } } } } } }".to_owned();
    let documents = [PAGE, "{ noSuchField }", deep.as_str()];
    let path = manifest(&dir, &documents);
    let mut wrong_id = serde_json::Map::new();
    wrong_id.insert("0".repeat(64), Value::from(PAGE));
    let wrong_id_path = dir.path().join("wrong-id.json");
    std::fs::write(&wrong_id_path, Value::Object(wrong_id).to_string()).expect("write");

    let check = |file: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_filmserver"))
            .args(["--max-query-depth", "8", "trusted-documents", "check"])
            .arg(file)
            .output()
            .expect("filmserver runs")
    };
    let failed = check(&path);
    assert!(!failed.status.success());
    let out = String::from_utf8_lossy(&failed.stdout);
    assert!(out.contains(&sha256("{ noSuchField }")), "{out}");
    assert!(out.contains("noSuchField"), "{out}");
    assert!(out.contains(&sha256(&deep)), "{out}");
    assert!(
        !out.contains(&sha256(PAGE)),
        "the good document passes: {out}"
    );
    let err = String::from_utf8_lossy(&failed.stderr);
    assert!(err.contains("2 of 3 documents"), "{err}");

    let wrong = check(&wrong_id_path);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stdout).contains("not the document's SHA-256"));

    let good_dir = tempfile::tempdir().expect("a directory");
    let good = manifest(&good_dir, &[PAGE]);
    let passed = check(&good);
    assert!(passed.status.success(), "{:?}", passed);
    assert!(String::from_utf8_lossy(&passed.stdout).contains("1 documents, all valid"));

    let mut config = filmserver::config::Config::for_database("");
    config.database_url = None;
    config.sqlite_path = dir.path().join("films.db");
    config.max_query_depth = 8;
    config.trusted_documents = Some(path);
    let refused = filmserver::server::prepare_state(&config).await;
    assert!(
        matches!(
            refused,
            Err(filmserver::server::StartupError::TrustedDocuments(_))
        ),
        "the server does not start on a failing manifest"
    );
}

/// A reqwest client whose requests come from `address`.
fn client_from(address: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(address))
        .build()
        .expect("a client")
}

async fn post_from(client: &reqwest::Client, app: &TestApp, body: &Value) -> HttpResponse {
    let response = client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(body.to_string())
        .send()
        .await
        .expect("the server answers");
    read(response).await
}

#[tokio::test]
async fn anonymous_reads_spend_a_budget_per_address() {
    let app = spawn_app_with(Backend::Sqlite, |config| {
        config.read_budget_per_minute = 600;
    })
    .await
    .expect("a SQLite app");
    let attacker = client_from([127, 0, 0, 2]);
    // Each request differs (its variables), so none is answered from the response cache.
    let by_slug =
        "query FilmPage($slug: String!) { movie(slug: $slug) { title characters { name } } }";
    let query = |n: usize| {
        let slug = if n == 0 {
            "m-butterfly".to_owned()
        } else {
            format!("film-{n}")
        };
        json!({ "query": by_slug, "variables": { "slug": slug } })
    };
    let first = post_from(&attacker, &app, &query(0)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let cost = first.json()["extensions"]["cost"]["complexity"]
        .as_u64()
        .expect("a cost");
    assert!(cost > 1);
    assert_eq!(first.header("x-ratelimit-limit"), "600");
    assert_eq!(first.header("x-ratelimit-used"), cost.to_string());
    assert_eq!(
        first.header("x-ratelimit-remaining"),
        (600 - cost).to_string()
    );
    // The same request again is a cache hit: it costs 1.
    let hit = post_from(&attacker, &app, &query(0)).await;
    assert_eq!(hit.header("x-cache"), "HIT");
    assert_eq!(hit.header("x-ratelimit-used"), "1");
    // Spend the rest: then 429 with Retry-After, and nothing runs.
    let mut refused = None;
    for n in 1..=(600 / cost as usize + 2) {
        let answer = post_from(&attacker, &app, &query(n)).await;
        if answer.status == 429 {
            refused = Some(answer);
            break;
        }
        assert_eq!(answer.status, 200, "{}", answer.text);
    }
    let refused = refused.expect("the budget runs out");
    assert_eq!(code(&refused), "RATE_LIMITED");
    let retry_after: u64 = refused.header("retry-after").parse().expect("Retry-After");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(refused.json().get("data").is_none());
    // Another address, and an editor from the same address, are unaffected.
    let other = post_from(&client_from([127, 0, 0, 3]), &app, &query(999)).await;
    assert_eq!(other.status, 200, "{}", other.text);
    assert_eq!(other.header("x-ratelimit-used"), cost.to_string());
    let editor = app.token("alice", TokenRole::Editor).await;
    let as_editor = attacker
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {editor}"))
        .body(query(1_000).to_string())
        .send()
        .await
        .expect("answers");
    assert_eq!(as_editor.status(), 200);
    assert!(as_editor.headers().get("x-ratelimit-remaining").is_none());
}

async fn token_mutations_refuse_an_idempotency_key(app: TestApp) {
    let admin = app.token("root", TokenRole::Admin).await;
    let before = scalar(app.db(), "SELECT COUNT(*) FROM api_token").await;
    let refused = app
        .post_as_with(
            &admin,
            &[("idempotency-key", "new-token-1")],
            r#"mutation { createToken(name: "bob", role: EDITOR) { token } }"#,
            json!({}),
        )
        .await;
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert_eq!(code(&refused), "BAD_REQUEST");
    assert!(refused.text.contains("createToken"), "{}", refused.text);
    // A preview token's secret is no more stored for a replay than any other token's.
    let preview = app
        .post_as_with(
            &admin,
            &[("idempotency-key", "new-preview-1")],
            r#"mutation { createPreviewToken(movieId: "TW92aWU6MQ", name: "bob") { token } }"#,
            json!({}),
        )
        .await;
    assert_eq!(preview.status, 400, "{}", preview.text);
    assert!(
        preview.text.contains("createPreviewToken"),
        "{}",
        preview.text
    );
    assert_eq!(
        scalar(app.db(), "SELECT COUNT(*) FROM api_token").await,
        before
    );
}

async fn a_replayed_mutation_spends_no_rate_limit(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let create = r#"mutation { createMovie(input: { title: "Videodrome", releaseYear: 1983 }, publish: true) { slug } }"#;
    let first = app
        .post_as_with(&editor, &[("idempotency-key", "k1")], create, json!({}))
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    // The token's allowance (1 a minute) is spent; replays still get the first answer.
    for _ in 0..3 {
        let replay = app
            .post_as_with(&editor, &[("idempotency-key", "k1")], create, json!({}))
            .await;
        assert_eq!(replay.status, 200, "{}", replay.text);
        assert_eq!(replay.header("idempotent-replayed"), "true");
        assert_eq!(replay.text, first.text);
    }
    let fresh = app
        .post_as_with(&editor, &[("idempotency-key", "k2")], create, json!({}))
        .await;
    assert_eq!(
        fresh.status, 429,
        "a new mutation is still limited: {}",
        fresh.text
    );
}

mod replay {
    use super::*;

    #[tokio::test]
    async fn sqlite() {
        let app = spawn_app_with(Backend::Sqlite, |c| c.mutations_per_minute_per_token = 1)
            .await
            .expect("a SQLite app");
        a_replayed_mutation_spends_no_rate_limit(app).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(app) =
            spawn_app_with(Backend::Postgres, |c| c.mutations_per_minute_per_token = 1).await
        {
            a_replayed_mutation_spends_no_rate_limit(app).await;
        }
    }
}

crate::on_both_backends!(token_mutations_refuse_an_idempotency_key);
