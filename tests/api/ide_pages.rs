//! GraphiQL and Playground as a browser fetches them: pages with a strict
//! Content-Security-Policy, and every script, style and font they load served by the server
//! itself, byte for byte what `assets/SHA256SUMS` records.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sha2::{Digest, Sha256};

use crate::helpers::{Backend, TestApp, spawn_app};

/// `assets/SHA256SUMS`: file name → recorded SHA-256.
fn recorded_checksums() -> BTreeMap<String, String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/SHA256SUMS");
    std::fs::read_to_string(&path)
        .expect("assets/SHA256SUMS reads")
        .lines()
        .filter_map(|line| line.split_once("  "))
        .map(|(sum, name)| (name.trim_start_matches("./").to_owned(), sum.to_owned()))
        .collect()
}

/// Every `/assets/…` path a page or stylesheet names.
fn referenced_assets(text: &str) -> Vec<String> {
    text.match_indices("/assets/")
        .map(|(at, _)| {
            text[at + "/assets/".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                .collect::<String>()
        })
        .filter(|name| !name.is_empty())
        .collect()
}

async fn fetch(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = app.client.get(format!("{}{path}", app.address));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("server answers")
}

#[tokio::test]
async fn ide_pages_load_only_pinned_assets_of_their_own_origin() {
    let app = spawn_app(Backend::Sqlite).await.expect("a SQLite app");
    let recorded = recorded_checksums();
    for page in ["/", "/playground"] {
        let answer = app.get(page, "text/html").await;
        assert_eq!(answer.status, 200, "{page}");
        assert_eq!(answer.header("content-type"), "text/html; charset=utf-8");
        assert_eq!(answer.header("cache-control"), "no-cache");
        let policy = answer.header("content-security-policy");
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(policy.contains("connect-src 'self';"), "{policy}");
        assert!(!policy.contains("unsafe-eval"), "{policy}");
        assert_eq!(answer.header("x-content-type-options"), "nosniff");
        assert_eq!(answer.header("x-frame-options"), "DENY");
        for origin in ["http://", "https://", "//cdn", "unpkg", "jsdelivr"] {
            assert!(!answer.text.contains(origin), "{page} names {origin}");
        }
        assert!(
            !answer.text.contains("<script>"),
            "{page} has an inline script"
        );

        let assets = referenced_assets(&answer.text);
        assert!(assets.iter().any(|name| name.ends_with(".js")), "{page}");
        for name in assets {
            let served = fetch(&app, &format!("/assets/{name}"), &[]).await;
            assert_eq!(served.status(), 200, "{name}");
            assert_eq!(
                served.headers()["cache-control"],
                "public, max-age=31536000, immutable"
            );
            let etag = served.headers()["etag"].to_str().expect("ascii").to_owned();
            let bytes = served.bytes().await.expect("asset reads");
            let sum = hex::encode(Sha256::digest(&bytes));
            assert_eq!(
                recorded.get(&name),
                Some(&sum),
                "{name} differs from SHA256SUMS"
            );
            assert_eq!(etag, format!("\"{sum}\""));

            let again = fetch(
                &app,
                &format!("/assets/{name}"),
                &[("if-none-match", &etag)],
            )
            .await;
            assert_eq!(again.status(), 304, "{name}");
        }
    }
}

#[tokio::test]
async fn large_assets_travel_gzipped_to_clients_that_take_gzip() {
    let app = spawn_app(Backend::Sqlite).await.expect("a SQLite app");
    let recorded = recorded_checksums();
    let script = referenced_assets(&app.get("/", "text/html").await.text)
        .into_iter()
        .find(|name| name.ends_with(".js") && recorded.contains_key(&format!("{name}.gz")))
        .expect("GraphiQL's script has a gzip twin");

    let gzipped = fetch(
        &app,
        &format!("/assets/{script}"),
        &[("accept-encoding", "gzip, br")],
    )
    .await;
    assert_eq!(gzipped.status(), 200);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["vary"], "Accept-Encoding");
    let bytes = gzipped.bytes().await.expect("asset reads");
    assert_eq!(
        Some(&hex::encode(Sha256::digest(&bytes))),
        recorded.get(&format!("{script}.gz"))
    );

    let plain = fetch(
        &app,
        &format!("/assets/{script}"),
        &[("accept-encoding", "gzip;q=0")],
    )
    .await;
    assert!(plain.headers().get("content-encoding").is_none());
    let bytes = plain.bytes().await.expect("asset reads");
    assert_eq!(
        Some(&hex::encode(Sha256::digest(&bytes))),
        recorded.get(&script)
    );
}

#[tokio::test]
async fn unknown_assets_and_the_gzip_files_themselves_are_not_found() {
    let app = spawn_app(Backend::Sqlite).await.expect("a SQLite app");
    for path in [
        "/assets/nothing.js",
        "/assets/graphiql.html",
        "/assets/..%2FCargo.toml",
    ] {
        assert_eq!(app.get(path, "").await.status, 404, "{path}");
    }
    let gz = recorded_checksums()
        .into_keys()
        .find(|name| name.ends_with(".gz"))
        .expect("a gzip twin");
    assert_eq!(app.get(&format!("/assets/{gz}"), "").await.status, 404);
}
