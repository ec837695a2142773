//! The `filmserver` binary: parse the configuration, start logging, run.

use std::process::ExitCode;

use clap::Parser;
use filmserver::config::{Cli, Command};
use filmserver::{db, graphql, server, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.config.log_format);
    let result = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::serve(&cli.config).await,
        Command::Migrate => migrate(&cli.config).await,
        Command::PrintSchema => {
            print!("{}", graphql::schema::sdl());
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!(error = %err, "filmserver failed");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(config: &filmserver::config::Config) -> Result<(), server::StartupError> {
    let (db, _) = db::connect(config).await?;
    db::migrate(&db).await?;
    tracing::info!("database is migrated");
    Ok(())
}
