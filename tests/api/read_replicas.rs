//! Reading from a real streaming replica (`DATABASE_READ_URLS`): anonymous queries go to it,
//! editors and writes to the primary; a write is acknowledged only once no instance can serve
//! the page as it was before; a replica that lags or dies is taken out of rotation without a
//! request failing, and comes back when it has caught up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use entity::TokenRole;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

use crate::helpers::{TestApp, eventually, percent_encode, spawn_app_on};
use crate::replica::ReplicaPair;

const PAGE: &str = r#"{ movie(slug: "m-butterfly") { id title version } }"#;

/// The seed's page as an anonymous GET (cacheable) sees it: (HTTP status, title or the body).
async fn public_title(app: &TestApp) -> (u16, String) {
    let response = app
        .get(
            &format!("/graphql?query={}", percent_encode(PAGE)),
            "application/graphql-response+json",
        )
        .await;
    let body: Value = serde_json::from_str(&response.text).unwrap_or(Value::Null);
    let title = match (&body["errors"], &body["data"]["movie"]["title"]) {
        (Value::Null, Value::String(title)) => title.clone(),
        _ => response.text.clone(),
    };
    (response.status, title)
}

/// The replica as `/readyz` shows it.
async fn replica_status(app: &TestApp) -> Value {
    let ready = app.get("/readyz", "application/json").await;
    assert_eq!(
        ready.status, 200,
        "ready while the primary answers: {}",
        ready.text
    );
    ready.json()["replicas"][0].clone()
}

async fn in_rotation(app: &TestApp) -> bool {
    replica_status(app).await["inRotation"] == json!(true)
}

