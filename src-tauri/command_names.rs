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
];
