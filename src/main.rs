//! The `filmserver` binary: parse the configuration, start logging, run the subcommand.

use std::process::ExitCode;

use clap::Parser;
use filmserver::config::{Cli, Command};
use filmserver::{cli, telemetry};

/// mimalloc rather than the system allocator: a request allocates many small values (rows,
/// GraphQL values, JSON), and glibc's malloc spent a fifth of the uncached list's CPU time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let serving = matches!(cli.command, None | Some(Command::Serve));
    telemetry::init(cli.config.log_format, if serving { "info" } else { "warn" });
    match cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("filmserver: {err}");
            ExitCode::FAILURE
        }
    }
}
