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
use gurumisha_api::types::{
    ActivityPage, ActivityQuery, AuditPage, AuditQuery, AuditRecord, ChangeSetQuery, ConsoleStatus,
    SignInRequest, SignOutRequest, StatusRequest, VerifyQuery, VerifyReport, WhoAmIRequest,
};
use gurumisha_api::{Api, ApiError, Console, RequestContext};

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
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
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
    if let Some(old) = slot.set(Some(signed.token)) {
        api.sign_out(Some(&old)).await?;
    }
    Ok(signed.operator)
}

#[tauri::command]
pub async fn sign_out(
    api: State<'_, Api>,
    slot: State<'_, SessionSlot>,
    req: SignOutRequest,
) -> Result<(), ApiError> {
    let _ = req;
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
