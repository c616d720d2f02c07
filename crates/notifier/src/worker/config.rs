//! How a worker runs, and the lease it needs (see the worker module docs for why no lease is
//! ever renewed).

use crate::config::WorkerSettings;
use crate::NotifierError;
use gurumisha_notify::backoff::BackoffPolicy;
use std::time::Duration;

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Names this worker in `lease_owner` (host, process and a random suffix by default).
    pub owner: String,
    pub batch_size: u32,
    pub concurrency: usize,
    /// The most one send may take (all of a push notification's subscriptions together).
    pub send_timeout: Duration,
    /// `None`: [`WorkerConfig::min_lease`] + 30 s.
    pub lease: Option<Duration>,
    /// How long an idle worker waits before claiming again when nothing wakes it.
    pub poll_interval: Duration,
    /// How often the worker looks for digest buckets whose window ended.
    pub digest_interval: Duration,
    /// Base, cap and jitter of retries; `max_retries` comes from each row.
    pub backoff: BackoffPolicy,
    pub site_url: String,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        let settings = WorkerSettings::default();
        Self {
            owner: default_owner(),
            batch_size: 50,
            concurrency: 16,
            send_timeout: Duration::from_secs(30),
            lease: None,
            poll_interval: Duration::from_secs(1),
            digest_interval: Duration::from_secs(30),
            backoff: settings.backoff,
            site_url: settings.site_url,
        }
    }
}

fn default_owner() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "worker".into());
    let suffix = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &suffix[..8])
}

impl WorkerConfig {
    pub fn with_settings(mut self, s: &WorkerSettings) -> Self {
        self.backoff = s.backoff;
        self.site_url = s.site_url.clone();
        self
    }

    /// The shortest safe lease (see the module docs).
    pub fn min_lease(&self) -> Duration {
        let rounds = self
            .batch_size
            .max(1)
            .div_ceil(self.concurrency.max(1) as u32);
        self.send_timeout * rounds + Duration::from_secs(2)
    }

    pub fn lease(&self) -> Duration {
        self.lease
            .unwrap_or_else(|| self.min_lease() + Duration::from_secs(30))
    }

    pub fn validate(&self) -> Result<(), NotifierError> {
        if self.batch_size == 0 || self.concurrency == 0 {
            return Err(NotifierError::Config(
                "batch size and concurrency must be at least 1".into(),
            ));
        }
        if self.lease() < self.min_lease() {
            return Err(NotifierError::Config(format!(
                "a lease of {:?} is shorter than {:?}, the longest a claimed batch of {} may take \
                 at {} sends at a time of at most {:?} each (plus 2 s to record the results)",
                self.lease(),
                self.min_lease(),
                self.batch_size,
                self.concurrency,
                self.send_timeout
            )));
        }
        Ok(())
    }
}
