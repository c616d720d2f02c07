//! The recorder: the seed's ActivityManager and AuditManager. It validates and sanitises
//! events, sends single events through group commit (durable on return) and bulk batches
//! straight to the store, groups the fields of one model change into a change set, and runs
//! verification.

use crate::checkpoint::{Checkpoint, CheckpointPolicy};
use crate::domain::{Action, AuditActionType, RecordId, Severity, TableName};
use crate::event::{ActivityRow, AuditContent, FieldChange, NewActivity, NewAudit, RequestContext};
use crate::sanitize::{Limits, Sanitizer};
use crate::store::Store;
use crate::verify::{ChainLink, ChainVerifier, VerifyReport};
use crate::writer::GroupCommit;
use crate::{CoreError, Timestamp};
use ed25519_dalek::VerifyingKey;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;

/// Rows per transaction on the bulk path.
pub const BULK_CHUNK: usize = 5_000;
/// Audit rows per transaction on the bulk path.
pub const AUDIT_CHUNK: usize = 5_000;
/// Audit rows per group commit on the single-event path.
pub const AUDIT_GROUP: usize = 500;

/// A model change: the seed's `log_model_change(instance, action_type, changed_fields)`.
#[derive(Debug, Clone)]
pub struct ModelChange {
    pub timestamp: Option<Timestamp>,
    pub user_id: Option<i64>,
    pub table_name: TableName,
    pub record_id: RecordId,
    pub action_type: AuditActionType,
    pub changes: Vec<FieldChange>,
    pub severity: Option<Severity>,
    pub description: Option<String>,
    pub context: RequestContext,
}

/// What a model change wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeSetWritten {
    pub change_set_id: String,
    pub seqs: Vec<i64>,
}

#[derive(Clone)]
pub struct Recorder {
    store: Arc<dyn Store>,
    limits: Limits,
    policy: Option<Arc<CheckpointPolicy>>,
    activity: GroupCommit<ActivityRow, i64>,
    audit: GroupCommit<AuditContent, i64>,
}

impl Recorder {
    /// Must be called inside a Tokio runtime: it starts the two group-commit tasks.
    pub fn new(store: Arc<dyn Store>, policy: Option<CheckpointPolicy>, limits: Limits) -> Self {
        let policy = policy.map(Arc::new);
        let s = store.clone();
        let activity = GroupCommit::spawn(2_000, move |rows| {
            let s = s.clone();
            Box::pin(async move { s.insert_activities(rows).await })
        });
        let s = store.clone();
        let p = policy.clone();
        let audit = GroupCommit::spawn(AUDIT_GROUP, move |rows| {
            let s = s.clone();
            let p = p.clone();
            Box::pin(async move { s.append_audit(rows, p.as_deref()).await })
        });
        Self {
            store,
            limits,
            policy,
            activity,
            audit,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn verifying_key(&self) -> Option<VerifyingKey> {
        self.policy.as_ref().map(|p| p.signer.verifying_key())
    }

    pub fn checkpoint_every(&self) -> i64 {
        self.policy.as_ref().map_or(0, |p| p.every)
    }

    /// Sanitises an activity into the row the store keeps.
    pub fn activity_row(&self, a: NewActivity) -> ActivityRow {
        let mut s = Sanitizer::new(self.limits);
        let ctx = &a.context;
        let (object_type, object_id, object_display) = match &a.object {
            Some(o) => (
                Some(o.object_type.to_string()),
                Some(o.object_id.to_string()),
                Some(s.short("object_display", &o.display)),
            ),
            None => (None, None, None),
        };
        ActivityRow {
            timestamp: a.timestamp.unwrap_or_else(Timestamp::now),
            user_id: a.user_id,
            action: a.action.to_string(),
            description: s.long("description", &a.description),
            ip_address: ctx.ip_address.map(|ip| ip.to_string()),
            user_agent: s.opt_short("user_agent", ctx.user_agent.as_deref()),
            session_id: s.opt_short("session_id", ctx.session_id.as_deref()),
            request_id: s.opt_short("request_id", ctx.request_id.as_deref()),
            object_type,
            object_id,
            object_display,
            extra_data: s.json("extra_data", &a.extra_data),
            outcome: a.outcome,
            content_flags: s.flags,
        }
    }

    /// Sanitises an audit entry into the content that will be chained.
    pub fn audit_content(&self, a: NewAudit) -> AuditContent {
        let mut s = Sanitizer::new(self.limits);
        AuditContent {
            timestamp: a.timestamp.unwrap_or_else(Timestamp::now),
            user_id: a.user_id,
            action_type: a.action_type.to_string(),
            table_name: a.table_name.to_string(),
            record_id: a.record_id.map(|r| r.to_string()),
            field_name: a.field_name.map(|f| f.to_string()),
            old_value: a.old_value.as_ref().map(|v| s.json("old_value", v)),
            new_value: a.new_value.as_ref().map(|v| s.json("new_value", v)),
            severity: a.severity,
            description: s.long("description", &a.description),
            ip_address: a.context.ip_address.map(|ip| ip.to_string()),
            user_agent: s.opt_short("user_agent", a.context.user_agent.as_deref()),
            change_set_id: a.change_set_id.map(|c| s.short("change_set_id", &c)),
            content_flags: s.flags,
        }
    }

    /// Logs one activity; durable when it returns. Returns the new row's id.
    pub async fn log_activity(&self, a: NewActivity) -> Result<i64, CoreError> {
        let row = self.activity_row(a);
        let ids = self.activity.submit(vec![row]).await?;
        ids.into_iter().next().ok_or(CoreError::Closed)
    }

    /// The seed's `log_search_activity`: query, filters and result count in `extra_data`.
    pub async fn log_search_activity(
        &self,
        user_id: Option<i64>,
        query: &str,
        filters: serde_json::Value,
        results_count: u64,
        context: RequestContext,
    ) -> Result<i64, CoreError> {
        let mut a = NewActivity::new(
            user_id,
            Action::parse("search")?,
            format!("Searched for \"{query}\" ({results_count} results)"),
        );
        a.context = context;
        a.extra_data = serde_json::json!({
            "query": query,
            "filters": filters,
            "results_count": results_count,
        });
        self.log_activity(a).await
    }

    /// Bulk path: many activities, a few large transactions.
    pub async fn log_activities(&self, batch: Vec<NewActivity>) -> Result<Vec<i64>, CoreError> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};
        // Chunks of `bulk_chunk` rows, each its own transaction, up to `bulk_parallelism` at
        // once (PostgreSQL: several backends maintain the indexes in parallel; SQLite: one).
        // Ids come back in input order. A failed chunk fails the call; chunks already
        // committed stay stored.
        let n = batch.len();
        let size = self.store.bulk_chunk().max(1);
        let mut rows = batch.into_iter();
        let chunks = std::iter::from_fn(move || {
            let chunk: Vec<NewActivity> = rows.by_ref().take(size).collect();
            (!chunk.is_empty()).then_some(chunk)
        });
        let parts: Vec<Vec<i64>> = stream::iter(chunks)
            .map(|chunk| {
                let rows: Vec<_> = chunk.into_iter().map(|a| self.activity_row(a)).collect();
                self.store.insert_activities(rows)
            })
            .buffered(self.store.bulk_parallelism().max(1))
            .try_collect()
            .await?;
        let mut ids = Vec::with_capacity(n);
        ids.extend(parts.into_iter().flatten());
        Ok(ids)
    }

