//! Retry timing for failed deliveries: exponential backoff with full or decorrelated jitter
//! (after the AWS Architecture Blog's "Exponential Backoff And Jitter"), and what to do with
//! each kind of error.
//!
//! Deterministic: the random part is an `f64` in `[0, 1]` passed in by the caller (values
//! outside are clamped, NaN counts as 1), so tests pin exact delays and nothing sleeps.
//! `attempt` is how many attempts have failed so far, starting at 1.

use gurumisha_core::Timestamp;
use serde::{Deserialize, Serialize};
use std::time::Duration;

fn unit(r: f64) -> f64 {
    if r.is_nan() {
        1.0
    } else {
        r.clamp(0.0, 1.0)
    }
}

/// `d · r` for `r` in `[0, 1]`, never panicking on huge durations.
fn scale(d: Duration, r: f64) -> Duration {
    Duration::try_from_secs_f64(d.as_secs_f64() * unit(r)).map_or(d, |x| x.min(d))
}

/// The un-jittered ceiling: `base · 2^(attempt−1)`, at most `cap`.
pub fn ceiling(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let doublings = attempt.max(1) - 1;
    2u32.checked_pow(doublings)
        .and_then(|factor| base.checked_mul(factor))
        .map_or(cap, |d| d.min(cap))
}

/// Full jitter: uniform in `[0, ceiling]`. Spreads a thundering herd best; may retry at once.
pub fn next_attempt(attempt: u32, base: Duration, cap: Duration, rng_value: f64) -> Duration {
    scale(ceiling(attempt, base, cap), rng_value)
}

/// Decorrelated jitter: uniform in `[base, 3 · previous]`, at most `cap`; the first retry uses
/// `previous = base`. Never shorter than `base`, grows from the last delay actually used.
pub fn decorrelated(previous: Duration, base: Duration, cap: Duration, rng_value: f64) -> Duration {
    let cap = cap.max(base);
    let high = previous.max(base).saturating_mul(3).min(cap);
    base + scale(high - base, rng_value)
}

/// Which jitter a policy uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Jitter {
    Full,
    Decorrelated,
}

/// How a provider failure should be treated (the providers classify their own errors: SMTP
/// 4xx and HTTP 5xx/timeouts are transient, SMTP 5xx and HTTP 4xx permanent, 429 rate limited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    Transient,
    Permanent,
    RateLimited { retry_after: Option<Duration> },
}

/// The queue's next step after a failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryDecision {
    /// Status `failed`, next attempt after this delay.
    Retry { after: Duration },
    /// Status `dead`, with the reason for the record.
    Dead { reason: String },
}

/// Retry settings. Rate-limited attempts count towards `max_retries` too, so a provider that
/// never stops answering 429 cannot keep a notification alive forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffPolicy {
    pub base: Duration,
    pub cap: Duration,
    pub jitter: Jitter,
    /// Retries after the first attempt; `dead` once this many retries have failed.
    pub max_retries: u32,
}

impl Default for BackoffPolicy {
    /// 15 s, 30 s, 1 min, ... up to 1 h, full jitter, 8 retries (about 3 h in the worst case).
    fn default() -> Self {
        Self {
            base: Duration::from_secs(15),
            cap: Duration::from_secs(3600),
            jitter: Jitter::Full,
            max_retries: 8,
        }
    }
}

impl BackoffPolicy {
    /// Delay before the next attempt. `previous` is the last delay used (decorrelated only).
    pub fn delay(&self, attempt: u32, previous: Option<Duration>, rng_value: f64) -> Duration {
        match self.jitter {
            Jitter::Full => next_attempt(attempt, self.base, self.cap, rng_value),
            Jitter::Decorrelated => decorrelated(
                previous.unwrap_or(self.base),
                self.base,
                self.cap,
                rng_value,
            ),
        }
    }

    /// What to do after attempt number `attempt` (1-based) failed with `class`.
    pub fn on_failure(
        &self,
        attempt: u32,
        class: ErrorClass,
        previous: Option<Duration>,
        rng_value: f64,
    ) -> RetryDecision {
        if class == ErrorClass::Permanent {
            return RetryDecision::Dead {
                reason: "permanent error: not retried".into(),
            };
        }
        if attempt > self.max_retries {
            return RetryDecision::Dead {
                reason: format!("gave up after {attempt} attempts"),
            };
        }
        let backoff = self.delay(attempt, previous, rng_value);
        let after = match class {
            // The provider's own wait wins when it is longer, even beyond `cap`.
            ErrorClass::RateLimited {
                retry_after: Some(wait),
            } => wait.max(backoff),
            _ => backoff,
        };
        RetryDecision::Retry { after }
    }
}

