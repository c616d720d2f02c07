//! Turning core and store errors into the API's `{code, message}`.

use crate::types::{ApiError, ApiErrorCode};
use gurumisha_core::{CoreError, StoreError, ValidationError};

impl ApiError {
    pub fn new(code: ApiErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ApiErrorCode::InvalidInput, message)
    }
}

impl From<ValidationError> for ApiError {
    fn from(e: ValidationError) -> Self {
        ApiError::invalid(e.to_string())
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::InvalidCursor => {
                ApiError::invalid("invalid cursor: start from the first page")
            }
            StoreError::Invalid(v) => v.into(),
            StoreError::NotFound(what) => {
                ApiError::new(ApiErrorCode::NotFound, format!("not found: {what}"))
            }
            // The detail names the file or host (stores strip passwords), which is what a person
            // needs to fix it.
            StoreError::Unavailable(detail) => {
                tracing::debug!(%detail, "database unavailable");
                ApiError::new(
                    ApiErrorCode::Unavailable,
                    format!("the database is not reachable: {detail}"),
                )
            }
            other => {
                tracing::error!(error = %other, "store error");
                ApiError::new(
                    ApiErrorCode::Internal,
                    "the database reported an error; see the log",
                )
            }
        }
    }
}

impl From<CoreError> for ApiError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::Invalid(v) => v.into(),
            CoreError::Store(s) => s.into(),
            CoreError::Key(detail) => {
                tracing::error!(%detail, "signing key");
                ApiError::new(
                    ApiErrorCode::Internal,
                    format!("audit signing key: {detail}"),
                )
            }
            CoreError::Cancelled => ApiError::new(ApiErrorCode::Unavailable, "cancelled"),
            CoreError::Closed => {
                ApiError::new(ApiErrorCode::Unavailable, "the recorder has shut down")
            }
            CoreError::Internal(detail) => {
                tracing::error!(%detail, "internal");
                ApiError::new(ApiErrorCode::Internal, detail)
            }
        }
    }
}
