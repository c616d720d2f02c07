//! Gurumisha core: what an activity event and an audit record *are*, how the audit chain is
//! sealed and verified, and the storage contract every database implements.
//!
//! This crate owns the domain rules (validation, sanitising, canonical hashing, checkpoint
//! signatures, group commit). It must not depend on a database driver, an HTTP stack or Tauri:
//! stores implement [`store::Store`]; the API crate and the CLI drive [`service::Recorder`].

pub mod alerts;
pub mod analytics;
pub mod chain;
pub mod checkpoint;
pub mod domain;
pub mod error;
pub mod event;
pub mod extent;
pub mod notify_data;
pub mod platform;
pub mod query;
pub mod queue;
pub mod sanitize;
pub mod service;
pub mod store;
pub mod time_util;
pub mod verify;
pub mod wake;
pub mod writer;

pub use error::{CoreError, StoreError, ValidationError};
pub use time_util::Timestamp;
