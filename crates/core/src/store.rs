//! The storage contract. `store-sqlite` and `store-postgres` implement it; one contract-test
//! suite (tests/contract) runs against both, so the two behave the same.

use crate::chain::Hash32;
use crate::checkpoint::{Checkpoint, CheckpointPolicy};
use crate::event::{ActivityRecord, ActivityRow, AuditContent, AuditEntry, AuditRow};
use crate::extent::Extent;
use crate::platform::{NewCar, NewImportOrder, NewInquiry, NewOrder, NewUser, User};
use crate::query::{ActivityFilter, AuditFilter, Page, PageRequest};
use crate::verify::ChainLink;
use crate::StoreError;
use async_trait::async_trait;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// Where the data lives, with any password removed.
    fn location(&self) -> String;
    /// Applies pending forward-only migrations.
    async fn migrate(&self) -> Result<(), StoreError>;

    /// Brings planner statistics and visibility information up to date after a bulk load
    /// (PostgreSQL: `VACUUM (ANALYZE)` of the log tables; SQLite: `PRAGMA optimize`). The
    /// database does this by itself eventually; `gurumisha demo` and the benchmark call it so
    /// the first queries after a load do not pay for it.
    async fn optimize(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// How many parts of a long audit range are verified at once.
    fn verify_parallelism(&self) -> usize {
        2
    }

    /// Rows per bulk-insert transaction.
    fn bulk_chunk(&self) -> usize {
        crate::service::BULK_CHUNK
    }

    /// How many bulk-insert transactions may run at once. One for a single-writer database;
    /// more where the server, not the client, is the limit (PostgreSQL's index maintenance).
    fn bulk_parallelism(&self) -> usize {
        1
    }

    // ---- activity ----
    /// Inserts rows in one transaction (one durable commit); returns their ids in order.
    async fn insert_activities(&self, rows: Vec<ActivityRow>) -> Result<Vec<i64>, StoreError>;
    async fn list_activity(
        &self,
        filter: &ActivityFilter,
        page: &PageRequest,
    ) -> Result<Page<ActivityRecord>, StoreError>;
    /// Number of activity rows, an estimate (planner statistics or max id), never a count(*).
    async fn estimate_activity(&self) -> Result<i64, StoreError>;
    /// The newest and oldest keys of the rows `filter` selects and their count, exact up to
    /// `cap` rows and estimated above (see [`crate::extent`]).
    async fn activity_extent(
        &self,
        filter: &ActivityFilter,
        cap: i64,
    ) -> Result<Extent, StoreError>;

    // ---- audit ----
    /// Chains and appends rows in one transaction, serialised against every other writer so
    /// the chain never forks. Signs a checkpoint in the same transaction when `policy` says
    /// one is due. Returns the sequence numbers given.
    async fn append_audit(
        &self,
        rows: Vec<AuditContent>,
        policy: Option<&CheckpointPolicy>,
    ) -> Result<Vec<i64>, StoreError>;
    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: &PageRequest,
    ) -> Result<Page<AuditEntry>, StoreError>;
    /// Like [`Store::activity_extent`], for the audit trail (keys are `(ts, seq)`).
    async fn audit_extent(&self, filter: &AuditFilter, cap: i64) -> Result<Extent, StoreError>;
    /// Up to `limit` rows with `seq >= from_seq`, ascending, as stored (for verification).
    async fn audit_rows(&self, from_seq: i64, limit: u32) -> Result<Vec<AuditRow>, StoreError>;
    /// Like [`Store::audit_rows`] reduced to chain links, each checked against its own hash.
    /// Stores override this to hash straight from the database row without allocating.
    async fn audit_links(&self, from_seq: i64, limit: u32) -> Result<Vec<ChainLink>, StoreError> {
        Ok(self
            .audit_rows(from_seq, limit)
            .await?
            .iter()
            .map(ChainLink::from)
            .collect())
    }
    /// The newest row's `(seq, hash)`.
    async fn audit_head(&self) -> Result<Option<(i64, Hash32)>, StoreError>;
    async fn insert_checkpoint(&self, cp: &Checkpoint) -> Result<(), StoreError>;
    /// Checkpoints with `from <= seq <= to`, ascending.
    async fn list_checkpoints(&self, from: i64, to: i64) -> Result<Vec<Checkpoint>, StoreError>;

    // ---- platform tables (the demo and the console's name look-ups) ----
    async fn insert_users(&self, users: Vec<NewUser>) -> Result<Vec<i64>, StoreError>;
    async fn insert_cars(&self, cars: Vec<NewCar>) -> Result<Vec<i64>, StoreError>;
    async fn insert_orders(&self, orders: Vec<NewOrder>) -> Result<Vec<i64>, StoreError>;
    async fn insert_import_orders(
        &self,
        imports: Vec<NewImportOrder>,
    ) -> Result<Vec<i64>, StoreError>;
    async fn insert_inquiries(&self, inquiries: Vec<NewInquiry>) -> Result<Vec<i64>, StoreError>;
    async fn get_user_by_username(&self, username: &str) -> Result<Option<User>, StoreError>;
    /// Users ordered by id, keyset after `after_id`.
    async fn list_users(&self, after_id: i64, limit: u32) -> Result<Vec<User>, StoreError>;
    /// The stored password hash of a user (Django's `algorithm$iterations$salt$hash`, or an
    /// unusable marker); `None` for no such user. Only the sign-in check reads it.
    async fn password_hash(&self, user_id: i64) -> Result<Option<String>, StoreError>;
}
