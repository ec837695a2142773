//! Caching for CDNs and clients: Cache-Control, ETag and 304, Surrogate-Key, and automatic
//! persisted queries that keep GETs short.

use serde_json::json;
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, percent_encode as encode};

const PAGE: &str = r#"{ movie(slug: "m-butterfly") { title characters { name } } }"#;

/// A GET of `path` that the client already holds as `etag`.
async fn get_if_none_match(app: &TestApp, path: &str, etag: &str) -> reqwest::Response {
    app.client
        .get(format!("{}{path}", app.address))
        .header("accept", "application/json")
        .header("if-none-match", etag)
        .send()
        .await
        .expect("server answers")
}

async fn get_answers_are_cacheable_and_revalidate(app: TestApp) {
    let path = format!("/graphql?query={}", encode(PAGE));
    let first = app.get(&path, "application/json").await;
    assert_eq!(first.status, 200);
    assert_eq!(
        first.header("cache-control"),
        "public, max-age=60, stale-while-revalidate=300"
    );
    let etag = first.header("etag").to_owned();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    let keys = first.header("surrogate-key").to_owned();
    assert!(keys.split(' ').any(|k| k.starts_with("film-")), "{keys}");

    let revalidated = get_if_none_match(&app, &path, &etag).await;
    assert_eq!(revalidated.status().as_u16(), 304);
    assert_eq!(
        revalidated
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok()),
        Some(etag.as_str())
    );
    assert!(revalidated.text().await.unwrap_or_default().is_empty());

    // An editor changes the film.
    let editor = app.token("alice", entity::TokenRole::Editor).await;
    let id = app
        .query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();
    let changed = app
        .graphql_as(&editor, "mutation($id: ID!) { updateMovie(id: $id, expectedVersion: 1, input: { title: \"M. Butterfly!\" }) { title version } }", json!({ "id": id }))
        .await;
    assert_eq!(changed["data"]["updateMovie"]["title"], "M. Butterfly!");
    // The change is a draft: readers' answer, and so its validator, are what they were.
    let unchanged = get_if_none_match(&app, &path, &etag).await;
    assert_eq!(unchanged.status().as_u16(), 304);
    // Once published, the same validator no longer matches.
    let published = app
        .graphql_as(
            &editor,
            "mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { title } }",
            json!({ "id": id, "v": changed["data"]["updateMovie"]["version"] }),
        )
        .await;
    assert_eq!(
        published["data"]["publishMovie"]["title"], "M. Butterfly!",
        "{published}"
    );
    let after = get_if_none_match(&app, &path, &etag).await;
    assert_eq!(after.status().as_u16(), 200);
    assert_ne!(
        after.headers().get("etag").and_then(|v| v.to_str().ok()),
        Some(etag.as_str())
    );
}

