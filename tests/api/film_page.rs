//! Every fact of the M. Butterfly page text comes back through the API exactly as written.

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// The film page source the seed was written from.
const SOURCE_TEXT: &str = include_str!("../../seeds/source/m-butterfly.txt");

/// Where the site's own chrome starts: everything from here on is not film content.
const SITE_CHROME: &str = "What's After the Movie?";

const FULL_PAGE: &str = r#"
query Page($slug: String!) {
  movie(slug: $slug) {
    slug title releaseYear version
    directors { name slug }
    companies { role company { name slug } }
    plot
    sections { position title body }
    characters { position name description actor { name slug } }
    period { startYear endYear description }
    setting { description locations { position name } }
    themes { position emoji name description }
  }
}"#;

fn strings<'a>(list: &'a Value, field: &str) -> Vec<&'a str> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item[field].as_str())
                .collect()
        })
        .unwrap_or_default()
}

/// Lays the film out again as the page text did, line by line, from the API's answer.
fn page_text(movie: &Value) -> String {
    let mut lines: Vec<String> = Vec::new();
    lines.push("Directed by".into());
    lines.push(strings(&movie["directors"], "name").join(", "));
    lines.push("Made by".into());
    let companies: Vec<&str> = movie["companies"]
        .as_array()
        .map(|c| {
            c.iter()
                .filter_map(|c| c["company"]["name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    lines.push(companies.join(", "));
    for paragraph in movie["plot"].as_array().into_iter().flatten() {
        lines.push(paragraph.as_str().unwrap_or_default().into());
    }
    for section in movie["sections"].as_array().into_iter().flatten() {
        lines.push(section["title"].as_str().unwrap_or_default().into());
        lines.push(section["body"].as_str().unwrap_or_default().into());
    }
    for character in movie["characters"].as_array().into_iter().flatten() {
        let name = character["name"].as_str().unwrap_or_default();
        lines.push(match character["actor"]["name"].as_str() {
            Some(actor) => format!("{name} ({actor})"),
            None => name.to_owned(),
        });
        lines.push(character["description"].as_str().unwrap_or_default().into());
    }
    let period = &movie["period"];
    lines.push("Time period".into());
    lines.push(format!("{}-{}", period["startYear"], period["endYear"]));
    lines.push(period["description"].as_str().unwrap_or_default().into());
    let setting = &movie["setting"];
    lines.push("Location".into());
    lines.push(strings(&setting["locations"], "name").join(", "));
    lines.push(setting["description"].as_str().unwrap_or_default().into());
    for theme in movie["themes"].as_array().into_iter().flatten() {
        for field in ["emoji", "name", "description"] {
            lines.push(theme[field].as_str().unwrap_or_default().into());
        }
    }
    lines.join("\n")
}

async fn every_fact_of_the_page_comes_back_verbatim(app: TestApp) {
    let data = app
        .query_data(FULL_PAGE, json!({ "slug": "m-butterfly" }))
        .await;
    let movie = &data["movie"];

    let chrome_at = SOURCE_TEXT
        .find(SITE_CHROME)
        .expect("the source has site chrome");
    let film_content = SOURCE_TEXT[..chrome_at].trim_end_matches('\n');
    let rebuilt = page_text(movie);
    for (line, (expected, got)) in film_content.lines().zip(rebuilt.lines()).enumerate() {
        assert_eq!(got, expected, "line {} of the page differs", line + 1);
    }
    assert_eq!(rebuilt, film_content);

    assert_eq!(movie["slug"], "m-butterfly");
    assert_eq!(movie["title"], "M. Butterfly");
    assert_eq!(movie["releaseYear"], 1993);
    assert_eq!(movie["version"], 1);
    assert_eq!(movie["plot"].as_array().map(Vec::len), Some(10));
    assert_eq!(movie["sections"].as_array().map(Vec::len), Some(15));
    assert_eq!(movie["companies"][0]["role"], "PRODUCTION");
    assert_eq!(movie["directors"][0]["slug"], "david-cronenberg");
}

async fn content_keeps_quotes_emphasis_and_emoji(app: TestApp) {
    let data = app
        .query_data(FULL_PAGE, json!({ "slug": "m-butterfly" }))
        .await;
    let movie = &data["movie"];
    let themes = strings(&movie["themes"], "emoji");
    assert_eq!(themes, ["\u{1F494}", "\u{1F3AD}", "\u{2696}\u{FE0F}"]);
    assert!(
        movie["plot"][0]
            .as_str()
            .is_some_and(|p| p.ends_with("\u{201C}the Chinese can\u{2019}t stand Madame Butterfly because \u{2018}the white man gets the girl.\u{2019}\u{201D}"))
    );
    assert!(
        movie["sections"][0]["body"]
            .as_str()
            .is_some_and(|b| b.contains("*Madame Butterfly*"))
    );
    let positions: Vec<i64> = movie["sections"]
        .as_array()
        .map(|s| s.iter().filter_map(|s| s["position"].as_i64()).collect())
        .unwrap_or_default();
    assert_eq!(positions, (1..=15).collect::<Vec<_>>());
}

async fn actors_hang_under_their_characters(app: TestApp) {
    let data = app
        .query_data(FULL_PAGE, json!({ "slug": "m-butterfly" }))
        .await;
    let cast: Vec<(String, Value)> = data["movie"]["characters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["actor"].clone(),
            )
        })
        .collect();
    assert_eq!(
        cast,
        vec![
            (
                "Rene Gallimard".to_owned(),
                json!({ "name": "Jeremy Irons", "slug": "jeremy-irons" })
            ),
            (
                "Song Liling".to_owned(),
                json!({ "name": "John Lone", "slug": "john-lone" })
            ),
            ("Ambassador Toulon".to_owned(), Value::Null),
        ]
    );

    // And from the person's side: their roles lead back to the film.
    let data = app
        .query_data(
            r#"{ person(slug: "jeremy-irons") { name roles { nodes { name movie { title } actor { name } } } credits { nodes { role } } }
                 director: person(slug: "david-cronenberg") { credits { nodes { role movie { slug } } } roles { nodes { name } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["person"],
        json!({
            "name": "Jeremy Irons",
            "roles": { "nodes": [{ "name": "Rene Gallimard", "movie": { "title": "M. Butterfly" }, "actor": { "name": "Jeremy Irons" } }] },
            "credits": { "nodes": [] }
        })
    );
    assert_eq!(
        data["director"],
        json!({ "credits": { "nodes": [{ "role": "DIRECTOR", "movie": { "slug": "m-butterfly" } }] }, "roles": { "nodes": [] } })
    );
}

crate::on_both_backends!(
    every_fact_of_the_page_comes_back_verbatim,
    content_keeps_quotes_emphasis_and_emoji,
    actors_hang_under_their_characters,
);
