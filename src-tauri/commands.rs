//! One IPC command per API function, named like it. Each is a single call:
//! validation, role checks, queries and error mapping belong to
//! `gurumisha_api`, whose `ApiError` reaches the UI as `{code, message}`.
//!
//! The session token of the signed-in operator stays here, in Rust state
//! ([`SessionSlot`]); the web view only ever sees the operator's name, role
//! and permissions.
//!
//! A new console command also goes into `crates/api/src/commands.rs` (the one
//! list HTTP and IPC share; a contract test checks the HTTP server answers each),
//! `capabilities/default.json` (the grant; a test in `lib.rs` checks it),
//! `generate_handler!` in `lib.rs` and `ui/src/lib/backend/types.ts`. Commands
//! of the shell alone go into `DESKTOP_ONLY` in `command_names.rs`.

use gurumisha_api::access::OperatorInfo;
use gurumisha_api::alerts::AlertSettingsRequest;
use gurumisha_api::connections::{
    AddConnectionRequest, ConnectionId, ConnectionInfo, ListConnectionsRequest,
};
use gurumisha_api::export::{ExportId, ExportKind, ExportRequest, ExportStatus};
use gurumisha_api::types::{
    ActivityPage, ActivityQuery, AuditPage, AuditQuery, AuditRecord, ChangeSetQuery, ConsoleStatus,
    LogExtent, SignInRequest, SignOutRequest, StatusRequest, VerifyQuery, VerifyReport,
    WhoAmIRequest,
};
use gurumisha_api::types::{FieldLastChange, FieldLastChangesQuery, Overview, OverviewRequest};
use gurumisha_api::types::{
    GetNotificationRequest, GetPreferencesRequest, GetTemplateRequest, ListNotificationsRequest,
    ListTemplatesRequest, NotificationPage, NotificationView, PreferencesSaved,
    PreviewTemplateRequest, QueueActionRequest, QueueActionResult, QueueSummary,
    QueueSummaryRequest, SaveTemplateRequest, SaveTemplateResult, SendTestResult,
    SendTestTemplateRequest, SetPreferencesRequest, TemplateDetail, TemplateList, TemplatePreview,
    UserPreferences,
};
use gurumisha_api::verify_job::{VerifyId, VerifyStatus};
use gurumisha_api::AlertSettings;
use gurumisha_api::{Api, ApiError, Console, RequestContext};
use std::path::PathBuf;

use crate::live::Live;
use std::sync::Mutex;
use tauri::State;

/// The desktop window's session token (one operator per window).
#[derive(Default)]
pub struct SessionSlot(Mutex<Option<String>>);

impl SessionSlot {
    fn get(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, token: Option<String>) -> Option<String> {
        std::mem::replace(
            &mut *self.0.lock().unwrap_or_else(|e| e.into_inner()),
            token,
        )
    }
}

fn console(api: &Api, slot: &SessionSlot) -> Result<Console, ApiError> {
    api.console(slot.get().as_deref())
}

#[tauri::command]
pub async fn sign_in(
    app: tauri::AppHandle,
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    alerts: State<'_, crate::alerts::Alerts>,
    req: SignInRequest,
) -> Result<OperatorInfo, ApiError> {
    let api = live.api();
    let context = RequestContext {
        user_agent: Some(format!(
            "Gurumisha Console desktop {}",
            env!("CARGO_PKG_VERSION")
        )),
        ..RequestContext::default()
    };
    let signed = api.sign_in(req, context).await?;
    alerts.start(&app, api.console(Some(&signed.token))?);
    if let Some(old) = slot.set(Some(signed.token)) {
        api.sign_out(Some(&old)).await?;
    }
    Ok(signed.operator)
}

#[tauri::command]
pub async fn sign_out(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    alerts: State<'_, crate::alerts::Alerts>,
    req: SignOutRequest,
) -> Result<(), ApiError> {
    let api = live.api();
    let _ = req;
    alerts.stop();
    let token = slot.set(None);
    api.sign_out(token.as_deref()).await
}

#[tauri::command]
pub async fn whoami(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: WhoAmIRequest,
) -> Result<OperatorInfo, ApiError> {
    let api = live.api();
    console(&api, &slot)?.whoami(req).await
}

/// Needs no session: the sign-in screen shows which database is connected.
#[tauri::command]
pub async fn status(live: State<'_, Live>, req: StatusRequest) -> Result<ConsoleStatus, ApiError> {
    let api = live.api();
    api.status(req).await
}