async fn lists_and_nested_films_name_their_surrogate_keys(app: TestApp) {
    crate::helpers::add_films(&app, 2).await;
    let list = app
        .get(
            &format!("/graphql?query={}", encode("{ movies { nodes { slug } } }")),
            "",
        )
        .await;
    let keys: Vec<&str> = list.header("surrogate-key").split(' ').collect();
    assert!(keys.contains(&"films"), "{keys:?}");
    assert_eq!(
        keys.iter().filter(|k| k.starts_with("film-")).count(),
        3,
        "{keys:?}"
    );
    let roles = app
        .get(
            &format!(
                "/graphql?query={}",
                encode(r#"{ person(slug: "jeremy-irons") { roles { nodes { name } } } }"#)
            ),
            "",
        )
        .await;
    assert!(
        roles.header("surrogate-key").starts_with("film-"),
        "{}",
        roles.header("surrogate-key")
    );
}

async fn private_and_post_answers_are_not_shared(app: TestApp) {
    let editor = app.token("alice", entity::TokenRole::Editor).await;
    let path = format!("/graphql?query={}", encode(PAGE));
    let private = app
        .client
        .get(format!("{}{path}", app.address))
        .header("authorization", format!("Bearer {editor}"))
        .send()
        .await
        .expect("server answers");
    assert_eq!(
        private
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("private, no-store")
    );
    assert!(private.headers().get("etag").is_none());
    let post = app
        .post_json("/graphql", &json!({ "query": PAGE }), "application/json")
        .await;
    assert_eq!(post.status, 200);
    assert!(
        !post.header("cache-control").contains("public"),
        "{}",
        post.header("cache-control")
    );
    let error = app
        .get(
            &format!(
                "/graphql?query={}",
                encode("{ movies(first: 500) { nodes { slug } } }")
            ),
            "",
        )
        .await;
    assert_eq!(
        error.header("cache-control"),
        "no-store",
        "errors are not cached"
    );
}

async fn persisted_queries_keep_gets_short(app: TestApp) {
    let hash = hex::encode(Sha256::digest(PAGE.as_bytes()));
    let extensions = |hash: &str| {
        encode(&json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }).to_string())
    };
    let short = format!("/graphql?extensions={}", extensions(&hash));
    let unknown = app.get(&short, "application/json").await;
    assert_eq!(
        unknown.json()["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    // A miss is answered 200 to `application/json` clients: no cache may keep it, or the
    // short URL would stay a miss after the query is registered.
    assert_eq!(unknown.header("cache-control"), "no-store");

    let register = app
        .post_json(
            "/graphql",
            &json!({ "query": PAGE, "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }),
            "application/json",
        )
        .await;
    assert_eq!(register.json()["data"]["movie"]["title"], "M. Butterfly");
    let known = app.get(&short, "application/json").await;
    assert_eq!(known.status, 200);
    assert_eq!(known.json()["data"]["movie"]["title"], "M. Butterfly");
    assert!(known.header("cache-control").starts_with("public"));

    let wrong = app
        .post_json(
            "/graphql",
            &json!({ "query": "{ __typename }", "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } }),
            "application/graphql-response+json",
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert_eq!(
        wrong.json()["errors"][0]["extensions"]["code"],
        "BAD_REQUEST"
    );
}

/// With the response cache off, an answer the client cannot revalidate (a POST) is sent as
/// it is, and a GET still gets its entity tag and its `304`.
#[tokio::test]
async fn without_the_response_cache_gets_still_revalidate_and_posts_carry_no_entity_tag() {
    let app = crate::helpers::spawn_app_with(crate::helpers::Backend::Sqlite, |config| {
        config.response_cache_mb = 0;
    })
    .await
    .expect("a SQLite app");
    // The actors' names come from a list written in one pass (`types::plain`), which names
    // each actor's key only when keys are collected.
    let page = r#"{ movie(slug: "m-butterfly") { title characters { name actor { name } } } }"#;
    let post = app
        .post_json("/graphql", &json!({ "query": page }), "application/json")
        .await;
    assert_eq!(post.status, 200);
    assert_eq!(post.header("x-cache"), "BYPASS");
    assert_eq!(post.header("etag"), "");
    assert_eq!(post.header("surrogate-key"), "");
    assert_eq!(post.json()["data"]["movie"]["title"], "M. Butterfly");
    assert_eq!(
        post.json()["data"]["movie"]["characters"][0]["actor"]["name"],
        "Jeremy Irons"
    );

    let path = format!("/graphql?query={}", encode(page));
    let get = app.get(&path, "application/json").await;
    assert_eq!(get.header("x-cache"), "BYPASS");
    assert_eq!(get.text, post.text);
    let keys: Vec<&str> = get.header("surrogate-key").split(' ').collect();
    assert!(keys.iter().any(|key| key.starts_with("film-")), "{keys:?}");
    assert!(
        keys.iter().any(|key| key.starts_with("person-")),
        "{keys:?}"
    );
    let etag = get.header("etag").to_owned();
    assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
    let revalidated = get_if_none_match(&app, &path, &etag).await;
    assert_eq!(revalidated.status().as_u16(), 304);
}

crate::on_both_backends!(
    get_answers_are_cacheable_and_revalidate,
    lists_and_nested_films_name_their_surrogate_keys,
    private_and_post_answers_are_not_shared,
    persisted_queries_keep_gets_short,
);
