//! Drafts: editors work on a film while readers keep seeing what was published. A new film
//! is a draft until published; a change to a published film goes to its draft (started from
//! the published version) and reaches readers only when published; a draft can be thrown
//! away; a restore lands in the draft.

use entity::TokenRole;
use serde_json::{Value, json};

use crate::helpers::{TestApp, first_error_extensions};

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: MovieChangesInput!) { updateMovie(id: $id, expectedVersion: $v, input: $input) { id slug title version unpublishedChanges sections { id title } } }";
const PUBLISH: &str = "mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { id slug title version publishedAt firstPublishedAt unpublishedChanges } }";
const DISCARD: &str = "mutation($id: ID!, $v: Int!) { discardDraft(id: $id, expectedVersion: $v) { title version unpublishedChanges } }";

/// What the public finds of a film by slug, and in lists, counts and search.
async fn public_view(app: &TestApp, slug: &str, word: &str) -> Value {
    app.query_data(
        r#"query($slug: String!, $word: String!) {
             movie(slug: $slug) { title sections { title } }
             movies { totalCount nodes { slug } }
             search(query: $word) { edges { node { node { __typename } } } }
           }"#,
        json!({ "slug": slug, "word": word }),
    )
    .await
}

/// What an editor sees with `status: DRAFT`.
async fn draft_view(app: &TestApp, editor: &str, slug: &str) -> Value {
    app.graphql_as(
        editor,
        r#"query($slug: String!) {
             movie(slug: $slug, status: DRAFT) { id slug title version unpublishedChanges publishedAt sections { title } }
             movies(status: DRAFT) { totalCount nodes { slug } }
           }"#,
        json!({ "slug": slug }),
    )
    .await["data"]
    .clone()
}

async fn a_new_film_is_a_draft_until_published(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let created = app
        .graphql_as(
            &editor,
            r#"mutation { createMovie(input: { title: "Videodrome", releaseYear: 1983,
                 sections: [{ title: "Signal", body: "A pirate broadcast." }] }) { id version publishedAt unpublishedChanges } }"#,
            json!({}),
        )
        .await;
    let film = &created["data"]["createMovie"];
    assert_eq!(film["publishedAt"], Value::Null, "{created}");
    assert_eq!(film["unpublishedChanges"], true);

    let public = public_view(&app, "videodrome", "pirate").await;
    assert_eq!(
        public,
        json!({ "movie": null, "movies": { "totalCount": 1, "nodes": [{ "slug": "m-butterfly" }] },
                "search": { "edges": [] } })
    );
    let draft = draft_view(&app, &editor, "videodrome").await;
    assert_eq!(draft["movie"]["title"], "Videodrome", "{draft}");
    assert_eq!(draft["movies"]["totalCount"], 2);

    let published = app
        .graphql_as(
            &editor,
            PUBLISH,
            json!({ "id": film["id"], "v": film["version"] }),
        )
        .await;
    let film = &published["data"]["publishMovie"];
    assert!(film["publishedAt"].is_string(), "{published}");
    assert_eq!(film["firstPublishedAt"], film["publishedAt"]);
    assert_eq!(film["unpublishedChanges"], false);
    let public = public_view(&app, "videodrome", "pirate").await;
    assert_eq!(public["movie"]["title"], "Videodrome", "{public}");
    assert_eq!(public["movies"]["totalCount"], 2);
    assert_eq!(
        public["search"]["edges"][0]["node"]["node"]["__typename"],
        "Section"
    );
}