/// A metric's value (the replica's, for a labelled one; 0 when absent).
async fn replica_metric(app: &TestApp, name: &str) -> f64 {
    let metrics = app.get("/metrics", "").await.text;
    metrics
        .lines()
        .find(|line| {
            line.starts_with(&format!("{name}{{")) || line.starts_with(&format!("{name} "))
        })
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

async fn wait_in_rotation(app: &TestApp, what: &str) {
    eventually(what, Duration::from_secs(30), || in_rotation(app)).await;
}

/// An app on the pair's primary reading from its replica, configured further by `configure`,
/// once the replica is in its rotation.
async fn app_with_replica(
    pair: &ReplicaPair,
    configure: impl FnOnce(&mut filmserver::config::Config),
) -> TestApp {
    let replica = pair.replica_url.clone();
    let app = spawn_app_on(&pair.primary_url, |config| {
        config.database_read_urls = vec![replica];
        configure(config);
    })
    .await;
    wait_in_rotation(&app, "the replica enters rotation").await;
    app
}

/// Changes the seed's title on the primary behind the server's back (no announcement).
async fn retitle_in_sql(pair: &ReplicaPair, title: &str) {
    let primary = Database::connect(&pair.primary_url)
        .await
        .expect("the primary");
    primary
        .execute_unprepared(&format!(
            "UPDATE movie SET title = '{title}' WHERE slug = 'm-butterfly' AND draft_of IS NULL"
        ))
        .await
        .expect("the title changes");
}

#[tokio::test]
async fn anonymous_queries_read_the_replica_and_editors_the_primary() {
    let Some(pair) = ReplicaPair::start() else {
        return;
    };
    // Lag is tolerated for a minute here, so the paused replica stays in rotation.
    let app = app_with_replica(&pair, |config| {
        config.response_cache_mb = 0;
        config.max_replica_lag_ms = 60_000;
    })
    .await;
    let editor = app.token("editor", TokenRole::Editor).await;
    assert_eq!(public_title(&app).await, (200, "M. Butterfly".to_owned()));

    pair.pause_replay().await;
    retitle_in_sql(&pair, "Changed On The Primary").await;

    assert_eq!(
        public_title(&app).await,
        (200, "M. Butterfly".to_owned()),
        "an anonymous query reads the replica, which has not replayed the change"
    );
    let as_editor = app.graphql_as(&editor, PAGE, json!({})).await;
    assert_eq!(
        as_editor["data"]["movie"]["title"], "Changed On The Primary",
        "an editor's query reads the primary: {as_editor}"
    );
    assert!(replica_metric(&app, "filmserver_replica_reads_total").await >= 1.0);

    pair.resume_replay().await;
    eventually(
        "the replica replays the change",
        Duration::from_secs(10),
        || async { public_title(&app).await.1 == "Changed On The Primary" },
    )
    .await;
}

#[tokio::test]
async fn no_answer_after_a_publish_is_acknowledged_is_the_old_page() {
    let Some(pair) = ReplicaPair::start() else {
        return;
    };
    let configure = |config: &mut filmserver::config::Config| {
        config.max_replica_lag_ms = 500;
    };
    let first = app_with_replica(&pair, configure).await;
    let second = first.another_instance_with(configure).await;
    wait_in_rotation(&second, "the replica enters the other instance's rotation").await;
    let editor = first.token("editor", TokenRole::Editor).await;
    let id = first.query_data(PAGE, json!({})).await["movie"]["id"].clone();
    let draft = first
        .graphql_as(
            &editor,
            "mutation($id: ID!) { updateMovie(id: $id, expectedVersion: 1, input: { title: \"The New Title\" }) { version } }",
            json!({ "id": id }),
        )
        .await;
    let draft_version = draft["data"]["updateMovie"]["version"].clone();
    assert!(draft_version.is_number(), "{draft}");
    // Both instances have the old page cached, read from the replica.
    for app in [&first, &second] {
        eventually(
            "the old page is cached",
            Duration::from_secs(10),
            || async {
                let response = app
                    .get(
                        &format!("/graphql?query={}", percent_encode(PAGE)),
                        "application/graphql-response+json",
                    )
                    .await;
                response.header("x-cache") == "HIT" && response.text.contains("M. Butterfly")
            },
        )
        .await;
    }

    pair.pause_replay().await;
    // Readers on both instances read the page for as long as the test runs.
    let stop = Arc::new(AtomicBool::new(false));
    let reads_done = Arc::new(AtomicUsize::new(0));
    let first = Arc::new(first);
    let second = Arc::new(second);
    let mut readers = Vec::new();
    for app in [first.clone(), second.clone(), first.clone(), second.clone()] {
        let (stop, reads_done) = (stop.clone(), reads_done.clone());
        readers.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let sent = Instant::now();
                seen.push((sent, public_title(&app).await));
                reads_done.fetch_add(1, Ordering::Relaxed);
            }
            seen
        }));
    }

    let published = first
        .graphql_as(
            &editor,
            "mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { title } }",
            json!({ "id": id, "v": draft_version }),
        )
        .await;
    let acknowledged = Instant::now();
    assert_eq!(
        published["data"]["publishMovie"]["title"], "The New Title",
        "{published}"
    );
    // The readers go on against the paused replica for a good number of reads, then replay
    // resumes.
    let reads_at_ack = reads_done.load(Ordering::Relaxed);
    eventually(
        "readers read on after the publish",
        Duration::from_secs(10),
        || async { reads_done.load(Ordering::Relaxed) >= reads_at_ack + 40 },
    )
    .await;
    pair.resume_replay().await;
    wait_in_rotation(&first, "the replica, caught up, is back in rotation").await;
    wait_in_rotation(
        &second,
        "the replica is back in the other instance's rotation",
    )
    .await;
    let replica_reads = replica_metric(&first, "filmserver_replica_reads_total").await;
    let probe = std::sync::atomic::AtomicU32::new(0);
    eventually(
        "the replica serves again",
        Duration::from_secs(10),
        || async {
            // Variables of its own each time: a miss, read from the database.
            let n = probe.fetch_add(1, Ordering::Relaxed);
            first.graphql(PAGE, json!({ "probe": n })).await["data"]["movie"]["title"]
                == "The New Title"
                && replica_metric(&first, "filmserver_replica_reads_total").await > replica_reads
        },
    )
    .await;
    stop.store(true, Ordering::Relaxed);

    let mut after = 0;
    let mut before = 0;
    for reader in readers {
        for (sent, (status, title)) in reader.await.expect("the reader runs") {
            assert_eq!(status, 200, "{title}");
            if sent >= acknowledged {
                after += 1;
                assert_eq!(
                    title, "The New Title",
                    "a read sent after the publish was acknowledged got the old page"
                );
            } else {
                before += 1;
            }
        }
    }
    assert!(
        before > 0 && after > 10,
        "reads before {before}, after {after}"
    );
    // The paused replica could not replay the publish in time: it left rotation on both.
    for app in [&first, &second] {
        assert!(replica_metric(app, "filmserver_replica_removals_total").await >= 1.0);
    }
}

