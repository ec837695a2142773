//! The benchmark's baseline: a plain axum handler that answers `GET /graphql` with fixed
//! bytes (a response the real server gave), with the same content type, on the same runtime.
//! What the server adds on a cache hit is measured against this.
//!
//! `bench_plain --listen 127.0.0.1:18301 --body answer.json`

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use axum::Router;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use clap::Parser;

/// Command line of the baseline server.
#[derive(Debug, Parser)]
#[command(about = "Serves fixed bytes at GET /graphql, as a baseline for the benchmark")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:18301")]
    listen: SocketAddr,
    /// File whose bytes every answer carries.
    #[arg(long)]
    body: PathBuf,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let body = match std::fs::read(&args.body) {
        Ok(bytes) => Bytes::from(bytes),
        Err(err) => {
            eprintln!("cannot read {}: {err}", args.body.display());
            return ExitCode::FAILURE;
        }
    };
    let app = Router::new().route(
        "/graphql",
        get(move || {
            let body = body.clone();
            async move { ([(CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("cannot listen on {}: {err}", args.listen);
            return ExitCode::FAILURE;
        }
    };
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("serving failed: {err}");
            ExitCode::FAILURE
        }
    }
}
