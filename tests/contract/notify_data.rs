//! Notification data (`NotifyDataStore`): versioned templates, preferences, decisions, the
//! inbox and its change feed, digest buckets, push subscriptions and contacts, on both stores.

mod digest;
mod inbox;
mod people;
mod templates;

use crate::harness::Db;
use gurumisha_core::notify_data::NotifyDataStore;
use gurumisha_core::StoreError;
use std::sync::Arc;

/// A fixed instant (2030-03-17) so windows and pages do not depend on the clock.
pub const T0: i64 = 1_900_000_000_000_000;
pub const SEC: i64 = 1_000_000;
pub const HOUR: i64 = 3_600 * SEC;

pub fn nd(db: &Db) -> Arc<dyn NotifyDataStore> {
    db.api.notify_data().clone()
}

/// The field a validation error names; panics on any other outcome.
pub fn invalid_field<T: std::fmt::Debug>(r: Result<T, StoreError>) -> &'static str {
    match r {
        Err(StoreError::Invalid(v)) => v.field,
        other => panic!("expected a validation error, got {other:?}"),
    }
}