#[tokio::test]
async fn an_editor_reads_back_what_they_saved_on_another_instance() {
    let Some(pair) = ReplicaPair::start() else {
        return;
    };
    let configure = |config: &mut filmserver::config::Config| {
        config.max_replica_lag_ms = 60_000;
    };
    let first = app_with_replica(&pair, configure).await;
    let second = first.another_instance_with(configure).await;
    wait_in_rotation(&second, "the replica enters rotation").await;
    let editor = first.token("editor", TokenRole::Editor).await;
    let id = first.query_data(PAGE, json!({})).await["movie"]["id"].clone();

    pair.pause_replay().await;
    let saved = first
        .graphql_as(
            &editor,
            "mutation($id: ID!) { updateMovie(id: $id, expectedVersion: 1, input: { title: \"Saved Draft\" }) { version } }",
            json!({ "id": id }),
        )
        .await;
    assert!(
        saved["data"]["updateMovie"]["version"].is_number(),
        "{saved}"
    );
    let read_back = second
        .graphql_as(
            &editor,
            r#"{ movie(slug: "m-butterfly", status: DRAFT) { title } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        read_back["data"]["movie"]["title"], "Saved Draft",
        "the other instance reads the editor's draft from the primary: {read_back}"
    );
    assert!(
        in_rotation(&second).await,
        "the replica still serves the public meanwhile"
    );
    pair.resume_replay().await;
}

#[tokio::test]
async fn a_replica_too_far_behind_leaves_rotation_and_comes_back() {
    let Some(pair) = ReplicaPair::start() else {
        return;
    };
    let app = app_with_replica(&pair, |config| {
        config.response_cache_mb = 0;
        config.max_replica_lag_ms = 300;
    })
    .await;

    pair.pause_replay().await;
    retitle_in_sql(&pair, "Written Behind The Replica").await;
    eventually(
        "the lagging replica leaves rotation",
        Duration::from_secs(10),
        || async { !in_rotation(&app).await },
    )
    .await;
    assert_eq!(
        public_title(&app).await,
        (200, "Written Behind The Replica".to_owned()),
        "with no replica in rotation, queries read the primary"
    );
    let lag = replica_metric(&app, "filmserver_replica_lag_seconds").await;
    assert!(lag >= 0.3, "lag {lag}: {}", replica_status(&app).await);

    pair.resume_replay().await;
    wait_in_rotation(&app, "the replica, caught up, comes back").await;
    assert_eq!(replica_status(&app).await["up"], true);
    assert!(replica_metric(&app, "filmserver_replica_removals_total").await >= 1.0);
}

#[tokio::test]
async fn a_replica_stopped_under_load_fails_no_request() {
    let Some(pair) = ReplicaPair::start() else {
        return;
    };
    let app = app_with_replica(&pair, |config| {
        config.response_cache_mb = 0;
    })
    .await;
    // Three times: stopped dead (its connections reset), then started again.
    fails_no_request_through(
        &pair,
        app,
        3,
        ReplicaPair::stop_replica,
        ReplicaPair::start_replica,
    )
    .await;
}

/// Eight readers loop on the page while, `rounds` times: the replica serves them, `fault`
/// strikes it, it leaves rotation, the primary takes the load, `cure` mends it and it comes
/// back. Every answer must be the page.
async fn fails_no_request_through(
    pair: &ReplicaPair,
    app: TestApp,
    rounds: usize,
    fault: fn(&ReplicaPair),
    cure: fn(&ReplicaPair),
) {
    let app = Arc::new(app);
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..8 {
        let (app, stop) = (app.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                answers.push(public_title(&app).await);
            }
            answers
        }));
    }
    for _ in 0..rounds {
        let replica_reads = replica_metric(&app, "filmserver_replica_reads_total").await;
        eventually(
            "the replica serves under load",
            Duration::from_secs(10),
            || async {
                replica_metric(&app, "filmserver_replica_reads_total").await >= replica_reads + 30.0
            },
        )
        .await;
        fault(pair);
        let cured = CureWhenDropped(pair, cure);
        eventually(
            "the replica leaves rotation",
            Duration::from_secs(10),
            || async { replica_status(&app).await["up"] == false && !in_rotation(&app).await },
        )
        .await;
        let primary_reads = replica_metric(&app, "filmserver_primary_query_reads_total").await;
        eventually(
            "the primary serves the load",
            Duration::from_secs(10),
            || async {
                replica_metric(&app, "filmserver_primary_query_reads_total").await
                    >= primary_reads + 30.0
            },
        )
        .await;
        drop(cured);
        wait_in_rotation(&app, "the mended replica comes back").await;
    }
    stop.store(true, Ordering::Relaxed);
    let mut answered = 0;
    for reader in readers {
        for (status, title) in reader.await.expect("the reader runs") {
            assert_eq!(
                (status, title.as_str()),
                (200, "M. Butterfly"),
                "no request fails because a replica failed"
            );
            answered += 1;
        }
    }
    assert!(answered > 100, "{answered} answers");
}

