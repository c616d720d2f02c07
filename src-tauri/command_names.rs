// The IPC commands of `commands.rs`, by name: the console's commands, which the HTTP server
// serves too (one list, in the API crate), and the desktop shell's own. Shared by `build.rs`
// (which declares them all in the app manifest, putting them under Tauri's access control)
// and by a test in `lib.rs` that checks the capability file grants each.

include!("../crates/api/src/commands.rs");

/// Commands of the desktop shell only: which database the window uses (a browser talks to
/// the one server it was served by).
pub const DESKTOP_ONLY: &[&str] = &[
    "list_connections",
    "add_connection",
    "remove_connection",
    "switch_connection",
];

/// Both lists.
#[allow(dead_code)] // build.rs uses the lists, lib.rs's tests this
pub fn all_commands() -> impl Iterator<Item = &'static str> {
    COMMANDS.iter().chain(DESKTOP_ONLY).copied()
}
