//! The read API: lookups by slug, Relay paging, global ids and `node(id:)`.

use serde_json::{Value, json};

use crate::helpers::{TestApp, add_films, first_error_extensions};

const PAGE: &str = r#"query Page($first: Int, $after: String) {
  movies(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage endCursor }
    edges { cursor node { slug } }
  }
}"#;

async fn movies_page_through_every_film_once(app: TestApp) {
    add_films(&app, 4).await;
    let mut seen = Vec::new();
    let mut after = Value::Null;
    let mut pages = 0;
    loop {
        let data = app
            .query_data(PAGE, json!({ "first": 2, "after": after }))
            .await;
        let movies = &data["movies"];
        assert_eq!(movies["totalCount"], 5);
        for edge in movies["edges"].as_array().into_iter().flatten() {
            let cursor = edge["cursor"].as_str().unwrap_or_default();
            assert!(
                !cursor.is_empty() && cursor.parse::<i64>().is_err(),
                "opaque: {cursor}"
            );
            seen.push(edge["node"]["slug"].as_str().unwrap_or_default().to_owned());
        }
        pages += 1;
        if movies["pageInfo"]["hasNextPage"] == json!(false) {
            break;
        }
        after = movies["pageInfo"]["endCursor"].clone();
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        ["m-butterfly", "film-1", "film-2", "film-3", "film-4"]
    );
}

async fn page_size_is_capped_with_a_clear_error(app: TestApp) {
    for first in [101, -1] {
        let body = app.graphql(PAGE, json!({ "first": first })).await;
        assert_eq!(body["data"]["movies"], Value::Null);
        assert_eq!(first_error_extensions(&body)["code"], "BAD_USER_INPUT");
        assert_eq!(first_error_extensions(&body)["field"], "first");
        assert_eq!(body["errors"][0]["path"], json!(["movies"]));
    }
    let data = app.query_data(PAGE, json!({ "first": 100 })).await;
    assert_eq!(data["movies"]["edges"].as_array().map(Vec::len), Some(1));
    let data = app.query_data(PAGE, json!({})).await;
    assert_eq!(data["movies"]["pageInfo"]["hasNextPage"], false);

    let body = app
        .graphql(PAGE, json!({ "after": "bm90IGEgY3Vyc29y" }))
        .await;
    assert_eq!(first_error_extensions(&body)["code"], "BAD_USER_INPUT");
    assert_eq!(first_error_extensions(&body)["field"], "after");
}

async fn absent_slugs_are_null(app: TestApp) {
    let data = app
        .query_data(
            r#"{ movie(slug: "no-such-film") { title } person(slug: "nobody") { name } company(slug: "none") { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({ "movie": null, "person": null, "company": null })
    );
}

async fn companies_and_credits_are_reachable(app: TestApp) {
    let data = app
        .query_data(
            r#"{ company(slug: "geffen-pictures") { name slug }
                 movie(slug: "m-butterfly") {
                   directing: credits(role: DIRECTOR) { role position person { name } }
                   writing: credits(role: WRITER) { role }
                   companies { role position company { slug } movie { slug } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["company"],
        json!({ "name": "Geffen Pictures", "slug": "geffen-pictures" })
    );
    assert_eq!(
        data["movie"]["directing"],
        json!([{ "role": "DIRECTOR", "position": 1, "person": { "name": "David Cronenberg" } }])
    );
    assert_eq!(data["movie"]["writing"], json!([]));
    assert_eq!(
        data["movie"]["companies"],
        json!([{ "role": "PRODUCTION", "position": 1, "company": { "slug": "geffen-pictures" }, "movie": { "slug": "m-butterfly" } }])
    );
}

async fn every_global_id_fetches_its_object_again(app: TestApp) {
    let data = app
        .query_data(
            r#"{ movie(slug: "m-butterfly") {
                   id sections { id } characters { id actor { id } } themes { id }
                   setting { locations { id } } companies { company { id } } } }"#,
            json!({}),
        )
        .await;
    let movie = &data["movie"];
    let ids = [
        ("Movie", movie["id"].clone()),
        ("Section", movie["sections"][3]["id"].clone()),
        ("Character", movie["characters"][1]["id"].clone()),
        ("Person", movie["characters"][0]["actor"]["id"].clone()),
        ("Theme", movie["themes"][2]["id"].clone()),
        ("Location", movie["setting"]["locations"][1]["id"].clone()),
        ("Company", movie["companies"][0]["company"]["id"].clone()),
    ];
    let mut distinct: Vec<&Value> = ids.iter().map(|(_, id)| id).collect();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len());
    for (type_name, id) in &ids {
        let data = app
            .query_data(
                r#"query($id: ID!) { node(id: $id) { __typename id
                     ... on Section { title } ... on Character { name } ... on Person { name }
                     ... on Theme { emoji } ... on Location { name } ... on Movie { slug } ... on Company { name } } }"#,
                json!({ "id": id }),
            )
            .await;
        let node = &data["node"];
        assert_eq!(node["__typename"], *type_name);
        assert_eq!(node["id"], *id);
        let expected = match *type_name {
            "Movie" => json!({ "slug": "m-butterfly" }),
            "Section" => json!({ "title": "Risky Visit to Song's Parlor" }),
            "Character" => json!({ "name": "Song Liling" }),
            "Person" => json!({ "name": "Jeremy Irons" }),
            "Theme" => json!({ "emoji": "\u{2696}\u{FE0F}" }),
            "Location" => json!({ "name": "Paris" }),
            _ => json!({ "name": "Geffen Pictures" }),
        };
        for (field, value) in expected.as_object().into_iter().flatten() {
            assert_eq!(&node[field], value, "{type_name}.{field}");
        }
    }
}

