//! Editors: token-protected, atomic film mutations, input-path errors, optimistic concurrency,
//! revisions.

use entity::{RevisionAction, TokenRole, movie_revision};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::{Value, json};

use crate::helpers::{TestApp, first_error_extensions};
use crate::migrations::row_counts;

const CREATE: &str = "mutation($input: MovieInput!) { createMovie(input: $input, publish: true) {
    id slug title releaseYear version plot
    period { startYear endYear description }
    setting { description locations { id name } }
    directors { slug name }
    credits { role person { slug } }
    companies { role company { slug name } }
    themes { id emoji name description }
    sections { id title body }
    characters { id name description actor { slug name } }
} }";

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $input: MovieChangesInput!) {
  updateMovie(id: $id, expectedVersion: $v, input: $input) {
    title slug version
    sections { id title body }
    characters { id name actor { slug } }
    themes { emoji name }
    setting { description locations { name } }
    period { startYear }
    directors { slug }
    credits { role person { slug } }
    companies { role }
  } }";

fn crash() -> Value {
    json!({
        "title": "Crash",
        "releaseYear": 1996,
        "plot": ["A film producer is in a car crash.", "He meets others drawn to crashes."],
        "period": { "startYear": 1995, "endYear": 1996, "description": "The mid-nineties." },
        "setting": { "description": "Toronto's highways.", "locations": [{ "name": "Toronto" }] },
        "directors": [{ "slug": "david-cronenberg" }],
        "credits": [{ "person": { "name": "J. G. Ballard" }, "role": "WRITER" }],
        "companies": [{ "company": { "name": "Alliance Communications" }, "role": "PRODUCTION" }],
        "themes": [{ "emoji": "🚗", "name": "Cars", "description": "Machines and desire." }],
        "sections": [
            { "title": "The Crash", "body": "James Ballard crashes his car." },
            { "title": "Recovery", "body": "In hospital he meets *Vaughan*." }
        ],
        "characters": [
            { "name": "James Ballard", "description": "A film producer.", "actor": { "name": "James Spader" } },
            { "name": "Vaughan", "description": "A crash enthusiast.", "actor": { "name": "Elias Koteas" } },
            { "name": "A nurse", "description": "Unnamed." }
        ]
    })
}

async fn create(app: &TestApp, token: &str, input: Value) -> Value {
    app.graphql_as(token, CREATE, json!({ "input": input }))
        .await
}

async fn create_movie_writes_the_whole_page(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let body = create(&app, &editor, crash()).await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let created = &body["data"]["createMovie"];
    assert_eq!(created["slug"], "crash", "slug derived from the title");
    assert_eq!(created["version"], 1);
    assert_eq!(
        created["directors"],
        json!([{ "slug": "david-cronenberg", "name": "David Cronenberg" }])
    );
    assert_eq!(
        created["credits"],
        json!([
            { "role": "DIRECTOR", "person": { "slug": "david-cronenberg" } },
            { "role": "WRITER", "person": { "slug": "j-g-ballard" } }
        ])
    );
    assert_eq!(
        created["companies"][0]["company"],
        json!({ "slug": "alliance-communications", "name": "Alliance Communications" })
    );
    assert_eq!(
        created["characters"][1]["actor"],
        json!({ "slug": "elias-koteas", "name": "Elias Koteas" })
    );
    assert_eq!(created["characters"][2]["actor"], Value::Null);
    assert_eq!(
        created["sections"][1]["body"],
        "In hospital he meets *Vaughan*."
    );

    // Read back through the public API, as any client would.
    let data = app
        .query_data(
            r#"{ movie(slug: "crash") { title releaseYear plot period { startYear endYear description }
                 setting { description locations { name } } themes { emoji name description }
                 sections { title } characters { name actor { name } } }
                 person(slug: "david-cronenberg") { credits { nodes { role movie { slug } } } } }"#,
            json!({}),
        )
        .await;
    let movie = &data["movie"];
    assert_eq!(movie["title"], "Crash");
    assert_eq!(movie["plot"], crash()["plot"]);
    assert_eq!(movie["period"], crash()["period"]);
    assert_eq!(movie["setting"], crash()["setting"]);
    assert_eq!(movie["themes"], crash()["themes"]);
    assert_eq!(
        movie["sections"],
        json!([{ "title": "The Crash" }, { "title": "Recovery" }])
    );
    assert_eq!(
        data["person"]["credits"]["nodes"],
        json!([
            { "role": "DIRECTOR", "movie": { "slug": "m-butterfly" } },
            { "role": "DIRECTOR", "movie": { "slug": "crash" } }
        ])
    );
}

