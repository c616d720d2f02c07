//! The same API over HTTP on loopback: `POST /api/<command>` with the request as JSON, the
//! response as JSON, errors as `{code, message}` with a matching status. It also serves the
//! built UI so a browser can run the console against the real backend. Loopback only.

use crate::types::{ApiError, ApiErrorCode};
use crate::Api;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use std::net::SocketAddr;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self.code {
            ApiErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
            ApiErrorCode::NotFound => StatusCode::NOT_FOUND,
            ApiErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ApiErrorCode::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(self)).into_response()
    }
}

/// Declares each command once: name, request type, the `Api` method that serves it.
macro_rules! dispatch {
    ($api:expr, $name:expr, $body:expr, { $($cmd:ident),* $(,)? }) => {
        match $name {
            $(stringify!($cmd) => {
                let req = serde_json::from_slice(&$body)
                    .map_err(|e| ApiError::invalid(format!("invalid request for {}: {e}", stringify!($cmd))))?;
                let resp = $api.$cmd(req).await?;
                Ok(Json(serde_json::to_value(resp).map_err(|e| {
                    ApiError::new(ApiErrorCode::Internal, format!("cannot encode response: {e}"))
                })?))
            })*
            other => Err(ApiError::new(ApiErrorCode::NotFound, format!("no command {other:?}"))),
        }
    };
}

/// The command names served, for the Tauri shell and tests to compare against.
pub const COMMANDS: &[&str] = &[
    "status",
    "list_activity",
    "list_audit",
    "get_change_set",
    "verify_audit",
];

async fn command(
    State(api): State<Api>,
    Path(name): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    let body = if body.is_empty() {
        axum::body::Bytes::from_static(b"{}")
    } else {
        body
    };
    dispatch!(api, name.as_str(), body, { status, list_activity, list_audit, get_change_set, verify_audit })
}

/// The router: the API under `/api`, and the built UI (if given) for everything else.
pub fn router(api: Api, ui_dir: Option<std::path::PathBuf>) -> Router {
    let r = Router::new()
        .route("/api/{command}", post(command))
        .with_state(api);
    match ui_dir {
        Some(dir) => r.fallback_service(tower_http::services::ServeDir::new(dir)),
        None => r,
    }
}

/// Binds a loopback address (refusing any other) and serves until the future is dropped.
pub async fn serve(
    api: Api,
    addr: SocketAddr,
    ui_dir: Option<std::path::PathBuf>,
    on_bound: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!(
                "{addr} is not a loopback address; the console's HTTP server serves 127.0.0.1 only"
            ),
        ));
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    on_bound(listener.local_addr()?);
    axum::serve(listener, router(api, ui_dir)).await
}
