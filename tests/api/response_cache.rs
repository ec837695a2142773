//! The in-process response cache: anonymous reads are answered from it, and a write drops
//! exactly the answers it changes, here at once and on other instances through PostgreSQL.

use std::time::{Duration, Instant};

use entity::TokenRole;
use serde_json::{Value, json};

use crate::helpers::{HttpResponse, TestApp};

const PAGE: &str =
    r#"query Page { movie(slug: "m-butterfly") { title characters { name actor { name } } } }"#;

/// `PAGE` laid out differently: the same request once normalized.
const PAGE_RESPACED: &str = "query Page {\n  # the seed\n  movie(slug: \"m-butterfly\") {\n    title, characters { name actor { name } }\n  }\n}";

async fn read(app: &TestApp, query: &str) -> HttpResponse {
    app.post_json(
        "/graphql",
        &json!({ "query": query }),
        "application/graphql-response+json",
    )
    .await
}

async fn seed_id(app: &TestApp) -> Value {
    app.query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone()
}

/// Renames a film as an editor does it: the change goes to its draft, then the draft is
/// published (readers see the change only then).
async fn rename_film(app: &TestApp, editor: &str, id: &Value, title: &str) {
    // Read as the editor: an answer to a token never enters the cache.
    let version = app
        .graphql_as(
            editor,
            "query($id: ID!) { node(id: $id) { ... on Movie { version } } }",
            json!({ "id": id }),
        )
        .await["data"]["node"]["version"]
        .clone();
    let body = app
        .graphql_as(
            editor,
            "mutation($id: ID!, $v: Int!, $t: String!) { updateMovie(id: $id, expectedVersion: $v, input: { title: $t }) { title version } }",
            json!({ "id": id, "v": version, "t": title }),
        )
        .await;
    assert_eq!(body["data"]["updateMovie"]["title"], title, "{body}");
    let published = app
        .graphql_as(
            editor,
            "mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { title } }",
            json!({ "id": id, "v": body["data"]["updateMovie"]["version"] }),
        )
        .await;
    assert_eq!(
        published["data"]["publishMovie"]["title"], title,
        "{published}"
    );
}

async fn a_repeated_read_is_served_from_the_cache_until_its_film_changes(app: TestApp) {
    let first = read(&app, PAGE).await;
    assert_eq!(first.header("x-cache"), "MISS");
    let again = read(&app, PAGE_RESPACED).await;
    assert_eq!(again.header("x-cache"), "HIT");
    assert_eq!(again.text, first.text);
    assert_eq!(again.json()["data"]["movie"]["title"], "M. Butterfly");

    let editor = app.token("alice", TokenRole::Editor).await;
    let id = seed_id(&app).await;
    rename_film(&app, &editor, &id, "M. Butterfly (1993)").await;

    let after = read(&app, PAGE).await;
    assert_eq!(after.header("x-cache"), "MISS");
    assert_eq!(
        after.json()["data"]["movie"]["title"],
        "M. Butterfly (1993)"
    );
    assert_eq!(read(&app, PAGE).await.header("x-cache"), "HIT");

    // Misses: the page twice, and the id lookup.
    let metrics = app.get("/metrics", "text/plain").await.text;
    for line in [
        "filmserver_response_cache_hits_total 2",
        "filmserver_response_cache_misses_total 3",
        "filmserver_response_cache_entries 1",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} in {metrics}");
    }
}

