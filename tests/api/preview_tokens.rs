//! Preview tokens: a reviewer without an editor's token reads one film's draft, and nothing
//! else; the token changes nothing, expires, and can be revoked; the film lists its tokens with
//! who made them.

use entity::TokenRole;
use serde_json::{Value, json};

use crate::helpers::{TestApp, first_error_extensions};

const MINT: &str = "mutation($id: ID!, $name: String!, $hours: Int) { createPreviewToken(movieId: $id, name: $name, expiresInHours: $hours) { token info { id role name createdBy expiresAt } } }";
const DRAFT: &str =
    r#"query($slug: String!) { movie(slug: $slug, status: DRAFT) { title unpublishedChanges } }"#;

/// The seed with a draft titled "Reviewed draft", and a second film that is only a draft;
/// returns the seed's id.
async fn two_drafts(app: &TestApp, editor: &str) -> Value {
    let id = app
        .query_data(r#"{ movie(slug: "m-butterfly") { id } }"#, json!({}))
        .await["movie"]["id"]
        .clone();
    let draft = app
        .graphql_as(
            editor,
            "mutation($id: ID!) { updateMovie(id: $id, expectedVersion: 1, input: { title: \"Reviewed draft\" }) { title } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        draft["data"]["updateMovie"]["title"], "Reviewed draft",
        "{draft}"
    );
    let other = app
        .graphql_as(
            editor,
            r#"mutation { createMovie(input: { title: "Secret project", releaseYear: 2027 }) { slug } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        other["data"]["createMovie"]["slug"], "secret-project",
        "{other}"
    );
    id
}

async fn a_preview_token_reads_its_draft_and_nothing_else(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let id = two_drafts(&app, &editor).await;
    let minted = app
        .graphql_as(
            &editor,
            MINT,
            json!({ "id": id, "name": "Reviewer Bob", "hours": null }),
        )
        .await;
    let info = &minted["data"]["createPreviewToken"]["info"];
    assert_eq!(info["role"], "PREVIEW", "{minted}");
    assert_eq!(info["createdBy"], "alice");
    assert!(info["expiresAt"].is_string());
    let preview = minted["data"]["createPreviewToken"]["token"]
        .as_str()
        .expect("a secret")
        .to_owned();

    // Its film's draft, as editors see it.
    let seen = app
        .graphql_as(&preview, DRAFT, json!({ "slug": "m-butterfly" }))
        .await;
    assert_eq!(
        seen["data"]["movie"],
        json!({ "title": "Reviewed draft", "unpublishedChanges": true }),
        "{seen}"
    );
    // No other draft: not by slug, not in lists.
    let other = app
        .graphql_as(&preview, DRAFT, json!({ "slug": "secret-project" }))
        .await;
    assert_eq!(other["data"]["movie"], Value::Null, "{other}");
    let listed = app
        .graphql_as(
            &preview,
            "{ movies(status: DRAFT) { totalCount nodes { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        listed["data"]["movies"],
        json!({ "totalCount": 1, "nodes": [{ "title": "Reviewed draft" }] })
    );
    // What the public reads, it reads too; it changes nothing and sees no history.
    let public = app
        .graphql_as(
            &preview,
            r#"{ movie(slug: "m-butterfly") { title } }"#,
            json!({}),
        )
        .await;
    assert_eq!(public["data"]["movie"]["title"], "M. Butterfly");
    for forbidden in [
        "mutation($id: ID!) { publishMovie(id: $id, expectedVersion: 2) { title } }",
        "mutation($id: ID!) { updateMovie(id: $id, expectedVersion: 2, input: { title: \"x\" }) { title } }",
        "query($id: ID!) { node(id: $id) { ... on Movie { revisions { version } } } }",
    ] {
        let body = app
            .graphql_as(&preview, forbidden, json!({ "id": id }))
            .await;
        assert_eq!(
            first_error_extensions(&body)["code"],
            "FORBIDDEN",
            "{forbidden}: {body}"
        );
    }
    let untouched = app
        .graphql_as(&editor, DRAFT, json!({ "slug": "m-butterfly" }))
        .await;
    assert_eq!(untouched["data"]["movie"]["title"], "Reviewed draft");

    // Editors list the film's preview tokens; revoking one stops it.
    let tokens = app
        .graphql_as(
            &editor,
            r#"{ movie(slug: "m-butterfly") { previewTokens { id name createdBy revokedAt } } }"#,
            json!({}),
        )
        .await;
    let listed = &tokens["data"]["movie"]["previewTokens"];
    assert_eq!(listed[0]["name"], "Reviewer Bob", "{tokens}");
    assert_eq!(listed[0]["createdBy"], "alice");
    let revoked = app
        .graphql_as(
            &editor,
            "mutation($id: Int!) { revokePreviewToken(id: $id) { revokedAt } }",
            json!({ "id": listed[0]["id"] }),
        )
        .await;
    assert!(
        revoked["data"]["revokePreviewToken"]["revokedAt"].is_string(),
        "{revoked}"
    );
    let after = app
        .graphql_as(&preview, DRAFT, json!({ "slug": "m-butterfly" }))
        .await;
    assert_eq!(first_error_extensions(&after)["code"], "UNAUTHENTICATED");
}

async fn preview_tokens_expire_and_are_only_made_by_editors(app: TestApp) {
    let editor = app.token("alice", TokenRole::Editor).await;
    let admin = app.token("root", TokenRole::Admin).await;
    let id = two_drafts(&app, &editor).await;
    let anonymous = app
        .graphql(MINT, json!({ "id": id, "name": "x", "hours": 1 }))
        .await;
    assert_eq!(
        first_error_extensions(&anonymous)["code"],
        "UNAUTHENTICATED"
    );
    let too_long = app
        .graphql_as(
            &editor,
            MINT,
            json!({ "id": id, "name": "x", "hours": 10_000 }),
        )
        .await;
    assert_eq!(
        first_error_extensions(&too_long)["field"],
        "expiresInHours",
        "{too_long}"
    );
    let by_role = app
        .graphql_as(
            &admin,
            r#"mutation { createToken(name: "x", role: PREVIEW) { token } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        first_error_extensions(&by_role)["code"],
        "BAD_USER_INPUT",
        "{by_role}"
    );
    let not_preview = app
        .graphql_as(
            &editor,
            "mutation { revokePreviewToken(id: 1) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(
        first_error_extensions(&not_preview)["code"],
        "BAD_USER_INPUT"
    );

    let minted = app
        .graphql_as(
            &editor,
            MINT,
            json!({ "id": id, "name": "Short", "hours": 1 }),
        )
        .await;
    let preview = minted["data"]["createPreviewToken"]["token"]
        .as_str()
        .expect("a secret")
        .to_owned();
    assert_eq!(
        app.graphql_as(&preview, DRAFT, json!({ "slug": "m-butterfly" }))
            .await["data"]["movie"]["title"],
        "Reviewed draft"
    );
    // An hour passes.
    use entity::api_token;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    api_token::Entity::update_many()
        .col_expr(
            api_token::Column::ExpiresAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::seconds(1)),
        )
        .filter(api_token::Column::Name.eq("Short"))
        .exec(app.db())
        .await
        .expect("the token's hour passes");
    let expired = app
        .graphql_as(&preview, DRAFT, json!({ "slug": "m-butterfly" }))
        .await;
    assert_eq!(
        first_error_extensions(&expired)["code"],
        "UNAUTHENTICATED",
        "{expired}"
    );
}

crate::on_both_backends!(
    a_preview_token_reads_its_draft_and_nothing_else,
    preview_tokens_expire_and_are_only_made_by_editors,
);
