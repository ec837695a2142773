//! Publishing: an unpublished film exists nowhere for the public (not by slug, in lists,
//! counts, filters, search, a person's roles and credits, a company's films, nor by id), and
//! every cached answer that held it is dropped; editors still read it with `status: DRAFT`;
//! publishing brings it back. Each move is a revision, and a stale version changes nothing.

use entity::TokenRole;
use serde_json::{Value, json};

use crate::helpers::{TestApp, first_error_extensions};

/// Everything the public could find M. Butterfly through.
const EVERYWHERE: &str = r#"query Everywhere($id: ID!) {
  movie(slug: "m-butterfly") { title }
  movies { totalCount nodes { slug } }
  byPerson: movies(filter: { person: "jeremy-irons" }) { totalCount }
  search(query: "Butterfly") { edges { node { node { __typename } } } }
  characters: search(query: "Gallimard") { edges { node { node { __typename } } } }
  person(slug: "jeremy-irons") {
    roles { totalCount nodes { name } }
  }
  director: person(slug: "david-cronenberg") { credits { totalCount nodes { role } } }
  company(slug: "geffen-pictures") { movies { totalCount nodes { role } } }
  node(id: $id) { id }
}"#;

const PUBLISH: &str = "mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { version publishedAt firstPublishedAt } }";
const UNPUBLISH: &str = "mutation($id: ID!, $v: Int!) { unpublishMovie(id: $id, expectedVersion: $v) { version publishedAt firstPublishedAt } }";

async fn seed_id(app: &TestApp) -> Value {
    app.query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone()
}

/// The kinds of both searches' hits, in order.
fn hit_kinds(data: &Value) -> Vec<String> {
    let mut kinds = Vec::new();
    for search in ["search", "characters"] {
        for edge in data[search]["edges"].as_array().into_iter().flatten() {
            kinds.push(
                edge["node"]["node"]["__typename"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned(),
            );
        }
    }
    kinds
}

async fn an_unpublished_film_exists_nowhere_for_the_public(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let id = seed_id(&app).await;
    let before = app.query_data(EVERYWHERE, json!({ "id": id })).await;
    assert_eq!(before["movie"]["title"], "M. Butterfly");
    assert_eq!(before["movies"]["totalCount"], 1);
    assert_eq!(before["person"]["roles"]["totalCount"], 1);
    assert!(hit_kinds(&before).contains(&"Movie".to_owned()), "{before}");
    assert!(
        hit_kinds(&before).contains(&"Character".to_owned()),
        "{before}"
    );

    let unpublished = app
        .graphql_as(&editor, UNPUBLISH, json!({ "id": id, "v": 1 }))
        .await;
    let film = &unpublished["data"]["unpublishMovie"];
    assert_eq!(film["version"], 2, "{unpublished}");
    assert_eq!(film["publishedAt"], Value::Null);
    assert!(film["firstPublishedAt"].is_string(), "kept: {unpublished}");

    let after = app.query_data(EVERYWHERE, json!({ "id": id })).await;
    assert_eq!(
        after,
        json!({
            "movie": null,
            "movies": { "totalCount": 0, "nodes": [] },
            "byPerson": { "totalCount": 0 },
            "search": after["search"].clone(),
            "characters": after["characters"].clone(),
            "person": { "roles": { "totalCount": 0, "nodes": [] } },
            "director": { "credits": { "totalCount": 0, "nodes": [] } },
            "company": { "movies": { "totalCount": 0, "nodes": [] } },
            "node": null
        })
    );
    assert!(
        hit_kinds(&after).iter().all(|kind| kind == "Person"),
        "only people (a shared directory) are still found: {after}"
    );

    // Editors still read it, with `status: DRAFT`; the public may not ask for drafts.
    let draft = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "m-butterfly", status: DRAFT) { title publishedAt }
                 movies(status: DRAFT) { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        draft["data"],
        json!({ "movie": { "title": "M. Butterfly", "publishedAt": null }, "movies": { "totalCount": 1 } }),
        "{draft}"
    );
    let refused = app
        .graphql(
            r#"{ movie(slug: "m-butterfly", status: DRAFT) { title } }"#,
            json!({}),
        )
        .await;
    assert_eq!(first_error_extensions(&refused)["code"], "UNAUTHENTICATED");
    assert_eq!(refused["data"]["movie"], Value::Null, "{refused}");

    // Publishing brings it back everywhere, keeping when it was first published.
    let published = app
        .graphql_as(&editor, PUBLISH, json!({ "id": id, "v": 2 }))
        .await;
    let film = &published["data"]["publishMovie"];
    assert_eq!(film["version"], 3, "{published}");
    assert!(film["publishedAt"].is_string());
    assert_eq!(
        film["firstPublishedAt"],
        unpublished["data"]["unpublishMovie"]["firstPublishedAt"]
    );
    let back = app.query_data(EVERYWHERE, json!({ "id": id })).await;
    assert_eq!(back, before);

    let history = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "m-butterfly") { revisions { version action author } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        history["data"]["movie"]["revisions"],
        json!([
            { "version": 3, "action": "PUBLISH", "author": "alice" },
            { "version": 2, "action": "UNPUBLISH", "author": "alice" },
            { "version": 1, "action": "CREATE", "author": "system" }
        ])
    );
}