/// Parses an HTTP `Retry-After` value: delta-seconds (`120`) or an HTTP date
/// (`Wed, 26 Nov 2026 11:05:00 GMT`), measured from `now`. A date in the past means zero.
pub fn parse_retry_after(value: &str, now: Timestamp) -> Option<Duration> {
    let v = value.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        return Some(Duration::from_secs(v.parse().unwrap_or(u64::MAX)));
    }
    let at = jiff::fmt::rfc2822::parse(v)
        .ok()?
        .timestamp()
        .as_microsecond();
    Some(Duration::from_micros(
        u64::try_from(at - now.0).unwrap_or(0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn ceiling_doubles_and_caps() {
        let c: Vec<u64> = (1..=9)
            .map(|a| ceiling(a, S(15), S(3600)).as_secs())
            .collect();
        assert_eq!(c, [15, 30, 60, 120, 240, 480, 960, 1920, 3600]);
        assert_eq!(ceiling(0, S(15), S(3600)), S(15), "attempt 0 counts as 1");
        assert_eq!(ceiling(40, S(15), S(3600)), S(3600), "no overflow");
        assert_eq!(ceiling(u32::MAX, S(15), S(3600)), S(3600));
    }

    #[test]
    fn full_jitter_is_deterministic_given_the_random_input() {
        assert_eq!(next_attempt(3, S(15), S(3600), 0.0), S(0));
        assert_eq!(next_attempt(3, S(15), S(3600), 0.5), S(30));
        assert_eq!(next_attempt(3, S(15), S(3600), 1.0), S(60));
        assert_eq!(next_attempt(3, S(15), S(3600), 7.0), S(60), "clamped");
        assert_eq!(next_attempt(3, S(15), S(3600), f64::NAN), S(60));
        assert_eq!(next_attempt(30, S(15), S(3600), 0.25), S(900));
        assert_eq!(next_attempt(99, S(15), Duration::MAX, 1.0), Duration::MAX);
    }

    #[test]
    fn decorrelated_jitter_grows_from_the_previous_delay() {
        assert_eq!(decorrelated(S(15), S(15), S(3600), 0.0), S(15));
        assert_eq!(decorrelated(S(15), S(15), S(3600), 1.0), S(45));
        assert_eq!(
            decorrelated(S(100), S(15), S(3600), 0.5),
            S(15 + 285 / 2) + Duration::from_millis(500)
        );
        assert_eq!(
            decorrelated(S(3000), S(15), S(3600), 1.0),
            S(3600),
            "capped"
        );
        assert_eq!(
            decorrelated(Duration::MAX, S(15), S(3600), 1.0),
            S(3600),
            "no overflow"
        );
        // A sequence driven by a fixed random stream is reproducible.
        let seq = |rs: &[f64]| {
            let mut prev = S(15);
            rs.iter()
                .map(|&r| {
                    prev = decorrelated(prev, S(15), S(3600), r);
                    prev
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(seq(&[0.3, 0.9, 0.1]), seq(&[0.3, 0.9, 0.1]));
    }

    #[test]
    fn error_classes() {
        let p = BackoffPolicy::default();
        assert!(matches!(
            p.on_failure(1, ErrorClass::Permanent, None, 0.5),
            RetryDecision::Dead { .. }
        ));
        assert_eq!(
            p.on_failure(2, ErrorClass::Transient, None, 1.0),
            RetryDecision::Retry { after: S(30) }
        );
        assert_eq!(
            p.on_failure(9, ErrorClass::Transient, None, 0.5),
            RetryDecision::Dead {
                reason: "gave up after 9 attempts".into()
            }
        );
        assert!(matches!(
            p.on_failure(8, ErrorClass::Transient, None, 0.5),
            RetryDecision::Retry { .. }
        ));
        let limited = |wait| ErrorClass::RateLimited { retry_after: wait };
        assert_eq!(
            p.on_failure(1, limited(Some(S(7200))), None, 1.0),
            RetryDecision::Retry { after: S(7200) },
            "Retry-After beyond the cap is honoured"
        );
        assert_eq!(
            p.on_failure(3, limited(Some(S(5))), None, 1.0),
            RetryDecision::Retry { after: S(60) },
            "backoff wins when longer"
        );
        assert_eq!(
            p.on_failure(1, limited(None), None, 1.0),
            RetryDecision::Retry { after: S(15) }
        );
        let d = BackoffPolicy {
            jitter: Jitter::Decorrelated,
            ..p
        };
        assert_eq!(
            d.on_failure(2, ErrorClass::Transient, Some(S(40)), 1.0),
            RetryDecision::Retry { after: S(120) }
        );
    }

    #[test]
    fn retry_after_values() {
        let now = Timestamp(1_795_691_100_000_000); // 2026-11-26T11:05:00Z
        assert_eq!(parse_retry_after("120", now), Some(S(120)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(S(0)));
        assert_eq!(
            parse_retry_after("Thu, 26 Nov 2026 11:07:30 GMT", now),
            Some(S(150))
        );
        assert_eq!(
            parse_retry_after("Thu, 26 Nov 2026 11:00:00 GMT", now),
            Some(S(0))
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }
}
