//! `Idempotency-Key`: a mutation retried with its key is applied at most once, and the retry
//! gets the first answer again.

use entity::TokenRole;
use serde_json::{Value, json};

use crate::helpers::{HttpResponse, TestApp};
use crate::migrations::scalar;

const CREATE: &str = "mutation($title: String!) { createMovie(input: { title: $title, releaseYear: 1983 }, publish: true) { slug title version } }";

async fn keyed(
    app: &TestApp,
    token: &str,
    key: &str,
    query: &str,
    variables: Value,
) -> HttpResponse {
    app.post_as_with(token, &[("idempotency-key", key)], query, variables)
        .await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    scalar(app.db(), sql).await
}

async fn a_retried_mutation_is_applied_once_and_answered_again(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let vars = json!({ "title": "Videodrome" });
    let first = keyed(&app, &editor, "create-videodrome", CREATE, vars.clone()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json()["data"]["createMovie"]["slug"], "videodrome");
    assert!(first.headers.get("idempotent-replayed").is_none());

    for _ in 0..3 {
        let retry = keyed(&app, &editor, "create-videodrome", CREATE, vars.clone()).await;
        assert_eq!(retry.status, 200, "{}", retry.text);
        assert_eq!(retry.header("idempotent-replayed"), "true");
        assert_eq!(retry.text, first.text);
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM movie WHERE slug = 'videodrome'").await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM movie_revision r JOIN movie m ON m.id = r.movie_id WHERE m.slug = 'videodrome'"
        )
        .await,
        1
    );
}

async fn a_key_reused_for_another_request_is_refused(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let first = keyed(&app, &editor, "k", CREATE, json!({ "title": "Videodrome" })).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let other = keyed(&app, &editor, "k", CREATE, json!({ "title": "Scanners" })).await;
    assert_eq!(other.status, 422, "{}", other.text);
    assert_eq!(
        other.json()["errors"][0]["extensions"]["code"],
        "IDEMPOTENCY_KEY_REUSED"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM movie WHERE slug = 'scanners'").await,
        0
    );
}

async fn a_refused_mutation_leaves_its_key_unused(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    for _ in 0..2 {
        let refused = keyed(&app, &editor, "blank", CREATE, json!({ "title": " " })).await;
        assert_eq!(
            refused.json()["errors"][0]["extensions"]["code"],
            "BAD_USER_INPUT",
            "{}",
            refused.text
        );
        assert!(refused.headers.get("idempotent-replayed").is_none());
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM idempotency_key").await, 0);
}

async fn racing_requests_with_one_key_apply_it_once(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let vars = json!({ "title": "Videodrome" });
    let answers = futures_util::future::join_all(
        (0..6).map(|_| keyed(&app, &editor, "race", CREATE, vars.clone())),
    )
    .await;
    let mut applied = 0;
    for answer in &answers {
        let body = answer.json();
        match body["errors"][0]["extensions"]["code"].as_str() {
            None => applied += usize::from(answer.headers.get("idempotent-replayed").is_none()),
            Some("CONFLICT") => {}
            Some(other) => panic!("unexpected {other}: {}", answer.text),
        }
    }
    assert_eq!(applied, 1, "exactly one request applied the mutation");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM movie WHERE slug LIKE 'videodrome%'"
        )
        .await,
        1
    );
}

async fn keys_belong_to_their_token_and_guard_one_field(app: TestApp) {
    let alice = app.token("alice", TokenRole::Editor).await;
    let bob = app.token("bob", TokenRole::Editor).await;
    let person = "mutation($n: String!) { createPerson(input: { name: $n }) { name } }";
    let a = keyed(&app, &alice, "same", person, json!({ "n": "Ann" })).await;
    let b = keyed(&app, &bob, "same", person, json!({ "n": "Bea" })).await;
    assert_eq!(a.json()["data"]["createPerson"]["name"], "Ann");
    assert_eq!(
        b.json()["data"]["createPerson"]["name"],
        "Bea",
        "{}",
        b.text
    );

    let two = keyed(
        &app,
        &alice,
        "two",
        r#"mutation { a: createPerson(input: { name: "C" }) { name } b: createPerson(input: { name: "D" }) { name } }"#,
        json!({}),
    )
    .await;
    assert_eq!(two.status, 400, "{}", two.text);
    let bad = keyed(&app, &alice, "", person, json!({ "n": "E" })).await;
    assert_eq!(bad.status, 400, "{}", bad.text);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM person WHERE name IN ('C', 'D', 'E')"
        )
        .await,
        0
    );
}

crate::on_both_backends!(
    a_retried_mutation_is_applied_once_and_answered_again,
    a_key_reused_for_another_request_is_refused,
    a_refused_mutation_leaves_its_key_unused,
    racing_requests_with_one_key_apply_it_once,
    keys_belong_to_their_token_and_guard_one_field,
);
