//! Gurumisha Console desktop shell: wiring only.
//!
//! Opens the API (the very functions `gurumisha serve` exposes over HTTP),
//! hands it to Tauri as managed state and registers one IPC command per API
//! function. No queries, loops or policy live here; nothing depends on this
//! crate.

mod alerts;
mod commands;
mod live;

use anyhow::Context;
use gurumisha_api::Api;

/// Opens the store and runs the desktop app until its window closes.
pub fn run() -> anyhow::Result<()> {
    gurumisha_api::telemetry::init();

    // The API reads its configuration from the environment, like the CLI:
    // GURUMISHA_DATABASE_URL or DATABASE_URL (unset: the embedded SQLite
    // file), the signing key file, limits. It is opened on Tauri's own
    // runtime, so whatever it spawns (pools, the audit writer) lives on the
    // runtime that serves the commands.
    let config = gurumisha_api::Config::from_env().map_err(|e| anyhow::anyhow!(e.message))?;
    let environment = config.database_url.clone();
    let api = tauri::async_runtime::block_on(Api::open_with(config)).context(
        "cannot open the Gurumisha store (GURUMISHA_DATABASE_URL or DATABASE_URL; unset for the embedded SQLite file)",
    )?;

    tauri::Builder::default()
        .manage(live::Live::new(api, environment))
        .manage(commands::SessionSlot::default())
        .manage(alerts::Alerts::default())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            use tauri::Manager;
            app.state::<alerts::Alerts>().on_click(app.handle())?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::sign_in,
            commands::sign_out,
            commands::whoami,
            commands::status,
            commands::list_activity,
            commands::list_audit,
            commands::activity_extent,
            commands::audit_extent,
            commands::get_change_set,
            commands::verify_audit,
            commands::start_verify,
            commands::verify_status,
            commands::cancel_verify,
            commands::queue_summary,
            commands::list_notifications,
            commands::get_notification,
            commands::queue_action,
            commands::list_templates,
            commands::get_template,
            commands::preview_template,
            commands::save_template,
            commands::send_test_template,
            commands::get_preferences,
            commands::set_preferences,
            commands::overview,
            commands::field_last_changes,
            commands::start_export,
            commands::export_status,
            commands::cancel_export,
            commands::get_alert_settings,
            commands::set_alert_settings,
            commands::list_connections,
            commands::add_connection,
            commands::remove_connection,
            commands::switch_connection,
        ])
        .run(tauri::generate_context!())
        .context("the desktop window failed")
}

#[cfg(test)]
#[path = "command_names.rs"]
mod command_names;

#[cfg(test)]
mod tests {
    use super::command_names::all_commands;

    #[test]
    fn the_main_window_is_granted_every_command() {
        let capability = include_str!("capabilities/default.json");
        for name in all_commands() {
            let permission = format!("\"allow-{}\"", name.replace('_', "-"));
            assert!(
                capability.contains(&permission),
                "capabilities/default.json lacks {permission}"
            );
        }
    }
}
