//! The same API over HTTP on loopback: `POST /api/<command>` with the request as JSON, the
//! response as JSON, errors as `{code, message}` with a matching status. It also serves the
//! built UI so a browser can run the console against the real backend. Loopback only.
//!
//! `sign_in` sets the session as an HttpOnly, SameSite=Strict cookie (no script sees the
//! token); every other command except `sign_out` and `status` (which database is connected,
//! shown on the sign-in screen) runs as that session's operator, through
//! [`crate::Console`], which checks the role. Requests must be `application/json`, which a
//! cross-site form cannot send.

use crate::types::{ApiError, ApiErrorCode, SignInRequest};
use crate::Api;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use gurumisha_core::event::RequestContext;
use std::net::SocketAddr;

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self.code {
            ApiErrorCode::InvalidInput => StatusCode::BAD_REQUEST,
            ApiErrorCode::Unauthenticated => StatusCode::UNAUTHORIZED,
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

/// The command names served (one list for HTTP and the desktop shell's IPC).
pub use crate::commands::COMMANDS;

const COOKIE: &str = "gurumisha_session";

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

fn cookie(token: &str, max_age: Option<u64>) -> String {
    let age = max_age.map_or(String::new(), |s| format!("; Max-Age={s}"));
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/{age}")
}

fn json_response<T: serde::Serialize>(value: &T) -> Result<Response, ApiError> {
    let v = serde_json::to_value(value).map_err(|e| {
        ApiError::new(
            ApiErrorCode::Internal,
            format!("cannot encode response: {e}"),
        )
    })?;
    Ok(Json(v).into_response())
}

async fn command(
    State(api): State<Api>,
    Path(name): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(ApiError::invalid(
            "invalid request: the content type must be application/json",
        ));
    }
    let body = if body.is_empty() {
        axum::body::Bytes::from_static(b"{}")
    } else {
        body
    };
    let token = session_token(&headers);
    match name.as_str() {
        "sign_in" => {
            let req: SignInRequest = serde_json::from_slice(&body)
                .map_err(|e| ApiError::invalid(format!("invalid request for sign_in: {e}")))?;
            let context = RequestContext {
                ip_address: Some(peer.ip()),
                user_agent: headers
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned),
                session_id: None,
                request_id: None,
            };
            let signed = api.sign_in(req, context).await?;
            let mut resp = json_response(&signed.operator)?;
            let set = cookie(&signed.token, None)
                .parse()
                .map_err(|_| ApiError::new(ApiErrorCode::Internal, "cannot set the cookie"))?;
            resp.headers_mut().insert(header::SET_COOKIE, set);
            Ok(resp)
        }
        // Before sign-in the console shows which database it is connected to.
        "status" => {
            let req = serde_json::from_slice(&body)
                .map_err(|e| ApiError::invalid(format!("invalid request for status: {e}")))?;
            json_response(&api.status(req).await?)
        }
        "sign_out" => {
            api.sign_out(token.as_deref()).await?;
            let mut resp = json_response(&serde_json::json!({}))?;
            if let Ok(clear) = cookie("", Some(0)).parse() {
                resp.headers_mut().insert(header::SET_COOKIE, clear);
            }
            Ok(resp)
        }
        // The file goes into this server's export directory; the UI downloads it when done.
        "start_export" => {
            let console = api.console(token.as_deref())?;
            let req: crate::export::ExportRequest = serde_json::from_slice(&body)
                .map_err(|e| ApiError::invalid(format!("invalid request for start_export: {e}")))?;
            let id = uuid::Uuid::new_v4().simple().to_string();
            let name =
                format!("gurumisha-{:?}-{id}.{}", req.kind, req.format.extension()).to_lowercase();
            let path = export_dir().join(name);
            let status = console
                .start_export(req, path, Some("/api/download/"))
                .await?;
            json_response(&status)
        }
        _ => {
            let console = api.console(token.as_deref())?;
            let value = dispatch!(console, name.as_str(), body, {
                whoami, list_activity, list_audit, activity_extent, audit_extent,
                get_change_set, verify_audit,
                queue_summary, list_notifications, get_notification, queue_action,
                list_templates, get_template, preview_template, save_template,
                send_test_template, get_preferences, set_preferences,
                overview, field_last_changes, export_status, cancel_export,
                get_alert_settings, set_alert_settings, start_verify, verify_status,
                cancel_verify,
            })?;
            Ok(value.into_response())
        }
    }
}

/// The router: the API under `/api`, and the built UI (if given) for everything else.
/// Where this server writes exports: a directory of its own under the system's temp dir.
fn export_dir() -> std::path::PathBuf {
    std::env::temp_dir().join(format!("gurumisha-exports-{}", std::process::id()))
}

/// `GET /api/download/{id}`: a finished export of the signed-in operator, as an attachment.
async fn download(
    State(api): State<Api>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let console = api.console(session_token(&headers).as_deref())?;
    let (path, _) = console.export_file(&id)?;
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(|e| ApiError::new(ApiErrorCode::NotFound, format!("export file is gone: {e}")))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let kind = if name.ends_with(".csv") {
        "text/csv; charset=utf-8"
    } else {
        "application/x-ndjson"
    };
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

pub fn router(api: Api, ui_dir: Option<std::path::PathBuf>) -> Router {
    let r = Router::new()
        .route("/api/{command}", post(command))
        .route("/api/download/{id}", axum::routing::get(download))
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
    axum::serve(
        listener,
        router(api, ui_dir).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}
