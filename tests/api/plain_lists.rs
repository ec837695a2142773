//! A film's lists whose selection is plain are resolved in one pass (`graphql::types::plain`);
//! any other selection by async-graphql field by field. The two must give the same answer: the
//! same selection wrapped in inline fragments (which the one-pass plan does not take) is the
//! oracle.

use serde_json::Value;

use crate::helpers::{HttpResponse, TestApp};

/// Every list of the seed's page that can take the one-pass path, every plain field of each,
/// with `__typename` and aliases; `{wrap}` / `{end}` put each list's selection in an inline
/// fragment (or leave it bare).
const PAGE: &str = r#"{
  movie(slug: "m-butterfly") {
    title
    sections { {Section} __typename id position heading: title body {end} }
    themes { {Theme} id position emoji name description kind: __typename {end} }
    characters {
      {Character} id position name description
      actor { {Person} __typename id slug name {end} }
      player: actor { {Person} name {end} }
      {end}
    }
    setting { locations { {Location} id position name {end} } }
  }
}"#;

fn page(fragments: bool) -> String {
    let mut query = PAGE.to_owned();
    for ty in ["Section", "Theme", "Character", "Person", "Location"] {
        let open = if fragments {
            format!("... on {ty} {{")
        } else {
            String::new()
        };
        query = query.replace(&format!("{{{ty}}}"), &open);
    }
    query.replace("{end}", if fragments { "}" } else { "" })
}

/// Read anonymously over GET, whose answers name their content (`Surrogate-Key`).
async fn read(app: &TestApp, query: &str) -> HttpResponse {
    let query = crate::helpers::percent_encode(query);
    app.get(&format!("/graphql?query={query}"), "application/json")
        .await
}

async fn one_pass_lists_answer_as_field_by_field_resolution_does(app: TestApp) {
    let plain = read(&app, &page(false)).await;
    let fragments = read(&app, &page(true)).await;
    assert_eq!(plain.status, 200, "{}", plain.text);
    let data: Value = plain.json()["data"].clone();
    assert!(plain.json().get("errors").is_none(), "{}", plain.text);
    assert_eq!(
        data,
        fragments.json()["data"],
        "{}\n{}",
        plain.text,
        fragments.text
    );
    // The same bytes, keys in the same order.
    assert_eq!(
        serde_json::to_string(&data).ok(),
        serde_json::to_string(&fragments.json()["data"]).ok()
    );
    // The content the answer holds is named the same (the actors' keys included), so the
    // cache drops it when an actor is renamed.
    assert_eq!(
        plain.header("surrogate-key"),
        fragments.header("surrogate-key")
    );
    assert!(
        plain.header("surrogate-key").contains("person-"),
        "{}",
        plain.header("surrogate-key")
    );

    // An actor's name alone names the person too.
    let names = |wrap: bool| {
        let (open, end) = if wrap {
            ("... on Person {", "}")
        } else {
            ("", "")
        };
        format!(
            r#"{{ movie(slug: "m-butterfly") {{ characters {{ actor {{ {open} name {end} }} }} }} }}"#
        )
    };
    let (plain_names, wrapped_names) = (
        read(&app, &names(false)).await,
        read(&app, &names(true)).await,
    );
    assert_eq!(
        plain_names.header("surrogate-key"),
        wrapped_names.header("surrogate-key")
    );

    let movie = &data["movie"];
    assert_eq!(movie["sections"][0]["__typename"], "Section");
    assert!(movie["sections"][0]["heading"].is_string());
    assert_eq!(movie["themes"][0]["kind"], "Theme");
    let characters = movie["characters"].as_array().expect("characters");
    assert_eq!(characters[0]["actor"]["name"], "Jeremy Irons");
    assert_eq!(characters[0]["player"]["name"], "Jeremy Irons");
    assert_eq!(characters[2]["actor"], Value::Null, "no one plays Toulon");
}

/// A key selected twice is merged (as GraphQL asks), and `@include` is honoured: both are
/// left to async-graphql.
async fn merged_keys_and_directives_are_resolved_as_before(app: TestApp) {
    let body = read(
        &app,
        r#"{ movie(slug: "m-butterfly") { characters {
            actor { name } actor { id }
            description @include(if: false)
        } } }"#,
    )
    .await
    .json();
    let first = &body["data"]["characters"];
    assert!(first.is_null(), "{body}");
    let character = &body["data"]["movie"]["characters"][0];
    assert_eq!(character["actor"]["name"], "Jeremy Irons", "{body}");
    assert!(character["actor"]["id"].is_string(), "{body}");
    assert!(character.get("description").is_none(), "{body}");
}

/// A list selected twice in one place (directly, through a fragment spread twice, or inside
/// a field selected twice) is merged item by item, as async-graphql merges values: a list
/// written straight to JSON text could not be, so such a list stays a value.
async fn a_list_selected_twice_in_one_place_is_merged(app: TestApp) {
    let once = read(
        &app,
        r#"{ movie(slug: "m-butterfly") { sections { title body } characters { name actor { name slug } } } }"#,
    )
    .await;
    assert_eq!(once.status, 200, "{}", once.text);
    for twice in [
        r#"{ movie(slug: "m-butterfly") { sections { title } sections { body }
             characters { name actor { name } } characters { actor { slug } } } }"#,
        r#"{ movie(slug: "m-butterfly") { ...Parts ...Parts sections { body } characters { actor { slug } } } }
           fragment Parts on Movie { sections { title } characters { name actor { name } } }"#,
        r#"{ movie(slug: "m-butterfly") { sections { title } characters { name actor { name } } }
             movie(slug: "m-butterfly") { sections { body } characters { actor { slug } } } }"#,
    ] {
        let merged = read(&app, twice).await;
        assert_eq!(
            merged.json()["data"],
            once.json()["data"],
            "{twice}\n{}",
            merged.text
        );
    }
}

crate::on_both_backends!(
    one_pass_lists_answer_as_field_by_field_resolution_does,
    merged_keys_and_directives_are_resolved_as_before,
    a_list_selected_twice_in_one_place_is_merged,
);
