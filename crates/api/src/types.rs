//! The API contract: every request and response type the console can send or receive. Both
//! transports (Tauri IPC and loopback HTTP) carry exactly these; the TypeScript mirror in
//! `ui/src/bindings/` is generated from them by ts-rs (`cargo test -p gurumisha-api`).

use gurumisha_core::domain::Severity;
pub use gurumisha_core::event::ActivityRecord;
pub use gurumisha_core::verify::{ProblemKind, VerifyProblem, VerifyReport};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use crate::types_console::*;
pub use crate::types_notify::*;

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StatusRequest {}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConsoleStatus {
    pub backend: gurumisha_core::store::Backend,
    pub location: String,
    pub version: String,
    #[ts(type = "number")]
    pub activity_estimate: i64,
    #[ts(type = "number | null")]
    pub audit_head_seq: Option<i64>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct ActivityQuery {
    #[ts(optional, type = "number | null")]
    pub user_id: Option<i64>,
    #[ts(optional)]
    pub username: Option<String>,
    #[ts(optional)]
    pub action: Option<String>,
    #[ts(optional)]
    pub object_type: Option<String>,
    #[ts(optional)]
    pub object_id: Option<String>,
    #[ts(optional)]
    pub ip: Option<String>,
    #[ts(optional)]
    pub session_id: Option<String>,
    /// RFC 3339 time or YYYY-MM-DD, inclusive.
    #[ts(optional)]
    pub from: Option<String>,
    /// RFC 3339 time or YYYY-MM-DD, exclusive.
    #[ts(optional)]
    pub to: Option<String>,
    #[ts(optional)]
    pub text: Option<String>,
    /// Only the signed-in operator's own activity ("My activity"); overrides the user filter.
    #[ts(optional, type = "boolean")]
    pub mine: Option<bool>,
    #[ts(optional)]
    pub cursor: Option<String>,
    #[ts(optional, type = "number | null")]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct AuditQuery {
    #[ts(optional, type = "number | null")]
    pub user_id: Option<i64>,
    #[ts(optional)]
    pub username: Option<String>,
    #[ts(optional)]
    pub table_name: Option<String>,
    #[ts(optional)]
    pub record_id: Option<String>,
    #[ts(optional)]
    pub field_name: Option<String>,
    #[ts(optional)]
    pub action_type: Option<String>,
    #[ts(optional)]
    pub severity: Option<String>,
    #[ts(optional)]
    pub change_set_id: Option<String>,
    #[ts(optional)]
    pub from: Option<String>,
    #[ts(optional)]
    pub to: Option<String>,
    #[ts(optional)]
    pub text: Option<String>,
    #[ts(optional)]
    pub cursor: Option<String>,
    #[ts(optional, type = "number | null")]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActivityPage {
    pub items: Vec<ActivityRecord>,
    pub next_cursor: Option<String>,
}

/// A row's place in a log's order, as the UI keys rows: its time in microseconds since 1970
/// and its id (activity) or sequence number (audit trail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RowKey {
    #[ts(type = "number")]
    pub ts: i64,
    #[ts(type = "number")]
    pub id: i64,
}

/// What `activity_extent` and `audit_extent` answer for a list's filters: the keys of the
/// newest and oldest rows (`null` when none match) and how many rows match, exact up to a cap
/// (100,000) and estimated above it (`exact` false).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LogExtent {
    pub newest: Option<RowKey>,
    pub oldest: Option<RowKey>,
    #[ts(type = "number")]
    pub count: i64,
    pub exact: bool,
}

impl From<gurumisha_core::extent::Extent> for LogExtent {
    fn from(e: gurumisha_core::extent::Extent) -> Self {
        let key = |c: gurumisha_core::query::Cursor| RowKey { ts: c.ts, id: c.id };
        LogExtent {
            newest: e.newest.map(key),
            oldest: e.oldest.map(key),
            count: e.count,
            exact: e.exact,
        }
    }
}

/// An audit row as people see it: values as JSON, hashes as hex.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditRecord {
    #[ts(type = "number")]
    pub seq: i64,
    #[ts(type = "string")]
    pub timestamp: gurumisha_core::Timestamp,
    #[ts(type = "number | null")]
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub action_type: String,
    pub table_name: String,
    pub record_id: Option<String>,
    pub field_name: Option<String>,
    #[ts(type = "unknown")]
    pub old_value: Option<serde_json::Value>,
    #[ts(type = "unknown")]
    pub new_value: Option<serde_json::Value>,
    pub severity: Severity,
    pub description: String,
    pub ip_address: Option<String>,
    pub user_agent: Option<String>,
    pub change_set_id: Option<String>,
    pub content_flags: Vec<String>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AuditPage {
    pub items: Vec<AuditRecord>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChangeSetQuery {
    pub change_set_id: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
#[serde(default)]
pub struct VerifyQuery {
    #[ts(optional, type = "number | null")]
    pub from: Option<i64>,
    #[ts(optional, type = "number | null")]
    pub to: Option<i64>,
}

/// Where a background job of the console stands (an export, a verification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum JobState {
    Running,
    Done,
    Failed,
    Cancelled,
}

/// Error codes the UI understands; the TypeScript side mirrors this enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ApiErrorCode {
    InvalidInput,
    /// Not signed in, the session ended, or a sign-in failed.
    Unauthenticated,
    NotFound,
    Forbidden,
    Unavailable,
    Internal,
}

/// What crosses IPC/HTTP on failure: a code and a message fit for a person. The full error
/// chain goes to `tracing`, never to the screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[ts(export)]
#[error("{message}")]
pub struct ApiError {
    pub code: ApiErrorCode,
    pub message: String,
}

/// A sign-in with a platform user's password. The password is never logged: `Debug` hides it.
#[derive(Clone, Deserialize, TS)]
#[ts(export)]
pub struct SignInRequest {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for SignInRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInRequest")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

/// A successful sign-in: the session token stays with the transport (the shell's state or an
/// HttpOnly cookie); only `operator` goes to the UI.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub operator: crate::access::OperatorInfo,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WhoAmIRequest {}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SignOutRequest {}
