//! Monotonic time behind a trait, so circuit-breaker cool-downs and token buckets are tested
//! by moving a [`ManualClock`] forward instead of sleeping.
//!
//! This is deliberately not `gurumisha_notify::clock::Clock`: that one is wall-clock time
//! (UTC [`gurumisha_core::Timestamp`]s that get stored, compared with `scheduled_at` and shown
//! in the user's zone), while a breaker's cool-down and a token bucket's refill are durations
//! measured on [`std::time::Instant`], which never jumps when NTP or an operator sets the
//! system clock. Different quantities, so two small traits.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A source of monotonic time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> Instant;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A clock that only moves when told to.
#[derive(Debug)]
pub struct ManualClock {
    base: Instant,
    offset: Mutex<Duration>,
}

impl ManualClock {
    pub fn new() -> Self {
        Self {
            base: Instant::now(),
            offset: Mutex::new(Duration::ZERO),
        }
    }

    pub fn advance(&self, by: Duration) {
        *self.offset.lock().unwrap_or_else(|p| p.into_inner()) += by;
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.base + *self.offset.lock().unwrap_or_else(|p| p.into_inner())
    }
}