#[tauri::command]
pub async fn list_activity(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: ActivityQuery,
) -> Result<ActivityPage, ApiError> {
    let api = live.api();
    console(&api, &slot)?.list_activity(req).await
}

#[tauri::command]
pub async fn list_audit(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: AuditQuery,
) -> Result<AuditPage, ApiError> {
    let api = live.api();
    console(&api, &slot)?.list_audit(req).await
}

#[tauri::command]
pub async fn activity_extent(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: ActivityQuery,
) -> Result<LogExtent, ApiError> {
    let api = live.api();
    console(&api, &slot)?.activity_extent(req).await
}

#[tauri::command]
pub async fn audit_extent(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: AuditQuery,
) -> Result<LogExtent, ApiError> {
    let api = live.api();
    console(&api, &slot)?.audit_extent(req).await
}

#[tauri::command]
pub async fn get_change_set(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: ChangeSetQuery,
) -> Result<Vec<AuditRecord>, ApiError> {
    let api = live.api();
    console(&api, &slot)?.get_change_set(req).await
}

#[tauri::command]
pub async fn verify_audit(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: VerifyQuery,
) -> Result<VerifyReport, ApiError> {
    let api = live.api();
    console(&api, &slot)?.verify_audit(req).await
}

#[tauri::command]
pub async fn start_verify(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: VerifyQuery,
) -> Result<VerifyStatus, ApiError> {
    let api = live.api();
    console(&api, &slot)?.start_verify(req).await
}

#[tauri::command]
pub async fn verify_status(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: VerifyId,
) -> Result<VerifyStatus, ApiError> {
    let api = live.api();
    console(&api, &slot)?.verify_status(req).await
}

#[tauri::command]
pub async fn cancel_verify(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: VerifyId,
) -> Result<VerifyStatus, ApiError> {
    let api = live.api();
    console(&api, &slot)?.cancel_verify(req).await
}

#[tauri::command]
pub async fn queue_summary(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: QueueSummaryRequest,
) -> Result<QueueSummary, ApiError> {
    let api = live.api();
    console(&api, &slot)?.queue_summary(req).await
}

#[tauri::command]
pub async fn list_notifications(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: ListNotificationsRequest,
) -> Result<NotificationPage, ApiError> {
    let api = live.api();
    console(&api, &slot)?.list_notifications(req).await
}

#[tauri::command]
pub async fn get_notification(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: GetNotificationRequest,
) -> Result<NotificationView, ApiError> {
    let api = live.api();
    console(&api, &slot)?.get_notification(req).await
}

#[tauri::command]
pub async fn queue_action(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: QueueActionRequest,
) -> Result<QueueActionResult, ApiError> {
    let api = live.api();
    console(&api, &slot)?.queue_action(req).await
}

#[tauri::command]
pub async fn list_templates(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: ListTemplatesRequest,
) -> Result<TemplateList, ApiError> {
    let api = live.api();
    console(&api, &slot)?.list_templates(req).await
}

#[tauri::command]
pub async fn get_template(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: GetTemplateRequest,
) -> Result<TemplateDetail, ApiError> {
    let api = live.api();
    console(&api, &slot)?.get_template(req).await
}

#[tauri::command]
pub async fn preview_template(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: PreviewTemplateRequest,
) -> Result<TemplatePreview, ApiError> {
    let api = live.api();
    console(&api, &slot)?.preview_template(req).await
}

#[tauri::command]
pub async fn save_template(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: SaveTemplateRequest,
) -> Result<SaveTemplateResult, ApiError> {
    let api = live.api();
    console(&api, &slot)?.save_template(req).await
}

#[tauri::command]
pub async fn send_test_template(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: SendTestTemplateRequest,
) -> Result<SendTestResult, ApiError> {
    let api = live.api();
    console(&api, &slot)?.send_test_template(req).await
}

#[tauri::command]
pub async fn get_preferences(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: GetPreferencesRequest,
) -> Result<UserPreferences, ApiError> {
    let api = live.api();
    console(&api, &slot)?.get_preferences(req).await
}

#[tauri::command]
pub async fn set_preferences(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: SetPreferencesRequest,
) -> Result<PreferencesSaved, ApiError> {
    let api = live.api();
    console(&api, &slot)?.set_preferences(req).await
}