async fn changes_to_a_published_film_wait_in_its_draft_until_published(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let before = public_view(&app, "m-butterfly", "Butterfly").await;
    let id = app
        .query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();

    let first = app
        .graphql_as(
            &editor,
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "title": "M. Butterfly (draft)", "slug": "m-butterfly-1993", "sections": [{ "title": "Zyzzyva", "body": "Just one section now." }] } }),
        )
        .await;
    let draft = &first["data"]["updateMovie"];
    assert_eq!(draft["id"], id, "a draft is the same film: {first}");
    assert_eq!(draft["slug"], "m-butterfly-1993");
    assert_eq!(draft["unpublishedChanges"], true);
    let version = draft["version"].clone();
    // A second change lands on the same draft.
    let second = app
        .graphql_as(
            &editor,
            UPDATE,
            json!({ "id": id, "v": version, "input": { "title": "M. Butterfly (1993)" } }),
        )
        .await;
    let version = second["data"]["updateMovie"]["version"].clone();
    assert_eq!(version, json!(3), "{second}");

    // Readers see the published film, unchanged, under its published slug only.
    assert_eq!(public_view(&app, "m-butterfly", "Butterfly").await, before);
    let renamed = public_view(&app, "m-butterfly-1993", "Zyzzyva").await;
    assert_eq!(renamed["movie"], Value::Null);
    assert_eq!(renamed["search"]["edges"], json!([]));
    // Editors find the draft's text when they search what they work on.
    let found = app
        .graphql_as(
            &editor,
            r#"{ search(query: "Zyzzyva", status: DRAFT) { edges { node { node { __typename ... on Section { title } } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        found["data"]["search"]["edges"],
        json!([{ "node": { "node": { "__typename": "Section", "title": "Zyzzyva" } } }]),
        "{found}"
    );
    let titled = app
        .graphql_as(
            &editor,
            r#"{ search(query: "1993", status: DRAFT) { edges { node { node { ... on Movie { id title } } } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        titled["data"]["search"]["edges"][0]["node"]["node"],
        json!({ "id": id, "title": "M. Butterfly (1993)" }),
        "{titled}"
    );
    // A draft's items lead back to the draft, for those who may read it.
    let back = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "m-butterfly-1993", status: DRAFT) { characters { movie { id title } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        back["data"]["movie"]["characters"][0]["movie"],
        json!({ "id": id, "title": "M. Butterfly (1993)" }),
        "{back}"
    );
    // Editors see the draft, once, under its new slug.
    let seen = draft_view(&app, &editor, "m-butterfly-1993").await;
    assert_eq!(seen["movie"]["title"], "M. Butterfly (1993)", "{seen}");
    assert_eq!(seen["movie"]["id"], id);
    assert_eq!(seen["movie"]["sections"], json!([{ "title": "Zyzzyva" }]));
    assert!(
        seen["movie"]["publishedAt"].is_string(),
        "the film is published"
    );
    assert_eq!(
        seen["movies"],
        json!({ "totalCount": 1, "nodes": [{ "slug": "m-butterfly-1993" }] })
    );
    assert_eq!(
        draft_view(&app, &editor, "m-butterfly").await["movie"],
        Value::Null
    );

    let stale = app
        .graphql_as(&editor, PUBLISH, json!({ "id": id, "v": 2 }))
        .await;
    assert_eq!(
        first_error_extensions(&stale)["code"],
        "CONFLICT",
        "{stale}"
    );
    let published = app
        .graphql_as(&editor, PUBLISH, json!({ "id": id, "v": version }))
        .await;
    assert_eq!(
        published["data"]["publishMovie"]["title"], "M. Butterfly (1993)",
        "{published}"
    );
    assert_eq!(
        published["data"]["publishMovie"]["unpublishedChanges"],
        false
    );
    let after = public_view(&app, "m-butterfly-1993", "Zyzzyva").await;
    assert_eq!(
        after["movie"],
        json!({ "title": "M. Butterfly (1993)", "sections": [{ "title": "Zyzzyva" }] })
    );
    assert_eq!(after["movies"]["totalCount"], 1, "still one film");
    assert_eq!(
        public_view(&app, "m-butterfly", "x").await["movie"],
        Value::Null
    );

    let history = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "m-butterfly-1993") { revisions { version action } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        history["data"]["movie"]["revisions"],
        json!([
            { "version": 4, "action": "PUBLISH" },
            { "version": 3, "action": "UPDATE" },
            { "version": 2, "action": "UPDATE" },
            { "version": 1, "action": "CREATE" }
        ])
    );
}

