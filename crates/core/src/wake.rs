//! A wake-up signal between the code that adds queue work and the workers waiting for it,
//! shared by the stores' [`crate::queue::NotificationStore::wait_for_work`] overrides.
//!
//! A signal wakes every current waiter and also leaves one stored permit, so a worker that
//! checked the queue just before the work arrived, and starts waiting just after, still wakes
//! at once instead of sleeping a whole poll interval. The price is at most one spurious
//! wake-up (one empty claim) per signal, which the contract allows.

use std::time::Duration;
use tokio::sync::Notify;

#[derive(Debug, Default)]
pub struct Wake(Notify);

impl Wake {
    pub fn new() -> Self {
        Self::default()
    }

    /// New work may be there.
    pub fn signal(&self) {
        self.0.notify_waiters();
        self.0.notify_one();
    }

    /// Returns at the next signal (or a permit left by an earlier one), or after `timeout`.
    pub async fn wait(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.0.notified()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn a_signal_before_the_wait_is_not_lost() {
        let w = Wake::new();
        w.signal();
        let t = std::time::Instant::now();
        w.wait(Duration::from_secs(5)).await;
        assert!(t.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn every_waiter_wakes() {
        let w = Arc::new(Wake::new());
        let waiters: Vec<_> = (0..3)
            .map(|_| {
                let w = w.clone();
                tokio::spawn(async move { w.wait(Duration::from_secs(5)).await })
            })
            .collect();
        tokio::task::yield_now().await;
        tokio::time::sleep(Duration::from_millis(20)).await;
        let t = std::time::Instant::now();
        w.signal();
        for h in waiters {
            h.await.unwrap();
        }
        assert!(t.elapsed() < Duration::from_secs(1));
    }
}
