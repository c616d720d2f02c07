//! The embedded SQLite store: implements `gurumisha_core::store::Store` over one database file.
//!
//! One writer thread owns the only read-write connection and commits every write, grouping
//! concurrent writes into one durable transaction (`writer`); a small pool of read-only
//! connections serves lists (`readers`). SQLite-specific strength stays here: FTS5 for text
//! search, triggers that make the audit tables append-only, WAL for readers that never block.
//!
//! This crate depends on the core and rusqlite only: no HTTP, no Tauri, no other store.

mod activity;
mod alerts;
mod analytics;
mod audit;
mod conn;
mod extent;
mod fts;
mod migrate;
mod notifications;
mod notify_data;
mod platform;
mod queue;
mod readers;
mod sql;
mod text_walk;
mod writer;

#[cfg(test)]
mod tests;

use async_trait::async_trait;
use gurumisha_core::chain::Hash32;
use gurumisha_core::checkpoint::{Checkpoint, CheckpointPolicy};
use gurumisha_core::event::{ActivityRecord, ActivityRow, AuditContent, AuditEntry, AuditRow};
use gurumisha_core::extent::Extent;
use gurumisha_core::platform::{NewCar, NewImportOrder, NewInquiry, NewOrder, NewUser, User};
use gurumisha_core::query::{ActivityFilter, AuditFilter, Page, PageRequest};
use gurumisha_core::store::{Backend, Store};
use gurumisha_core::verify::ChainLink;
use gurumisha_core::{StoreError, Timestamp};
use readers::ReadPool;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use writer::Writer;

/// A Gurumisha store in one SQLite file.
pub struct SqliteStore {
    path: PathBuf,
    writer: Writer,
    readers: Arc<ReadPool>,
    /// Wakes this process's queue workers after an enqueue (see `notifications.rs`).
    wake: gurumisha_core::wake::Wake,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteStore {
    /// Opens (creating it and its parent directories if needed) the database at `path`.
    /// Does not migrate: call [`Store::migrate`] at start-up.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Unavailable(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let conn = conn::open_writer(path)?;
        let writer = Writer::spawn(conn, "gurumisha-sqlite-writer".into())?;
        tracing::debug!(path = %path.display(), "opened SQLite store");
        Ok(Self {
            path: path.to_owned(),
            writer,
            readers: ReadPool::new(path.to_owned()),
            wake: Default::default(),
        })
    }

    /// Opens a database named by `sqlite:///abs/path`, `sqlite://rel/path`, `sqlite:path` or a
    /// bare path. A query string (`?mode=rwc`) is ignored.
    pub fn open_url(url: &str) -> Result<Self, StoreError> {
        Self::open(&path_from_url(url)?)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// The file path a `sqlite:` URL (or bare path) names.
pub fn path_from_url(url: &str) -> Result<PathBuf, StoreError> {
    let url = url.trim();
    let path = match url.strip_prefix("sqlite:") {
        Some(rest) => {
            let rest = rest.split_once('?').map_or(rest, |(p, _)| p);
            // sqlite:///abs -> /abs ; sqlite://rel -> rel ; sqlite:rel -> rel
            rest.strip_prefix("//").unwrap_or(rest)
        }
        None => url,
    };
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::Unavailable(format!(
            "{url:?} does not name a database file (in-memory databases are not supported)"
        )));
    }
    Ok(PathBuf::from(path))
}