async fn writes_need_a_valid_token_of_the_right_role(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let revoked = app.token("mallory", TokenRole::Admin).await;
    let admin = app.token("root", TokenRole::Admin).await;
    let tokens = app
        .graphql_as(&admin, "{ tokens { id name } }", json!({}))
        .await;
    let mallory = tokens["data"]["tokens"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == "mallory"))
        .map(|t| t["id"].clone())
        .expect("mallory's token is listed");
    let revoke = app
        .graphql_as(
            &admin,
            "mutation($id: Int!) { revokeToken(id: $id) { revokedAt } }",
            json!({ "id": mallory }),
        )
        .await;
    assert!(
        revoke["data"]["revokeToken"]["revokedAt"].is_string(),
        "{revoke}"
    );
    let before = row_counts(app.db()).await;

    let answer = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {admin}"))
        .body(json!({ "query": "{ tokens { name } }" }).to_string())
        .send()
        .await
        .expect("server answers");
    assert_eq!(
        answer
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok()),
        Some("private, no-store"),
        "answers to a token are never for shared caches"
    );
    let create_body = json!({ "query": CREATE, "variables": { "input": crash() } });
    let anonymous = app
        .post_json(
            "/graphql",
            &create_body,
            "application/graphql-response+json",
        )
        .await;
    assert_eq!(
        first_error_extensions(&anonymous.json())["code"],
        "UNAUTHENTICATED"
    );
    for token in ["fcs_not-a-real-token", revoked.as_str(), ""] {
        let body = create(&app, token, crash()).await;
        assert_eq!(
            first_error_extensions(&body)["code"],
            "UNAUTHENTICATED",
            "token {token:?}"
        );
        assert_eq!(body["data"], Value::Null);
    }
    let movie_id = app
        .query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();
    let delete = app
        .graphql_as(
            &editor,
            "mutation($id: ID!) { deleteMovie(id: $id, expectedVersion: 1) { slug } }",
            json!({ "id": movie_id }),
        )
        .await;
    assert_eq!(first_error_extensions(&delete)["code"], "FORBIDDEN");
    let token = app
        .graphql_as(
            &editor,
            r#"mutation { createToken(name: "eve", role: ADMIN) { token } }"#,
            json!({}),
        )
        .await;
    assert_eq!(first_error_extensions(&token)["code"], "FORBIDDEN");
    let list = app
        .graphql_as(&editor, "{ tokens { id } }", json!({}))
        .await;
    assert_eq!(first_error_extensions(&list)["code"], "FORBIDDEN");
    let revisions = app
        .graphql(
            r#"{ movie(slug: "m-butterfly") { revisions { version } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        first_error_extensions(&revisions)["code"],
        "UNAUTHENTICATED"
    );

    assert_eq!(
        row_counts(app.db()).await,
        before,
        "refused writes changed the database"
    );
}

