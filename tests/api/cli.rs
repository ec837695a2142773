//! The `filmserver` binary's subcommands against the test's database: tokens, import, export.

use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::helpers::{TestApp, first_error_extensions};
use crate::migrations::row_counts;

/// Runs the real binary with these arguments against the app's database.
async fn filmserver(app: &TestApp, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_filmserver"));
    command
        .args(app.database_args())
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("SQLITE_PATH")
        .env_remove("RUST_LOG");
    let input = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        if let Some(input) = input {
            use std::io::Write;
            command.stdin(std::process::Stdio::piped());
            command.stdout(std::process::Stdio::piped());
            command.stderr(std::process::Stdio::piped());
            let mut child = command.spawn().expect("filmserver starts");
            if let Some(mut pipe) = child.stdin.take() {
                pipe.write_all(input.as_bytes()).expect("write stdin");
            }
            child.wait_with_output().expect("filmserver ends")
        } else {
            command.output().expect("filmserver runs")
        }
    })
    .await
    .expect("the command finishes")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const CREATE: &str = r#"mutation { createMovie(input: { title: "Videodrome", releaseYear: 1983 }, publish: true) { slug } }"#;

async fn tokens_are_managed_from_the_command_line(app: TestApp) {
    let created = filmserver(
        &app,
        &["token", "create", "--name", "carol", "--role", "editor"],
        None,
    )
    .await;
    assert!(created.status.success(), "{}", stderr(&created));
    let secret = stdout(&created).trim().to_owned();
    assert!(secret.starts_with("fcs_"), "{secret}");
    assert!(stderr(&created).contains("shown this once"));

    let body = app.graphql_as(&secret, CREATE, json!({})).await;
    assert_eq!(body["data"]["createMovie"]["slug"], "videodrome", "{body}");

    let listed = filmserver(&app, &["token", "list"], None).await;
    let listing = stdout(&listed);
    assert!(
        listing.contains("carol") && listing.contains("editor"),
        "{listing}"
    );
    assert!(!listing.contains(&secret), "the list must not show secrets");
    let id = listing
        .lines()
        .find(|line| line.contains("carol"))
        .and_then(|line| line.split_whitespace().next())
        .expect("carol's token has an id")
        .to_owned();

    let revoked = filmserver(&app, &["token", "revoke", &id], None).await;
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    let body = app.graphql_as(&secret, CREATE, json!({})).await;
    assert_eq!(first_error_extensions(&body)["code"], "UNAUTHENTICATED");
}

const PAGE: &str = r#"query($slug: String!) { movie(slug: $slug) {
    title releaseYear plot period { startYear endYear description }
    setting { description locations { name } } directors { slug name }
    credits { role person { slug } } companies { role company { slug name } }
    themes { emoji name description } sections { title body }
    characters { name description actor { slug name } } } }"#;

async fn export_then_import_gives_an_identical_film(app: TestApp) {
    let exported = filmserver(&app, &["export", "--slug", "m-butterfly"], None).await;
    assert!(exported.status.success(), "{}", stderr(&exported));
    let mut document: Value = serde_json::from_str(&stdout(&exported)).expect("export is JSON");
    assert_eq!(document["slug"], "m-butterfly");
    assert_eq!(document["themes"][2]["emoji"], "\u{2696}\u{FE0F}");

    // Imported with --publish: readers see the very same page.
    document["slug"] = json!("m-butterfly-copy");
    let imported = filmserver(
        &app,
        &["import", "-", "--author", "archive", "--publish"],
        Some(&document.to_string()),
    )
    .await;
    assert!(imported.status.success(), "{}", stderr(&imported));
    let original = app.query_data(PAGE, json!({ "slug": "m-butterfly" })).await;
    let copy = app
        .query_data(PAGE, json!({ "slug": "m-butterfly-copy" }))
        .await;
    assert_eq!(
        copy, original,
        "the imported film differs from the exported one"
    );
    let again = filmserver(&app, &["export", "--slug", "m-butterfly-copy"], None).await;
    let mut round_trip: Value = serde_json::from_str(&stdout(&again)).expect("export is JSON");
    round_trip["slug"] = json!("m-butterfly");
    let mut expected = document.clone();
    expected["slug"] = json!("m-butterfly");
    assert_eq!(round_trip, expected);

    // Imported without it: a draft, which readers do not see and `--status draft` exports.
    document["slug"] = json!("m-butterfly-draft");
    let drafted = filmserver(&app, &["import", "-"], Some(&document.to_string())).await;
    assert!(drafted.status.success(), "{}", stderr(&drafted));
    assert!(
        stderr(&drafted).contains("as a draft"),
        "{}",
        stderr(&drafted)
    );
    let hidden = app
        .query_data(PAGE, json!({ "slug": "m-butterfly-draft" }))
        .await;
    assert_eq!(hidden["movie"], Value::Null, "{hidden}");
    let published = filmserver(&app, &["export", "--slug", "m-butterfly-draft"], None).await;
    assert!(
        !published.status.success(),
        "no published version to export"
    );
    assert!(
        stderr(&published).contains("NOT_FOUND"),
        "{}",
        stderr(&published)
    );
    let draft = filmserver(
        &app,
        &["export", "--slug", "m-butterfly-draft", "--status", "draft"],
        None,
    )
    .await;
    assert!(draft.status.success(), "{}", stderr(&draft));
    let round_trip: Value = serde_json::from_str(&stdout(&draft)).expect("export is JSON");
    assert_eq!(round_trip, document);
}

async fn import_validates_like_the_mutation(app: TestApp) {
    let before = row_counts(app.db()).await;
    let bad = json!({
        "title": "Bad", "slug": "m-butterfly", "releaseYear": 1700,
        "themes": [{ "emoji": "nope", "name": "n", "description": "d" }]
    });
    let output = filmserver(&app, &["import", "-"], Some(&bad.to_string())).await;
    assert!(!output.status.success());
    let errors = stderr(&output);
    for expected in [
        "BAD_USER_INPUT at input.releaseYear",
        "BAD_USER_INPUT at input.themes[0].emoji",
    ] {
        assert!(
            errors.contains(expected),
            "missing `{expected}` in:\n{errors}"
        );
    }
    let taken = json!({ "title": "Bad", "slug": "m-butterfly", "releaseYear": 1990 });
    let output = filmserver(&app, &["import", "-"], Some(&taken.to_string())).await;
    assert!(
        stderr(&output).contains("CONFLICT at input.slug"),
        "{}",
        stderr(&output)
    );
    let output = filmserver(&app, &["import", "-"], Some("{\"title\": 1}")).await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("not a film document"),
        "{}",
        stderr(&output)
    );
    assert_eq!(row_counts(app.db()).await, before);
}

/// The operator at the terminal reads the database's own message, which clients never see.
async fn a_database_error_shows_the_databases_message(app: TestApp) {
    use sea_orm::ConnectionTrait;
    let drop = match app.backend {
        crate::helpers::Backend::Postgres => "DROP TABLE api_token CASCADE",
        crate::helpers::Backend::Sqlite => "DROP TABLE api_token",
    };
    app.db()
        .execute_unprepared(drop)
        .await
        .expect("drop a table");
    let output = filmserver(&app, &["token", "list"], None).await;
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("api_token"), "{err}");
    assert!(!err.contains("internal server error"), "{err}");
}

crate::on_both_backends!(
    a_database_error_shows_the_databases_message,
    tokens_are_managed_from_the_command_line,
    export_then_import_gives_an_identical_film,
    import_validates_like_the_mutation,
);