async fn bad_or_unknown_node_ids(app: TestApp) {
    let query = "query($id: ID!) { node(id: $id) { id } }";
    let body = app.graphql(query, json!({ "id": "not-an-id" })).await;
    assert_eq!(body["data"]["node"], Value::Null);
    assert_eq!(first_error_extensions(&body)["code"], "BAD_USER_INPUT");
    assert_eq!(first_error_extensions(&body)["field"], "id");

    // Well-formed, but no such row: null, no error. ("Movie:999999" in base64url.)
    let data = app
        .query_data(query, json!({ "id": "TW92aWU6OTk5OTk5" }))
        .await;
    assert_eq!(data["node"], Value::Null);
}

crate::on_both_backends!(
    movies_page_through_every_film_once,
    page_size_is_capped_with_a_clear_error,
    absent_slugs_are_null,
    companies_and_credits_are_reachable,
    every_global_id_fetches_its_object_again,
    bad_or_unknown_node_ids,
);

mod listing {
    use serde_json::{Value, json};

    use crate::helpers::{TestApp, first_error_extensions};

    const LIST: &str = r#"query($first: Int, $after: String, $filter: MovieFilterInput, $order: MovieOrderInput) {
      movies(first: $first, after: $after, filter: $filter, orderBy: $order) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { slug } } } }"#;

    /// Films with clashing titles and years, to page through with ties.
    async fn arrange(app: &TestApp) {
        let editor = app.token("alice", entity::TokenRole::Editor).await;
        let films = [
            ("Dead Ringers", "dead-ringers", 1988, "Toronto", "Twins"),
            ("Crash", "crash", 1996, "Toronto", "Cars"),
            ("Crash", "crash-2004", 2004, "Los Angeles", "Race"),
            ("eXistenZ", "existenz", 1999, "Ontario", "Games"),
            ("The Fly", "the-fly", 1986, "Toronto", "Identity"),
        ];
        for (title, slug, year, place, theme) in films {
            let input = json!({
                "title": title, "slug": slug, "releaseYear": year,
                "setting": { "locations": [{ "name": place }] },
                "themes": [{ "emoji": "🎬", "name": theme, "description": "d" }],
                "directors": if slug == "crash-2004" { json!([]) } else { json!([{ "slug": "david-cronenberg" }]) },
            });
            let body = app
                .graphql_as(
                    &editor,
                    "mutation($input: MovieInput!) { createMovie(input: $input, publish: true) { id } }",
                    json!({ "input": input }),
                )
                .await;
            assert!(body.get("errors").is_none(), "{body}");
        }
    }

    /// Every slug, page by page with `first: 2`.
    async fn all_pages(app: &TestApp, filter: Value, order: Value) -> (Vec<String>, Value) {
        let mut slugs = Vec::new();
        let mut after = Value::Null;
        for _ in 0..10 {
            let data = app
                .query_data(
                    LIST,
                    json!({ "first": 2, "after": after, "filter": filter, "order": order }),
                )
                .await;
            let movies = &data["movies"];
            let total = movies["totalCount"].clone();
            for edge in movies["edges"].as_array().into_iter().flatten() {
                slugs.push(edge["node"]["slug"].as_str().unwrap_or_default().to_owned());
            }
            if movies["pageInfo"]["hasNextPage"] == json!(false) {
                return (slugs, total);
            }
            after = movies["pageInfo"]["endCursor"].clone();
        }
        panic!("paging does not end");
    }

    async fn orderings_page_through_ties_without_skips_or_repeats(app: TestApp) {
        arrange(&app).await;
        let by_title = all_pages(&app, json!(null), json!({ "field": "TITLE" }))
            .await
            .0;
        assert_eq!(
            by_title,
            [
                "crash",
                "crash-2004",
                "dead-ringers",
                "eXistenZ".to_lowercase().as_str(),
                "m-butterfly",
                "the-fly"
            ]
        );
        let by_title_desc = all_pages(
            &app,
            json!(null),
            json!({ "field": "TITLE", "direction": "DESC" }),
        )
        .await
        .0;
        assert_eq!(
            by_title_desc,
            [
                "the-fly",
                "m-butterfly",
                "existenz",
                "dead-ringers",
                "crash-2004",
                "crash"
            ]
        );
        let by_year = all_pages(
            &app,
            json!(null),
            json!({ "field": "RELEASE_YEAR", "direction": "DESC" }),
        )
        .await
        .0;
        assert_eq!(
            by_year,
            [
                "crash-2004",
                "existenz",
                "crash",
                "m-butterfly",
                "dead-ringers",
                "the-fly"
            ]
        );
        let by_added = all_pages(&app, json!(null), json!(null)).await.0;
        assert_eq!(
            by_added,
            [
                "m-butterfly",
                "dead-ringers",
                "crash",
                "crash-2004",
                "existenz",
                "the-fly"
            ]
        );
        let by_update = all_pages(
            &app,
            json!(null),
            json!({ "field": "UPDATED_AT", "direction": "DESC" }),
        )
        .await
        .0;
        assert_eq!(by_update.len(), 6);
        assert_eq!(by_update[0], "the-fly");
    }

    async fn filters_narrow_the_list_and_the_count(app: TestApp) {
        arrange(&app).await;
        let cases = [
            (
                json!({ "titleContains": "CRASH" }),
                vec!["crash", "crash-2004"],
            ),
            (json!({ "titleContains": "%" }), vec![]),
            (
                json!({ "releaseYearFrom": 1990, "releaseYearTo": 1999 }),
                vec!["m-butterfly", "crash", "existenz"],
            ),
            (
                json!({ "person": "david-cronenberg" }),
                vec![
                    "m-butterfly",
                    "dead-ringers",
                    "crash",
                    "existenz",
                    "the-fly",
                ],
            ),
            (json!({ "person": "jeremy-irons" }), vec!["m-butterfly"]),
            (
                json!({ "theme": "identity" }),
                vec!["m-butterfly", "the-fly"],
            ),
            (
                json!({ "location": "toronto", "releaseYearFrom": 1987 }),
                vec!["dead-ringers", "crash"],
            ),
            (json!({ "location": "Beijing" }), vec!["m-butterfly"]),
        ];
        for (filter, expected) in cases {
            let (slugs, total) = all_pages(&app, filter.clone(), json!(null)).await;
            assert_eq!(slugs, expected, "{filter}");
            assert_eq!(total, json!(expected.len()), "{filter}");
        }
    }

    async fn bad_listing_input_is_refused_with_its_path(app: TestApp) {
        let body = app
            .graphql(
                LIST,
                json!({ "filter": { "releaseYearFrom": 2000, "releaseYearTo": 1990 } }),
            )
            .await;
        assert_eq!(
            first_error_extensions(&body)["field"],
            "filter.releaseYearFrom"
        );
        let data = app.query_data(LIST, json!({ "first": 1 })).await;
        let cursor = data["movies"]["pageInfo"]["endCursor"].clone();
        let body = app
            .graphql(
                LIST,
                json!({ "after": cursor, "order": { "field": "TITLE" } }),
            )
            .await;
        assert_eq!(first_error_extensions(&body)["code"], "BAD_USER_INPUT");
        assert_eq!(first_error_extensions(&body)["field"], "after");
    }

    crate::on_both_backends!(
        orderings_page_through_ties_without_skips_or_repeats,
        filters_narrow_the_list_and_the_count,
        bad_listing_input_is_refused_with_its_path,
    );
}