    /// The seed's `log_security_event`. Returns the audit sequence number.
    pub async fn log_security_event(
        &self,
        user_id: Option<i64>,
        event_type: AuditActionType,
        description: &str,
        severity: Severity,
        context: RequestContext,
    ) -> Result<i64, CoreError> {
        let entry = NewAudit {
            timestamp: None,
            user_id,
            action_type: event_type,
            table_name: TableName::parse("auth")?,
            record_id: user_id.map(RecordId::from),
            field_name: None,
            old_value: None,
            new_value: None,
            severity,
            description: description.to_owned(),
            context,
            change_set_id: None,
        };
        let seqs = self.audit.submit(vec![self.audit_content(entry)]).await?;
        seqs.into_iter().next().ok_or(CoreError::Closed)
    }

    /// One audit entry through the group-commit path (durable on return). Returns its
    /// sequence number.
    pub async fn log_audit(&self, entry: NewAudit) -> Result<i64, CoreError> {
        let seqs = self.audit.submit(vec![self.audit_content(entry)]).await?;
        seqs.into_iter().next().ok_or(CoreError::Closed)
    }

    /// Expands a model change into one audit entry per changed field, sharing a change-set id.
    /// Fields whose old and new values are equal are dropped; `None` if nothing changed.
    pub fn model_change_entries(change: ModelChange) -> Option<(String, Vec<NewAudit>)> {
        let changes: Vec<FieldChange> = change
            .changes
            .into_iter()
            .filter(|c| c.old != c.new)
            .collect();
        if changes.is_empty() {
            return None;
        }
        let id = uuid::Uuid::now_v7().to_string();
        let severity = change
            .severity
            .unwrap_or(match change.action_type.as_str() {
                "delete" | "permission_change" => Severity::High,
                "create" => Severity::Low,
                _ => Severity::Medium,
            });
        let ts = change.timestamp.unwrap_or_else(Timestamp::now);
        let entries = changes
            .into_iter()
            .map(|c| NewAudit {
                timestamp: Some(ts),
                user_id: change.user_id,
                action_type: change.action_type.clone(),
                table_name: change.table_name.clone(),
                record_id: Some(change.record_id.clone()),
                description: change.description.clone().unwrap_or_else(|| {
                    format!(
                        "{} {} {}: {}",
                        change.action_type, change.table_name, change.record_id, c.field
                    )
                }),
                field_name: Some(c.field),
                old_value: Some(c.old),
                new_value: Some(c.new),
                severity,
                context: change.context.clone(),
                change_set_id: Some(id.clone()),
            })
            .collect();
        Some((id, entries))
    }