async fn admin_tokens_made_by_mutation_work(app: TestApp) {
    let admin = app.token("root", TokenRole::Admin).await;
    let made = app
        .graphql_as(&admin, r#"mutation { createToken(name: "bob", role: EDITOR) { token info { name role prefix revokedAt } } }"#, json!({}))
        .await;
    let created = &made["data"]["createToken"];
    let secret = created["token"].as_str().expect("a secret");
    assert!(
        secret.starts_with("fcs_") && secret.len() >= 4 + 43,
        "{secret}"
    );
    assert_eq!(created["info"]["name"], "bob");
    assert_eq!(created["info"]["role"], "EDITOR");
    assert!(secret.starts_with(created["info"]["prefix"].as_str().unwrap_or("-")));
    let body = create(&app, secret, crash()).await;
    assert_eq!(body["data"]["createMovie"]["slug"], "crash", "{body}");
}

async fn a_failing_nested_create_leaves_no_rows(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let before = row_counts(app.db()).await;
    let mut input = crash();
    // Everything is fine, with new people and companies to create, until the last character,
    // whose actor is a person that does not exist ("Person:999999").
    input["characters"][2]["actor"] = json!({ "id": "UGVyc29uOjk5OTk5OQ" });
    let body = create(&app, &editor, input).await;
    assert_eq!(body["data"], Value::Null);
    assert_eq!(first_error_extensions(&body)["code"], "BAD_USER_INPUT");
    assert_eq!(
        first_error_extensions(&body)["field"],
        "input.characters[2].actor.id"
    );
    assert_eq!(
        row_counts(app.db()).await,
        before,
        "a refused create left rows behind"
    );
    let data = app
        .query_data(
            r#"{ movie(slug: "crash") { id } person(slug: "james-spader") { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(data, json!({ "movie": null, "person": null }));
}

async fn every_validation_rule_reports_its_path(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let next_year = chrono::Utc::now()
        .format("%Y")
        .to_string()
        .parse::<i64>()
        .unwrap_or(2026)
        + 1;
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "empty title",
            json!({ "title": "  " }),
            "input.title",
            "BAD_USER_INPUT",
        ),
        (
            "long title",
            json!({ "title": "x".repeat(301) }),
            "input.title",
            "BAD_USER_INPUT",
        ),
        (
            "malformed slug",
            json!({ "slug": "Not-A-Slug" }),
            "input.slug",
            "BAD_USER_INPUT",
        ),
        (
            "taken slug",
            json!({ "slug": "m-butterfly" }),
            "input.slug",
            "CONFLICT",
        ),
        (
            "taken derived slug",
            json!({ "title": "M. Butterfly" }),
            "input.title",
            "CONFLICT",
        ),
        (
            "year too early",
            json!({ "releaseYear": 1887 }),
            "input.releaseYear",
            "BAD_USER_INPUT",
        ),
        (
            "year too late",
            json!({ "releaseYear": next_year + 6 }),
            "input.releaseYear",
            "BAD_USER_INPUT",
        ),
        (
            "period backwards",
            json!({ "period": { "startYear": 1970, "endYear": 1960 } }),
            "input.period.startYear",
            "BAD_USER_INPUT",
        ),
        (
            "two emoji",
            json!({ "themes": [{ "emoji": "🚗🚗", "name": "n", "description": "d" }] }),
            "input.themes[0].emoji",
            "BAD_USER_INPUT",
        ),
        (
            "text for emoji",
            json!({ "themes": [{ "emoji": "car", "name": "n", "description": "d" }] }),
            "input.themes[0].emoji",
            "BAD_USER_INPUT",
        ),
        (
            "unknown person",
            json!({ "directors": [{ "id": "UGVyc29uOjk5OTk5OQ" }] }),
            "input.directors[0].id",
            "BAD_USER_INPUT",
        ),
        (
            "unknown slug",
            json!({ "directors": [{ "slug": "nobody-at-all" }] }),
            "input.directors[0].slug",
            "BAD_USER_INPUT",
        ),
        (
            "id of another type",
            json!({ "directors": [{ "id": "TW92aWU6MQ" }] }),
            "input.directors[0].id",
            "BAD_USER_INPUT",
        ),
        (
            "empty reference",
            json!({ "directors": [{}] }),
            "input.directors[0]",
            "BAD_USER_INPUT",
        ),
        (
            "same director twice",
            json!({ "directors": [{ "slug": "david-cronenberg" }, { "slug": "david-cronenberg" }] }),
            "input.directors[1]",
            "BAD_USER_INPUT",
        ),
        (
            "new person named like an existing one",
            json!({ "directors": [{ "name": "David Cronenberg" }] }),
            "input.directors[0].name",
            "CONFLICT",
        ),
        (
            "too many paragraphs",
            json!({ "plot": vec!["p"; 101] }),
            "input.plot",
            "BAD_USER_INPUT",
        ),
        (
            "paragraph too long",
            json!({ "plot": ["x".repeat(20_001)] }),
            "input.plot[0]",
            "BAD_USER_INPUT",
        ),
        (
            "empty character name",
            json!({ "characters": [{ "name": "", "description": "d" }] }),
            "input.characters[0].name",
            "BAD_USER_INPUT",
        ),
        (
            "id in a new film",
            json!({ "sections": [{ "id": "U2VjdGlvbjox", "title": "t", "body": "b" }] }),
            "input.sections[0].id",
            "BAD_USER_INPUT",
        ),
    ];
    let before = row_counts(app.db()).await;
    for (name, change, field, code) in cases {
        let mut input = crash();
        for (key, value) in change.as_object().into_iter().flatten() {
            input[key] = value.clone();
        }
        let body = create(&app, &editor, input).await;
        assert_eq!(body["data"], Value::Null, "{name}: {body}");
        let errors = body["errors"].as_array().cloned().unwrap_or_default();
        let found = errors
            .iter()
            .any(|e| e["extensions"]["field"] == field && e["extensions"]["code"] == code);
        assert!(found, "{name}: expected {code} at {field}, got {errors:#?}");
    }
    assert_eq!(row_counts(app.db()).await, before);

    // All problems of one input come back at once, those the database finds included.
    let mut input = crash();
    input["title"] = json!("");
    input["slug"] = json!("m-butterfly");
    input["releaseYear"] = json!(1700);
    input["directors"] = json!([{ "slug": "nobody-at-all" }]);
    input["themes"][0]["emoji"] = json!("no");
    input["characters"][1]["name"] = json!("");
    let body = create(&app, &editor, input).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["extensions"]["field"].as_str())
        .collect();
    let mut fields = fields;
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "input.characters[1].name",
            "input.directors[0].slug",
            "input.releaseYear",
            "input.slug",
            "input.themes[0].emoji",
            "input.title",
        ]
    );

    // The last accepted year is next year + 5.
    let mut input = crash();
    input["releaseYear"] = json!(next_year + 5);
    let body = create(&app, &editor, input).await;
    assert_eq!(
        body["data"]["createMovie"]["releaseYear"],
        next_year + 5,
        "{body}"
    );
}