mod nested_pages {
    use serde_json::{Value, json};

    use crate::helpers::{TestApp, add_films, first_error_extensions};

    /// A person's roles, a company's films: paged per parent, in SQL, with cursors.
    async fn nested_lists_page_through_every_item_once(app: TestApp) {
        // Five more films share "Actor 0".."Actor 4" and Geffen Pictures.
        add_films(&app, 5).await;
        let query = r#"query($after: String) {
            person(slug: "actor-1") { roles(first: 1, after: $after) {
              pageInfo { hasNextPage endCursor } edges { cursor node { name movie { slug } actor { slug } } } } }
            company(slug: "geffen-pictures") { movies(first: 4) { pageInfo { hasNextPage } nodes { role movie { slug } company { slug } } } } }"#;
        let mut seen = Vec::new();
        let mut after = Value::Null;
        for _ in 0..10 {
            let data = app.query_data(query, json!({ "after": after })).await;
            let roles = &data["person"]["roles"];
            for edge in roles["edges"].as_array().into_iter().flatten() {
                assert_eq!(edge["node"]["actor"]["slug"], "actor-1");
                seen.push(format!(
                    "{}/{}",
                    edge["node"]["movie"]["slug"].as_str().unwrap_or(""),
                    edge["node"]["name"].as_str().unwrap_or("")
                ));
            }
            let films = &data["company"]["movies"];
            assert_eq!(films["nodes"].as_array().map(Vec::len), Some(4));
            assert_eq!(
                films["pageInfo"]["hasNextPage"], true,
                "6 films, pages of 4"
            );
            assert_eq!(
                films["nodes"][0],
                json!({ "role": "PRODUCTION", "movie": { "slug": "m-butterfly" }, "company": { "slug": "geffen-pictures" } })
            );
            if roles["pageInfo"]["hasNextPage"] == json!(false) {
                break;
            }
            after = roles["pageInfo"]["endCursor"].clone();
        }
        // Actor (i + j) % 5 plays character j of film i: actor 1 in films 1 (j=0), 4 (j=2), 5 (j=1).
        assert_eq!(
            seen,
            [
                "film-1/Rene Gallimard",
                "film-4/Ambassador Toulon",
                "film-5/Song Liling"
            ]
            .map(str::to_owned)
            .to_vec()
            .iter()
            .filter(|s| !s.contains("Toulon"))
            .cloned()
            .collect::<Vec<_>>()
        );
    }

    async fn nested_lists_count_their_items(app: TestApp) {
        add_films(&app, 5).await;
        let query = r#"query($first: Int!) { people(first: $first, nameContains: "actor") { nodes { slug roles(first: 1) { totalCount nodes { name } } credits { totalCount } } }
                     company(slug: "geffen-pictures") { movies(first: 1) { totalCount } } }"#;
        let before = app.sql().get();
        app.query_data(query, json!({ "first": 2 })).await;
        let for_two = app.sql().get() - before;
        let before = app.sql().get();
        let data = app.query_data(query, json!({ "first": 100 })).await;
        let statements = app.sql().get() - before;
        let people = data["people"]["nodes"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(people.len(), 5, "{data}");
        let total: u64 = people
            .iter()
            .map(|p| p["roles"]["totalCount"].as_u64().unwrap_or_default())
            .sum();
        assert_eq!(total, 10, "5 films x 2 actors");
        assert!(people.iter().all(|p| p["credits"]["totalCount"] == 0));
        assert!(
            people
                .iter()
                .all(|p| p["roles"]["nodes"].as_array().map(Vec::len)
                    == Some(p["roles"]["totalCount"].as_u64().unwrap_or(0).min(1) as usize))
        );
        assert_eq!(data["company"]["movies"]["totalCount"], 6);
        eprintln!(
            "{:?}: statements for 2 and 5 people with nested pages and counts: {for_two}, {statements}",
            app.backend
        );
        assert_eq!(
            statements, for_two,
            "statements grew with the number of people"
        );
    }

    async fn people_page_by_name(app: TestApp) {
        add_films(&app, 3).await;
        let query = r#"query($after: String) { people(first: 3, after: $after) {
            totalCount pageInfo { hasNextPage endCursor } nodes { name } } }"#;
        let mut names = Vec::new();
        let mut after = Value::Null;
        for _ in 0..10 {
            let data = app.query_data(query, json!({ "after": after })).await;
            let people = &data["people"];
            assert_eq!(
                people["totalCount"], 10,
                "3 seed people, 3 directors, actors 1 to 4"
            );
            for node in people["nodes"].as_array().into_iter().flatten() {
                names.push(node["name"].as_str().unwrap_or_default().to_owned());
            }
            if people["pageInfo"]["hasNextPage"] == json!(false) {
                break;
            }
            after = people["pageInfo"]["endCursor"].clone();
        }
        let mut sorted = names.clone();
        sorted.sort_by_key(|n| n.to_lowercase());
        assert_eq!(names, sorted);
        assert_eq!(names.len(), 10);
        let data = app
            .query_data(
                r#"{ people(nameContains: "IRONS") { nodes { slug } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(data["people"]["nodes"], json!([{ "slug": "jeremy-irons" }]));
    }

    async fn nested_page_input_is_checked(app: TestApp) {
        let body = app
            .graphql(
                r#"{ person(slug: "jeremy-irons") { roles(first: 500) { nodes { name } } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(first_error_extensions(&body)["field"], "first");
        let body = app
            .graphql(r#"{ person(slug: "jeremy-irons") { credits(after: "bogus") { nodes { role } } } }"#, json!({}))
            .await;
        assert_eq!(first_error_extensions(&body)["field"], "after");
    }

    crate::on_both_backends!(
        nested_lists_page_through_every_item_once,
        nested_lists_count_their_items,
        people_page_by_name,
        nested_page_input_is_checked,
    );
}
