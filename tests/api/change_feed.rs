//! The change feed behind subscriptions does not depend on notifications arriving: when an
//! instance's listening connection is cut (its notifications lost), a change committed
//! through another instance in the meantime still reaches it, from the change log.

use std::time::Duration;

use entity::{ChangeKind, TokenRole};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::json;

use crate::helpers::{Backend, spawn_app_with};

#[tokio::test]
async fn a_change_made_while_an_instance_could_not_hear_it_still_reaches_its_subscribers() {
    let Some(writer) = spawn_app_with(Backend::Postgres, |_| {}).await else {
        return;
    };
    let reader = writer
        .another_instance_with(|config| config.live_poll_interval_ms = 200)
        .await;
    let editor = writer.token("alice", TokenRole::Editor).await;
    let mut events = reader.state.change_feed.subscribe();

    // Cut every listening connection: the reader hears nothing until it reconnects.
    writer
        .db()
        .execute_raw(Statement::from_string(
            DbBackend::Postgres,
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE application_name = 'filmserver-listener' AND datname = current_database()",
        ))
        .await
        .expect("the listeners are cut");

    let seed = writer
        .query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();
    let unpublished = writer
        .graphql_as(
            &editor,
            "mutation($id: ID!) { unpublishMovie(id: $id, expectedVersion: 1) { version } }",
            json!({ "id": seed }),
        )
        .await;
    assert_eq!(
        unpublished["data"]["unpublishMovie"]["version"], 2,
        "{unpublished}"
    );

    let event = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("the event arrives within 10 s")
        .expect("the feed is open");
    assert_eq!(event.kind, ChangeKind::Unpublished);
    assert_eq!(event.slug.as_deref(), Some("m-butterfly"));
    assert_eq!(event.version, Some(2));
}
