//! Gurumisha notifier: the notification engine between the domain rules of `gurumisha-notify`,
//! the durable queue of the stores and the delivery clients of `gurumisha-providers`.
//!
//! - [`Notifier::send_notification`] fans one notification out to its channels: it loads the
//!   recipient's preferences and contact (one query each), asks `gurumisha_notify::decide` per
//!   channel, renders the current version of the template (pinning name and version on the
//!   queue row), enqueues what is sent or deferred, puts digest items in their bucket, and
//!   records every channel's decision with its reason. [`shortcuts`] wraps the common cases.
//! - [`Worker`] claims due rows in batches, sends them with bounded concurrency through the
//!   provider of each channel, completes or fails them with backoff, flushes due digests and
//!   shuts down gracefully (stop claiming, finish what was claimed, record it, exit).
//! - [`config`] reads provider credentials from the environment into typed settings whose
//!   secrets are `secrecy::SecretString`; [`Providers`] routes channels to clients.
//! - [`templates`] installs the default templates idempotently.
//!
//! Tauri-free, and free of any database driver: stores come in as the core's
//! `NotificationStore` and `NotifyDataStore` traits. Time comes from an injectable
//! `gurumisha_notify::clock::Clock`, so tests move time instead of sleeping.

pub mod config;
mod digest;
mod error;
mod providers;
mod render;
mod send;
pub mod shortcuts;
pub mod templates;
mod worker;

pub use config::{ProviderSettings, WorkerSettings};
pub use error::NotifierError;
pub use providers::Providers;
pub use send::{ChannelOutcome, Notifier, NotifierSettings, SendOutcome, SendRequest};
pub use worker::{Worker, WorkerConfig, WorkerReport};

/// Stops a running [`Worker`]: cancel it and the worker stops claiming, finishes the sends it
/// has claimed, records them and returns.
pub use tokio_util::sync::CancellationToken;
