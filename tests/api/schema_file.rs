//! `schema.graphql` is the schema the code builds. After a deliberate schema change, refresh
//! it with `UPDATE_SCHEMA=1 cargo test schema_file` (or `cargo run -- print-schema`).

use serde_json::{Value, json};

use crate::helpers::TestApp;

const SCHEMA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");

#[test]
fn committed_schema_matches_the_code() {
    let built = filmserver::graphql::schema::sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(SCHEMA_FILE, &built).expect("write schema.graphql");
    }
    let committed = std::fs::read_to_string(SCHEMA_FILE).unwrap_or_default();
    assert!(
        committed == built,
        "schema.graphql differs from the schema the code builds; if the change is deliberate, \
         run `UPDATE_SCHEMA=1 cargo test schema_file` and commit the file"
    );
}

/// Every type, field, argument and enum value of the schema has a description, as GraphiQL
/// shows it (introspection over HTTP).
async fn every_type_and_field_is_documented(app: TestApp) {
    let data = app
        .query_data(
            "{ __schema { types { name kind description
                 fields { name description args { name description } }
                 inputFields { name description }
                 enumValues { name description } } } }",
            json!({}),
        )
        .await;
    let mut undocumented = Vec::new();
    let documented = |v: &Value| {
        v["description"]
            .as_str()
            .is_some_and(|d| !d.trim().is_empty())
    };
    for ty in data["__schema"]["types"].as_array().into_iter().flatten() {
        let name = ty["name"].as_str().unwrap_or_default();
        if name.starts_with("__") || ty["kind"] == "SCALAR" {
            continue;
        }
        if !documented(ty) {
            undocumented.push(name.to_owned());
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().unwrap_or_default();
            if !documented(field) {
                undocumented.push(format!("{name}.{field_name}"));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if !documented(arg) {
                    undocumented.push(format!("{name}.{field_name}({})", arg["name"]));
                }
            }
        }
        for field in ty["inputFields"].as_array().into_iter().flatten() {
            if !documented(field) {
                undocumented.push(format!("{name}.{}", field["name"]));
            }
        }
        for value in ty["enumValues"].as_array().into_iter().flatten() {
            if !documented(value) {
                undocumented.push(format!("{name}.{}", value["name"]));
            }
        }
    }
    assert!(undocumented.is_empty(), "undocumented: {undocumented:#?}");
}

crate::on_both_backends!(every_type_and_field_is_documented);
