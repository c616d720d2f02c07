// The IPC commands of `commands.rs`, by name. Shared by `build.rs` (which
// declares them in the app manifest, putting them under Tauri's access
// control) and by a test in `lib.rs` that keeps this list, the HTTP server's
// and the capability file in step.
pub const COMMANDS: &[&str] = &[
    "sign_in",
    "sign_out",
    "whoami",
    "status",
    "list_activity",
    "list_audit",
    "get_change_set",
    "verify_audit",
    "start_verify",
    "verify_status",
    "cancel_verify",
    "queue_summary",
    "list_notifications",
    "get_notification",
    "queue_action",
    "list_templates",
    "get_template",
    "preview_template",
    "save_template",
    "send_test_template",
    "get_preferences",
    "set_preferences",
    "overview",
    "field_last_changes",
    "start_export",
    "export_status",
    "cancel_export",
    "get_alert_settings",
    "set_alert_settings",
    "list_connections",
    "add_connection",
    "remove_connection",
    "switch_connection",
];

/// Commands of the desktop shell only: which database the window uses (a browser talks to
/// the one server it was served by).
#[allow(dead_code)] // read by the tests in lib.rs; build.rs includes this file too
pub const DESKTOP_ONLY: &[&str] = &[
    "list_connections",
    "add_connection",
    "remove_connection",
    "switch_connection",
];
