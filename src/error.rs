//! The error policy, in one place.
//!
//! - Every error a client sees is a GraphQL error with `extensions.code`: `BAD_USER_INPUT`,
//!   `NOT_FOUND`, `CONFLICT`, `UNAUTHENTICATED`, `FORBIDDEN` or `INTERNAL_SERVER_ERROR`.
//!   Bad input also names the offending input in `extensions.field` (`input.characters[2].name`).
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
    Conflict(String),
    /// A database failure; its detail is logged, never sent.
    Database(DbErr),
}

impl AppError {
    /// Bad input at `field`.
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// The message a client may see (a generic one for internal errors).
    pub fn client_message(&self) -> String {
        match self {
            Self::BadUserInput { message, .. } => message.clone(),
            Self::NotFound(message) | Self::Conflict(message) => message.clone(),
            Self::Database(_) => "internal server error".to_owned(),
        }
    }

    /// The `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict(_) => "CONFLICT",
            Self::Database(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict("a record with the same unique key already exists".into())
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Self::BadUserInput {
                message: "the input refers to a record that does not exist or is still in use"
                    .into(),
                field: None,
            },
            _ => Self::Database(err),
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        let code = err.code();
        if let AppError::Database(detail) = &err {
            tracing::error!(error = %detail, "database error");
        }
        let message = err.client_message();
        let field = match err {
            AppError::BadUserInput { field, .. } => field,
            _ => None,
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
        })
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
}
