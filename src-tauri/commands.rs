//! One IPC command per API function, named like it. Each is a single call:
//! validation, role checks, queries and error mapping belong to
//! `gurumisha_api`, whose `ApiError` reaches the UI as `{code, message}`.
//!
//! The session token of the signed-in operator stays here, in Rust state
//! ([`SessionSlot`]); the web view only ever sees the operator's name, role
//! and permissions.
//!
//! A new command also goes into `command_names.rs` (access control),
//! `capabilities/default.json` (the grant), `generate_handler!` in `lib.rs`
//! and `ui/src/lib/backend/types.ts`; a test in `lib.rs` checks the first two
//! against the HTTP server's list.

use gurumisha_api::access::OperatorInfo;
use gurumisha_api::alerts::AlertSettingsRequest;
use gurumisha_api::export::{ExportId, ExportKind, ExportRequest, ExportStatus};
use gurumisha_api::types::{
    ActivityPage, ActivityQuery, AuditPage, AuditQuery, AuditRecord, ChangeSetQuery, ConsoleStatus,
    SignInRequest, SignOutRequest, StatusRequest, VerifyQuery, VerifyReport, WhoAmIRequest,
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
use gurumisha_api::AlertSettings;
use gurumisha_api::{Api, ApiError, Console, RequestContext};
use std::path::PathBuf;

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
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    alerts: State<'_, crate::alerts::Alerts>,
    req: SignInRequest,
) -> Result<OperatorInfo, ApiError> {
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
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    alerts: State<'_, crate::alerts::Alerts>,
    req: SignOutRequest,
) -> Result<(), ApiError> {
    let _ = req;
    alerts.stop();
    let token = slot.set(None);
    api.sign_out(token.as_deref()).await
}

#[tauri::command]
pub async fn whoami(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: WhoAmIRequest,
) -> Result<OperatorInfo, ApiError> {
    console(&api, &slot)?.whoami(req).await
}

/// Needs no session: the sign-in screen shows which database is connected.
#[tauri::command]
pub async fn status(api: State<'_, Api>, req: StatusRequest) -> Result<ConsoleStatus, ApiError> {
    api.status(req).await
}

#[tauri::command]
pub async fn list_activity(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: ActivityQuery,
) -> Result<ActivityPage, ApiError> {
    console(&api, &slot)?.list_activity(req).await
}

#[tauri::command]
pub async fn list_audit(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: AuditQuery,
) -> Result<AuditPage, ApiError> {
    console(&api, &slot)?.list_audit(req).await
}

#[tauri::command]
pub async fn get_change_set(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: ChangeSetQuery,
) -> Result<Vec<AuditRecord>, ApiError> {
    console(&api, &slot)?.get_change_set(req).await
}

#[tauri::command]
pub async fn verify_audit(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: VerifyQuery,
) -> Result<VerifyReport, ApiError> {
    console(&api, &slot)?.verify_audit(req).await
}

#[tauri::command]
pub async fn queue_summary(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: QueueSummaryRequest,
) -> Result<QueueSummary, ApiError> {
    console(&api, &slot)?.queue_summary(req).await
}

#[tauri::command]
pub async fn list_notifications(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: ListNotificationsRequest,
) -> Result<NotificationPage, ApiError> {
    console(&api, &slot)?.list_notifications(req).await
}

#[tauri::command]
pub async fn get_notification(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: GetNotificationRequest,
) -> Result<NotificationView, ApiError> {
    console(&api, &slot)?.get_notification(req).await
}

#[tauri::command]
pub async fn queue_action(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: QueueActionRequest,
) -> Result<QueueActionResult, ApiError> {
    console(&api, &slot)?.queue_action(req).await
}

#[tauri::command]
pub async fn list_templates(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: ListTemplatesRequest,
) -> Result<TemplateList, ApiError> {
    console(&api, &slot)?.list_templates(req).await
}

#[tauri::command]
pub async fn get_template(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: GetTemplateRequest,
) -> Result<TemplateDetail, ApiError> {
    console(&api, &slot)?.get_template(req).await
}

#[tauri::command]
pub async fn preview_template(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: PreviewTemplateRequest,
) -> Result<TemplatePreview, ApiError> {
    console(&api, &slot)?.preview_template(req).await
}

#[tauri::command]
pub async fn save_template(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: SaveTemplateRequest,
) -> Result<SaveTemplateResult, ApiError> {
    console(&api, &slot)?.save_template(req).await
}

#[tauri::command]
pub async fn send_test_template(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: SendTestTemplateRequest,
) -> Result<SendTestResult, ApiError> {
    console(&api, &slot)?.send_test_template(req).await
}

#[tauri::command]
pub async fn get_preferences(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: GetPreferencesRequest,
) -> Result<UserPreferences, ApiError> {
    console(&api, &slot)?.get_preferences(req).await
}

#[tauri::command]
pub async fn set_preferences(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: SetPreferencesRequest,
) -> Result<PreferencesSaved, ApiError> {
    console(&api, &slot)?.set_preferences(req).await
}

#[tauri::command]
pub async fn overview(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: OverviewRequest,
) -> Result<Overview, ApiError> {
    console(&api, &slot)?.overview(req).await
}

#[tauri::command]
pub async fn field_last_changes(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: FieldLastChangesQuery,
) -> Result<Vec<FieldLastChange>, ApiError> {
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
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: ExportRequest,
) -> Result<ExportStatus, ApiError> {
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
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: ExportId,
) -> Result<ExportStatus, ApiError> {
    console(&api, &slot)?.export_status(req).await
}

#[tauri::command]
pub async fn cancel_export(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: ExportId,
) -> Result<ExportStatus, ApiError> {
    console(&api, &slot)?.cancel_export(req).await
}

#[tauri::command]
pub async fn get_alert_settings(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: AlertSettingsRequest,
) -> Result<AlertSettings, ApiError> {
    console(&api, &slot)?.get_alert_settings(req).await
}

#[tauri::command]
pub async fn set_alert_settings(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: AlertSettings,
) -> Result<AlertSettings, ApiError> {
    console(&api, &slot)?.set_alert_settings(req).await
}
