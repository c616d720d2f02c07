//! Group commit. Callers of the single-event path each wait for their own event to be durable,
//! but while one commit is in flight the next callers queue up and are written together in the
//! following transaction. So N concurrent callers cost about one disk sync per batch, not N.

use crate::StoreError;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

type Reply<R> = oneshot::Sender<Result<Vec<R>, Arc<StoreError>>>;
pub type CommitFuture<R> = Pin<Box<dyn Future<Output = Result<Vec<R>, StoreError>> + Send>>;

/// Writes batches of `T` through `sink`, which must return one `R` per item, in order.
pub struct GroupCommit<T, R> {
    tx: mpsc::Sender<(Vec<T>, Reply<R>)>,
}

impl<T, R> Clone for GroupCommit<T, R> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
        }
    }
}

impl<T: Send + 'static, R: Send + 'static> GroupCommit<T, R> {
    /// Starts the committer task on the current Tokio runtime. `max_batch` bounds one commit.
    pub fn spawn<F>(max_batch: usize, sink: F) -> Self
    where
        F: Fn(Vec<T>) -> CommitFuture<R> + Send + Sync + 'static,
    {
        let (tx, mut rx) = mpsc::channel::<(Vec<T>, Reply<R>)>(max_batch * 4);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut requests = vec![first];
                let mut total = requests[0].0.len();
                while total < max_batch {
                    match rx.try_recv() {
                        Ok(req) => {
                            total += req.0.len();
                            requests.push(req);
                        }
                        Err(_) => break,
                    }
                }
                let mut sizes = Vec::with_capacity(requests.len());
                let mut items = Vec::with_capacity(total);
                let mut replies = Vec::with_capacity(requests.len());
                for (batch, reply) in requests {
                    sizes.push(batch.len());
                    items.extend(batch);
                    replies.push(reply);
                }
                match sink(items).await {
                    Ok(results) => {
                        let mut it = results.into_iter();
                        for (n, reply) in sizes.into_iter().zip(replies) {
                            let _ = reply.send(Ok(it.by_ref().take(n).collect()));
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "group commit failed");
                        let e = Arc::new(e);
                        for reply in replies {
                            let _ = reply.send(Err(e.clone()));
                        }
                    }
                }
            }
        });
        Self { tx }
    }

    /// Submits items and waits until they are committed.
    pub async fn submit(&self, items: Vec<T>) -> Result<Vec<R>, crate::CoreError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send((items, reply))
            .await
            .map_err(|_| crate::CoreError::Closed)?;
        match rx.await {
            Ok(Ok(r)) => Ok(r),
            Ok(Err(e)) => Err(crate::CoreError::Store(clone_store_error(&e))),
            Err(_) => Err(crate::CoreError::Closed),
        }
    }
}

fn clone_store_error(e: &StoreError) -> StoreError {
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_callers_share_commits_and_get_their_own_results() {
        let commits = Arc::new(AtomicUsize::new(0));
        let c = commits.clone();
        let gc: GroupCommit<u32, u32> = GroupCommit::spawn(1000, move |items| {
            let c = c.clone();
            Box::pin(async move {
                c.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                Ok(items.into_iter().map(|i| i * 2).collect())
            })
        });
        let mut handles = Vec::new();
        for i in 0..200u32 {
            let gc = gc.clone();
            handles.push(tokio::spawn(async move {
                gc.submit(vec![i, i + 1000]).await.unwrap()
            }));
        }
        for (i, h) in handles.into_iter().enumerate() {
            let i = i as u32;
            assert_eq!(h.await.unwrap(), vec![i * 2, (i + 1000) * 2]);
        }
        let n = commits.load(Ordering::SeqCst);
        assert!(n < 100, "200 callers took {n} commits");
    }

    #[tokio::test]
    async fn a_failed_commit_fails_every_caller_in_it() {
        let gc: GroupCommit<u32, u32> = GroupCommit::spawn(10, |_| {
            Box::pin(async { Err(StoreError::Database("disk full".into())) })
        });
        let err = gc.submit(vec![1]).await.unwrap_err();
        assert!(err.to_string().contains("disk full"));
    }
}
