//! One IPC command per API function, named like it. Each is a single call:
//! validation, queries and error mapping belong to `gurumisha_api`, whose
//! `ApiError` reaches the UI as `{code, message}`.
//!
//! A new command also goes into `command_names.rs` (access control),
//! `capabilities/default.json` (the grant), `generate_handler!` in `lib.rs`
//! and `ui/src/lib/backend/types.ts`; a test in `lib.rs` checks the first two
//! against the HTTP server's list.

use gurumisha_api::types::{
    ActivityPage, ActivityQuery, AuditPage, AuditQuery, AuditRecord, ChangeSetQuery, ConsoleStatus,
    StatusRequest, VerifyQuery, VerifyReport,
};
use gurumisha_api::{Api, ApiError};
use tauri::State;

#[tauri::command]
pub async fn status(api: State<'_, Api>, req: StatusRequest) -> Result<ConsoleStatus, ApiError> {
    api.status(req).await
}

#[tauri::command]
pub async fn list_activity(
    api: State<'_, Api>,
    req: ActivityQuery,
) -> Result<ActivityPage, ApiError> {
    api.list_activity(req).await
}

#[tauri::command]
pub async fn list_audit(api: State<'_, Api>, req: AuditQuery) -> Result<AuditPage, ApiError> {
    api.list_audit(req).await
}

#[tauri::command]
pub async fn get_change_set(
    api: State<'_, Api>,
    req: ChangeSetQuery,
) -> Result<Vec<AuditRecord>, ApiError> {
    api.get_change_set(req).await
}

#[tauri::command]
pub async fn verify_audit(api: State<'_, Api>, req: VerifyQuery) -> Result<VerifyReport, ApiError> {
    api.verify_audit(req).await
}
