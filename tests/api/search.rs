//! Ranked search: the same top hits on SQLite (FTS5) and PostgreSQL (tsvector) for the seed,
//! highlighted snippets, paging, and an index the write path keeps current.

use serde_json::{Value, json};

use crate::helpers::{TestApp, first_error_extensions};

const SEARCH: &str = r#"query($q: String!, $first: Int, $after: String) {
  search(query: $q, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { cursor node { rank snippet node {
      __typename
      ... on Movie { title }
      ... on Person { name }
      ... on Character { name }
      ... on Section { title }
    } } }
  } }"#;

fn label(hit: &Value) -> String {
    let node = &hit["node"]["node"];
    let name = ["title", "name"]
        .iter()
        .find_map(|f| node[*f].as_str())
        .unwrap_or_default();
    format!(
        "{}: {name}",
        node["__typename"].as_str().unwrap_or_default()
    )
}

async fn top(app: &TestApp, query: &str) -> (String, Value) {
    let data = app.query_data(SEARCH, json!({ "q": query })).await;
    let edges = data["search"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!edges.is_empty(), "no hits for {query}");
    (label(&edges[0]), edges[0].clone())
}

async fn the_seed_gives_the_same_top_hits_on_both_databases(app: TestApp) {
    let expected = [
        ("butterfly", "Movie: M. Butterfly"),
        ("Red Guards", "Section: The Rise of the Red Guards"),
        ("Jeremy Irons", "Person: Jeremy Irons"),
        ("re-education camp", "Section: Song's Arrest"),
    ];
    for (query, first) in expected {
        let (label, hit) = top(&app, query).await;
        assert_eq!(label, first, "{query}");
        let snippet = hit["node"]["snippet"].as_str().unwrap_or_default();
        assert!(snippet.contains("<b>"), "{query}: {snippet}");
        assert!(hit["node"]["rank"].as_f64().is_some_and(|r| r > 0.0));
    }
}

async fn results_page_and_ranks_fall(app: TestApp) {
    let mut seen = Vec::new();
    let mut ranks = Vec::new();
    let mut after = Value::Null;
    for _ in 0..20 {
        let data = app
            .query_data(SEARCH, json!({ "q": "Rene", "first": 2, "after": after }))
            .await;
        let search = &data["search"];
        for edge in search["edges"].as_array().into_iter().flatten() {
            seen.push(label(edge));
            ranks.push(edge["node"]["rank"].as_f64().unwrap_or_default());
        }
        if search["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = search["pageInfo"]["endCursor"].clone();
    }
    assert!(seen.len() > 4, "{seen:?}");
    let mut distinct = seen.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), seen.len(), "a hit came twice: {seen:?}");
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");
    assert_eq!(seen[0], "Character: Rene Gallimard");
}

async fn the_index_follows_every_write(app: TestApp) {
    let editor = app.token("alice", entity::TokenRole::Editor).await;
    let created = app
        .graphql_as(
            &editor,
            r#"mutation { createMovie(input: { title: "Videodrome", releaseYear: 1983,
                sections: [{ title: "Signal", body: "A pirate broadcast of hallucinations." }] }, publish: true) { id } }"#,
            json!({}),
        )
        .await;
    let id = created["data"]["createMovie"]["id"].clone();
    assert_eq!(top(&app, "videodrome").await.0, "Movie: Videodrome");
    assert_eq!(top(&app, "hallucinations").await.0, "Section: Signal");
    let draft = app.graphql_as(
        &editor,
        r#"mutation($id: ID!) { updateMovie(id: $id, expectedVersion: 1, input: { title: "Scanners", sections: [] }) { version } }"#,
        json!({ "id": id }),
    )
    .await;
    // A draft is found by nobody: the published film still is, as it was.
    assert_eq!(top(&app, "hallucinations").await.0, "Section: Signal");
    assert_eq!(top(&app, "videodrome").await.0, "Movie: Videodrome");
    let scanners = app.query_data(SEARCH, json!({ "q": "scanners" })).await;
    assert_eq!(scanners["search"]["edges"], json!([]), "{scanners}");
    app.graphql_as(
        &editor,
        "mutation($id: ID!, $v: Int!) { publishMovie(id: $id, expectedVersion: $v) { id } }",
        json!({ "id": id, "v": draft["data"]["updateMovie"]["version"] }),
    )
    .await;
    let gone = app
        .query_data(SEARCH, json!({ "q": "hallucinations" }))
        .await;
    assert_eq!(gone["search"]["edges"], json!([]));
    assert_eq!(top(&app, "scanners").await.0, "Movie: Scanners");
}

async fn odd_search_text_is_safe(app: TestApp) {
    for query in ["\" OR * NEAR(", "   ", "-", "a:b"] {
        let body = app.graphql(SEARCH, json!({ "q": query })).await;
        assert!(body.get("errors").is_none(), "{query}: {body}");
    }
    let body = app.graphql(SEARCH, json!({ "q": "x".repeat(201) })).await;
    assert_eq!(first_error_extensions(&body)["field"], "query");
}

crate::on_both_backends!(
    the_seed_gives_the_same_top_hits_on_both_databases,
    results_page_and_ranks_fall,
    the_index_follows_every_write,
    odd_search_text_is_safe,
);
