//! The engine's error: store failures, invalid input (naming the field) and configuration.

use gurumisha_core::{StoreError, ValidationError};

#[derive(Debug, thiserror::Error)]
pub enum NotifierError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("no user with id {0}")]
    UnknownRecipient(i64),
    /// A provider or worker setting that cannot work; names the variable, never its secret.
    #[error("configuration: {0}")]
    Config(String),
}

impl NotifierError {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid(ValidationError::new(field, reason))
    }
}
