//! The change log: every committed change to content writes one event in its own
//! transaction (kind, film, slug, version, the keys it touched, author), with ids in commit
//! order; a change that fails writes none.

use entity::{ChangeKind, TokenRole, change_event};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;

use crate::helpers::{TestApp, first_error_extensions};

/// The events after `after`, oldest first.
async fn events_after(app: &TestApp, after: i64) -> Vec<change_event::Model> {
    change_event::Entity::find()
        .order_by_asc(change_event::Column::Id)
        .all(app.db())
        .await
        .expect("the change log reads")
        .into_iter()
        .filter(|event| event.id > after)
        .collect()
}

/// (kind, slug, version, public, author) of an event.
type Summary = (ChangeKind, Option<String>, Option<i32>, bool, String);

fn summary(events: &[change_event::Model]) -> Vec<Summary> {
    events
        .iter()
        .map(|e| {
            (
                e.kind,
                e.slug.clone(),
                e.version,
                e.public,
                e.author.clone(),
            )
        })
        .collect()
}

fn keys(event: &change_event::Model) -> Vec<&str> {
    event.keys.split(' ').filter(|k| !k.is_empty()).collect()
}

async fn every_change_writes_one_event_and_a_failed_one_none(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let admin = app.token("root", TokenRole::Admin).await;
    let start = events_after(&app, 0).await.last().map_or(0, |e| e.id);

    let created = app
        .graphql_as(
            &editor,
            r#"mutation { createMovie(input: { title: "Videodrome", releaseYear: 1983,
                 characters: [{ name: "Max Renn", description: "A programmer.", actor: { slug: "jeremy-irons" } }] }) { id version } }"#,
            json!({}),
        )
        .await;
    let id = created["data"]["createMovie"]["id"].clone();
    assert!(id.is_string(), "{created}");
    let update = "mutation($id: ID!, $v: Int!) { updateMovie(id: $id, expectedVersion: $v, input: { title: \"Videodrome (1983)\" }) { version } }";
    let updated = app
        .graphql_as(&editor, update, json!({ "id": id, "v": 1 }))
        .await;
    let version = updated["data"]["updateMovie"]["version"].clone();

    // A stale version is refused and writes nothing, event included.
    let before_conflict = events_after(&app, start).await.len();
    let stale = app
        .graphql_as(&editor, update, json!({ "id": id, "v": 1 }))
        .await;
    assert_eq!(
        first_error_extensions(&stale)["code"],
        "CONFLICT",
        "{stale}"
    );
    assert_eq!(events_after(&app, start).await.len(), before_conflict);

    let published = app
        .graphql_as(
            &editor,
            "mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { version } }",
            json!({ "id": id, "v": version }),
        )
        .await;
    let version = published["data"]["publishMovie"]["version"].clone();
    let irons = app
        .query_data(r#"{ person(slug: "jeremy-irons") { id } }"#, json!({}))
        .await["person"]["id"]
        .clone();
    app.graphql_as(
        &editor,
        r#"mutation($id: ID!) { updatePerson(id: $id, input: { name: "J. Irons" }) { id } }"#,
        json!({ "id": irons }),
    )
    .await;
    let unpublished = app
        .graphql_as(
            &editor,
            "mutation($id: ID!, $v: Int!) { unpublishMovie(id: $id, expectedVersion: $v) { version } }",
            json!({ "id": id, "v": version }),
        )
        .await;
    let version = unpublished["data"]["unpublishMovie"]["version"].clone();
    let deleted = app
        .graphql_as(
            &admin,
            "mutation($id: ID!, $v: Int!) { deleteMovie(id: $id, expectedVersion: $v) { id } }",
            json!({ "id": id, "v": version }),
        )
        .await;
    assert_eq!(deleted["data"]["deleteMovie"]["id"], id, "{deleted}");

    let events = events_after(&app, start).await;
    let slug = Some("videodrome".to_owned());
    let irons_slug = Some("jeremy-irons".to_owned());
    assert_eq!(
        summary(&events),
        vec![
            (
                ChangeKind::DraftChanged,
                slug.clone(),
                Some(1),
                false,
                "alice".into()
            ),
            (
                ChangeKind::DraftChanged,
                slug.clone(),
                Some(2),
                false,
                "alice".into()
            ),
            (
                ChangeKind::Published,
                slug.clone(),
                Some(3),
                true,
                "alice".into()
            ),
            (
                ChangeKind::PersonChanged,
                irons_slug,
                None,
                true,
                "alice".into()
            ),
            (
                ChangeKind::Unpublished,
                slug.clone(),
                Some(4),
                true,
                "alice".into()
            ),
            (ChangeKind::Deleted, slug, Some(5), true, "root".into()),
        ]
    );
    let film = events[0].movie_id.expect("a film's event names it");
    assert!(
        events
            .iter()
            .filter(|e| e.kind != ChangeKind::PersonChanged)
            .all(|e| e.movie_id == Some(film))
    );
    let film_key = format!("film-{film}");
    // A draft touches nothing readers see: its event names only the film.
    assert_eq!(keys(&events[0]), vec![film_key.as_str()]);
    // Publishing touches the film, the lists of films, and the people on it.
    let published_keys = keys(&events[2]);
    for key in [film_key.as_str(), "films"] {
        assert!(published_keys.contains(&key), "{published_keys:?}");
    }
    assert!(
        published_keys.iter().any(|k| k.starts_with("person-")),
        "{published_keys:?}"
    );
    // Renaming a person touches them and every film naming them (M. Butterfly and this one).
    let renamed = keys(&events[3]);
    assert!(renamed.contains(&film_key.as_str()), "{renamed:?}");
    assert!(
        renamed.iter().filter(|k| k.starts_with("film-")).count() >= 2,
        "{renamed:?}"
    );
    assert!(events.windows(2).all(|pair| pair[0].id < pair[1].id));
    assert!(events.iter().all(|e| e.created_at <= chrono::Utc::now()));
}

