//! The SQL statements a nested query costs do not grow with the rows it returns.

use serde_json::json;

use crate::helpers::{TestApp, add_films};

const NESTED: &str = r#"query Films($first: Int!) {
  movies(first: $first) {
    edges { node {
      title plot
      sections { title body }
      characters { name actor { name roles { nodes { name } } } }
      directors { name }
      companies { role company { name } }
      themes { emoji name }
      setting { description locations { name } }
      period { startYear }
    } }
  }
}"#;

/// Runs `query` and returns (statements it cost, number of films it returned).
async fn cost(app: &TestApp, query: &str, first: i64) -> (u64, usize) {
    let before = app.sql().get();
    let data = app.query_data(query, json!({ "first": first })).await;
    let statements = app.sql().get() - before;
    let films = data["movies"]["edges"].as_array().map_or(0, Vec::len);
    (statements, films)
}

async fn nested_query_costs_the_same_for_one_film_and_twenty(app: TestApp) {
    add_films(&app, 45).await;
    let (one, films_one) = cost(&app, NESTED, 1).await;
    let (twenty, films_twenty) = cost(&app, NESTED, 20).await;
    // 40 full film pages with their actors' roles is about the most one query may cost under
    // the default limits.
    let (hundred, films_hundred) = cost(&app, NESTED, 40).await;
    eprintln!(
        "{:?}: SQL statements for the nested query: {one} for {films_one} film, {twenty} for {films_twenty}, {hundred} for {films_hundred}",
        app.backend
    );
    assert_eq!((films_one, films_twenty, films_hundred), (1, 20, 40));
    assert_eq!(one, twenty, "statements grew with the number of films");
    assert_eq!(one, hundred, "statements grew with the number of films");
    // The page of films; every list they show, in one statement (rows that name people or
    // companies read with them); the actors' roles.
    assert_eq!(one, 3, "{one} statements for one film");
}

async fn one_page_costs_one_statement_per_relation(app: TestApp) {
    let before = app.sql().get();
    app.query_data(
        r#"{ movie(slug: "m-butterfly") { title sections { title } characters { actor { name } } } }"#,
        json!({}),
    )
    .await;
    let statements = app.sql().get() - before;
    eprintln!(
        "{:?}: SQL statements for one film page: {statements}",
        app.backend
    );
    // The film; its sections and its characters with their actors, in one statement.
    assert_eq!(statements, 2);
}

async fn revisions_of_many_films_cost_one_statement(app: TestApp) {
    let editor = app.token("alice", entity::TokenRole::Editor).await;
    for i in 0..4 {
        let created = app
            .graphql_as(
                &editor,
                "mutation($title: String!) { createMovie(input: { title: $title, releaseYear: 2000 }, publish: true) { id } }",
                json!({ "title": format!("Film {i}") }),
            )
            .await;
        let id = created["data"]["createMovie"]["id"].clone();
        app.graphql_as(
            &editor,
            "mutation($id: ID!) { updateMovie(id: $id, expectedVersion: 1, input: { releaseYear: 2001 }) { version } }",
            json!({ "id": id }),
        )
        .await;
    }
    let query = "query($first: Int!) { movies(first: $first) { edges { node { revisions(first: 1) { version action } } } } }";
    let mut costs = Vec::new();
    for first in [2, 5] {
        let before = app.sql().get();
        let body = app
            .graphql_as(&editor, query, json!({ "first": first }))
            .await;
        costs.push(app.sql().get() - before);
        let edges = body["data"]["movies"]["edges"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(edges.len(), first as usize, "{body}");
        // The seed has no history until its first change; the others show their latest only.
        assert_eq!(edges[0]["node"]["revisions"], json!([]));
        for edge in &edges[1..] {
            assert_eq!(
                edge["node"]["revisions"],
                json!([{ "version": 2, "action": "UPDATE" }])
            );
        }
    }
    eprintln!(
        "{:?}: SQL statements for revisions of 2 and 5 films: {costs:?}",
        app.backend
    );
    // The page, the token, the revisions.
    assert_eq!(costs, [3, 3]);
}

crate::on_both_backends!(
    revisions_of_many_films_cost_one_statement,
    nested_query_costs_the_same_for_one_film_and_twenty,
    one_page_costs_one_statement_per_relation,
);