#[async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }

    fn bulk_chunk(&self) -> usize {
        // Big transactions: each commit flushes the FTS5 tables' pending terms as a new
        // segment that later merges rewrite (1M-row load: 5,000-row chunks ~15% slower).
        25_000
    }

    fn bulk_parallelism(&self) -> usize {
        // The writer thread stores one chunk while the caller sanitises the next; jobs run in
        // submission order, so ids stay in input order.
        2
    }

    async fn optimize(&self) -> Result<(), StoreError> {
        self.writer
            .run(|c| c.execute_batch("PRAGMA optimize").map_err(conn::db_err))
            .await
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        self.writer
            .run(|c| migrate::apply(c, migrate::MIGRATIONS))
            .await
            .map(drop)
    }

    async fn insert_activities(&self, rows: Vec<ActivityRow>) -> Result<Vec<i64>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        self.writer.run(move |c| activity::insert(c, &rows)).await
    }

    async fn list_activity(
        &self,
        filter: &ActivityFilter,
        page: &PageRequest,
    ) -> Result<Page<ActivityRecord>, StoreError> {
        let (filter, page) = (filter.clone(), *page);
        self.readers
            .read(move |c| activity::list(c, &filter, &page))
            .await
    }

    async fn estimate_activity(&self) -> Result<i64, StoreError> {
        self.readers.read(activity::estimate).await
    }

    async fn activity_extent(
        &self,
        filter: &ActivityFilter,
        cap: i64,
    ) -> Result<Extent, StoreError> {
        let filter = filter.clone();
        self.readers
            .read(move |c| extent::activity(c, &filter, cap))
            .await
    }

    async fn audit_extent(&self, filter: &AuditFilter, cap: i64) -> Result<Extent, StoreError> {
        let filter = filter.clone();
        self.readers
            .read(move |c| extent::audit(c, &filter, cap))
            .await
    }

    async fn append_audit(
        &self,
        rows: Vec<AuditContent>,
        policy: Option<&CheckpointPolicy>,
    ) -> Result<Vec<i64>, StoreError> {
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let Some(policy) = policy else {
            return self
                .writer
                .run(move |c| audit::append(c, &rows, None))
                .await;
        };
        // The signing key stays with the caller: the writer sends the rows that fall on a
        // checkpoint, inside its transaction, and this task signs them.
        let (ask, mut questions) = tokio::sync::mpsc::unbounded_channel::<audit::SignRequest>();
        let signer = audit::Signer {
            every: policy.every,
            ask,
        };
        let mut done = self
            .writer
            .submit(move |c| audit::append(c, &rows, Some(&signer)))?;
        loop {
            tokio::select! {
                result = &mut done => {
                    return result.map_err(|_| {
                        StoreError::Unavailable("the writer thread stopped".into())
                    })?;
                }
                Some(q) = questions.recv() => {
                    let _ = q.reply.send(policy.sign_linked(&q.linked, Timestamp::now()));
                }
            }
        }
    }

    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError> {
        let (filter, page) = (filter.clone(), *page);
        self.readers
            .read(move |c| audit::list(c, &filter, &page))
            .await
    }

    async fn audit_rows(&self, from_seq: i64, limit: u32) -> Result<Vec<AuditRow>, StoreError> {
        self.readers
            .read(move |c| audit::rows_from(c, from_seq, limit))
            .await
    }

    async fn audit_links(&self, from_seq: i64, limit: u32) -> Result<Vec<ChainLink>, StoreError> {
        self.readers
            .read(move |c| audit::links_from(c, from_seq, limit))
            .await
    }

    async fn audit_head(&self) -> Result<Option<(i64, Hash32)>, StoreError> {
        self.readers.read(audit::head).await
    }

    async fn insert_checkpoint(&self, cp: &Checkpoint) -> Result<(), StoreError> {
        let cp = cp.clone();
        self.writer
            .run(move |c| audit::insert_checkpoint(c, &cp))
            .await
    }

    async fn list_checkpoints(&self, from: i64, to: i64) -> Result<Vec<Checkpoint>, StoreError> {
        self.readers
            .read(move |c| audit::list_checkpoints(c, from, to))
            .await
    }

    async fn insert_users(&self, users: Vec<NewUser>) -> Result<Vec<i64>, StoreError> {
        self.writer
            .run(move |c| platform::insert_users(c, &users))
            .await
    }

    async fn insert_cars(&self, cars: Vec<NewCar>) -> Result<Vec<i64>, StoreError> {
        self.writer
            .run(move |c| platform::insert_cars(c, &cars))
            .await
    }

    async fn insert_orders(&self, orders: Vec<NewOrder>) -> Result<Vec<i64>, StoreError> {
        self.writer
            .run(move |c| platform::insert_orders(c, &orders))
            .await
    }

    async fn insert_import_orders(
        &self,
        imports: Vec<NewImportOrder>,
    ) -> Result<Vec<i64>, StoreError> {
        self.writer
            .run(move |c| platform::insert_import_orders(c, &imports))
            .await
    }

    async fn insert_inquiries(&self, inquiries: Vec<NewInquiry>) -> Result<Vec<i64>, StoreError> {
        self.writer
            .run(move |c| platform::insert_inquiries(c, &inquiries))
            .await
    }

    async fn get_user_by_username(&self, username: &str) -> Result<Option<User>, StoreError> {
        let username = username.to_owned();
        self.readers
            .read(move |c| platform::get_user_by_username(c, &username))
            .await
    }

    async fn list_users(&self, after_id: i64, limit: u32) -> Result<Vec<User>, StoreError> {
        self.readers
            .read(move |c| platform::list_users(c, after_id, limit))
            .await
    }

    async fn password_hash(&self, user_id: i64) -> Result<Option<String>, StoreError> {
        self.readers
            .read(move |c| platform::password_hash(c, user_id))
            .await
    }
}
