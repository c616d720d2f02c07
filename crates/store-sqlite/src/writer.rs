//! The single writer. One OS thread owns the only read-write connection and runs every write
//! job. It takes all jobs queued at the moment and runs them in ONE transaction
//! (`BEGIN IMMEDIATE` … `COMMIT`), so concurrent writers share one durable commit (group commit
//! at the store level). If a job fails, the batch is rolled back and its jobs run again one by
//! one, each in its own transaction, so a bad job fails alone.
//!
//! Being the only writer in the process is also what keeps the audit chain from forking: the
//! head is read and extended inside the writer's transaction, which `BEGIN IMMEDIATE` also
//! serialises against other processes that open the same file.

use crate::conn::db_err;
use gurumisha_core::StoreError;
use rusqlite::Connection;
use std::sync::mpsc;
use std::thread::JoinHandle;
use tokio::sync::oneshot;

/// Most jobs one transaction takes, so one commit's latency stays bounded.
const MAX_JOBS_PER_COMMIT: usize = 256;

/// A unit of work for the writer. `run` may be called more than once (after a rollback), so it
/// must compute everything from the connection and its own inputs.
trait Job: Send {
    fn run(&mut self, conn: &Connection) -> Result<(), StoreError>;
    /// Called once, after the transaction committed (`Ok`) or the job failed (`Err`).
    fn finish(self: Box<Self>, result: Result<(), StoreError>);
}

struct Pending<T, F> {
    work: F,
    out: Option<T>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for Pending<T, F>
where
    T: Send,
    F: FnMut(&Connection) -> Result<T, StoreError> + Send,
{
    fn run(&mut self, conn: &Connection) -> Result<(), StoreError> {
        // A panicking job must not take the writer thread (and every later write) with it.
        let work = &mut self.work;
        let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(conn)))
            .map_err(|_| StoreError::Database("a write job panicked".into()))??;
        self.out = Some(out);
        Ok(())
    }

    fn finish(self: Box<Self>, result: Result<(), StoreError>) {
        let reply = match result {
            Ok(()) => self
                .out
                .ok_or_else(|| StoreError::Database("write job produced no result".into())),
            Err(e) => Err(e),
        };
        // The caller may have gone away (request cancelled); its rows are committed anyway.
        let _ = self.reply.send(reply);
    }
}

/// Handle to the writer thread. Dropping it stops the thread after the queued jobs.
pub(crate) struct Writer {
    tx: Option<mpsc::Sender<Box<dyn Job>>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub(crate) fn spawn(conn: Connection, name: String) -> Result<Self, StoreError> {
        let (tx, rx) = mpsc::channel::<Box<dyn Job>>();
        let thread = std::thread::Builder::new()
            .name(name)
            .spawn(move || writer_loop(conn, rx))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the writer thread: {e}")))?;
        Ok(Self {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Queues `work` and waits until its transaction has committed.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.submit(work)?
            .await
            .map_err(|_| StoreError::Unavailable("the writer thread stopped".into()))?
    }

    /// Queues `work`; the receiver yields its result once committed.
    pub(crate) fn submit<T, F>(
        &self,
        work: F,
    ) -> Result<oneshot::Receiver<Result<T, StoreError>>, StoreError>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply, rx) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Pending {
            work,
            out: None,
            reply,
        });
        self.tx
            .as_ref()
            .and_then(|tx| tx.send(job).ok())
            .ok_or_else(|| StoreError::Unavailable("the writer thread stopped".into()))?;
        Ok(rx)
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the channel ends the loop once the queue is drained; joining means the file
        // is closed (and the WAL checkpointed) when the store is gone.
        self.tx.take();
        if let Some(t) = self.thread.take() {
            if t.join().is_err() {
                tracing::error!("the SQLite writer thread panicked");
            }
        }
    }
}

fn writer_loop(conn: Connection, rx: mpsc::Receiver<Box<dyn Job>>) {
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_JOBS_PER_COMMIT {
            match rx.try_recv() {
                Ok(j) => jobs.push(j),
                Err(_) => break,
            }
        }
        run_batch(&conn, jobs);
    }
    tracing::debug!("SQLite writer stopped");
}

fn run_batch(conn: &Connection, mut jobs: Vec<Box<dyn Job>>) {
    if jobs.len() == 1 {
        if let Some(job) = jobs.pop() {
            run_alone(conn, job);
        }
        return;
    }
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE").map_err(db_err) {
        fail_all(jobs, &e);
        return;
    }
    for job in jobs.iter_mut() {
        if let Err(e) = job.run(conn) {
            // Undo the whole batch and give every job a transaction of its own, so only the
            // bad one fails. (Not a savepoint per job: FTS5 flushes its pending index at every
            // savepoint, which would write one small index segment per job.)
            tracing::debug!(error = %e, "a write job failed; retrying its batch one job at a time");
            rollback(conn);
            for job in jobs {
                run_alone(conn, job);
            }
            return;
        }
    }
    match conn.execute_batch("COMMIT").map_err(db_err) {
        Ok(()) => {
            for job in jobs {
                job.finish(Ok(()));
            }
        }
        Err(e) => {
            rollback(conn);
            fail_all(jobs, &e);
        }
    }
}

fn run_alone(conn: &Connection, mut job: Box<dyn Job>) {
    let result = conn
        .execute_batch("BEGIN IMMEDIATE")
        .map_err(db_err)
        .and_then(|()| job.run(conn))
        .and_then(|()| conn.execute_batch("COMMIT").map_err(db_err));
    if result.is_err() {
        rollback(conn);
    }
    job.finish(result);
}

fn rollback(conn: &Connection) {
    if !conn.is_autocommit() {
        if let Err(e) = conn.execute_batch("ROLLBACK") {
            tracing::error!(error = %e, "rollback failed");
        }
    }
}

fn fail_all(jobs: Vec<Box<dyn Job>>, e: &StoreError) {
    for job in jobs {
        job.finish(Err(copy_err(e)));
    }
}

pub(crate) fn copy_err(e: &StoreError) -> StoreError {
    match e {
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        StoreError::Database(m) => StoreError::Database(m.clone()),
        StoreError::Migration(m) => StoreError::Migration(m.clone()),
        StoreError::NotFound(m) => StoreError::NotFound(m.clone()),
        StoreError::InvalidCursor => StoreError::InvalidCursor,
        StoreError::Conflict(m) => StoreError::Conflict(m.clone()),
        StoreError::Invalid(v) => StoreError::Invalid(v.clone()),
    }
}
