//! Waking workers with LISTEN/NOTIFY instead of polling.
//!
//! Every enqueue that inserts a row runs `pg_notify('gurumisha_queue', '')` in the same
//! statement, so the notification is delivered when (and only if) the insert commits, to every
//! session listening on that channel, on any machine. Each [`crate::PgStore`] starts one
//! listener task on first use: a pooled connection running `LISTEN gurumisha_queue` that turns
//! each notification into a [`Wake`] signal for the workers of this process.
//!
//! Notifications are a hint, never the source of truth: a reconnect may miss some, so the
//! worker still claims after its poll timeout, and the listener signals once after every
//! (re)connect in case something arrived while it was away.

use gurumisha_core::wake::Wake;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;

/// The channel enqueues notify.
pub(crate) const CHANNEL: &str = "gurumisha_queue";

/// The channel critical/high audit rows and dead notifications notify (migration 0007).
pub(crate) const ALERTS: &str = "gurumisha_alerts";

/// The listener of one channel of one store (shared by its clones); the task stops when the
/// last clone goes.
#[derive(Debug)]
pub(crate) struct Listen {
    channel: &'static str,
    wake: Arc<Wake>,
    task: Mutex<Option<JoinHandle<()>>>,
}

impl Default for Listen {
    /// The queue's channel.
    fn default() -> Self {
        Self::on(CHANNEL)
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        if let Some(t) = self.task.lock().unwrap_or_else(|p| p.into_inner()).take() {
            t.abort();
        }
    }
}

impl Listen {
    pub(crate) fn on(channel: &'static str) -> Self {
        Self {
            channel,
            wake: Arc::default(),
            task: Mutex::default(),
        }
    }

    /// Waits for a notification (starting the listener on first use) or `timeout`.
    pub(crate) async fn wait(&self, pool: &PgPool, timeout: Duration) {
        self.ensure_started(pool);
        self.wake.wait(timeout).await;
    }

    fn ensure_started(&self, pool: &PgPool) {
        let mut task = self.task.lock().unwrap_or_else(|p| p.into_inner());
        if task.as_ref().is_some_and(|t| !t.is_finished()) {
            return;
        }
        let (pool, wake) = (pool.clone(), self.wake.clone());
        *task = Some(tokio::spawn(listen(pool, wake, self.channel)));
    }
}

async fn listen(pool: PgPool, wake: Arc<Wake>, channel: &'static str) {
    loop {
        match PgListener::connect_with(&pool).await {
            Ok(mut listener) => match listener.listen(channel).await {
                Ok(()) => {
                    wake.signal();
                    loop {
                        match listener.recv().await {
                            Ok(_) => wake.signal(),
                            Err(sqlx::Error::PoolClosed) => return,
                            Err(e) => {
                                tracing::warn!(error = %e, channel, "listener lost its connection");
                                break;
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "LISTEN {channel} failed"),
            },
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => tracing::warn!(error = %e, channel, "listener cannot connect"),
        }
        // Workers keep polling meanwhile; try again shortly.
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}
