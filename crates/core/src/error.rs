//! Error types of the core. Validation errors name the field that is wrong; store errors carry
//! the driver's message for `tracing` but are shown to people only through the API's codes.

use thiserror::Error;

/// Bad input from a caller. `field` is the name of the offending input field.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("invalid {field}: {reason}")]
pub struct ValidationError {
    pub field: &'static str,
    pub reason: String,
}

impl ValidationError {
    pub fn new(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// Failures of a storage backend.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(String),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("invalid cursor")]
    InvalidCursor,
    #[error("conflict: {0}")]
    Conflict(String),
    /// Input a store refuses before touching the database (a priority outside 1..=5, an empty
    /// template name); the field is named.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// Errors of the core services.
#[derive(Debug, Error)]
pub enum CoreError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("signing key: {0}")]
    Key(String),
    #[error("the recorder has shut down")]
    Closed,
    /// Long work stopped because its caller cancelled it.
    #[error("cancelled")]
    Cancelled,
    /// A worker thread of the core failed (a bug, never bad input).
    #[error("internal error: {0}")]
    Internal(String),
}