async fn cached_answers_are_dropped_when_a_film_is_unpublished(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let id = seed_id(&app).await;
    let page = format!(
        "/graphql?query={}",
        crate::helpers::percent_encode(r#"{ movie(slug: "m-butterfly") { title } }"#)
    );
    let first = app.get(&page, "application/json").await;
    let again = app.get(&page, "application/json").await;
    assert_eq!(again.header("x-cache"), "HIT", "{}", first.text);
    assert_eq!(again.json()["data"]["movie"]["title"], "M. Butterfly");

    app.graphql_as(&editor, UNPUBLISH, json!({ "id": id, "v": 1 }))
        .await;
    let gone = app.get(&page, "application/json").await;
    assert_eq!(gone.json()["data"]["movie"], Value::Null, "{}", gone.text);
    assert_eq!(gone.header("x-cache"), "MISS");

    app.graphql_as(&editor, PUBLISH, json!({ "id": id, "v": 2 }))
        .await;
    let back = app.get(&page, "application/json").await;
    assert_eq!(
        back.json()["data"]["movie"]["title"],
        "M. Butterfly",
        "{}",
        back.text
    );
}

async fn publishing_refuses_stale_versions_and_moves_that_change_nothing(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let id = seed_id(&app).await;
    let stale = app
        .graphql_as(&editor, UNPUBLISH, json!({ "id": id, "v": 7 }))
        .await;
    assert_eq!(
        first_error_extensions(&stale)["code"],
        "CONFLICT",
        "{stale}"
    );
    let already = app
        .graphql_as(&editor, PUBLISH, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(
        first_error_extensions(&already)["code"],
        "BAD_USER_INPUT",
        "{already}"
    );
    let anonymous = app.graphql(UNPUBLISH, json!({ "id": id, "v": 1 })).await;
    assert_eq!(
        first_error_extensions(&anonymous)["code"],
        "UNAUTHENTICATED"
    );

    // None of them changed anything: still published, still at version 1, no new revision.
    let film = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "m-butterfly") { version publishedAt revisions { version } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(film["data"]["movie"]["version"], 1, "{film}");
    assert!(film["data"]["movie"]["publishedAt"].is_string());
    assert_eq!(film["data"]["movie"]["revisions"], json!([]));
}

/// A publish retried with its `Idempotency-Key` is applied once; the retry gets the first
/// answer (not "nothing to publish").
async fn a_retried_publish_is_applied_once(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let id = seed_id(&app).await;
    let draft = app
        .graphql_as(
            &editor,
            "mutation($id: ID!) { updateMovie(id: $id, expectedVersion: 1, input: { title: \"Once\" }) { version } }",
            json!({ "id": id }),
        )
        .await;
    let vars = json!({ "id": id, "v": draft["data"]["updateMovie"]["version"] });
    let first = app
        .post_as_with(
            &editor,
            &[("idempotency-key", "publish-once")],
            PUBLISH,
            vars.clone(),
        )
        .await;
    assert_eq!(
        first.json()["data"]["publishMovie"]["version"],
        3,
        "{}",
        first.text
    );
    let retry = app
        .post_as_with(
            &editor,
            &[("idempotency-key", "publish-once")],
            PUBLISH,
            vars,
        )
        .await;
    assert_eq!(retry.header("idempotent-replayed"), "true");
    assert_eq!(retry.text, first.text);
    let publications = crate::migrations::scalar(
        app.db(),
        "SELECT count(*) FROM movie_revision WHERE action = 'publish'",
    )
    .await;
    assert_eq!(publications, 1);
}

crate::on_both_backends!(
    a_retried_publish_is_applied_once,
    an_unpublished_film_exists_nowhere_for_the_public,
    cached_answers_are_dropped_when_a_film_is_unpublished,
    publishing_refuses_stale_versions_and_moves_that_change_nothing,
);

/// Reads the seed's title anonymously (through the response cache).
async fn read_title(app: &TestApp) -> crate::helpers::HttpResponse {
    app.post_json(
        "/graphql",
        &json!({ "query": r#"{ movie(slug: "m-butterfly") { title } }"# }),
        "application/json",
    )
    .await
}

/// Two instances on one PostgreSQL: a publish through one is seen by the very next read on the
/// other, which had the old page cached.
#[tokio::test]
async fn a_publish_on_one_instance_is_seen_by_the_next_read_on_another() {
    let Some(first) = crate::helpers::spawn_app(crate::helpers::Backend::Postgres).await else {
        return;
    };
    let second = first.another_instance().await;
    let editor = first.token("alice", TokenRole::Editor).await;
    read_title(&second).await;
    let cached = read_title(&second).await;
    assert_eq!(cached.header("x-cache"), "HIT");
    let id = seed_id(&first).await;
    let draft = first
        .graphql_as(
            &editor,
            "mutation($id: ID!) { updateMovie(id: $id, expectedVersion: 1, input: { title: \"Everywhere\" }) { version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        read_title(&second).await.json()["data"]["movie"]["title"],
        "M. Butterfly",
        "a draft"
    );
    first
        .graphql_as(
            &editor,
            PUBLISH,
            json!({ "id": id, "v": draft["data"]["updateMovie"]["version"] }),
        )
        .await;
    let next = read_title(&second).await;
    assert_eq!(
        next.json()["data"]["movie"]["title"],
        "Everywhere",
        "{}",
        next.text
    );
}
