//! Scheduled publishing: a due schedule is published (once, whichever instances run, and by the
//! first to start when it fell due while none ran); a cancelled one is not; bad schedules are
//! refused and change nothing.

use std::time::Duration;

use chrono::Utc;
use entity::TokenRole;
use serde_json::{Value, json};

use entity::movie;
use sea_orm::EntityTrait;
use sea_orm::sea_query::Expr;

use crate::helpers::{Backend, TestApp, eventually, first_error_extensions, spawn_app_with};

const UPDATE: &str = "mutation($id: ID!, $v: Int!, $t: String!) { updateMovie(id: $id, expectedVersion: $v, input: { title: $t }) { version } }";
const SCHEDULE: &str = "mutation($id: ID!, $at: DateTime!, $v: Int!) { schedulePublish(id: $id, at: $at, expectedVersion: $v) { scheduledPublishAt version } }";

/// A time `seconds` from now, as GraphQL takes it.
fn in_seconds(seconds: i64) -> String {
    (Utc::now() + chrono::Duration::seconds(seconds)).to_rfc3339()
}

async fn seed_id(app: &TestApp) -> Value {
    app.query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone()
}

/// The title readers see of the seed.
async fn public_title(app: &TestApp) -> Value {
    app.query_data(r#"{ movie(slug: "m-butterfly") { title } }"#, json!({}))
        .await["movie"]["title"]
        .clone()
}

/// Waits until readers see `title` (at most 20 s).
async fn until_public_title(app: &TestApp, title: &str) {
    eventually(
        &format!("published as {title}"),
        Duration::from_secs(20),
        || async { public_title(app).await == title },
    )
    .await;
}

/// A draft of the seed titled `title`, scheduled `seconds` from now; returns the film's id.
async fn schedule_draft(app: &TestApp, editor: &str, title: &str, seconds: i64) -> Value {
    let id = seed_id(app).await;
    let draft = app
        .graphql_as(editor, UPDATE, json!({ "id": id, "v": 1, "t": title }))
        .await;
    let version = draft["data"]["updateMovie"]["version"].clone();
    let scheduled = app
        .graphql_as(
            editor,
            SCHEDULE,
            json!({ "id": id, "at": in_seconds(seconds), "v": version }),
        )
        .await;
    assert!(
        scheduled["data"]["schedulePublish"]["scheduledPublishAt"].is_string(),
        "{scheduled}"
    );
    id
}

/// The seed's schedule and its revisions' `(action, author)`, newest first.
async fn history(app: &TestApp, editor: &str) -> Value {
    app.graphql_as(
        editor,
        r#"{ movie(slug: "m-butterfly") { scheduledPublishAt revisions { action author } } }"#,
        json!({}),
    )
    .await["data"]["movie"]
        .clone()
}

async fn schedules_that_cannot_be_kept_are_refused(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let id = seed_id(&app).await;
    let nothing = app
        .graphql_as(
            &editor,
            SCHEDULE,
            json!({ "id": id, "at": in_seconds(60), "v": 1 }),
        )
        .await;
    assert_eq!(
        first_error_extensions(&nothing)["code"],
        "BAD_USER_INPUT",
        "{nothing}"
    );
    let draft = app
        .graphql_as(&editor, UPDATE, json!({ "id": id, "v": 1, "t": "Later" }))
        .await;
    let version = draft["data"]["updateMovie"]["version"].clone();
    let past = app
        .graphql_as(
            &editor,
            SCHEDULE,
            json!({ "id": id, "at": in_seconds(-5), "v": version }),
        )
        .await;
    assert_eq!(first_error_extensions(&past)["code"], "BAD_USER_INPUT");
    assert_eq!(first_error_extensions(&past)["field"], "at");
    let stale = app
        .graphql_as(
            &editor,
            SCHEDULE,
            json!({ "id": id, "at": in_seconds(60), "v": 1 }),
        )
        .await;
    assert_eq!(first_error_extensions(&stale)["code"], "CONFLICT");
    let anonymous = app
        .graphql(
            SCHEDULE,
            json!({ "id": id, "at": in_seconds(60), "v": version }),
        )
        .await;
    assert_eq!(
        first_error_extensions(&anonymous)["code"],
        "UNAUTHENTICATED"
    );
    let hidden = app
        .graphql(
            r#"{ movie(slug: "m-butterfly") { scheduledPublishAt } }"#,
            json!({}),
        )
        .await;
    assert_eq!(first_error_extensions(&hidden)["code"], "UNAUTHENTICATED");
    assert_eq!(
        history(&app, &editor).await["scheduledPublishAt"],
        Value::Null
    );
}

async fn a_cancelled_schedule_publishes_nothing(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let id = schedule_draft(&app, &editor, "Never", 3_600).await;
    let cancelled = app
        .graphql_as(
            &editor,
            "mutation($id: ID!) { cancelScheduledPublish(id: $id) { scheduledPublishAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        cancelled["data"]["cancelScheduledPublish"]["scheduledPublishAt"],
        Value::Null,
        "{cancelled}"
    );
    // Even two hours on, nothing is due.
    let later = Utc::now() + chrono::Duration::hours(2);
    let published = filmserver::service::editing::publish_due(app.db(), later)
        .await
        .expect("looks for due schedules");
    assert!(published.is_empty());
    assert_eq!(public_title(&app).await, "M. Butterfly");
    let again = app
        .graphql_as(
            &editor,
            "mutation($id: ID!) { cancelScheduledPublish(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(first_error_extensions(&again)["code"], "BAD_USER_INPUT");
}

async fn a_due_schedule_is_published_as_its_editor(backend: Backend) {
    let Some(app) = spawn_app_with(backend, |config| config.schedule_check_interval_ms = 100).await
    else {
        return;
    };
    let editor = app.token("alice", TokenRole::Editor).await;
    schedule_draft(&app, &editor, "M. Butterfly (1993)", 3).await;
    assert_eq!(
        public_title(&app).await,
        "M. Butterfly",
        "not before it is due"
    );
    until_public_title(&app, "M. Butterfly (1993)").await;
    let film = history(&app, &editor).await;
    assert_eq!(film["scheduledPublishAt"], Value::Null, "{film}");
    assert_eq!(
        film["revisions"][0],
        json!({ "action": "PUBLISH", "author": "alice" })
    );
}

async fn a_schedule_that_fell_due_while_no_instance_ran_is_published_at_the_next_start(
    backend: Backend,
) {
    let Some(app) = spawn_app_with(backend, |config| config.schedule_check_interval_ms = 0).await
    else {
        return;
    };
    let editor = app.token("alice", TokenRole::Editor).await;
    schedule_draft(&app, &editor, "Published late", 3_600).await;
    // The hour passes while no instance looks for schedules.
    movie::Entity::update_many()
        .col_expr(
            movie::Column::ScheduledPublishAt,
            Expr::value(Utc::now() - chrono::Duration::seconds(1)),
        )
        .exec(app.db())
        .await
        .expect("the schedule falls due");
    assert_eq!(
        public_title(&app).await,
        "M. Butterfly",
        "nobody looks for schedules"
    );
    let started = app
        .another_instance_with(|config| config.schedule_check_interval_ms = 60_000)
        .await;
    until_public_title(&started, "Published late").await;
    if backend == Backend::Postgres {
        // The first instance hears of it through PostgreSQL and drops its cached page.
        until_public_title(&app, "Published late").await;
    }
}

#[tokio::test]
async fn a_due_schedule_is_published_on_sqlite() {
    a_due_schedule_is_published_as_its_editor(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_due_schedule_is_published_on_postgres() {
    a_due_schedule_is_published_as_its_editor(Backend::Postgres).await;
}

#[tokio::test]
async fn a_missed_schedule_is_published_at_start_on_sqlite() {
    a_schedule_that_fell_due_while_no_instance_ran_is_published_at_the_next_start(Backend::Sqlite)
        .await;
}

#[tokio::test]
async fn a_missed_schedule_is_published_at_start_on_postgres() {
    a_schedule_that_fell_due_while_no_instance_ran_is_published_at_the_next_start(
        Backend::Postgres,
    )
    .await;
}

/// Three instances on one PostgreSQL, all looking every 20 ms: each of several schedules is
/// published exactly once.
#[tokio::test]
async fn several_instances_publish_each_schedule_once() {
    let Some(first) = spawn_app_with(Backend::Postgres, |config| {
        config.schedule_check_interval_ms = 20
    })
    .await
    else {
        return;
    };
    let others = [
        first
            .another_instance_with(|config| config.schedule_check_interval_ms = 20)
            .await,
        first
            .another_instance_with(|config| config.schedule_check_interval_ms = 20)
            .await,
    ];
    let editor = first.token("alice", TokenRole::Editor).await;
    for n in 0..6 {
        let created = first
            .graphql_as(
                &editor,
                "mutation($t: String!) { createMovie(input: { title: $t, releaseYear: 2000 }) { id version } }",
                json!({ "t": format!("Scheduled {n}") }),
            )
            .await;
        let film = &created["data"]["createMovie"];
        let scheduled = first
            .graphql_as(
                &editor,
                SCHEDULE,
                json!({ "id": film["id"], "at": in_seconds(1), "v": film["version"] }),
            )
            .await;
        assert!(scheduled.get("errors").is_none(), "{scheduled}");
    }
    eventually("all six published", Duration::from_secs(20), || async {
        others[0]
            .query_data("{ movies { totalCount } }", json!({}))
            .await["movies"]["totalCount"]
            == json!(7)
    })
    .await;
    let publications = crate::migrations::scalar(
        first.db(),
        "SELECT count(*) FROM movie_revision WHERE action = 'publish'",
    )
    .await;
    assert_eq!(publications, 6, "each schedule published exactly once");
}

crate::on_both_backends!(
    schedules_that_cannot_be_kept_are_refused,
    a_cancelled_schedule_publishes_nothing,
);