async fn a_change_drops_only_the_answers_that_hold_it(app: TestApp) {
    crate::helpers::add_films(&app, 2).await;
    let film = |slug: &str| format!(r#"{{ movie(slug: "{slug}") {{ title }} }}"#);
    for slug in ["film-1", "film-2"] {
        assert_eq!(read(&app, &film(slug)).await.header("x-cache"), "MISS");
    }
    let editor = app.token("alice", TokenRole::Editor).await;
    let id = app
        .query_data(r#"{ movie(slug: "film-1") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();
    rename_film(&app, &editor, &id, "Film One").await;

    let changed = read(&app, &film("film-1")).await;
    assert_eq!(changed.header("x-cache"), "MISS");
    assert_eq!(changed.json()["data"]["movie"]["title"], "Film One");
    let untouched = read(&app, &film("film-2")).await;
    assert_eq!(untouched.header("x-cache"), "HIT");
    assert_eq!(untouched.json()["data"]["movie"]["title"], "Film 2");
}

async fn renaming_a_person_shows_on_every_cached_page_that_names_them(app: TestApp) {
    let people = r#"{ people(first: 3) { edges { node { name } } } }"#;
    let page = read(&app, PAGE).await.json();
    read(&app, people).await;
    let lone = &page["data"]["movie"]["characters"]
        .as_array()
        .expect("characters")
        .iter()
        .find(|c| c["name"] == "Song Liling")
        .expect("Song Liling")["actor"]["name"];
    assert_eq!(lone, "John Lone");

    let editor = app.token("alice", TokenRole::Editor).await;
    let id = app
        .query_data(r#"{ person(slug: "john-lone") { id } }"#, json!({}))
        .await["person"]["id"]
        .clone();
    let renamed = app
        .graphql_as(
            &editor,
            r#"mutation($id: ID!) { updatePerson(id: $id, input: { name: "John Lone (尊龍)" }) { name } }"#,
            json!({ "id": id }),
        )
        .await;
    assert_eq!(renamed["data"]["updatePerson"]["name"], "John Lone (尊龍)");

    let page = read(&app, PAGE).await;
    assert_eq!(page.header("x-cache"), "MISS");
    assert!(page.text.contains("John Lone (尊龍)"), "{}", page.text);
    assert_eq!(read(&app, people).await.header("x-cache"), "MISS");
}

async fn a_new_film_shows_in_cached_lists_searches_and_lookups(app: TestApp) {
    let list = "{ movies(first: 10) { edges { node { slug } } } }";
    let lookup = r#"{ movie(slug: "videodrome") { title } }"#;
    let search = r#"{ search(query: "videodrome") { edges { node { node { __typename } } } } }"#;
    for query in [list, lookup, search] {
        read(&app, query).await;
        assert_eq!(read(&app, query).await.header("x-cache"), "HIT");
    }
    assert_eq!(
        read(&app, lookup).await.json()["data"]["movie"],
        Value::Null
    );

    let editor = app.token("alice", TokenRole::Editor).await;
    let created = app
        .graphql_as(
            &editor,
            r#"mutation { createMovie(input: { title: "Videodrome", releaseYear: 1983 }, publish: true) { slug } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        created["data"]["createMovie"]["slug"], "videodrome",
        "{created}"
    );

    let listed = read(&app, list).await.json();
    let slugs: Vec<&str> = listed["data"]["movies"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter_map(|e| e["node"]["slug"].as_str())
        .collect();
    assert!(slugs.contains(&"videodrome"), "{slugs:?}");
    assert_eq!(
        read(&app, lookup).await.json()["data"]["movie"]["title"],
        "Videodrome"
    );
    let found = read(&app, search).await.json();
    assert_eq!(
        found["data"]["search"]["edges"][0]["node"]["node"]["__typename"], "Movie",
        "{found}"
    );
}

async fn answers_with_errors_or_for_a_token_are_never_cached(app: TestApp) {
    let too_many = "{ movies(first: 1000) { edges { node { slug } } } }";
    for _ in 0..2 {
        let refused = read(&app, too_many).await;
        assert_eq!(
            refused.json()["errors"][0]["extensions"]["code"],
            "BAD_USER_INPUT"
        );
        assert_ne!(refused.header("x-cache"), "HIT");
    }

    let editor = app.token("alice", TokenRole::Editor).await;
    read(&app, PAGE).await;
    for _ in 0..2 {
        let private = app.post_as(&editor, PAGE, json!({})).await;
        assert!(private.headers.get("x-cache").is_none());
        assert_eq!(private.header("cache-control"), "private, no-store");
    }
}

async fn an_answer_kept_for_post_is_served_to_get_with_its_cache_headers(app: TestApp) {
    read(&app, PAGE).await;
    let query: String = PAGE
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let got = app
        .get(&format!("/graphql?query={query}"), "application/json")
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.header("x-cache"), "HIT");
    assert!(got.header("etag").starts_with('"'));
    assert!(got.header("surrogate-key").contains("film-"));
    assert!(got.header("cache-control").starts_with("public"));
}

/// A cached request is known by its exact bytes afterwards; the same bytes sent with a token
/// (valid or not) are still run for that token, never answered from the public's cache.
async fn the_same_bytes_with_a_token_are_never_the_publics_answer(app: TestApp) {
    let body = json!({ "query": PAGE, "variables": {} });
    let accept = "application/graphql-response+json";
    assert_eq!(
        app.post_json("/graphql", &body, accept)
            .await
            .header("x-cache"),
        "MISS"
    );
    let again = app.post_json("/graphql", &body, accept).await;
    assert_eq!(again.header("x-cache"), "HIT");

    let editor = app.token("alice", TokenRole::Editor).await;
    // `post_as` sends `{query, variables}` exactly as `body` is written.
    let private = app.post_as(&editor, PAGE, json!({})).await;
    assert!(private.headers.get("x-cache").is_none());
    assert_eq!(private.header("cache-control"), "private, no-store");
    assert_eq!(private.json()["data"], again.json()["data"]);

    let forged = app.post_as("not-a-token", PAGE, json!({})).await;
    assert!(
        forged.headers.get("x-cache").is_none(),
        "{:?}",
        forged.headers
    );
    assert_eq!(forged.header("cache-control"), "private, no-store");
}

crate::on_both_backends!(
    a_repeated_read_is_served_from_the_cache_until_its_film_changes,
    the_same_bytes_with_a_token_are_never_the_publics_answer,
    a_change_drops_only_the_answers_that_hold_it,
    renaming_a_person_shows_on_every_cached_page_that_names_them,
    a_new_film_shows_in_cached_lists_searches_and_lookups,
    answers_with_errors_or_for_a_token_are_never_cached,
    an_answer_kept_for_post_is_served_to_get_with_its_cache_headers,
);

/// Waits until `app` answers `query` from its cache (its listener is connected); fails after
/// ten seconds.
async fn until_cached(app: &TestApp, query: &str) -> HttpResponse {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = read(app, query).await;
        if answer.header("x-cache") == "HIT" {
            return answer;
        }
        assert!(
            Instant::now() < deadline,
            "the instance never served from its cache"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

mod postgres_only {
    use super::*;
    use crate::helpers::{Backend, spawn_app};

    /// Connections listening for changes on the test's database that started after `since`
    /// (microseconds since the epoch).
    async fn listeners_since(app: &TestApp, since: i64) -> i64 {
        crate::migrations::scalar(
            app.db(),
            &format!(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = current_database() AND query LIKE 'LISTEN%' \
                 AND extract(epoch from backend_start) * 1000000 > {since}"
            ),
        )
        .await
    }

    #[tokio::test]
    async fn a_change_through_one_instance_is_seen_on_the_next_read_of_another() {
        let Some(first) = spawn_app(Backend::Postgres).await else {
            return;
        };
        let second = first.another_instance().await;
        let editor = first.token("alice", TokenRole::Editor).await;
        let id = seed_id(&first).await;
        for version in 1..=5 {
            let cached = until_cached(&second, PAGE).await;
            let expected = if version == 1 {
                "M. Butterfly".to_owned()
            } else {
                format!("M. Butterfly #{}", version - 1)
            };
            assert_eq!(cached.json()["data"]["movie"]["title"], expected.as_str());

            let title = format!("M. Butterfly #{version}");
            rename_film(&first, &editor, &id, &title).await;
            let next = read(&second, PAGE).await;
            assert_eq!(
                next.json()["data"]["movie"]["title"],
                title.as_str(),
                "the very next read on the other instance sees the change"
            );
        }
    }

    #[tokio::test]
    async fn an_instance_that_lost_its_listener_hears_changes_again() {
        let Some(first) = spawn_app(Backend::Postgres).await else {
            return;
        };
        let second = first.another_instance().await;
        until_cached(&second, PAGE).await;

        // Cut every listener's connection, as a database restart or network fault would.
        let cut_at = crate::migrations::scalar(
            first.db(),
            "SELECT (extract(epoch from clock_timestamp()) * 1000000)::bigint",
        )
        .await;
        sea_orm::ConnectionTrait::execute_unprepared(
            first.db(),
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
        )
        .await
        .expect("terminate the listeners");
        // Poll for two listeners that connected after the cut (a terminated backend can still
        // be listed for a moment, and counting it would race the rename below).
        let deadline = Instant::now() + Duration::from_secs(10);
        while listeners_since(&first, cut_at).await < 2 {
            assert!(Instant::now() < deadline, "the listeners never came back");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }

        let cached = until_cached(&second, PAGE).await;
        assert_eq!(cached.json()["data"]["movie"]["title"], "M. Butterfly");
        let editor = first.token("alice", TokenRole::Editor).await;
        let id = seed_id(&first).await;
        rename_film(&first, &editor, &id, "M. Butterfly, again").await;
        assert_eq!(
            read(&second, PAGE).await.json()["data"]["movie"]["title"],
            "M. Butterfly, again"
        );
    }
}
