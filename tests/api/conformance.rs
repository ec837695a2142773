//! The GraphQL-over-HTTP spec's own conformance audit (npm `graphql-http`, `auditServer`)
//! against the real server: no errors and no warnings. Needs Node.js; the audit's packages
//! are installed from `tests/graphql-http-audit/package-lock.json` on first run. Without Node
//! the test is skipped, except when `CI` is set.

use std::path::PathBuf;
use std::process::Command;

use crate::helpers::{Backend, spawn_app};

fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

#[tokio::test]
async fn graphql_http_audit_reports_no_errors_or_warnings() {
    if !node_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but Node.js is not installed"
        );
        eprintln!("skipping the graphql-http audit: Node.js is not installed");
        return;
    }
    let app = spawn_app(Backend::Sqlite).await.expect("a SQLite app");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/graphql-http-audit");
    let url = format!("{}/graphql", app.address);
    let output = tokio::task::spawn_blocking(move || {
        if !dir.join("node_modules/graphql-http").exists() {
            let install = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--silent"])
                .current_dir(&dir)
                .status()
                .expect("npm runs");
            assert!(install.success(), "npm ci failed in {}", dir.display());
        }
        Command::new("node")
            .arg("audit.mjs")
            .arg(url)
            .current_dir(&dir)
            .output()
            .expect("node runs")
    })
    .await
    .expect("the audit finishes");
    let report = String::from_utf8_lossy(&output.stdout);
    eprintln!("{report}{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "graphql-http audit:\n{report}");
    assert!(report.contains(" 0 warnings or errors"), "{report}");
}