/// Mends the pair's replica when dropped (also when the test fails midway, so the cluster
/// can be stopped).
struct CureWhenDropped<'a>(&'a ReplicaPair, fn(&ReplicaPair));

impl Drop for CureWhenDropped<'_> {
    fn drop(&mut self) {
        (self.1)(self.0);
    }
}

#[tokio::test]
async fn read_replicas_of_sqlite_are_refused_at_start() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut config = filmserver::config::Config::for_database("");
    config.database_url = None;
    config.sqlite_path = dir.path().join("films.db");
    config.database_read_urls = vec!["postgres://replica:5432/films".into()];
    let refused = filmserver::server::prepare_state(&config).await.err();
    assert!(
        refused
            .as_ref()
            .is_some_and(|err| err.to_string().contains("DATABASE_READ_URLS")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_token_revoked_on_the_primary_stops_working_at_once() {
    let Some(pair) = ReplicaPair::start() else {
        return;
    };
    let app = app_with_replica(&pair, |config| {
        config.max_replica_lag_ms = 60_000;
    })
    .await;
    let issued = filmserver::service::tokens::create(app.db(), "leaving", TokenRole::Editor)
        .await
        .expect("a token");
    let draft_read = r#"{ movie(slug: "m-butterfly", status: DRAFT) { title } }"#;
    eventually(
        "the replica has the token",
        Duration::from_secs(10),
        || async {
            let replica = Database::connect(&pair.replica_url)
                .await
                .expect("the replica");
            replica
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    format!("SELECT 1 FROM api_token WHERE id = {}", issued.record.id),
                ))
                .await
                .ok()
                .flatten()
                .is_some()
        },
    )
    .await;
    let before = app.graphql_as(&issued.secret, draft_read, json!({})).await;
    assert_eq!(before["data"]["movie"]["title"], "M. Butterfly", "{before}");

    // The replica still has the token as it was; the primary has it revoked.
    pair.pause_replay().await;
    filmserver::service::tokens::revoke(app.db(), issued.record.id)
        .await
        .expect("the token is revoked");
    let after = app.graphql_as(&issued.secret, draft_read, json!({})).await;
    assert_eq!(
        crate::helpers::first_error_extensions(&after)["code"],
        "UNAUTHENTICATED",
        "a revoked token reads nothing, whatever the replica still holds: {after}"
    );
    assert!(
        in_rotation(&app).await,
        "the replica still serves the public"
    );
    pair.resume_replay().await;
}

#[tokio::test]
async fn a_replica_that_keeps_up_serves_on_through_writes() {
    let Some(pair) = ReplicaPair::start() else {
        return;
    };
    let app = app_with_replica(&pair, |_| {}).await;
    let editor = app.token("editor", TokenRole::Editor).await;
    let id = app.query_data(PAGE, json!({})).await["movie"]["id"].clone();
    let mut version = 1;
    for round in 0..5 {
        let title = format!("Published {round}");
        let saved = app
            .graphql_as(
                &editor,
                "mutation($id: ID!, $v: Int!, $t: String!) { updateMovie(id: $id, expectedVersion: $v, input: { title: $t }) { version } }",
                json!({ "id": id, "v": version, "t": title }),
            )
            .await;
        let draft = saved["data"]["updateMovie"]["version"].clone();
        let published = app
            .graphql_as(
                &editor,
                "mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { version } }",
                json!({ "id": id, "v": draft }),
            )
            .await;
        version = published["data"]["publishMovie"]["version"]
            .as_i64()
            .unwrap_or_else(|| panic!("published: {published}"));
        let reads = replica_metric(&app, "filmserver_replica_reads_total").await;
        assert_eq!(
            public_title(&app).await,
            (200, title),
            "read after the publish"
        );
        assert!(
            replica_metric(&app, "filmserver_replica_reads_total").await > reads,
            "the read after the publish came from the replica"
        );
    }
    assert_eq!(
        replica_metric(&app, "filmserver_replica_removals_total").await,
        0.0,
        "a replica that replays each write in time never leaves rotation"
    );
    assert!(replica_metric(&app, "filmserver_replica_waits_total").await >= 5.0);
}

