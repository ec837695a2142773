//! The binary's subcommands: serve, migrate, print the schema, manage tokens, import and
//! export films, check a trusted-documents manifest. Each works against the configured database (migrating it first).

use std::io::{Read, Write};
use std::path::Path;

use entity::TokenRole;
use sea_orm::DatabaseConnection;

use crate::config::{
    Cli, Command, Config, ExportStatus, RoleArg, TokenCommand, TrustedDocumentsCommand,
};
use crate::error::AppError;
use crate::http::trusted::TrustedDocuments;
use crate::service::document::MovieDocument;
use crate::service::visibility::ReadScope;
use crate::service::{editing, movies, snapshot, tokens};
use crate::{db, graphql, server};

/// Why a subcommand failed; printed to the user.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Start-up failed.
    #[error(transparent)]
    Startup(#[from] server::StartupError),
    /// The operation was refused or failed.
    #[error("{0}")]
    Refused(String),
    /// A file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<AppError> for CliError {
    fn from(err: AppError) -> Self {
        let lines: Vec<String> = err
            .into_problems()
            .into_iter()
            .map(|problem| {
                // The operator at the terminal may read what clients never see.
                let message = problem
                    .operator_detail()
                    .unwrap_or_else(|| problem.client_message());
                match problem.field() {
                    Some(field) => format!("{} at {field}: {message}", problem.code()),
                    None => format!("{}: {message}", problem.code()),
                }
            })
            .collect();
        Self::Refused(lines.join("\n"))
    }
}

/// Runs the command line's subcommand.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => Ok(server::serve(&config).await?),
        Command::Migrate => {
            connect(&config).await?;
            eprintln!("the database is migrated");
            Ok(())
        }
        Command::PrintSchema => {
            print!("{}", graphql::schema::sdl());
            Ok(())
        }
        Command::Token { action } => token(&connect(&config).await?, action).await,
        Command::Import {
            file,
            author,
            publish,
        } => import(&connect(&config).await?, &file, &author, publish).await,
        Command::Export { slug, status, out } => {
            let scope = match status {
                ExportStatus::Published => ReadScope::Published,
                ExportStatus::Draft => ReadScope::Draft,
            };
            export(&connect(&config).await?, &slug, scope, out.as_deref()).await
        }
        Command::TrustedDocuments {
            action: TrustedDocumentsCommand::Check { file },
        } => check_trusted_documents(&config, &file).await,
    }
}

/// `trusted-documents check FILE`: every document must parse, validate against the schema and
/// pass the configured query limits (and an id of 64 hex digits must be its SHA-256).
async fn check_trusted_documents(config: &Config, file: &Path) -> Result<(), CliError> {
    let trusted = TrustedDocuments::load(file).map_err(|err| CliError::Refused(err.to_string()))?;
    let problems = graphql::check_documents(
        trusted.documents(),
        config.query_limits(),
        config.introspection,
    )
    .await;
    if problems.is_empty() {
        println!(
            "{}: {} documents, all valid against the schema and the query limits",
            file.display(),
            trusted.len()
        );
        return Ok(());
    }
    for problem in &problems {
        println!("{problem}");
    }
    Err(CliError::Refused(format!(
        "{} of {} documents in {} would fail",
        problems.len(),
        trusted.len(),
        file.display()
    )))
}

async fn connect(config: &Config) -> Result<DatabaseConnection, CliError> {
    let (db, _) = db::connect(config)
        .await
        .map_err(server::StartupError::from)?;
    db::migrate(&db).await.map_err(server::StartupError::from)?;
    Ok(db)
}

async fn token(db: &DatabaseConnection, action: TokenCommand) -> Result<(), CliError> {
    match action {
        TokenCommand::Create { name, role } => {
            let role = match role {
                RoleArg::Editor => TokenRole::Editor,
                RoleArg::Admin => TokenRole::Admin,
            };
            let issued = tokens::create(db, &name, role).await?;
            println!("{}", issued.secret);
            eprintln!(
                "created {} token {} for {}; it is shown this once: store it now",
                tokens::role_name(role),
                issued.record.id,
                issued.record.name
            );
        }
        TokenCommand::List => {
            println!(
                "{:>4}  {:<8}  {:<6}  {:<10}  {:<25}  revoked",
                "id", "prefix", "role", "name", "created"
            );
            for token in tokens::list(db).await? {
                println!(
                    "{:>4}  {:<8}  {:<6}  {:<10}  {:<25}  {}",
                    token.id,
                    token.prefix,
                    tokens::role_name(token.role),
                    token.name,
                    token.created_at.to_rfc3339(),
                    token
                        .revoked_at
                        .map(|t| t.to_rfc3339())
                        .unwrap_or_else(|| "-".into())
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let token = tokens::revoke(db, id).await?;
            eprintln!("revoked token {} of {}", token.id, token.name);
        }
    }
    Ok(())
}

async fn import(
    db: &DatabaseConnection,
    file: &Path,
    author: &str,
    publish: bool,
) -> Result<(), CliError> {
    let mut text = String::new();
    if file == Path::new("-") {
        std::io::stdin().read_to_string(&mut text)?;
    } else {
        text = std::fs::read_to_string(file)?;
    }
    let document: MovieDocument = serde_json::from_str(&text).map_err(|e| {
        CliError::Refused(format!(
            "BAD_USER_INPUT: {} is not a film document: {e}",
            file.display()
        ))
    })?;
    let author = editing::Author {
        name: author.to_owned(),
        token_id: None,
    };
    let new_film = if publish {
        editing::NewFilm::Published
    } else {
        editing::NewFilm::Draft
    };
    let movie = editing::create_movie(db, document, &author, new_film)
        .await?
        .row;
    eprintln!(
        "imported `{}` ({}){}",
        movie.slug,
        movie.title,
        if publish {
            ", published"
        } else {
            " as a draft"
        }
    );
    Ok(())
}

async fn export(
    db: &DatabaseConnection,
    slug: &str,
    scope: ReadScope,
    out: Option<&Path>,
) -> Result<(), CliError> {
    let movie = movies::find_by_slug(db, slug, scope)
        .await?
        .ok_or_else(|| CliError::Refused(format!("NOT_FOUND: no film has the slug `{slug}`")))?;
    let document = snapshot::portable(snapshot::document_of(db, &movie).await?);
    let json = serde_json::to_string_pretty(&document)
        .map_err(|e| CliError::Refused(format!("the film does not serialize: {e}")))?;
    match out {
        Some(path) => std::fs::write(path, format!("{json}\n"))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "{json}")?;
        }
    }
    Ok(())
}
