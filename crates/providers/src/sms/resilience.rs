//! A circuit breaker and a token bucket, both pure state machines that are handed the time
//! (from a [`crate::clock::Clock`]) instead of reading it, so tests move a manual clock.

use std::time::{Duration, Instant};

/// When a breaker opens and how long it stays open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerPolicy {
    /// Consecutive provider failures that open the breaker.
    pub failure_threshold: u32,
    /// How long an open breaker refuses calls before letting one probe through.
    pub cool_down: Duration,
}

impl Default for BreakerPolicy {
    fn default() -> Self {
        Self {
            failure_threshold: 5,
            cool_down: Duration::from_secs(30),
        }
    }
}

/// What a breaker currently allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakerState {
    /// Calls go through; failures are counted.
    Closed,
    /// Calls are refused until the cool-down ends.
    Open,
    /// The cool-down ended: one probe call may go; its outcome closes or reopens the breaker.
    HalfOpen,
}

#[derive(Debug, Clone, Copy)]
enum Inner {
    Closed { failures: u32 },
    Open { until: Instant },
    HalfOpen { probing: bool },
}

/// Closed → open after `failure_threshold` consecutive failures → half-open after
/// `cool_down` → closed on a successful probe, open again on a failed one.
#[derive(Debug, Clone)]
pub struct CircuitBreaker {
    policy: BreakerPolicy,
    inner: Inner,
}

impl CircuitBreaker {
    pub fn new(policy: BreakerPolicy) -> Self {
        Self {
            policy,
            inner: Inner::Closed { failures: 0 },
        }
    }

    pub fn state(&self, now: Instant) -> BreakerState {
        match self.inner {
            Inner::Closed { .. } => BreakerState::Closed,
            Inner::Open { until } if now < until => BreakerState::Open,
            Inner::Open { .. } | Inner::HalfOpen { .. } => BreakerState::HalfOpen,
        }
    }

    /// Asks to make a call. `Err` carries how long until the breaker lets a probe through
    /// (zero when a probe is already in flight).
    pub fn try_acquire(&mut self, now: Instant) -> Result<(), Duration> {
        match self.inner {
            Inner::Closed { .. } => Ok(()),
            Inner::Open { until } if now < until => Err(until - now),
            Inner::Open { .. } | Inner::HalfOpen { probing: false } => {
                self.inner = Inner::HalfOpen { probing: true };
                Ok(())
            }
            Inner::HalfOpen { probing: true } => Err(Duration::ZERO),
        }
    }

    /// The call succeeded (or failed for a reason that says nothing about the provider).
    pub fn on_success(&mut self) {
        self.inner = Inner::Closed { failures: 0 };
    }

    /// The call failed because of the provider.
    pub fn on_failure(&mut self, now: Instant) {
        self.inner = match self.inner {
            Inner::Closed { failures } if failures + 1 < self.policy.failure_threshold => {
                Inner::Closed {
                    failures: failures + 1,
                }
            }
            _ => Inner::Open {
                until: now + self.policy.cool_down,
            },
        };
    }

    /// The acquired call was not made, or ended in a way that proves nothing (rate limited):
    /// a half-open breaker lets the next caller probe instead.
    pub fn release(&mut self) {
        if let Inner::HalfOpen { probing: true } = self.inner {
            self.inner = Inner::HalfOpen { probing: false };
        }
    }
}

/// A steady rate with a burst allowance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_second: f64,
    pub burst: u32,
}

/// A token bucket: `burst` tokens, refilled at `per_second`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    limit: RateLimit,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    /// A full bucket.
    pub fn new(limit: RateLimit, now: Instant) -> Self {
        let limit = RateLimit {
            per_second: limit.per_second.max(f64::MIN_POSITIVE),
            burst: limit.burst.max(1),
        };
        Self {
            tokens: f64::from(limit.burst),
            limit,
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens =
            (self.tokens + elapsed * self.limit.per_second).min(f64::from(self.limit.burst));
        self.last = now;
    }

    /// Takes one token, or answers how long until one is available.
    pub fn try_take(&mut self, now: Instant) -> Result<(), Duration> {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            let missing = 1.0 - self.tokens;
            Err(Duration::from_secs_f64(missing / self.limit.per_second))
        }
    }

    /// Gives back a token that was taken for a call that was never made.
    pub fn give_back(&mut self) {
        self.tokens = (self.tokens + 1.0).min(f64::from(self.limit.burst));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn breaker_cycle() {
        let t0 = Instant::now();
        let mut b = CircuitBreaker::new(BreakerPolicy {
            failure_threshold: 3,
            cool_down: Duration::from_secs(10),
        });
        b.on_failure(t0);
        b.on_failure(t0);
        assert_eq!(b.state(t0), BreakerState::Closed);
        b.on_success();
        b.on_failure(t0);
        b.on_failure(t0);
        assert_eq!(
            b.state(t0),
            BreakerState::Closed,
            "success resets the count"
        );
        b.on_failure(t0);
        assert_eq!(b.state(t0), BreakerState::Open);
        assert_eq!(
            b.try_acquire(t0 + Duration::from_secs(4)),
            Err(Duration::from_secs(6))
        );
        let t1 = t0 + Duration::from_secs(10);
        assert_eq!(b.state(t1), BreakerState::HalfOpen);
        assert!(b.try_acquire(t1).is_ok());
        assert_eq!(
            b.try_acquire(t1),
            Err(Duration::ZERO),
            "one probe at a time"
        );
        b.on_failure(t1);
        assert_eq!(b.state(t1 + Duration::from_secs(9)), BreakerState::Open);
        let t2 = t1 + Duration::from_secs(10);
        assert!(b.try_acquire(t2).is_ok());
        b.release();
        assert!(b.try_acquire(t2).is_ok(), "a released probe can be retaken");
        b.on_success();
        assert_eq!(b.state(t2), BreakerState::Closed);
    }

    #[test]
    fn bucket_refills_at_the_rate() {
        let t0 = Instant::now();
        let mut tb = TokenBucket::new(
            RateLimit {
                per_second: 2.0,
                burst: 2,
            },
            t0,
        );
        assert!(tb.try_take(t0).is_ok());
        assert!(tb.try_take(t0).is_ok());
        assert_eq!(tb.try_take(t0), Err(Duration::from_millis(500)));
        assert!(tb.try_take(t0 + Duration::from_millis(500)).is_ok());
        assert!(tb.try_take(t0 + Duration::from_millis(600)).is_err());
        tb.give_back();
        assert!(tb.try_take(t0 + Duration::from_millis(600)).is_ok());
        // Refill never exceeds the burst.
        let later = t0 + Duration::from_secs(60);
        assert!(tb.try_take(later).is_ok());
        assert!(tb.try_take(later).is_ok());
        assert!(tb.try_take(later).is_err());
    }
}
