//! "Verify now" as background work: the hash chain is re-walked by a task of its own, the
//! console polls its progress (rows checked of rows in range) and may cancel it. A million
//! rows take about a second here, ten million ten: too long to leave a window without a
//! progress bar and a way out.
//!
//! The outcome is recorded like every console action: who verified which range, and what was
//! found. A broken chain is recorded as critical, so every compliance officer's console raises
//! a desktop alert for it.

use crate::access::Permission;
use crate::types::*;
use crate::{ApiError, Console};
use gurumisha_core::domain::Severity;
use gurumisha_core::service::VerifyProgress;
use gurumisha_core::CoreError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerifyId {
    pub verify_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct VerifyStatus {
    pub verify_id: String,
    pub state: JobState,
    /// Rows read and hashed so far.
    #[ts(type = "number")]
    pub rows_checked: i64,
    /// Rows in the range (0 until the range is known).
    #[ts(type = "number")]
    pub total: i64,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    /// The outcome, once done.
    pub report: Option<VerifyReport>,
    pub error: Option<String>,
}

#[derive(Debug, Clone)]
enum Outcome {
    Running,
    Done(VerifyReport),
    Failed(String),
    Cancelled,
}

struct Job {
    owner: i64,
    progress: Arc<VerifyProgress>,
    outcome: Arc<Mutex<(Outcome, Option<u64>)>>,
    started: Instant,
}

impl Job {
    fn status(&self, id: &str) -> VerifyStatus {
        let (outcome, finished_ms) = lock(&self.outcome).clone();
        let (state, report, error) = match outcome {
            Outcome::Running => (JobState::Running, None, None),
            Outcome::Done(r) => (JobState::Done, Some(r), None),
            Outcome::Failed(e) => (JobState::Failed, None, Some(e)),
            Outcome::Cancelled => (JobState::Cancelled, None, None),
        };
        VerifyStatus {
            verify_id: id.to_owned(),
            state,
            rows_checked: self.progress.rows(),
            total: self.progress.total(),
            elapsed_ms: finished_ms.unwrap_or_else(|| self.started.elapsed().as_millis() as u64),
            report,
            error,
        }
    }
}

/// Verifications of this process. Each operator keeps only their latest few.
#[derive(Default)]
pub struct Verifications {
    jobs: Mutex<HashMap<String, Job>>,
}

/// Finished verifications kept per operator (for a status poll that comes late).
const KEEP_FINISHED: usize = 4;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn not_found(id: &str) -> ApiError {
    ApiError::new(ApiErrorCode::NotFound, format!("no verification {id:?}"))
}

impl Console {
    /// Starts re-walking the audit chain over `req`'s range (all of it by default) and returns
    /// at once; poll [`Console::verify_status`].
    pub async fn start_verify(&self, req: VerifyQuery) -> Result<VerifyStatus, ApiError> {
        self.require(Permission::VerifyAudit).await?;
        if let (Some(from), Some(to)) = (req.from, req.to) {
            if from > to {
                return Err(ApiError::invalid(format!(
                    "invalid from: {from} is after to ({to})"
                )));
            }
        }
        let owner = self.operator().user_id;
        let verify_id = uuid::Uuid::new_v4().simple().to_string();
        let job = Job {
            owner,
            progress: Arc::default(),
            outcome: Arc::new(Mutex::new((Outcome::Running, None))),
            started: Instant::now(),
        };
        let (progress, outcome, started) = (job.progress.clone(), job.outcome.clone(), job.started);
        {
            let mut jobs = lock(&self.api().verifications().jobs);
            forget_old(&mut jobs, owner);
            jobs.insert(verify_id.clone(), job);
        }
        let console = self.clone();
        tokio::spawn(async move {
            let result = console
                .api()
                .recorder()
                .verify_observed(req.from, req.to, &progress)
                .await;
            let done = match result {
                Ok(report) => Outcome::Done(report),
                Err(CoreError::Cancelled) => Outcome::Cancelled,
                Err(e) => Outcome::Failed(ApiError::from(e).message),
            };
            if let Outcome::Done(report) = &done {
                if let Err(e) = console.record_verification(&req, report).await {
                    tracing::warn!(error = %e.message, "recording a verification");
                }
            }
            *lock(&outcome) = (done, Some(started.elapsed().as_millis() as u64));
        });
        self.verify_status(VerifyId { verify_id }).await
    }

    pub async fn verify_status(&self, req: VerifyId) -> Result<VerifyStatus, ApiError> {
        let jobs = lock(&self.api().verifications().jobs);
        match jobs.get(&req.verify_id) {
            Some(j) if j.owner == self.operator().user_id => Ok(j.status(&req.verify_id)),
            _ => Err(not_found(&req.verify_id)),
        }
    }

    /// Asks a running verification to stop; it ends `cancelled` at its next chunk.
    pub async fn cancel_verify(&self, req: VerifyId) -> Result<VerifyStatus, ApiError> {
        let jobs = lock(&self.api().verifications().jobs);
        match jobs.get(&req.verify_id) {
            Some(j) if j.owner == self.operator().user_id => {
                j.progress.cancel();
                Ok(j.status(&req.verify_id))
            }
            _ => Err(not_found(&req.verify_id)),
        }
    }

    async fn record_verification(
        &self,
        req: &VerifyQuery,
        report: &VerifyReport,
    ) -> Result<(), ApiError> {
        let range = match (req.from, req.to) {
            (None, None) => "the whole audit chain".to_owned(),
            (from, to) => format!(
                "audit rows {}..{}",
                from.unwrap_or(1),
                to.map_or("head".to_owned(), |t| t.to_string())
            ),
        };
        let (found, severity) = match &report.problem {
            None => ("intact".to_owned(), Severity::Low),
            Some(p) => (
                format!("BROKEN at seq {}: {}", p.seq, p.detail),
                Severity::Critical,
            ),
        };
        self.record(
            "verify",
            "audit_log",
            None,
            format!(
                "verified {range}: {found} ({} rows, {} checkpoints)",
                report.rows_checked, report.checkpoints_checked
            ),
            severity,
            None,
        )
        .await
    }
}

/// Drops `owner`'s oldest finished verifications beyond [`KEEP_FINISHED`].
fn forget_old(jobs: &mut HashMap<String, Job>, owner: i64) {
    let mut finished: Vec<(Instant, String)> = jobs
        .iter()
        .filter(|(_, j)| j.owner == owner && !matches!(lock(&j.outcome).0, Outcome::Running))
        .map(|(id, j)| (j.started, id.clone()))
        .collect();
    if finished.len() < KEEP_FINISHED {
        return;
    }
    finished.sort();
    for (_, id) in &finished[..=finished.len() - KEEP_FINISHED] {
        jobs.remove(id);
    }
}
