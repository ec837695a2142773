//! A reader never sees a page mixing two versions: while an editor publishes a film over and
//! over, readers looping on its page (concurrently, uncached) each get one whole version every
//! time, never the title of one version over the sections of the next; and a request that
//! shows the film twice (its page and a list) shows the same version in both.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use entity::TokenRole;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app_with};

/// How many versions the editor publishes.
const ROUNDS: usize = 25;
/// How many readers loop on the page at once.
const READERS: usize = 4;

const PAGE: &str = r#"{ movie(slug: "m-butterfly") {
  title plot sections { title body } characters { name description }
  themes { name } setting { description locations { name } }
}
list: movies { nodes { title sections { body } characters { name } } } }"#;

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: MovieChangesInput!) { updateMovie(id: $id, expectedVersion: $v, input: $input) { version } }";
const PUBLISH: &str =
    "mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { version } }";

/// Version `n` of the film: every part of it names `n`.
fn version(n: usize) -> Value {
    json!({
        "title": format!("Version {n}"),
        "plot": [format!("Version {n}: the plot."), format!("Version {n}: the end.")],
        "sections": (1..=3).map(|k| json!({ "title": format!("Version {n}, section {k}"), "body": format!("Version {n}, body {k}") })).collect::<Vec<_>>(),
        "characters": (1..=3).map(|k| json!({ "name": format!("Version {n}, character {k}"), "description": format!("Version {n}") })).collect::<Vec<_>>(),
        "themes": [{ "name": format!("Version {n}, theme"), "emoji": "🦋", "description": format!("Version {n}") }],
        "setting": { "description": format!("Version {n}, setting"), "locations": [{ "name": format!("Version {n}, place") }] },
    })
}

/// Every version number the page's parts name (one when the page is whole).
fn versions_on(page: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, found: &mut BTreeSet<String>) {
        match value {
            Value::String(text) => {
                if let Some(rest) = text.strip_prefix("Version ") {
                    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    found.insert(n);
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, found)),
            Value::Object(fields) => fields.values().for_each(|field| walk(field, found)),
            _ => {}
        }
    }
    let mut found = BTreeSet::new();
    walk(page, &mut found);
    found
}

/// Reads the page until `done`; returns the versions it saw. Panics on a mixed page.
async fn read_until(app: Arc<TestApp>, done: Arc<AtomicBool>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    while !done.load(Ordering::Relaxed) {
        let body = app.graphql(PAGE, json!({})).await;
        let page = &body["data"];
        assert!(page["movie"].is_object(), "{body}");
        let versions = versions_on(page);
        assert!(
            versions.len() == 1 || page["movie"]["title"] == "M. Butterfly" && versions.is_empty(),
            "a page mixing versions {versions:?}: {page}"
        );
        seen.extend(versions);
    }
    seen
}

async fn readers_see_one_whole_version_while_a_film_is_published_over_and_over(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |config| {
        config.response_cache_mb = 0;
        config.read_budget_per_minute = 0;
        config.mutations_per_minute_per_token = 0;
        config.mutations_per_minute_per_address = 0;
    })
    .await
    else {
        return;
    };
    let app = Arc::new(app);
    let editor = app.token("alice", TokenRole::Editor).await;
    let id = app
        .query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();

    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..READERS)
        .map(|_| tokio::spawn(read_until(app.clone(), done.clone())))
        .collect();

    let mut expected_version = 1;
    for n in 1..=ROUNDS {
        let updated = app
            .graphql_as(
                &editor,
                UPDATE,
                json!({ "id": id, "v": expected_version, "input": version(n) }),
            )
            .await;
        let draft_version = &updated["data"]["updateMovie"]["version"];
        assert!(draft_version.is_i64(), "{updated}");
        let published = app
            .graphql_as(&editor, PUBLISH, json!({ "id": id, "v": draft_version }))
            .await;
        expected_version = published["data"]["publishMovie"]["version"]
            .as_i64()
            .unwrap_or_else(|| panic!("published: {published}"));
    }
    done.store(true, Ordering::Relaxed);

    let mut seen = BTreeSet::new();
    for reader in readers {
        seen.extend(reader.await.expect("a reader saw only whole pages"));
    }
    // The readers read while the film changed: they saw several versions come and go.
    assert!(
        seen.len() >= 3,
        "the readers saw only versions {seen:?}, so they never read during a publish"
    );
    let last = app.query_data(PAGE, json!({})).await;
    assert_eq!(versions_on(&last), BTreeSet::from([ROUNDS.to_string()]));
}

#[tokio::test]
async fn on_sqlite_readers_see_one_whole_version_while_a_film_is_published_over_and_over() {
    readers_see_one_whole_version_while_a_film_is_published_over_and_over(Backend::Sqlite).await;
}

#[tokio::test]
async fn on_postgres_readers_see_one_whole_version_while_a_film_is_published_over_and_over() {
    readers_see_one_whole_version_while_a_film_is_published_over_and_over(Backend::Postgres).await;
}
