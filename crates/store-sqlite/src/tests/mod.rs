//! The store's own checks, each on a fresh database file. (The shared contract suite over
//! `Arc<dyn Store>` lives in the workspace's tests and runs against both stores.)

mod activity;
mod audit;
mod plan;
mod platform;
mod store;
mod tamper;
mod text_walk;

use crate::SqliteStore;
use gurumisha_core::domain::{Outcome, Severity};
use gurumisha_core::event::{ActivityRow, AuditContent};
use gurumisha_core::store::Store;
use gurumisha_core::Timestamp;
use std::path::PathBuf;
use std::sync::Arc;

/// A migrated store in a directory of its own, removed on drop.
pub(crate) struct Fresh {
    pub store: Arc<SqliteStore>,
    pub dir: PathBuf,
}

impl Fresh {
    pub async fn new() -> Self {
        let f = Self::unmigrated();
        f.store.migrate().await.unwrap();
        f
    }

    pub fn unmigrated() -> Self {
        let dir = std::env::temp_dir().join(format!("gurumisha-sqlite-{}", uuid::Uuid::new_v4()));
        let store = Arc::new(SqliteStore::open(&dir.join("nested").join("test.db")).unwrap());
        Self { store, dir }
    }

    /// A separate read-write connection, for what the store itself refuses to do.
    pub fn raw(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.store.path()).unwrap()
    }
}

impl Drop for Fresh {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub(crate) const T0: i64 = 1_700_000_000_000_000;

pub(crate) fn activity(n: i64) -> ActivityRow {
    ActivityRow {
        timestamp: Timestamp(T0 + n * 1_000_000),
        user_id: Some(1 + n % 3),
        action: "car_view".into(),
        description: format!("Viewed car number {n}"),
        ip_address: Some("10.0.0.1".into()),
        user_agent: Some("test-agent".into()),
        session_id: Some(format!("s{}", n % 2)),
        request_id: Some(format!("r{n}")),
        object_type: Some("car".into()),
        object_id: Some(n.to_string()),
        object_display: Some(format!("Car {n}")),
        extra_data: r#"{"n":1}"#.into(),
        outcome: Outcome::Success,
        content_flags: vec![],
    }
}

pub(crate) fn audit(n: i64) -> AuditContent {
    AuditContent {
        timestamp: Timestamp(T0 + n * 1_000_000),
        user_id: Some(1 + n % 3),
        action_type: "update".into(),
        table_name: "cars".into(),
        record_id: Some((n % 5).to_string()),
        field_name: Some("price_kes".into()),
        old_value: Some("2000000".into()),
        new_value: Some("1800000".into()),
        severity: Severity::Medium,
        description: format!("price change {n}"),
        ip_address: None,
        user_agent: None,
        change_set_id: None,
        content_flags: vec![],
    }
}

/// A small deterministic generator (no `rand` dependency needed in tests).
pub(crate) struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}