async fn a_draft_can_be_thrown_away_and_a_restore_lands_in_the_draft(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let id = app
        .query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();
    let changed = app
        .graphql_as(
            &editor,
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "title": "Vandalised", "sections": [] } }),
        )
        .await;
    assert_eq!(changed["data"]["updateMovie"]["version"], 2, "{changed}");

    let stale = app
        .graphql_as(&editor, DISCARD, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(first_error_extensions(&stale)["code"], "CONFLICT");
    let discarded = app
        .graphql_as(&editor, DISCARD, json!({ "id": id, "v": 2 }))
        .await;
    assert_eq!(
        discarded["data"]["discardDraft"],
        json!({ "title": "M. Butterfly", "version": 1, "unpublishedChanges": false }),
        "{discarded}"
    );
    let seen = draft_view(&app, &editor, "m-butterfly").await;
    assert_eq!(seen["movie"]["title"], "M. Butterfly");
    assert_eq!(seen["movie"]["sections"].as_array().map(Vec::len), Some(15));
    let none = app
        .graphql_as(&editor, DISCARD, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(first_error_extensions(&none)["code"], "BAD_USER_INPUT");

    // Restoring the vandalised revision puts it in a new draft; readers see no change.
    let restored = app
        .graphql_as(
            &editor,
            "mutation($id: ID!) { restoreMovieRevision(id: $id, version: 2, expectedVersion: 1) { title version unpublishedChanges } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        restored["data"]["restoreMovieRevision"],
        json!({ "title": "Vandalised", "version": 3, "unpublishedChanges": true }),
        "a new draft counts past every version used: {restored}"
    );
    let public = app
        .query_data(r#"{ movie(slug: "m-butterfly") { title } }"#, json!({}))
        .await;
    assert_eq!(public["movie"]["title"], "M. Butterfly");
    let history = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "m-butterfly") { revisions { version action } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        history["data"]["movie"]["revisions"][0],
        json!({ "version": 3, "action": "RESTORE" })
    );
}

async fn slugs_stay_unique_across_films_and_drafts(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let created = app
        .graphql_as(&editor, r#"mutation { createMovie(input: { title: "Crash", releaseYear: 1996 }, publish: true) { id } }"#, json!({}))
        .await;
    let crash = created["data"]["createMovie"]["id"].clone();
    let butterfly = app
        .query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();
    // The draft of M. Butterfly takes a new slug...
    let draft = app
        .graphql_as(
            &editor,
            UPDATE,
            json!({ "id": butterfly, "v": 1, "input": { "slug": "butterfly" } }),
        )
        .await;
    assert_eq!(draft["data"]["updateMovie"]["slug"], "butterfly", "{draft}");
    // ...which no other film (or its draft) may take, nor another film's published slug.
    for (slug, holder) in [
        ("butterfly", "a draft"),
        ("m-butterfly", "a published film"),
    ] {
        let taken = app
            .graphql_as(
                &editor,
                UPDATE,
                json!({ "id": crash, "v": 1, "input": { "slug": slug } }),
            )
            .await;
        assert_eq!(
            first_error_extensions(&taken)["code"],
            "CONFLICT",
            "{holder}: {taken}"
        );
        assert_eq!(first_error_extensions(&taken)["field"], "input.slug");
    }
    let new_film = app
        .graphql_as(
            &editor,
            r#"mutation { createMovie(input: { title: "Butterfly", releaseYear: 2000 }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        first_error_extensions(&new_film)["code"],
        "CONFLICT",
        "{new_film}"
    );
    // Its own draft may keep the film's slug.
    let own = app
        .graphql_as(
            &editor,
            UPDATE,
            json!({ "id": butterfly, "v": 2, "input": { "slug": "m-butterfly" } }),
        )
        .await;
    assert_eq!(own["data"]["updateMovie"]["slug"], "m-butterfly", "{own}");
}

async fn deleting_a_film_deletes_its_draft(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let admin = app.token("root", TokenRole::Admin).await;
    let id = app
        .query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();
    app.graphql_as(
        &editor,
        UPDATE,
        json!({ "id": id, "v": 1, "input": { "title": "Draft" } }),
    )
    .await;
    let stale = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { deleteMovie(id: $id, expectedVersion: 1) { slug } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        first_error_extensions(&stale)["code"],
        "CONFLICT",
        "the draft is at 2: {stale}"
    );
    let deleted = app
        .graphql_as(
            &admin,
            "mutation($id: ID!) { deleteMovie(id: $id, expectedVersion: 2) { slug } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        deleted["data"]["deleteMovie"]["slug"], "m-butterfly",
        "{deleted}"
    );
    let left = draft_view(&app, &editor, "m-butterfly").await;
    assert_eq!(left["movies"]["totalCount"], 0, "{left}");
    let rows = crate::migrations::row_counts(app.db()).await;
    assert!(
        rows.iter()
            .all(|(table, n)| !["movie", "section"].contains(table) || *n == 0),
        "{rows:?}"
    );
}

/// Who and what the draft film names, as a person's and a company's lists show them.
const LISTS: &str = r#"query($status: PublicationStatus) {
  actor: person(slug: "jeremy-irons") { roles(status: $status) { totalCount nodes { name movie { title } } } }
  director: person(slug: "david-cronenberg") { credits(status: $status) { totalCount nodes { role movie { title } } } }
  company(slug: "geffen-pictures") { movies(status: $status) { totalCount nodes { role movie { title } } } }
}"#;

async fn people_and_companies_list_a_films_draft_for_editors_only(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let created = app
        .graphql_as(
            &editor,
            r#"mutation { createMovie(input: { title: "Dead Ringers", releaseYear: 1988,
                 directors: [{ slug: "david-cronenberg" }],
                 companies: [{ company: { slug: "geffen-pictures" }, role: DISTRIBUTION }],
                 characters: [{ name: "Beverly Mantle", description: "A twin.", actor: { slug: "jeremy-irons" } }] }) { id } }"#,
            json!({}),
        )
        .await;
    assert!(
        created["data"]["createMovie"]["id"].is_string(),
        "{created}"
    );

    let published = json!({
        "actor": { "roles": { "totalCount": 1, "nodes": [{ "name": "Rene Gallimard", "movie": { "title": "M. Butterfly" } }] } },
        "director": { "credits": { "totalCount": 1, "nodes": [{ "role": "DIRECTOR", "movie": { "title": "M. Butterfly" } }] } },
        "company": { "movies": { "totalCount": 1, "nodes": [{ "role": "PRODUCTION", "movie": { "title": "M. Butterfly" } }] } },
    });
    // The public, and editors who do not ask for drafts, see published films only.
    assert_eq!(app.query_data(LISTS, json!({})).await, published);
    let editors_default = app.graphql_as(&editor, LISTS, json!({})).await;
    assert_eq!(editors_default["data"], published, "{editors_default}");

    // Editors asking for drafts see the draft film beside the published one.
    let drafts = app
        .graphql_as(&editor, LISTS, json!({ "status": "DRAFT" }))
        .await;
    assert_eq!(
        drafts["data"],
        json!({
            "actor": { "roles": { "totalCount": 2, "nodes": [
                { "name": "Rene Gallimard", "movie": { "title": "M. Butterfly" } },
                { "name": "Beverly Mantle", "movie": { "title": "Dead Ringers" } }] } },
            "director": { "credits": { "totalCount": 2, "nodes": [
                { "role": "DIRECTOR", "movie": { "title": "M. Butterfly" } },
                { "role": "DIRECTOR", "movie": { "title": "Dead Ringers" } }] } },
            "company": { "movies": { "totalCount": 2, "nodes": [
                { "role": "PRODUCTION", "movie": { "title": "M. Butterfly" } },
                { "role": "DISTRIBUTION", "movie": { "title": "Dead Ringers" } }] } },
        }),
        "{drafts}"
    );

    // Without a token, drafts do not exist here either, and asking says so.
    let refused = app.graphql(LISTS, json!({ "status": "DRAFT" })).await;
    assert_eq!(
        first_error_extensions(&refused)["code"],
        "UNAUTHENTICATED",
        "{refused}"
    );
    assert!(!refused.to_string().contains("Dead Ringers"), "{refused}");
}

crate::on_both_backends!(
    a_new_film_is_a_draft_until_published,
    people_and_companies_list_a_films_draft_for_editors_only,
    changes_to_a_published_film_wait_in_its_draft_until_published,
    a_draft_can_be_thrown_away_and_a_restore_lands_in_the_draft,
    slugs_stay_unique_across_films_and_drafts,
    deleting_a_film_deletes_its_draft,
);
