// The console's commands, by name: served over loopback HTTP (`http.rs`) and over Tauri IPC
// (the desktop shell includes this file from its build script, which declares them in the app
// manifest, putting each under Tauri's access control). Plain items only: it is `include!`d.

/// Every command the console serves to a signed-in operator (and `sign_in`, `status`).
pub const COMMANDS: &[&str] = &[
    "sign_in",
    "sign_out",
    "whoami",
    "status",
    "list_activity",
    "list_audit",
    "activity_extent",
    "audit_extent",
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
];
