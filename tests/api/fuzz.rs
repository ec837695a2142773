//! Fuzzing the whole request path (router, GraphQL over HTTP, limits, execution, the SQLite
//! database), on stable Rust with property tests: arbitrary bytes as bodies and query strings,
//! arbitrary JSON requests, and GraphQL documents built from the schema's own names with
//! arbitrary arguments, aliases, fragments, directives and variables, and then mangled.
//!
//! Every answer must be a well-formed GraphQL-over-HTTP answer: an expected status, a JSON
//! body with `data` or a non-empty `errors`, every error with `extensions.code`, and no panic;
//! afterwards the server still serves the film page. `FUZZ_CASES` sets how many inputs each
//! property tries (256 by default; `FUZZ_CASES=20000 cargo test --test api fuzz` for a long
//! run). Inputs that once found a bug are kept in `tests/fuzz-corpus/` and replayed each run.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};
use serde_json::Value;
use tower::ServiceExt;

use crate::helpers::{Backend, TestDatabase};

/// Statuses the spec (and our limits) allow.
const EXPECTED: [u16; 10] = [200, 304, 400, 405, 406, 413, 415, 422, 429, 503];

/// One app over a fresh SQLite database, and a runtime to drive it.
struct Target {
    runtime: tokio::runtime::Runtime,
    router: Router,
    _database: TestDatabase,
}

impl Target {
    fn new() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let (router, database) = runtime.block_on(async {
            let database = TestDatabase::create(Backend::Sqlite)
                .await
                .expect("a SQLite database");
            let state = filmserver::server::prepare_state(&database.config)
                .await
                .expect("the app starts");
            (filmserver::app(state), database)
        });
        Self {
            runtime,
            router,
            _database: database,
        }
    }

    /// Sends one request and checks the answer is well-formed; `Err` says how it is not.
    fn check(&self, request: Request<Body>) -> Result<(), String> {
        let router = self.router.clone();
        self.runtime.block_on(async move {
            let response = router
                .oneshot(request)
                .await
                .map_err(|e| format!("the router failed: {e}"))?;
            let status = response.status();
            let body = to_bytes(response.into_body(), usize::MAX)
                .await
                .map_err(|e| format!("the body could not be read: {e}"))?;
            well_formed(status, &body)
        })
    }

    fn post(&self, body: Vec<u8>) -> Result<(), String> {
        self.check(
            Request::post("/graphql")
                .header("content-type", "application/json")
                .header("accept", "application/graphql-response+json")
                .body(Body::from(body))
                .map_err(|e| e.to_string())?,
        )
    }

    fn get(&self, query_string: &str) -> Result<(), String> {
        let uri = format!("/graphql?{query_string}");
        let Ok(request) = Request::get(uri.as_str())
            .header("accept", "application/json")
            .body(Body::empty())
        else {
            return Ok(()); // not a URI a client could send
        };
        self.check(request)
    }
}

/// Whether an answer is a well-formed GraphQL-over-HTTP answer.
fn well_formed(status: StatusCode, body: &[u8]) -> Result<(), String> {
    let shown = || {
        String::from_utf8_lossy(body)
            .chars()
            .take(300)
            .collect::<String>()
    };
    if !EXPECTED.contains(&status.as_u16()) {
        return Err(format!("status {status}: {}", shown()));
    }
    if status == StatusCode::NOT_MODIFIED {
        return Ok(());
    }
    let json: Value = serde_json::from_slice(body).map_err(|_| format!("not JSON: {}", shown()))?;
    let errors = json.get("errors").and_then(Value::as_array);
    match (json.get("data"), errors) {
        (_, Some(errors)) if errors.is_empty() => return Err(format!("empty errors: {}", shown())),
        (None, None) => return Err(format!("neither data nor errors: {}", shown())),
        _ => {}
    }
    for error in errors.into_iter().flatten() {
        if error["extensions"]["code"]
            .as_str()
            .is_none_or(str::is_empty)
        {
            return Err(format!("an error without a code: {}", shown()));
        }
        if error["message"].as_str().is_none() {
            return Err(format!("an error without a message: {}", shown()));
        }
    }
    Ok(())
}

fn runner() -> TestRunner {
    let cases = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    })
}

/// Field names of the schema, so generated documents reach the resolvers.
const FIELDS: &[&str] = &[
    "movie",
    "movies",
    "person",
    "people",
    "company",
    "node",
    "search",
    "edges",
    "node",
    "cursor",
    "pageInfo",
    "hasNextPage",
    "endCursor",
    "totalCount",
    "id",
    "slug",
    "title",
    "releaseYear",
    "plot",
    "sections",
    "body",
    "position",
    "characters",
    "name",
    "description",
    "actor",
    "roles",
    "credits",
    "directors",
    "companies",
    "company",
    "role",
    "period",
    "startYear",
    "endYear",
    "setting",
    "locations",
    "themes",
    "emoji",
    "rank",
    "snippet",
    "version",
    "createdAt",
    "updatedAt",
    "revisions",
    "tokens",
    "__typename",
    "__schema",
    "types",
    "fields",
    "__type",
    "kind",
    "ofType",
];

const ARGUMENTS: &[&str] = &[
    "slug",
    "first",
    "after",
    "id",
    "query",
    "filter",
    "orderBy",
    "nameContains",
    "titleContains",
    "direction",
    "field",
    "releaseYearFrom",
    "input",
    "if",
    "name",
];

fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (-3i32..200).prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:?}")),
        "[a-zA-Z0-9 ⚖️é\"\\\\\n-]{0,12}"
            .prop_map(|s| serde_json::to_string(&s).unwrap_or_default()),
        Just("\"m-butterfly\"".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("TITLE".to_owned()),
        Just("DESC".to_owned()),
        Just("$v".to_owned()),
        Just("\"TW92aWU6MQ\"".to_owned()),
    ];
    leaf.prop_recursive(3, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((prop::sample::select(ARGUMENTS), inner), 0..3).prop_map(|v| {
                let fields: Vec<String> = v.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", fields.join(", "))
            }),
        ]
    })
}

fn selection() -> impl Strategy<Value = String> {
    let field = (
        prop::option::of("[a-z]{1,3}"),
        prop::sample::select(FIELDS),
        prop::collection::vec((prop::sample::select(ARGUMENTS), value()), 0..3),
        prop::option::of(prop_oneof![
            Just("@include(if: true)"),
            Just("@skip(if: $v)"),
            Just("@deprecated"),
        ]),
    )
        .prop_map(|(alias, name, args, directive)| {
            let alias = alias.map(|a| format!("{a}: ")).unwrap_or_default();
            let args = if args.is_empty() {
                String::new()
            } else {
                let args: Vec<String> =
                    args.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("({})", args.join(", "))
            };
            format!("{alias}{name}{args} {}", directive.unwrap_or_default())
        });
    field.prop_recursive(5, 40, 4, |inner| {
        (
            prop::sample::select(FIELDS),
            prop::collection::vec(
                prop_oneof![
                    4 => inner,
                    1 => Just("...F".to_owned()),
                    1 => Just("... on Movie { title }".to_owned()),
                ],
                1..4,
            ),
        )
            .prop_map(|(name, children)| format!("{name} {{ {} }}", children.join(" ")))
    })
}

fn document() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("query"),
            Just("query Q($v: Boolean)"),
            Just("mutation"),
            Just("subscription"),
            Just("")
        ],
        prop::collection::vec(selection(), 1..4),
        prop::option::of(selection()),
    )
        .prop_map(|(head, roots, fragment)| {
            let fragment = fragment
                .map(|f| format!(" fragment F on Movie {{ {f} }}"))
                .unwrap_or_default();
            format!("{head} {{ {} }}{fragment}", roots.join(" "))
        })
}

/// A document with a few characters deleted, repeated or replaced.
fn mangled() -> impl Strategy<Value = String> {
    (
        document(),
        prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, any::<char>()), 1..4),
    )
        .prop_map(|(doc, edits)| {
            let mut chars: Vec<char> = doc.chars().collect();
            for (at, kind, c) in edits {
                if chars.is_empty() {
                    break;
                }
                let i = at.index(chars.len());
                match kind {
                    0 => {
                        chars.remove(i);
                    }
                    1 => chars.insert(i, chars[i]),
                    _ => chars[i] = c,
                }
            }
            chars.into_iter().collect()
        })
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,10}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z$]{0,3}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs one property with the shared target, failing the test with the smallest input found.
fn fuzz<S: Strategy>(
    target: &Target,
    strategy: S,
    send: impl Fn(&Target, S::Value) -> Result<(), String>,
) where
    S::Value: std::fmt::Debug,
{
    let result = runner().run(&strategy, |input| {
        send(target, input).map_err(TestCaseError::fail)
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}

#[test]
fn the_request_path_answers_any_input_well() {
    let target = Target::new();
    fuzz(
        &target,
        prop::collection::vec(any::<u8>(), 0..200),
        |t, bytes| t.post(bytes),
    );
    fuzz(&target, ".{0,200}", |t, text: String| t.get(&text));
    fuzz(
        &target,
        (json_value(), json_value(), json_value()),
        |t, (q, v, o)| {
            let body = serde_json::json!({ "query": q, "variables": v, "operationName": o });
            t.post(body.to_string().into_bytes())
        },
    );
    fuzz(
        &target,
        (document(), json_value()),
        |t, (query, variables)| {
            let body = serde_json::json!({ "query": query, "variables": { "v": variables } });
            t.post(body.to_string().into_bytes())?;
            t.get(&format!("query={}", encode(&query)))
        },
    );
    fuzz(&target, mangled(), |t, query| {
        let body = serde_json::json!({ "query": query });
        t.post(body.to_string().into_bytes())
    });
    still_serves(&target);
}

/// The kept inputs: one per file, the whole file a POST body.
#[test]
fn the_kept_corpus_still_answers_well() {
    let target = Target::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-corpus");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).expect("the corpus directory") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("a corpus file");
        if let Err(problem) = target.post(bytes) {
            panic!("{}: {problem}", path.display());
        }
        seen += 1;
    }
    assert!(seen > 0, "the corpus is empty");
    still_serves(&target);
}

fn still_serves(target: &Target) {
    let body = r#"{"query":"{ movie(slug: \"m-butterfly\") { title } }"}"#;
    let router = target.router.clone();
    let title = target.runtime.block_on(async move {
        let response = router
            .oneshot(
                Request::post("/graphql")
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .expect("a request"),
            )
            .await
            .expect("an answer");
        let bytes = to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("a body");
        serde_json::from_slice::<Value>(&bytes).expect("JSON")["data"]["movie"]["title"].clone()
    });
    assert_eq!(title, "M. Butterfly");
}