#[tauri::command]
pub async fn overview(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: OverviewRequest,
) -> Result<Overview, ApiError> {
    let api = live.api();
    console(&api, &slot)?.overview(req).await
}

#[tauri::command]
pub async fn field_last_changes(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: FieldLastChangesQuery,
) -> Result<Vec<FieldLastChange>, ApiError> {
    let api = live.api();
    console(&api, &slot)?.field_last_changes(req).await
}

/// Where to save an export: the native save dialog, or `GURUMISHA_SAVE_PATH` when set (the
/// end-to-end test cannot drive a GTK dialog; an empty value means "cancelled").
async fn choose_save_path(app: &tauri::AppHandle, suggested: String) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("GURUMISHA_SAVE_PATH") {
        tracing::warn!("GURUMISHA_SAVE_PATH is set: exports skip the save dialog");
        return (!p.is_empty()).then(|| PathBuf::from(p));
    }
    use tauri_plugin_dialog::DialogExt;
    let dialog = app.dialog().file().set_file_name(suggested);
    // The dialog runs on the main thread; wait for it off the async runtime's threads.
    tauri::async_runtime::spawn_blocking(move || dialog.blocking_save_file())
        .await
        .ok()
        .flatten()
        .and_then(|p| p.into_path().ok())
}

#[tauri::command]
pub async fn start_export(
    app: tauri::AppHandle,
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: ExportRequest,
) -> Result<ExportStatus, ApiError> {
    let api = live.api();
    let console = console(&api, &slot)?;
    // Refuse before asking for a file.
    console.authorize_export(req.kind).await?;
    let kind = match req.kind {
        ExportKind::Activity => "activity",
        ExportKind::Audit => "audit",
    };
    let day = &gurumisha_api::types::today_utc()[..10];
    let suggested = format!("gurumisha-{kind}-{day}.{}", req.format.extension());
    match choose_save_path(&app, suggested).await {
        Some(path) => console.start_export(req, path, None).await,
        None => Ok(Console::export_not_started()),
    }
}

#[tauri::command]
pub async fn export_status(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: ExportId,
) -> Result<ExportStatus, ApiError> {
    let api = live.api();
    console(&api, &slot)?.export_status(req).await
}

#[tauri::command]
pub async fn cancel_export(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: ExportId,
) -> Result<ExportStatus, ApiError> {
    let api = live.api();
    console(&api, &slot)?.cancel_export(req).await
}

#[tauri::command]
pub async fn get_alert_settings(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: AlertSettingsRequest,
) -> Result<AlertSettings, ApiError> {
    let api = live.api();
    console(&api, &slot)?.get_alert_settings(req).await
}

#[tauri::command]
pub async fn set_alert_settings(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    req: AlertSettings,
) -> Result<AlertSettings, ApiError> {
    let api = live.api();
    console(&api, &slot)?.set_alert_settings(req).await
}

/// The databases this console knows and which one is live (no sign-in needed: the sign-in
/// screen picks the database).
#[tauri::command]
pub async fn list_connections(
    live: State<'_, Live>,
    req: ListConnectionsRequest,
) -> Result<Vec<ConnectionInfo>, ApiError> {
    let _ = req;
    live.list()
}

/// Saves a PostgreSQL connection; its password goes to the OS keychain.
#[tauri::command]
pub async fn add_connection(
    live: State<'_, Live>,
    req: AddConnectionRequest,
) -> Result<Vec<ConnectionInfo>, ApiError> {
    live.add(req)?;
    live.list()
}

#[tauri::command]
pub async fn remove_connection(
    live: State<'_, Live>,
    req: ConnectionId,
) -> Result<Vec<ConnectionInfo>, ApiError> {
    live.remove(&req.id)?;
    live.list()
}

/// Opens another database: whoever was signed in is signed out (sessions belong to one
/// database) and its alerts stop.
#[tauri::command]
pub async fn switch_connection(
    live: State<'_, Live>,
    slot: State<'_, SessionSlot>,
    alerts: State<'_, crate::alerts::Alerts>,
    req: ConnectionId,
) -> Result<Vec<ConnectionInfo>, ApiError> {
    alerts.stop();
    if let Some(token) = slot.set(None) {
        live.api().sign_out(Some(&token)).await?;
    }
    live.switch(&req.id).await?;
    live.list()
}
