//! A film's lists are read with only the columns some field of the request's document shows
//! (`service::film_bundle`'s `OMITTABLE`): every field must show what the database holds,
//! whether it is selected with every other field or on its own, and a column a field names
//! anywhere in the document (another root field, a nested film, a fragment) is read for every
//! selection.

use filmserver::ids::{NodeKind, encode};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Map, Value};

use crate::helpers::TestApp;

/// The fields whose columns a read may leave out, each with the statement that reads what the
/// database holds for them, in the list's order (`{film}`: the seed film's id), and the kind
/// of node when the value is a global id.
const IN_THE_DATABASE: &[(&[&str], &str, &str, Option<NodeKind>)] = &[
    (
        &["sections"],
        "id",
        "SELECT id FROM section WHERE movie_id = {film} ORDER BY position",
        Some(NodeKind::Section),
    ),
    (
        &["sections"],
        "title",
        "SELECT title FROM section WHERE movie_id = {film} ORDER BY position",
        None,
    ),
    (
        &["sections"],
        "body",
        "SELECT body FROM section WHERE movie_id = {film} ORDER BY position",
        None,
    ),
    (
        &["characters"],
        "id",
        "SELECT id FROM character WHERE movie_id = {film} ORDER BY position",
        Some(NodeKind::Character),
    ),
    (
        &["characters"],
        "name",
        "SELECT name FROM character WHERE movie_id = {film} ORDER BY position",
        None,
    ),
    (
        &["characters"],
        "description",
        "SELECT description FROM character WHERE movie_id = {film} ORDER BY position",
        None,
    ),
    (
        &["characters"],
        "actor { slug }",
        "SELECT p.slug FROM character c LEFT JOIN person p ON p.id = c.actor_id WHERE c.movie_id = {film} ORDER BY c.position",
        None,
    ),
    (
        &["characters"],
        "actor { name }",
        "SELECT p.name FROM character c LEFT JOIN person p ON p.id = c.actor_id WHERE c.movie_id = {film} ORDER BY c.position",
        None,
    ),
    (
        &["themes"],
        "id",
        "SELECT id FROM theme WHERE movie_id = {film} ORDER BY position",
        Some(NodeKind::Theme),
    ),
    (
        &["themes"],
        "emoji",
        "SELECT emoji FROM theme WHERE movie_id = {film} ORDER BY position",
        None,
    ),
    (
        &["themes"],
        "name",
        "SELECT name FROM theme WHERE movie_id = {film} ORDER BY position",
        None,
    ),
    (
        &["themes"],
        "description",
        "SELECT description FROM theme WHERE movie_id = {film} ORDER BY position",
        None,
    ),
    (
        &["setting", "locations"],
        "id",
        "SELECT id FROM location WHERE movie_id = {film} ORDER BY position",
        Some(NodeKind::Location),
    ),
    (
        &["setting", "locations"],
        "name",
        "SELECT name FROM location WHERE movie_id = {film} ORDER BY position",
        None,
    ),
    (
        &["directors"],
        "slug",
        "SELECT p.slug FROM credit c JOIN person p ON p.id = c.person_id WHERE c.movie_id = {film} AND c.role = 'director' ORDER BY c.position",
        None,
    ),
    (
        &["directors"],
        "name",
        "SELECT p.name FROM credit c JOIN person p ON p.id = c.person_id WHERE c.movie_id = {film} AND c.role = 'director' ORDER BY c.position",
        None,
    ),
    (
        &["credits"],
        "person { slug }",
        "SELECT p.slug FROM credit c JOIN person p ON p.id = c.person_id WHERE c.movie_id = {film} ORDER BY c.position",
        None,
    ),
    (
        &["credits"],
        "person { name }",
        "SELECT p.name FROM credit c JOIN person p ON p.id = c.person_id WHERE c.movie_id = {film} ORDER BY c.position",
        None,
    ),
    (
        &["companies"],
        "company { slug }",
        "SELECT c.slug FROM movie_company m JOIN company c ON c.id = m.company_id WHERE m.movie_id = {film} ORDER BY m.position",
        None,
    ),
    (
        &["companies"],
        "company { name }",
        "SELECT c.name FROM movie_company m JOIN company c ON c.id = m.company_id WHERE m.movie_id = {film} ORDER BY m.position",
        None,
    ),
];