    /// The seed's `log_model_change`; durable and chained when it returns.
    pub async fn log_model_change(
        &self,
        change: ModelChange,
    ) -> Result<Option<ChangeSetWritten>, CoreError> {
        let Some((change_set_id, entries)) = Self::model_change_entries(change) else {
            return Ok(None);
        };
        let contents = entries.into_iter().map(|e| self.audit_content(e)).collect();
        let seqs = self.audit.submit(contents).await?;
        Ok(Some(ChangeSetWritten {
            change_set_id,
            seqs,
        }))
    }

    /// Bulk path for audit entries (chained in order, in chunks).
    pub async fn log_audits(&self, batch: Vec<NewAudit>) -> Result<Vec<i64>, CoreError> {
        let mut seqs = Vec::with_capacity(batch.len());
        let mut rows = Vec::with_capacity(AUDIT_CHUNK.min(batch.len()));
        for a in batch {
            rows.push(self.audit_content(a));
            if rows.len() == AUDIT_CHUNK {
                let chunk = std::mem::take(&mut rows);
                seqs.extend(
                    self.store
                        .append_audit(chunk, self.policy.as_deref())
                        .await?,
                );
            }
        }
        if !rows.is_empty() {
            seqs.extend(
                self.store
                    .append_audit(rows, self.policy.as_deref())
                    .await?,
            );
        }
        Ok(seqs)
    }

    /// Signs the current head now. `None` when the chain is empty or no key is configured.
    pub async fn checkpoint_now(&self) -> Result<Option<Checkpoint>, CoreError> {
        let (Some(policy), Some((seq, hash))) = (&self.policy, self.store.audit_head().await?)
        else {
            return Ok(None);
        };
        let cp = policy.signer.sign(seq, hash, Timestamp::now());
        self.store.insert_checkpoint(&cp).await?;
        Ok(Some(cp))
    }

    /// Verifies rows `from..=to` (whole chain by default) and the checkpoints among them.
    pub async fn verify(
        &self,
        from: Option<i64>,
        to: Option<i64>,
    ) -> Result<VerifyReport, CoreError> {
        self.verify_observed(from, to, &VerifyProgress::default())
            .await
    }

    /// [`Recorder::verify`], reporting rows checked to `progress` and stopping with
    /// [`CoreError::Cancelled`] once it is cancelled.
    pub async fn verify_observed(
        &self,
        from: Option<i64>,
        to: Option<i64>,
        progress: &VerifyProgress,
    ) -> Result<VerifyReport, CoreError> {
        verify_store_observed(
            self.store.as_ref(),
            self.verifying_key(),
            self.checkpoint_every(),
            from,
            to,
            SPLIT_ABOVE,
            progress,
        )
        .await
    }
}

/// Ranges longer than this are verified in parts.
const SPLIT_ABOVE: i64 = 200_000;

/// What a running verification has done so far, shared with whoever watches it, and its
/// cancel switch. Parts add their rows as each chunk is handed to the hasher.
#[derive(Debug, Default)]
pub struct VerifyProgress {
    rows: AtomicI64,
    total: AtomicI64,
    cancelled: AtomicBool,
}

impl VerifyProgress {
    /// Rows read and handed to the hasher so far.
    pub fn rows(&self) -> i64 {
        self.rows.load(Ordering::Relaxed)
    }

    /// Rows in the range being verified (0 until the range is known).
    pub fn total(&self) -> i64 {
        self.total.load(Ordering::Relaxed)
    }

    /// Asks the verification to stop at its next chunk.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }
}

/// Verification over any store. A long range is split into [`Store::verify_parallelism`]
/// parts verified concurrently (each anchored on the stored hash of the row before it); each
/// part streams chain links in chunks and only fetches full rows where something is wrong, to
/// diagnose it.
pub async fn verify_store(
    store: &dyn Store,
    key: Option<VerifyingKey>,
    every: i64,
    from: Option<i64>,
    to: Option<i64>,
) -> Result<VerifyReport, CoreError> {
    verify_store_split(store, key, every, from, to, SPLIT_ABOVE).await
}

/// [`verify_store`] with the range size above which it is split (tests use small ones).
pub async fn verify_store_split(
    store: &dyn Store,
    key: Option<VerifyingKey>,
    every: i64,
    from: Option<i64>,
    to: Option<i64>,
    split_above: i64,
) -> Result<VerifyReport, CoreError> {
    let progress = VerifyProgress::default();
    verify_store_observed(store, key, every, from, to, split_above, &progress).await
}