/// A database trigger (arranged by the test, not part of the app) makes the insert of a
/// character named "Boom" fail: the write fails after the film, its plot, sections, themes,
/// new people and companies were written, and the transaction must take all of it back.
async fn a_write_that_fails_midway_rolls_everything_back(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let trigger = match app.backend {
        crate::helpers::Backend::Sqlite => vec![
            "CREATE TRIGGER boom BEFORE INSERT ON character WHEN NEW.name = 'Boom' \
             BEGIN SELECT RAISE(ABORT, 'boom'); END",
        ],
        crate::helpers::Backend::Postgres => vec![
            "CREATE FUNCTION boom() RETURNS trigger AS $$ BEGIN \
             IF NEW.name = 'Boom' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER boom BEFORE INSERT ON character FOR EACH ROW EXECUTE FUNCTION boom()",
        ],
    };
    for sql in trigger {
        sea_orm::ConnectionTrait::execute_unprepared(app.db(), sql)
            .await
            .expect("arrange the trigger");
    }
    let before = row_counts(app.db()).await;
    let mut input = crash();
    input["characters"][2]["name"] = json!("Boom");
    let body = create(&app, &editor, input).await;
    assert_eq!(body["data"], Value::Null);
    assert_eq!(
        first_error_extensions(&body)["code"],
        "INTERNAL_SERVER_ERROR",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["message"], "internal server error",
        "no database detail leaks"
    );
    assert_eq!(
        row_counts(app.db()).await,
        before,
        "a failed write left rows behind"
    );
    let data = app
        .query_data(r#"{ movie(slug: "crash") { id } person(slug: "james-spader") { id } company(slug: "alliance-communications") { id } }"#, json!({}))
        .await;
    assert_eq!(
        data,
        json!({ "movie": null, "person": null, "company": null })
    );
}

/// Every mutation: no token is UNAUTHENTICATED, an editor's token on an admin mutation is
/// FORBIDDEN, and neither changes anything.
async fn every_mutation_refuses_missing_and_weak_tokens(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let ids = app
        .query_data(r#"{ movie(slug: "m-butterfly") { id characters { actor { id } } companies { company { id } } } }"#, json!({}))
        .await;
    let movie = ids["movie"]["id"].as_str().unwrap_or_default().to_owned();
    let person = ids["movie"]["characters"][0]["actor"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let company = ids["movie"]["companies"][0]["company"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mutations = [
        (
            "editor",
            r#"mutation { createMovie(input: { title: "X", releaseYear: 2000 }, publish: true) { id } }"#
                .to_owned(),
        ),
        (
            "editor",
            format!(
                r#"mutation {{ updateMovie(id: "{movie}", expectedVersion: 1, input: {{ title: "X" }}) {{ id }} }}"#
            ),
        ),
        (
            "editor",
            format!(
                r#"mutation {{ restoreMovieRevision(id: "{movie}", version: 1, expectedVersion: 1) {{ id }} }}"#
            ),
        ),
        (
            "editor",
            r#"mutation { createPerson(input: { name: "X Y" }) { id } }"#.to_owned(),
        ),
        (
            "editor",
            format!(
                r#"mutation {{ updatePerson(id: "{person}", input: {{ name: "X" }}) {{ id }} }}"#
            ),
        ),
        (
            "editor",
            r#"mutation { createCompany(input: { name: "X Co" }) { id } }"#.to_owned(),
        ),
        (
            "editor",
            format!(
                r#"mutation {{ updateCompany(id: "{company}", input: {{ name: "X" }}) {{ id }} }}"#
            ),
        ),
        (
            "admin",
            format!(r#"mutation {{ deleteMovie(id: "{movie}", expectedVersion: 1) {{ id }} }}"#),
        ),
        (
            "admin",
            r#"mutation { createToken(name: "x", role: ADMIN) { token } }"#.to_owned(),
        ),
        ("admin", "mutation { revokeToken(id: 1) { id } }".to_owned()),
    ];
    let before = row_counts(app.db()).await;
    for (role, mutation) in &mutations {
        let anonymous = app.graphql(mutation, json!({})).await;
        assert_eq!(
            first_error_extensions(&anonymous)["code"],
            "UNAUTHENTICATED",
            "{mutation}"
        );
        if *role == "admin" {
            let weak = app.graphql_as(&editor, mutation, json!({})).await;
            assert_eq!(
                first_error_extensions(&weak)["code"],
                "FORBIDDEN",
                "{mutation}"
            );
        }
    }
    assert_eq!(row_counts(app.db()).await, before);
}

async fn movie_with_ids(app: &TestApp, editor: &str) -> Value {
    let body = create(app, editor, crash()).await;
    body["data"]["createMovie"].clone()
}

async fn update_movie_changes_adds_removes_and_reorders(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let movie = movie_with_ids(&app, &editor).await;
    let sections = &movie["sections"];
    let characters = &movie["characters"];
    let input = json!({
        "title": "Crash (1996)",
        "sections": [
            { "id": sections[1]["id"], "title": "Recovery", "body": "Changed." },
            { "title": "Epilogue", "body": "New." }
        ],
        "characters": [
            { "id": characters[1]["id"], "name": "Vaughan", "description": "d", "actor": { "slug": "elias-koteas" } },
            { "id": characters[0]["id"], "name": "James Ballard", "description": "d", "actor": { "slug": "jeremy-irons" } }
        ],
        "setting": { "locations": [{ "name": "Toronto" }, { "name": "Ontario" }] },
        "period": null,
        "themes": [
            { "id": movie["themes"][0]["id"], "emoji": "🚙", "name": "Cars", "description": "Changed." },
            { "emoji": "🩹", "name": "Wounds", "description": "Added." }
        ],
        "credits": [{ "person": { "slug": "jeremy-irons" }, "role": "PRODUCER" }],
        "companies": []
    });
    let body = app
        .graphql_as(
            &editor,
            UPDATE,
            json!({ "id": movie["id"], "v": 1, "input": input }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let updated = &body["data"]["updateMovie"];
    assert_eq!(updated["title"], "Crash (1996)");
    assert_eq!(updated["slug"], "crash", "fields left out stay");
    assert_eq!(updated["version"], 2);
    // The change went to the film's draft, whose items are copies of the published ones (the
    // ids the editor sent named those): readers still see the film as it was.
    let public = app
        .query_data(
            r#"{ movie(slug: "crash") { title sections { id } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(public["movie"]["title"], "Crash", "{public}");
    assert_eq!(public["movie"]["sections"][1]["id"], sections[1]["id"]);
    let draft = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "crash", status: DRAFT) { sections { id body } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        updated["sections"][0]["id"], draft["data"]["movie"]["sections"][0]["id"],
        "kept items are the draft's: {draft}"
    );
    assert_eq!(updated["sections"][0]["body"], "Changed.");
    assert_eq!(updated["sections"][1]["title"], "Epilogue");
    assert_eq!(
        updated["sections"].as_array().map(Vec::len),
        Some(2),
        "the first section is gone"
    );
    assert_eq!(
        updated["characters"][0]["name"], "Vaughan",
        "the kept one, changed"
    );
    assert_eq!(updated["characters"][1]["actor"]["slug"], "jeremy-irons");
    assert_eq!(updated["characters"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        updated["themes"],
        json!([{ "emoji": "🚙", "name": "Cars" }, { "emoji": "🩹", "name": "Wounds" }])
    );
    assert_eq!(
        updated["credits"],
        json!([
            { "role": "DIRECTOR", "person": { "slug": "david-cronenberg" } },
            { "role": "PRODUCER", "person": { "slug": "jeremy-irons" } }
        ]),
        "directors left out stay; other credits are replaced"
    );
    assert_eq!(updated["companies"], json!([]));
    assert_eq!(updated["setting"]["description"], "Toronto's highways.");
    assert_eq!(
        updated["setting"]["locations"],
        json!([{ "name": "Toronto" }, { "name": "Ontario" }])
    );
    assert_eq!(updated["period"], Value::Null, "null clears");
    assert_eq!(
        updated["directors"],
        json!([{ "slug": "david-cronenberg" }])
    );

    // Published, the draft is what readers see, ids and all.
    let published = app
        .graphql_as(
            &editor,
            "mutation($id: ID!) { publishMovie(id: $id, expectedVersion: 2) { version sections { id } } }",
            json!({ "id": movie["id"] }),
        )
        .await;
    assert_eq!(
        published["data"]["publishMovie"]["sections"],
        json!(
            draft["data"]["movie"]["sections"]
                .as_array()
                .map(|sections| sections
                    .iter()
                    .map(|s| json!({ "id": s["id"] }))
                    .collect::<Vec<_>>())
        ),
        "{published}"
    );
    assert_eq!(published["data"]["publishMovie"]["version"], 3);

    // A removed section's id no longer resolves; an item of another film is refused.
    let node = app
        .query_data(
            "query($id: ID!) { node(id: $id) { id } }",
            json!({ "id": sections[0]["id"] }),
        )
        .await;
    assert_eq!(node["node"], Value::Null);
    let butterfly_section = app
        .query_data(
            r#"{ movie(slug: "m-butterfly") { sections { id } } }"#,
            json!({}),
        )
        .await["movie"]["sections"][0]["id"]
        .clone();
    let body = app
        .graphql_as(
            &editor,
            UPDATE,
            json!({ "id": movie["id"], "v": 3, "input": {
            "sections": [{ "id": butterfly_section, "title": "t", "body": "b" }] } }),
        )
        .await;
    assert_eq!(
        first_error_extensions(&body)["field"],
        "input.sections[0].id"
    );
    let version = app
        .query_data(r#"{ movie(slug: "crash") { version } }"#, json!({}))
        .await;
    assert_eq!(
        version["movie"]["version"], 3,
        "a refused update changes nothing"
    );
}

async fn a_stale_version_changes_nothing(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let movie = movie_with_ids(&app, &editor).await;
    let first = app
        .graphql_as(
            &editor,
            UPDATE,
            json!({ "id": movie["id"], "v": 1, "input": { "title": "First" } }),
        )
        .await;
    assert_eq!(first["data"]["updateMovie"]["version"], 2);
    let before = row_counts(app.db()).await;
    let stale = app
        .graphql_as(
            &editor,
            UPDATE,
            json!({ "id": movie["id"], "v": 1, "input": { "title": "Second", "sections": [] } }),
        )
        .await;
    assert_eq!(stale["data"], Value::Null);
    assert_eq!(first_error_extensions(&stale)["code"], "CONFLICT");
    assert_eq!(first_error_extensions(&stale)["field"], "expectedVersion");
    assert_eq!(row_counts(app.db()).await, before);
    let data = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "crash", status: DRAFT) { title version sections { title } } }"#,
            json!({}),
        )
        .await["data"]
        .clone();
    assert_eq!(data["movie"]["title"], "First");
    assert_eq!(data["movie"]["version"], 2);
    assert_eq!(data["movie"]["sections"].as_array().map(Vec::len), Some(2));
}

async fn of_two_concurrent_updates_exactly_one_wins(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let movie = movie_with_ids(&app, &editor).await;
    let update = |title: &'static str| {
        app.graphql_as(
            &editor,
            UPDATE,
            json!({ "id": movie["id"], "v": 1, "input": {
            "title": title,
            "sections": [{ "title": title, "body": title }] } }),
        )
    };
    let (a, b) = tokio::join!(update("Edited by A"), update("Edited by B"));
    let won: Vec<&Value> = [&a, &b]
        .into_iter()
        .filter(|body| body["data"]["updateMovie"].is_object())
        .collect();
    let lost: Vec<&Value> = [&a, &b]
        .into_iter()
        .filter(|body| first_error_extensions(body)["code"] == "CONFLICT")
        .collect();
    assert_eq!((won.len(), lost.len()), (1, 1), "A: {a}\nB: {b}");
    let winner = won[0]["data"]["updateMovie"]["title"].clone();
    let data = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "crash", status: DRAFT) { title version sections { title } } }"#,
            json!({}),
        )
        .await["data"]
        .clone();
    assert_eq!(data["movie"]["title"], winner);
    assert_eq!(data["movie"]["version"], 2);
    assert_eq!(
        data["movie"]["sections"],
        json!([{ "title": winner }]),
        "the loser wrote nothing"
    );
}

async fn of_two_concurrent_creates_with_one_slug_exactly_one_wins(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let (a, b) = tokio::join!(
        create(&app, &editor, crash()),
        create(&app, &editor, crash())
    );
    let won = [&a, &b]
        .iter()
        .filter(|body| body["data"]["createMovie"].is_object())
        .count();
    let conflicts: Vec<&Value> = [&a, &b]
        .into_iter()
        .filter(|body| first_error_extensions(body)["code"] == "CONFLICT")
        .collect();
    assert_eq!((won, conflicts.len()), (1, 1), "A: {a}\nB: {b}");
    // The loser is refused on whichever new row it reached first that the winner had just
    // created: the film's slug, or the slug of a person or company both were creating.
    let field = first_error_extensions(conflicts[0])["field"].clone();
    assert!(
        [
            "input.title",
            "input.credits[0].person.name",
            "input.companies[0].company.name",
            "input.characters[0].actor.name",
            "input.characters[1].actor.name",
        ]
        .iter()
        .any(|f| field == *f),
        "{field}"
    );
    let data = app
        .query_data(r#"{ movies(first: 10) { totalCount } }"#, json!({}))
        .await;
    assert_eq!(data["movies"]["totalCount"], 2);
}

async fn revisions_are_written_and_restorable(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let other = app.token("bob", TokenRole::Editor).await;
    let movie = movie_with_ids(&app, &editor).await;
    let body = app
        .graphql_as(
            &other,
            UPDATE,
            json!({ "id": movie["id"], "v": 1, "input": { "title": "Renamed", "themes": [] } }),
        )
        .await;
    assert_eq!(body["data"]["updateMovie"]["version"], 2, "{body}");
    let revisions = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "crash") { revisions { version author createdAt snapshot } } }"#,
            json!({}),
        )
        .await;
    let list = revisions["data"]["movie"]["revisions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(list.len(), 2, "{revisions}");
    assert_eq!(
        (list[0]["version"].clone(), list[0]["author"].clone()),
        (json!(2), json!("bob"))
    );
    assert_eq!(
        (list[1]["version"].clone(), list[1]["author"].clone()),
        (json!(1), json!("alice"))
    );
    assert_eq!(list[0]["snapshot"]["title"], "Renamed");
    assert_eq!(list[1]["snapshot"]["title"], "Crash");
    assert_eq!(list[1]["snapshot"]["themes"], crash()["themes"]);

    let restore = app
        .graphql_as(&editor, "mutation($id: ID!) { restoreMovieRevision(id: $id, version: 1, expectedVersion: 2) { title version themes { name } characters { name actor { slug } } } }", json!({ "id": movie["id"] }))
        .await;
    let restored = &restore["data"]["restoreMovieRevision"];
    assert_eq!(restored["title"], "Crash", "{restore}");
    assert_eq!(restored["version"], 3);
    assert_eq!(restored["themes"], json!([{ "name": "Cars" }]));
    assert_eq!(restored["characters"][0]["actor"]["slug"], "james-spader");
    let count = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "crash") { revisions { version author } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        count["data"]["movie"]["revisions"][0],
        json!({ "version": 3, "author": "alice" })
    );
}