#[tokio::test]
async fn a_hung_replica_under_load_fails_no_request() {
    let Some(pair) = ReplicaPair::start() else {
        return;
    };
    let app = app_with_replica(&pair, |config| {
        config.response_cache_mb = 0;
        config.request_timeout_ms = 6_000;
        config.max_replica_lag_ms = 500;
    })
    .await;
    // Frozen (SIGSTOP), the replica keeps its connections open and answers nothing on them.
    fails_no_request_through(
        &pair,
        app,
        2,
        ReplicaPair::freeze_replica,
        ReplicaPair::thaw_replica,
    )
    .await;
}

#[tokio::test]
async fn a_statement_on_a_replica_that_hangs_gives_up_at_its_limit() {
    let Some(pair) = ReplicaPair::start() else {
        return;
    };
    // Statements may run half the request timeout on a replica: 1 s here.
    let app = app_with_replica(&pair, |config| {
        config.request_timeout_ms = 2_000;
        config.max_replica_lag_ms = 60_000;
    })
    .await;
    let reads = filmserver::reads::RequestReads::routed(&app.state.reads);
    let select = || {
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_is_in_recovery()::text",
        )
    };
    let first = reads
        .query_one_raw(select())
        .await
        .expect("the snapshot begins");
    let on_replica = first.and_then(|row| row.try_get_by_index::<String>(0).ok());
    assert_eq!(
        on_replica.as_deref(),
        Some("true"),
        "the snapshot is on the replica"
    );

    pair.freeze_replica();
    let _thaw = CureWhenDropped(&pair, ReplicaPair::thaw_replica);
    let hung = tokio::time::timeout(Duration::from_secs(10), reads.query_one_raw(select()))
        .await
        .expect("the statement gives up by itself (at its 1 s limit), not hanging on");
    assert!(hung.is_err(), "a statement on a hung replica fails");
    assert!(
        reads.replica_failed(),
        "the request is marked to run again on the primary"
    );
    assert!(!in_rotation(&app).await, "the hung replica left rotation");
}

/// A listener that lost its connection may have missed announcements: on reconnecting, the
/// instance waits for its replicas to replay the primary as it is, and reads the primary
/// meanwhile (without that wait the paused replica serves the old title for good).
#[tokio::test]
async fn while_its_listener_is_cut_an_instance_reads_the_primary() {
    let Some(pair) = ReplicaPair::start() else {
        return;
    };
    // Lag is tolerated for a minute: only the cut listener keeps the paused replica idle.
    let app = app_with_replica(&pair, |config| {
        config.response_cache_mb = 0;
        config.max_replica_lag_ms = 60_000;
    })
    .await;
    pair.pause_replay().await;
    retitle_in_sql(&pair, "Changed While Deaf").await;
    assert_eq!(
        public_title(&app).await.1,
        "M. Butterfly",
        "the paused replica serves the old title"
    );

    // Deaf, the instance could not hold back for a write made elsewhere; reconnecting, it
    // waits for the replica to catch up first (up to the minute, as replay is paused).
    app.db()
        .execute_unprepared(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'filmserver-listener'",
        )
        .await
        .expect("the listener is cut");
    eventually(
        "queries read the primary",
        Duration::from_secs(10),
        || async { public_title(&app).await.1 == "Changed While Deaf" },
    )
    .await;
    assert!(
        in_rotation(&app).await,
        "the replica itself is still in rotation"
    );

    pair.resume_replay().await;
    let replica_reads = replica_metric(&app, "filmserver_replica_reads_total").await;
    eventually(
        "the replica serves again once caught up",
        Duration::from_secs(10),
        || async {
            public_title(&app).await.1 == "Changed While Deaf"
                && replica_metric(&app, "filmserver_replica_reads_total").await > replica_reads
        },
    )
    .await;
}