/// What the database holds for one of [`IN_THE_DATABASE`]'s fields, as the API shows it.
async fn held(app: &TestApp, sql: &str, node: Option<NodeKind>) -> Vec<Value> {
    let film = "(SELECT id FROM movie WHERE slug = 'm-butterfly' AND draft_of IS NULL)";
    let statement =
        Statement::from_string(app.db().get_database_backend(), sql.replace("{film}", film));
    let rows = app
        .db()
        .query_all_raw(statement)
        .await
        .expect("read the seed film");
    rows.iter()
        .map(|row| match node {
            Some(kind) => {
                let id: i32 = row.try_get_by_index(0).expect("an id");
                Value::String(encode(kind, id).0)
            }
            None => {
                let text: Option<String> = row.try_get_by_index(0).expect("a text");
                text.map_or(Value::Null, Value::String)
            }
        })
        .collect()
}

/// The values of the field `selection` selects (one field deep) in each item of `list`.
fn values(list: &Value, selection: &str) -> Vec<Value> {
    let mut words = selection
        .split(|c: char| c.is_whitespace() || c == '{' || c == '}')
        .filter(|word| !word.is_empty());
    let (field, inner) = (words.next().unwrap_or_default(), words.next());
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| match inner {
                    Some(inner) => item[field][inner].clone(),
                    None => item[field].clone(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every list of the seed's page and every field of its items, as (the list's path in a
/// `Movie`, the field's selection). A field with a sub-selection selects one field of it.
const FIELDS: &[(&[&str], &str)] = &[
    (&["sections"], "id"),
    (&["sections"], "position"),
    (&["sections"], "title"),
    (&["sections"], "body"),
    (&["characters"], "id"),
    (&["characters"], "position"),
    (&["characters"], "name"),
    (&["characters"], "description"),
    (&["characters"], "actor { id }"),
    (&["characters"], "actor { slug }"),
    (&["characters"], "actor { name }"),
    (&["themes"], "id"),
    (&["themes"], "position"),
    (&["themes"], "emoji"),
    (&["themes"], "name"),
    (&["themes"], "description"),
    (&["setting", "locations"], "id"),
    (&["setting", "locations"], "position"),
    (&["setting", "locations"], "name"),
    (&["directors"], "id"),
    (&["directors"], "slug"),
    (&["directors"], "name"),
    (&["credits"], "role"),
    (&["credits"], "position"),
    (&["credits"], "person { id }"),
    (&["credits"], "person { slug }"),
    (&["credits"], "person { name }"),
    (&["companies"], "role"),
    (&["companies"], "position"),
    (&["companies"], "company { id }"),
    (&["companies"], "company { slug }"),
    (&["companies"], "company { name }"),
];

/// `selection` inside the list at `path` of a `Movie`.
fn in_list(path: &[&str], selection: &str) -> String {
    let mut text = selection.to_owned();
    for part in path.iter().rev() {
        text = format!("{part} {{ {text} }}");
    }
    text
}

/// Every field of every list, in one selection of a `Movie`.
fn every_field() -> String {
    FIELDS
        .iter()
        .map(|(path, field)| in_list(path, field))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The list at `path` of a movie's data.
fn list_at<'v>(movie: &'v Value, path: &[&str]) -> &'v Value {
    path.iter().fold(movie, |value, part| &value[part])
}

/// `list`'s items with only the field `selection` selects (and, for a sub-selection, only
/// its one field).
fn only(list: &Value, selection: &str) -> Value {
    let mut words = selection
        .split(|c: char| c.is_whitespace() || c == '{' || c == '}')
        .filter(|word| !word.is_empty());
    let (field, inner) = (words.next().unwrap_or_default(), words.next());
    let items = list.as_array().cloned().unwrap_or_default();
    Value::Array(
        items
            .iter()
            .map(|item| {
                let value = &item[field];
                let value = match (inner, value) {
                    (Some(inner), Value::Object(_)) => {
                        let mut kept = Map::new();
                        kept.insert(inner.to_owned(), value[inner].clone());
                        Value::Object(kept)
                    }
                    _ => value.clone(),
                };
                let mut kept = Map::new();
                kept.insert(field.to_owned(), value);
                Value::Object(kept)
            })
            .collect(),
    )
}

/// The seed's page with every field, through `movie(slug:)` and through `movies`.
async fn whole_page(app: &TestApp) -> Value {
    let query = format!(
        r#"{{ movie(slug: "m-butterfly") {{ {every} }} movies(first: 5) {{ nodes {{ slug {every} }} }} }}"#,
        every = every_field()
    );
    let data = app.query_data(&query, Value::Null).await;
    let movie = data["movie"].clone();
    assert_eq!(movie, {
        let mut listed = data["movies"]["nodes"][0].clone();
        if let Value::Object(fields) = &mut listed {
            fields.remove("slug");
        }
        listed
    });
    movie
}

async fn a_field_selected_alone_shows_what_it_shows_among_all(app: TestApp) {
    let page = whole_page(&app).await;
    // The page with every field named shows what the database holds.
    for (path, selection, sql, node) in IN_THE_DATABASE {
        let held = held(&app, sql, *node).await;
        assert!(!held.is_empty(), "{sql}");
        assert_eq!(
            values(list_at(&page, path), selection),
            held,
            "{path:?} {selection}"
        );
    }
    // The seed's lists are not empty: a field left unread would show as an empty value.
    for (path, selection) in FIELDS {
        let list = list_at(&page, path);
        assert!(
            list.as_array().is_some_and(|items| !items.is_empty()),
            "{path:?} is empty in {page:#}"
        );
        let expected = only(list, selection);
        let field = in_list(path, selection);
        for query in [
            format!(r#"{{ movie(slug: "m-butterfly") {{ {field} }} }}"#),
            format!(r#"{{ movies(first: 5) {{ nodes {{ {field} }} }} }}"#),
        ] {
            let data = app.query_data(&query, Value::Null).await;
            let movie = data
                .get("movie")
                .cloned()
                .unwrap_or_else(|| data["movies"]["nodes"][0].clone());
            assert_eq!(list_at(&movie, path), &expected, "{query}");
        }
    }
}

async fn a_column_named_anywhere_in_the_document_is_read_for_every_selection(app: TestApp) {
    let page = whole_page(&app).await;
    let descriptions = only(&page["characters"], "description");
    let slugs = only(&page["characters"], "actor { slug }");
    assert!(
        descriptions[0]["description"]
            .as_str()
            .is_some_and(|text| !text.is_empty()),
        "{descriptions}"
    );

    // The nested film's characters come from the rows read for the outer list, which selects
    // only names: the description named inside must have been read with them.
    let nested = app
        .query_data(
            r#"{ movie(slug: "m-butterfly") { characters { name movie { characters { description actor { slug } } } } } }"#,
            Value::Null,
        )
        .await;
    let inner = &nested["movie"]["characters"][0]["movie"]["characters"];
    assert_eq!(only(inner, "description"), descriptions, "{nested}");
    assert_eq!(only(inner, "actor { slug }"), slugs, "{nested}");

    // Named only in a fragment, or only under another root field.
    let fragment = app
        .query_data(
            r#"{ list: movies(first: 5) { nodes { characters { name } } }
                 movie(slug: "m-butterfly") { characters { ...Described } } }
               fragment Described on Character { description actor { ...Slugged } }
               fragment Slugged on Person { slug }"#,
            Value::Null,
        )
        .await;
    let characters = &fragment["movie"]["characters"];
    assert_eq!(only(characters, "description"), descriptions, "{fragment}");
    assert_eq!(only(characters, "actor { slug }"), slugs, "{fragment}");
    assert_eq!(
        only(&fragment["list"]["nodes"][0]["characters"], "name"),
        only(&page["characters"], "name")
    );
}

/// What the database holds for the seed film's two prose columns.
async fn seed_prose(app: &TestApp) -> (String, String) {
    let statement = Statement::from_string(
        app.db().get_database_backend(),
        "SELECT period_description, setting_description FROM movie \
         WHERE slug = 'm-butterfly' AND draft_of IS NULL",
    );
    let row = app
        .db()
        .query_one_raw(statement)
        .await
        .expect("read the seed film")
        .expect("the seed film");
    let text = |at: usize| -> String {
        let text: Option<String> = row.try_get_by_index(at).expect("a text");
        text.filter(|text| !text.is_empty())
            .expect("the seed film has this prose")
    };
    (text(0), text(1))
}

/// A page of films reads a film's prose (`period`'s and `setting`'s descriptions) only when
/// the document names the field that shows it (`service::movie_list::FilmProse`); named
/// anywhere (in another root field, in a fragment), every page of films shows it.
async fn a_film_lists_prose_is_shown_wherever_the_document_names_it(app: TestApp) {
    let (period, setting) = seed_prose(&app).await;
    let prose = |movie: &Value| {
        (
            movie["period"]["description"].clone(),
            movie["setting"]["description"].clone(),
        )
    };
    let held = (Value::String(period), Value::String(setting));
    let plain = app
        .query_data(
            "{ movies(first: 5) { nodes { period { description } setting { description } } } }",
            Value::Null,
        )
        .await;
    assert_eq!(prose(&plain["movies"]["nodes"][0]), held, "{plain}");
    let in_fragment = app
        .query_data(
            "{ movies(first: 5) { edges { node { ...Prose } } } }
             fragment Prose on Movie { period { ...Told } setting { description } }
             fragment Told on Period { description }",
            Value::Null,
        )
        .await;
    assert_eq!(
        prose(&in_fragment["movies"]["edges"][0]["node"]),
        held,
        "{in_fragment}"
    );
    let elsewhere = app
        .query_data(
            "{ titles: movies(first: 5) { nodes { title } }
               told: movies(first: 5) { nodes { period { description } setting { description } } } }",
            Value::Null,
        )
        .await;
    assert_eq!(prose(&elsewhere["told"]["nodes"][0]), held, "{elsewhere}");
}

/// `period` is null only when the film gives no period at all, so whether it is null depends
/// on the period's description even when only its years are selected.
async fn a_period_told_only_in_words_shows_when_only_its_years_are_selected(app: TestApp) {
    app.db()
        .execute_unprepared(
            "UPDATE movie SET period_start_year = NULL, period_end_year = NULL \
             WHERE slug = 'm-butterfly'",
        )
        .await
        .expect("clear the seed film's years");
    let data = app
        .query_data(
            "{ movies(first: 5) { nodes { slug period { startYear endYear } } } }",
            Value::Null,
        )
        .await;
    let seed = &data["movies"]["nodes"][0];
    assert_eq!(seed["slug"], "m-butterfly", "{data}");
    assert_eq!(
        seed["period"],
        serde_json::json!({ "startYear": null, "endYear": null }),
        "{data}"
    );
}

/// The fields of the types whose rows `service::film_bundle` (or, for a page of films,
/// `service::movie_list::FilmProse`) may read without some columns, as this file, `OMITTABLE`
/// and `FilmProse` account for them.
const ACCOUNTED_FOR: &[(&str, &[&str])] = &[
    (
        "Movie",
        &[
            "id",
            "slug",
            "title",
            "releaseYear",
            "plot",
            "sections",
            "characters",
            "directors",
            "credits",
            "companies",
            "period",
            "setting",
            "themes",
            "revisions",
            "version",
            "createdAt",
            "updatedAt",
            "publishedAt",
            "firstPublishedAt",
            "scheduledPublishAt",
            "previewTokens",
            "unpublishedChanges",
        ],
    ),
    ("Section", &["id", "position", "title", "body"]),
    (
        "Character",
        &["id", "position", "name", "description", "actor", "movie"],
    ),
    ("Person", &["id", "slug", "name", "roles", "credits"]),
    ("Theme", &["id", "position", "emoji", "name", "description"]),
    ("Location", &["id", "position", "name"]),
    ("Credit", &["role", "position", "person", "movie"]),
    ("CompanyCredit", &["role", "position", "company", "movie"]),
    ("Company", &["id", "slug", "name", "movies"]),
];

/// A tripwire for new fields: a column left out of a list's rows comes back empty, so a field
/// added to one of these types that reads a column `OMITTABLE` can leave out would show an
/// empty value on prefetched pages. Adding one fails here until it is accounted for: name it
/// among the fields of the columns it reads in `OMITTABLE` (`service/film_bundle.rs`), add
/// it to `FIELDS` and `IN_THE_DATABASE` above, then to this list. A field of `Movie` that
/// shows a film's prose must be named where the `movies` query makes its `FilmProse`
/// (`graphql/query/movies.rs`).
#[test]
fn every_field_of_the_types_read_without_some_columns_is_accounted_for() {
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    let sdl = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql");
    let schema = async_graphql::parser::parse_schema(&sdl).expect("the schema parses");
    for (type_name, accounted) in ACCOUNTED_FOR {
        let fields: Vec<String> = schema
            .definitions
            .iter()
            .find_map(|definition| match definition {
                TypeSystemDefinition::Type(ty) if ty.node.name.node == *type_name => {
                    match &ty.node.kind {
                        TypeKind::Object(object) => Some(
                            object
                                .fields
                                .iter()
                                .map(|field| field.node.name.node.to_string())
                                .collect(),
                        ),
                        _ => None,
                    }
                }
                _ => None,
            })
            .unwrap_or_default();
        assert_eq!(
            fields, *accounted,
            "the fields of {type_name} changed: account for the new ones (see this test's doc)"
        );
    }
}

crate::on_both_backends!(
    a_field_selected_alone_shows_what_it_shows_among_all,
    a_column_named_anywhere_in_the_document_is_read_for_every_selection,
    a_film_lists_prose_is_shown_wherever_the_document_names_it,
    a_period_told_only_in_words_shows_when_only_its_years_are_selected,
);