async fn the_seeded_film_can_be_restored_after_its_first_edit(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let id = app
        .query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();
    let body = app
        .graphql_as(
            &editor,
            UPDATE,
            json!({ "id": id, "v": 1, "input": { "title": "Vandalised", "sections": [] } }),
        )
        .await;
    assert_eq!(body["data"]["updateMovie"]["version"], 2, "{body}");
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
            { "version": 2, "action": "UPDATE", "author": "alice" },
            { "version": 1, "action": "CREATE", "author": "system" }
        ])
    );
    let restore = app
        .graphql_as(&editor, "mutation($id: ID!) { restoreMovieRevision(id: $id, version: 1, expectedVersion: 2) { title version sections { title } } }", json!({ "id": id }))
        .await;
    let restored = &restore["data"]["restoreMovieRevision"];
    assert_eq!(restored["title"], "M. Butterfly", "{restore}");
    assert_eq!(restored["version"], 3);
    assert_eq!(restored["sections"].as_array().map(Vec::len), Some(15));
    let history = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "m-butterfly") { revisions { version action author } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        history["data"]["movie"]["revisions"][0],
        json!({ "version": 3, "action": "RESTORE", "author": "alice" }),
        "a restore is recorded as one: {history}"
    );
}

/// Snapshots name people by id: a restore after a rename finds the same person, and never
/// makes a duplicate.
async fn restore_finds_people_renamed_since(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let movie = movie_with_ids(&app, &editor).await;
    let spader = app
        .query_data(r#"{ person(slug: "james-spader") { id } }"#, json!({}))
        .await["person"]["id"]
        .clone();
    let renamed = app
        .graphql_as(&editor, r#"mutation($id: ID!) { updatePerson(id: $id, input: { slug: "spader", name: "James Spader" }) { slug } }"#, json!({ "id": spader }))
        .await;
    assert_eq!(
        renamed["data"]["updatePerson"]["slug"], "spader",
        "{renamed}"
    );
    app.graphql_as(
        &editor,
        UPDATE,
        json!({ "id": movie["id"], "v": 1, "input": { "characters": [] } }),
    )
    .await;
    let restored = app
        .graphql_as(&editor, "mutation($id: ID!) { restoreMovieRevision(id: $id, version: 1, expectedVersion: 2) { characters { actor { id slug } } } }", json!({ "id": movie["id"] }))
        .await;
    let actor = &restored["data"]["restoreMovieRevision"]["characters"][0]["actor"];
    assert_eq!(actor["id"], spader, "{restored}");
    assert_eq!(actor["slug"], "spader");
    let duplicate = app
        .query_data(r#"{ person(slug: "james-spader") { id } }"#, json!({}))
        .await;
    assert_eq!(
        duplicate["person"],
        Value::Null,
        "restore made a duplicate person"
    );
}

async fn delete_movie_removes_the_film_but_not_its_people(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let admin = app.token("root", TokenRole::Admin).await;
    let movie = movie_with_ids(&app, &editor).await;
    let delete =
        "mutation($id: ID!, $v: Int!) { deleteMovie(id: $id, expectedVersion: $v) { id slug } }";
    let stale = app
        .graphql_as(&admin, delete, json!({ "id": movie["id"], "v": 7 }))
        .await;
    assert_eq!(first_error_extensions(&stale)["code"], "CONFLICT");
    let body = app
        .graphql_as(&admin, delete, json!({ "id": movie["id"], "v": 1 }))
        .await;
    assert_eq!(
        body["data"]["deleteMovie"],
        json!({ "id": movie["id"], "slug": "crash" })
    );
    let history: Vec<(i32, RevisionAction, String)> = movie_revision::Entity::find()
        .order_by_asc(movie_revision::Column::Version)
        .all(app.db())
        .await
        .expect("revisions read")
        .into_iter()
        .filter(|revision| revision.snapshot["slug"] == "crash")
        .map(|revision| (revision.version, revision.action, revision.author))
        .collect();
    assert_eq!(
        history,
        vec![
            (1, RevisionAction::Create, "alice".to_owned()),
            (2, RevisionAction::Delete, "root".to_owned()),
        ],
        "the film's history outlives it, ending with its deletion"
    );
    let data = app
        .query_data(
            r#"{ movie(slug: "crash") { id } person(slug: "james-spader") { name roles { nodes { name } } }
                        company(slug: "alliance-communications") { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({ "movie": null, "person": { "name": "James Spader", "roles": { "nodes": [] } },
                             "company": { "name": "Alliance Communications" } })
    );
    let again = app
        .graphql_as(&admin, delete, json!({ "id": movie["id"], "v": 1 }))
        .await;
    assert_eq!(first_error_extensions(&again)["code"], "NOT_FOUND");
}

async fn people_and_companies_are_fixed_once_for_every_film(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let person_id = app
        .query_data(r#"{ person(slug: "john-lone") { id } }"#, json!({}))
        .await["person"]["id"]
        .clone();
    let body = app
        .graphql_as(&editor, r#"mutation($id: ID!) { updatePerson(id: $id, input: { name: "John Lone (尊龍)" }) { name slug } }"#, json!({ "id": person_id }))
        .await;
    assert_eq!(
        body["data"]["updatePerson"],
        json!({ "name": "John Lone (尊龍)", "slug": "john-lone" })
    );
    let data = app
        .query_data(
            r#"{ movie(slug: "m-butterfly") { characters { actor { name } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["movie"]["characters"][1]["actor"]["name"],
        "John Lone (尊龍)"
    );

    let made = app
        .graphql_as(&editor, r#"mutation { createCompany(input: { name: "The Samuel Goldwyn Company" }) { slug name } createPerson(input: { name: "Ian Richardson" }) { slug } }"#, json!({}))
        .await;
    assert_eq!(
        made["data"]["createCompany"]["slug"], "the-samuel-goldwyn-company",
        "{made}"
    );
    assert_eq!(made["data"]["createPerson"]["slug"], "ian-richardson");
    let taken = app
        .graphql_as(
            &editor,
            r#"mutation { createPerson(input: { name: "Jeremy Irons" }) { slug } }"#,
            json!({}),
        )
        .await;
    assert_eq!(first_error_extensions(&taken)["code"], "CONFLICT");
    assert_eq!(first_error_extensions(&taken)["field"], "input.slug");
}

crate::on_both_backends!(
    create_movie_writes_the_whole_page,
    writes_need_a_valid_token_of_the_right_role,
    admin_tokens_made_by_mutation_work,
    a_failing_nested_create_leaves_no_rows,
    every_validation_rule_reports_its_path,
    update_movie_changes_adds_removes_and_reorders,
    a_stale_version_changes_nothing,
    of_two_concurrent_updates_exactly_one_wins,
    of_two_concurrent_creates_with_one_slug_exactly_one_wins,
    the_seeded_film_can_be_restored_after_its_first_edit,
    restore_finds_people_renamed_since,
    a_write_that_fails_midway_rolls_everything_back,
    every_mutation_refuses_missing_and_weak_tokens,
    revisions_are_written_and_restorable,
    delete_movie_removes_the_film_but_not_its_people,
    people_and_companies_are_fixed_once_for_every_film,
);