/// [`verify_store_split`] with progress and cancellation (see [`VerifyProgress`]).
pub async fn verify_store_observed(
    store: &dyn Store,
    key: Option<VerifyingKey>,
    every: i64,
    from: Option<i64>,
    to: Option<i64>,
    split_above: i64,
    progress: &VerifyProgress,
) -> Result<VerifyReport, CoreError> {
    let from = from.unwrap_or(1).max(1);
    let head = store.audit_head().await?.map_or(0, |h| h.0);
    let to = to.unwrap_or(head).min(head.max(from));
    progress
        .total
        .store((to - from + 1).max(0), Ordering::Relaxed);
    let checkpoints = store.list_checkpoints(from, i64::MAX).await?;
    let parts = if to - from > split_above {
        store.verify_parallelism().max(1) as i64
    } else {
        1
    };
    let len = to - from + 1;
    let ranges: Vec<(i64, i64)> = (0..parts)
        .map(|k| (from + len * k / parts, from + len * (k + 1) / parts - 1))
        .collect();
    let last = ranges.len() - 1;
    let runs = ranges.iter().enumerate().map(|(k, &(a, b))| {
        // Checkpoints beyond the range's end go to the last part, when it reaches the head
        // (they reveal deleted tails) or when the range was split.
        let tail = k == last && (to >= head || parts > 1);
        let cps: Vec<_> = checkpoints
            .iter()
            .filter(|c| c.seq >= a && (c.seq <= b || tail))
            .cloned()
            .collect();
        verify_range(store, key, every, (a, b), cps, progress)
    });
    let reports = futures_util::future::join_all(runs).await;
    // The first part with a problem names the first broken row.
    let mut total = VerifyReport {
        ok: true,
        rows_checked: 0,
        checkpoints_checked: 0,
        head_seq: None,
        problem: None,
    };
    for r in reports {
        let r = r?;
        total.rows_checked += r.rows_checked;
        total.checkpoints_checked += r.checkpoints_checked;
        total.head_seq = r.head_seq.or(total.head_seq);
        if !r.ok {
            total.ok = false;
            total.problem = r.problem;
            break;
        }
    }
    Ok(total)
}

async fn verify_range(
    store: &dyn Store,
    key: Option<VerifyingKey>,
    every: i64,
    (from, to): (i64, i64),
    checkpoints: Vec<Checkpoint>,
    progress: &VerifyProgress,
) -> Result<VerifyReport, CoreError> {
    const CHUNK: u32 = 50_000;
    let start = if from == 1 {
        (0, crate::chain::GENESIS)
    } else {
        // The row before the range is only an anchor: a full run checks it too.
        match store.audit_rows(from - 1, 1).await?.into_iter().next() {
            Some(r) if r.seq == from - 1 => (r.seq, r.hash),
            _ => (from - 1, crate::chain::GENESIS),
        }
    };
    // Hashing runs on a blocking thread fed through a short channel, so the next chunk is
    // being fetched and parsed while this one is hashed (and several parts hash on several
    // cores rather than taking turns on the task that joins them).
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<ChainLink>>(2);
    let hasher = tokio::task::spawn_blocking(move || {
        let mut v = ChainVerifier::new(start, key, checkpoints, every);
        while let Some(links) = rx.blocking_recv() {
            if v.feed_links(&links).is_some() {
                return (v, true);
            }
            if v.failed() {
                // Dropping the receiver tells the fetcher to stop.
                break;
            }
        }
        (v, false)
    });
    let mut next = from;
    let fetched: Result<(), CoreError> = async {
        loop {
            if progress.is_cancelled() {
                return Err(CoreError::Cancelled);
            }
            let mut links = store.audit_links(next, CHUNK).await?;
            let full = links.len() as u32 == CHUNK;
            links.retain(|l| l.seq <= to);
            let Some(last) = links.last().map(|l| l.seq) else {
                break;
            };
            progress
                .rows
                .fetch_add(links.len() as i64, Ordering::Relaxed);
            if tx.send(links).await.is_err() || !full || last >= to {
                break;
            }
            next = last + 1;
        }
        Ok(())
    }
    .await;
    drop(tx);
    let (mut v, diagnose) = hasher
        .await
        .map_err(|e| CoreError::Internal(format!("verification thread: {e}")))?;
    fetched?;
    if diagnose {
        // Diagnose from the first row after the last good one, with rows after it as
        // look-ahead.
        let rows = store.audit_rows(v.position().0 + 1, 8_192).await?;
        v.feed(&rows);
    }
    if to >= 1 && store.audit_head().await?.is_some_and(|h| h.0 >= to) {
        v.require_through(to);
    }
    Ok(v.finish())
}
