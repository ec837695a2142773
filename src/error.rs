//! The error policy, in one place.
//!
//! - Every error a client sees is a GraphQL error with `extensions.code`: `BAD_USER_INPUT`,
//!   `NOT_FOUND`, `CONFLICT`, `UNAUTHENTICATED`, `FORBIDDEN`, `SERVICE_UNAVAILABLE` (the
//!   database cannot be reached now; retry) or `INTERNAL_SERVER_ERROR`.
//!   Bad input also names the offending input in `extensions.field` (`input.characters[2].name`).
//! - Input is validated before anything is written, and every problem is reported at once
//!   ([`AppError::Invalid`] becomes one GraphQL error per problem).
//! - Database errors never reach clients as text: a unique-constraint violation becomes
//!   `CONFLICT`, a foreign-key violation `BAD_USER_INPUT`; anything else is logged with its
//!   detail and sent as a generic "internal server error".
//! - Nothing here panics.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};

/// An operation's failure, as services report it.
///
/// It has no `Display` on purpose: async-graphql turns any `Display` error into a GraphQL
/// error without a code, and this type must always go through the `From` below.
#[derive(Debug)]
pub enum AppError {
    /// The input is wrong; `field` is its path in the operation's input, when known.
    BadUserInput {
        /// What is wrong, for the client.
        message: String,
        /// Path of the offending input (`first`, `input.characters[2].name`).
        field: Option<String>,
    },
    /// The thing asked for does not exist.
    NotFound(String),
    /// The change clashes with the current state (taken slug, stale version).
    Conflict {
        /// What clashes, for the client.
        message: String,
        /// Path of the input that clashes, when one does.
        field: Option<String>,
    },
    /// No valid token was given.
    Unauthenticated(String),
    /// The token may not do this.
    Forbidden(String),
    /// Several problems with the input, each a `BadUserInput` or `Conflict`.
    Invalid(Vec<AppError>),
    /// The database cannot be reached now (down, restarting, or no connection free within
    /// the acquire timeout): the client may retry. Its detail is logged, never sent.
    Unavailable(DbErr),
    /// A database failure; its detail is logged, never sent.
    Database(DbErr),
    /// Any other failure of ours; its detail is logged, never sent.
    Internal(String),
}

impl AppError {
    /// Bad input at `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// A conflict at `field`.
    pub fn conflict_at(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Conflict {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// A conflict not tied to one input.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::Conflict {
            message: message.into(),
            field: None,
        }
    }

    /// The message a client may see (a generic one for internal errors).
    pub fn client_message(&self) -> String {
        match self {
            Self::BadUserInput { message, .. } | Self::Conflict { message, .. } => message.clone(),
            Self::NotFound(message) | Self::Unauthenticated(message) | Self::Forbidden(message) => {
                message.clone()
            }
            Self::Invalid(problems) => format!("the input has {} problems", problems.len()),
            Self::Unavailable(_) => {
                "the database is unavailable right now; try again in a few seconds".to_owned()
            }
            Self::Database(_) | Self::Internal(_) => "internal server error".to_owned(),
        }
    }

    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } | Self::Invalid(_) => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict { .. } => "CONFLICT",
            Self::Unauthenticated(_) => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::Database(_) | Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The input path this error is about, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::BadUserInput { field, .. } | Self::Conflict { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The individual problems: the list of an `Invalid`, or this error alone.
    pub fn into_problems(self) -> Vec<AppError> {
        match self {
            Self::Invalid(problems) if !problems.is_empty() => problems,
            other => vec![other],
        }
    }

    /// This error as one GraphQL error (an `Invalid` gives a summary; see [`into_problems`]).
    ///
    /// [`into_problems`]: Self::into_problems
    pub fn into_graphql(self) -> async_graphql::Error {
        match &self {
            Self::Database(detail) => tracing::error!(error = %detail, "database error"),
            Self::Unavailable(detail) => tracing::warn!(error = %detail, "database unavailable"),
            Self::Internal(detail) => tracing::error!(error = %detail, "internal error"),
            _ => {}
        }
        let code = self.code();
        let field = self.field().map(str::to_owned);
        async_graphql::Error::new(self.client_message()).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
        })
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::conflict("a record with the same unique key already exists")
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Self::BadUserInput {
                message: "the input refers to a record that does not exist or is still in use"
                    .into(),
                field: None,
            },
            _ if is_unavailable(&err) => Self::Unavailable(err),
            _ => Self::Database(err),
        }
    }
}

/// Whether a database error means the database cannot be reached now (rather than that the
/// statement is wrong): no connection within the acquire timeout, a broken connection, or
/// PostgreSQL shutting down or starting up.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as SqlxError;
    let runtime = match err {
        DbErr::ConnectionAcquire(_) => return true,
        DbErr::Conn(runtime) | DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return matches!(err, DbErr::Conn(_));
    };
    match sqlx.as_ref() {
        SqlxError::Io(_)
        | SqlxError::Tls(_)
        | SqlxError::PoolTimedOut
        | SqlxError::PoolClosed
        | SqlxError::WorkerCrashed => true,
        SqlxError::Database(db) => db.code().is_some_and(|code| {
            // Class 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown,
            // cannot connect now (starting up or shutting down).
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03")
        }),
        _ => matches!(err, DbErr::Conn(_)),
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        err.into_graphql()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn extensions(err: async_graphql::Error) -> serde_json::Value {
        serde_json::to_value(err.extensions).unwrap_or_default()
    }

    #[test]
    fn database_detail_is_not_sent() {
        let err: async_graphql::Error =
            AppError::from(DbErr::Custom("password=secret".into())).into();
        assert_eq!(err.message, "internal server error");
        assert_eq!(extensions(err)["code"], "INTERNAL_SERVER_ERROR");
    }

    #[test]
    fn bad_input_names_its_field() {
        let err: async_graphql::Error = AppError::bad_input("first", "too many").into();
        let ext = extensions(err);
        assert_eq!(ext["code"], "BAD_USER_INPUT");
        assert_eq!(ext["field"], "first");
    }

    #[test]
    fn invalid_splits_into_its_problems() {
        let err = AppError::Invalid(vec![
            AppError::bad_input("input.title", "empty"),
            AppError::conflict_at("input.slug", "taken"),
        ]);
        let codes: Vec<&str> = err.into_problems().iter().map(AppError::code).collect();
        assert_eq!(codes, ["BAD_USER_INPUT", "CONFLICT"]);
    }
}
