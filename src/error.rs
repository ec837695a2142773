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

/// Every `extensions.code` a client can see, with the HTTP status it stands for when it is
/// the whole answer (a request refused before it ran). Field errors inside an executed
/// response (`BAD_USER_INPUT`, `NOT_FOUND`, ...) are answered 200 as the GraphQL-over-HTTP spec
/// says; their status here is what a transport-level refusal with that code would use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// The request is not a well-formed GraphQL request (400).
    BadRequest,
    /// The document does not parse (400).
    GraphqlParseFailed,
    /// The document does not validate against the schema (400).
    GraphqlValidationFailed,
    /// The document is over a query limit (400).
    QueryLimitExceeded,
    /// An input value is wrong (400).
    BadUserInput,
    /// The thing asked for does not exist (404).
    NotFound,
    /// The change clashes with the current state (409).
    Conflict,
    /// A subscription asked to resume after an event the change log no longer keeps: the
    /// events in between are gone, so it must start afresh (410).
    EventsExpired,
    /// No valid token was given (401).
    Unauthenticated,
    /// The token may not do this (403).
    Forbidden,
    /// The body is larger than the limit (413).
    PayloadTooLarge,
    /// The body did not arrive in time, or came too slowly (408).
    RequestTimeout,
    /// The hash of an automatic persisted query is not known yet: send the query (200/400).
    PersistedQueryNotFound,
    /// Only listed (trusted) documents may run, and this one is not listed (400).
    PersistedQueryNotInList,
    /// An `Idempotency-Key` was used for a different request (422).
    IdempotencyKeyReused,
    /// The client has used its allowance for now: retry after `Retry-After` (429).
    RateLimited,
    /// The operation ran past the request timeout and was cancelled (503).
    Timeout,
    /// The database cannot be reached now, or the server is at capacity (503).
    ServiceUnavailable,
    /// A failure of ours; details are logged, never sent (500).
    InternalServerError,
}

impl ErrorCode {
    /// The code as clients read it in `extensions.code`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "BAD_REQUEST",
            Self::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            Self::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            Self::QueryLimitExceeded => "QUERY_LIMIT_EXCEEDED",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::EventsExpired => "EVENTS_EXPIRED",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::RequestTimeout => "REQUEST_TIMEOUT",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::PersistedQueryNotInList => "PERSISTED_QUERY_NOT_IN_LIST",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::RateLimited => "RATE_LIMITED",
            Self::Timeout => "TIMEOUT",
            Self::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            Self::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }

    /// The HTTP status of an answer that is this error alone.
    pub const fn http_status(self) -> axum::http::StatusCode {
        use axum::http::StatusCode as S;
        match self {
            Self::BadRequest
            | Self::GraphqlParseFailed
            | Self::GraphqlValidationFailed
            | Self::QueryLimitExceeded
            | Self::BadUserInput
            | Self::PersistedQueryNotFound
            | Self::PersistedQueryNotInList => S::BAD_REQUEST,
            Self::NotFound => S::NOT_FOUND,
            Self::Conflict => S::CONFLICT,
            Self::EventsExpired => S::GONE,
            Self::Unauthenticated => S::UNAUTHORIZED,
            Self::Forbidden => S::FORBIDDEN,
            Self::PayloadTooLarge => S::PAYLOAD_TOO_LARGE,
            Self::RequestTimeout => S::REQUEST_TIMEOUT,
            Self::IdempotencyKeyReused => S::UNPROCESSABLE_ENTITY,
            Self::RateLimited => S::TOO_MANY_REQUESTS,
            Self::Timeout | Self::ServiceUnavailable => S::SERVICE_UNAVAILABLE,
            Self::InternalServerError => S::INTERNAL_SERVER_ERROR,
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    /// What was asked for existed once and is kept no longer (change events past retention).
    Gone(String),
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
            Self::NotFound(message)
            | Self::Gone(message)
            | Self::Unauthenticated(message)
            | Self::Forbidden(message) => message.clone(),
            Self::Invalid(problems) => format!("the input has {} problems", problems.len()),
            Self::Unavailable(_) => {
                "the database is unavailable right now; try again in a few seconds".to_owned()
            }
            Self::Database(_) | Self::Internal(_) => "internal server error".to_owned(),
        }
    }

    /// What an operator may read and a client never does: the database's own message, or an
    /// internal failure's detail (`None` for errors whose client message says it all).
    pub fn operator_detail(&self) -> Option<String> {
        match self {
            Self::Database(err) => Some(format!("database error: {err}")),
            Self::Unavailable(err) => Some(format!("the database is unavailable: {err}")),
            Self::Internal(detail) => Some(format!("internal error: {detail}")),
            _ => None,
        }
    }

    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    /// The [`ErrorCode`] of this error.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::BadUserInput { .. } | Self::Invalid(_) => ErrorCode::BadUserInput,
            Self::NotFound(_) => ErrorCode::NotFound,
            Self::Conflict { .. } => ErrorCode::Conflict,
            Self::Gone(_) => ErrorCode::EventsExpired,
            Self::Unauthenticated(_) => ErrorCode::Unauthenticated,
            Self::Forbidden(_) => ErrorCode::Forbidden,
            Self::Unavailable(_) => ErrorCode::ServiceUnavailable,
            Self::Database(_) | Self::Internal(_) => ErrorCode::InternalServerError,
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
