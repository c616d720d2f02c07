//! A small pool of read-only connections. In WAL mode readers never block the writer nor each
//! other; each read runs on Tokio's blocking pool so the async runtime is never stalled by
//! SQLite. Connections are opened lazily and returned to the pool after use.

use crate::conn::open_reader;
use gurumisha_core::StoreError;
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;

pub(crate) const READERS: usize = 4;

pub(crate) struct ReadPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    permits: Semaphore,
}

impl ReadPool {
    pub(crate) fn new(path: PathBuf) -> Arc<Self> {
        Arc::new(Self {
            path,
            idle: Mutex::new(Vec::with_capacity(READERS)),
            permits: Semaphore::new(READERS),
        })
    }

    /// Runs `f` on a pooled connection on the blocking pool.
    pub(crate) async fn read<T, F>(self: &Arc<Self>, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::Unavailable("the read pool is closed".into()))?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = match pool.take() {
                Some(c) => c,
                None => open_reader(&pool.path)?,
            };
            let out = f(&conn);
            pool.give_back(conn);
            out
        })
        .await
        .map_err(|e| StoreError::Database(format!("a read task failed: {e}")))?
    }

    fn take(&self) -> Option<Connection> {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop()
    }

    fn give_back(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < READERS {
            idle.push(conn);
        }
    }
}
