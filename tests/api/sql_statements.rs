//! The SQL statements a nested query costs do not grow with the rows it returns.

use serde_json::json;

use crate::helpers::{TestApp, add_films};

const NESTED: &str = r#"query Films($first: Int!) {
  movies(first: $first) {
    edges { node {
      title plot
      sections { title body }
      characters { name actor { name roles { name } } }
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
    add_films(&app, 60).await;
    let (one, films_one) = cost(&app, NESTED, 1).await;
    let (twenty, films_twenty) = cost(&app, NESTED, 20).await;
    // 60 full film pages is about the most one query may cost under the default limits.
    let (hundred, films_hundred) = cost(&app, NESTED, 60).await;
    eprintln!(
        "{:?}: SQL statements for the nested query: {one} for {films_one} film, {twenty} for {films_twenty}, {hundred} for {films_hundred}",
        app.backend
    );
    assert_eq!((films_one, films_twenty, films_hundred), (1, 20, 60));
    assert_eq!(one, twenty, "statements grew with the number of films");
    assert_eq!(one, hundred, "statements grew with the number of films");
    // One per relation: the page, plot, sections, characters with actors, the actors' roles,
    // credits with people, companies with company, themes, locations.
    assert_eq!(one, 9, "{one} statements for one film");
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
    // The film, its sections, its characters joined with their actors.
    assert_eq!(statements, 3);
}

crate::on_both_backends!(
    nested_query_costs_the_same_for_one_film_and_twenty,
    one_page_costs_one_statement_per_relation,
);
