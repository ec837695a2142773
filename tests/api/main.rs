//! Integration tests: the real app over real HTTP, on SQLite and on PostgreSQL.
//!
//! A failed `expect` here is a failed test, which is what a test should do.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

mod helpers;
mod http_caching;

mod cancellation;
mod change_feed;
mod change_log;
mod cli;
mod conformance;
mod drafts;
mod editing;
mod film_page;
mod fuzz;
mod graphql_over_http;
mod ide_pages;
mod idempotency;
mod intake;
mod migrations;
mod observability;
mod outage;
mod overload;
mod page_versions;
mod plain_lists;
mod preview_tokens;
mod public_limits;
mod publishing;
mod query_limits;
mod read_api;
mod read_columns;
mod read_replicas;
mod replica;
mod response_cache;
mod scheduling;
mod schema_file;
mod search;
mod shutdown;
mod sql_statements;
mod web;
mod webhooks;
