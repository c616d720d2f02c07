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
];
