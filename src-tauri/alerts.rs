//! Desktop alerts: while an operator is signed in, a task watches for new alerts (the API's
//! `Console::watch_alerts`) and shows each as an OS notification; clicking one brings the
//! window forward on the item's route. Wiring only: what is an alert, and for whom, is
//! decided in `gurumisha_api::alerts`.

use gurumisha_api::alerts::{Alert, CancellationToken};
use gurumisha_api::Console;
use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;

/// How long a watcher waits between reads at most (PostgreSQL usually wakes it sooner).
const POLL: Duration = Duration::from_secs(2);

/// The running watcher and the routes of the notifications shown, by notification id.
#[derive(Default)]
pub struct Alerts {
    watcher: Mutex<Option<CancellationToken>>,
    routes: Arc<Mutex<HashMap<i32, String>>>,
    next_id: Arc<AtomicI32>,
}

impl Alerts {
    /// Watches for `console`'s operator, replacing any earlier watcher.
    pub fn start(&self, app: &AppHandle, console: Console) {
        let stop = CancellationToken::new();
        if let Some(old) = self
            .watcher
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .replace(stop.clone())
        {
            old.cancel();
        }
        let (app, routes, next_id) = (app.clone(), self.routes.clone(), self.next_id.clone());
        tauri::async_runtime::spawn(async move {
            let show = |a: Alert| {
                let id = next_id.fetch_add(1, Ordering::Relaxed) + 1;
                routes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(id, a.route.clone());
                tracing::info!(title = %a.title, route = %a.route, "desktop alert");
                if let Err(e) = app
                    .notification()
                    .builder()
                    .id(id)
                    .title(&a.title)
                    .body(&a.body)
                    .show()
                {
                    tracing::warn!(error = %e, "cannot show a desktop notification");
                }
            };
            if let Err(e) = console.watch_alerts(stop, POLL, show).await {
                tracing::warn!(error = %e.message, "alerts stopped");
            }
        });
    }

    pub fn stop(&self) {
        if let Some(old) = self
            .watcher
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            old.cancel();
        }
    }

    /// Registers the click handler: the main window comes forward on the alert's route.
    pub fn on_click(&self, app: &AppHandle) -> tauri::Result<()> {
        let routes = self.routes.clone();
        let handle = app.clone();
        app.notification()
            .on_action(move |p| {
                let Some(id) = p.notification().map(|n| n.id()) else {
                    return;
                };
                let route = routes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .get(&id)
                    .cloned();
                let (Some(route), Some(w)) = (route, handle.get_webview_window("main")) else {
                    return;
                };
                let js = format!(
                    "location.hash = {}",
                    serde_json::to_string(&route).unwrap_or_else(|_| "\"#/\"".into())
                );
                let _ = w.eval(&js);
                let _ = w.unminimize();
                let _ = w.show();
                let _ = w.set_focus();
            })
            .map_err(|e| tauri::Error::Anyhow(anyhow::anyhow!("notification clicks: {e}")))
    }
}