/// Events past their retention are dropped (the newest is always kept, so resuming stays
/// possible after a quiet spell); a reader that saw an event the log no longer follows on
/// from cannot resume (subscriptions answer `EVENTS_EXPIRED`), one that saw the newest can.
async fn old_events_are_dropped_and_resuming_from_before_them_is_refused(app: TestApp) {
    use filmserver::service::change_log;
    let editor = app.token("alice", TokenRole::Editor).await;
    for title in ["One", "Two", "Three"] {
        let created = app
            .graphql_as(
                &editor,
                "mutation($t: String!) { createMovie(input: { title: $t, releaseYear: 2000 }) { id } }",
                json!({ "t": title }),
            )
            .await;
        assert!(
            created["data"]["createMovie"]["id"].is_string(),
            "{created}"
        );
    }
    let events = events_after(&app, 0).await;
    let (first, newest) = (events[0].id, events[events.len() - 1].id);
    assert!(
        change_log::can_resume_after(app.db(), first - 1)
            .await
            .expect("reads")
    );

    let dropped =
        change_log::drop_before(app.db(), chrono::Utc::now() + chrono::Duration::seconds(1))
            .await
            .expect("drops");
    assert_eq!(dropped as usize, events.len() - 1, "all but the newest");
    let kept = events_after(&app, 0).await;
    assert_eq!(kept.iter().map(|e| e.id).collect::<Vec<_>>(), vec![newest]);
    assert!(
        !change_log::can_resume_after(app.db(), first)
            .await
            .expect("reads")
    );
    assert!(
        change_log::can_resume_after(app.db(), newest - 1)
            .await
            .expect("reads")
    );
    assert!(
        change_log::can_resume_after(app.db(), newest)
            .await
            .expect("reads")
    );
}

crate::on_both_backends!(
    every_change_writes_one_event_and_a_failed_one_none,
    old_events_are_dropped_and_resuming_from_before_them_is_refused,
);
