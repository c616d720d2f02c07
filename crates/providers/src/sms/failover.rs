//! An SMS provider over an ordered list of SMS providers: the first one whose circuit breaker
//! is not open and whose token bucket has a token gets the message; a provider-side failure
//! moves on to the next one. A failure caused by the message (an invalid number) is returned at
//! once, because every provider would refuse it the same way, and does not count against the
//! provider's breaker.
//!
//! The breaker counts consecutive provider failures (transient errors, timeouts, and permanent
//! account-level refusals such as bad credentials or no balance). A 429 does not count: the
//! provider is healthy, only busy, so it is skipped for this message and the next one in line
//! is tried. Nothing here sleeps: when every provider is unavailable the answer is a
//! rate-limited or transient error with the earliest time worth retrying, and the queue
//! reschedules.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;

use super::resilience::{BreakerPolicy, BreakerState, CircuitBreaker, RateLimit, TokenBucket};
use crate::clock::{Clock, SystemClock};
use crate::{Channel, Delivery, DeliveryError, ErrorClass, OutboundMessage, Provider};

const NAME: &str = "sms-failover";

/// One provider in the list with its own breaker policy and optional rate limit.
pub struct FailoverMember {
    pub provider: Arc<dyn Provider>,
    pub breaker: BreakerPolicy,
    pub rate_limit: Option<RateLimit>,
}

impl FailoverMember {
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        Self {
            provider,
            breaker: BreakerPolicy::default(),
            rate_limit: None,
        }
    }

    pub fn breaker(mut self, policy: BreakerPolicy) -> Self {
        self.breaker = policy;
        self
    }

    pub fn rate_limit(mut self, limit: RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }
}

struct Member {
    provider: Arc<dyn Provider>,
    breaker: Mutex<CircuitBreaker>,
    bucket: Option<Mutex<TokenBucket>>,
}

/// Failover with a circuit breaker and a token bucket per provider.
pub struct FailoverSms {
    members: Vec<Member>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for FailoverSms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FailoverSms")
            .field("states", &self.states())
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl FailoverSms {
    /// Providers in order of preference, on the system clock.
    pub fn new(members: Vec<FailoverMember>) -> Self {
        Self::with_clock(members, Arc::new(SystemClock))
    }

    pub fn with_clock(members: Vec<FailoverMember>, clock: Arc<dyn Clock>) -> Self {
        let now = clock.now();
        let members = members
            .into_iter()
            .map(|m| Member {
                provider: m.provider,
                breaker: Mutex::new(CircuitBreaker::new(m.breaker)),
                bucket: m.rate_limit.map(|l| Mutex::new(TokenBucket::new(l, now))),
            })
            .collect();
        Self { members, clock }
    }

    /// Each provider's name and breaker state, for health displays.
    pub fn states(&self) -> Vec<(String, BreakerState)> {
        let now = self.clock.now();
        self.members
            .iter()
            .map(|m| (m.provider.name().to_owned(), lock(&m.breaker).state(now)))
            .collect()
    }

    /// Reserves a call on `m`: the breaker allows it and the bucket has a token.
    fn acquire(&self, m: &Member) -> Result<(), Skip> {
        let now = self.clock.now();
        let mut breaker = lock(&m.breaker);
        breaker.try_acquire(now).map_err(Skip::Open)?;
        if let Some(bucket) = &m.bucket {
            if let Err(wait) = lock(bucket).try_take(now) {
                breaker.release();
                return Err(Skip::Throttled(wait));
            }
        }
        Ok(())
    }
}

enum Skip {
    Open(Duration),
    Throttled(Duration),
}

fn min_wait(a: Option<Duration>, b: Duration) -> Option<Duration> {
    Some(a.map_or(b, |a| a.min(b)))
}

#[async_trait]
impl Provider for FailoverSms {
    fn name(&self) -> &str {
        NAME
    }

    fn channel(&self) -> Channel {
        Channel::Sms
    }

    async fn send(&self, msg: &OutboundMessage) -> Result<Delivery, DeliveryError> {
        let mut notes: Vec<String> = Vec::new();
        let mut last_error: Option<DeliveryError> = None;
        // Earliest moment a skipped or rate-limited provider is worth trying again.
        let mut wait: Option<Duration> = None;
        let mut all_busy = true;
        let mut all_permanent = true;

        for m in &self.members {
            let name = m.provider.name();
            match self.acquire(m) {
                Err(Skip::Open(w)) => {
                    notes.push(format!("{name}: circuit open"));
                    wait = min_wait(wait, w);
                    all_busy = false;
                    all_permanent = false;
                    continue;
                }
                Err(Skip::Throttled(w)) => {
                    notes.push(format!("{name}: local rate limit"));
                    wait = min_wait(wait, w);
                    all_permanent = false;
                    continue;
                }
                Ok(()) => {}
            }
            match m.provider.send(msg).await {
                Ok(delivery) => {
                    lock(&m.breaker).on_success();
                    return Ok(delivery);
                }
                Err(e) if !e.may_fail_over() => {
                    // The provider worked; the message is at fault. Do not try the others.
                    lock(&m.breaker).on_success();
                    return Err(e);
                }
                Err(e) => {
                    if !e.is_permanent() {
                        all_permanent = false;
                    }
                    if let ErrorClass::RateLimited { retry_after } = e.class {
                        lock(&m.breaker).release();
                        wait = min_wait(wait, retry_after.unwrap_or(Duration::ZERO));
                    } else {
                        lock(&m.breaker).on_failure(self.clock.now());
                        all_busy = false;
                    }
                    tracing::warn!(provider = name, error = %e.message, "sms failing over");
                    notes.push(format!("{name}: {}", e.message));
                    last_error = Some(e);
                }
            }
        }

        let summary = if notes.is_empty() {
            "no SMS provider configured".to_owned()
        } else {
            notes.join("; ")
        };
        let err = match last_error {
            // Every provider was only busy (rate limited here or there): ask the queue to wait.
            _ if all_busy && !self.members.is_empty() => {
                DeliveryError::rate_limited(NAME, wait, summary)
            }
            Some(mut e) => {
                // Keep the last real answer's codes and say what happened to the others. Only
                // when every provider refused for good is the whole attempt permanent. The
                // message names each provider, so the error is the failover's own.
                e.message = summary;
                e.provider = NAME.into();
                if !all_permanent {
                    e.class = ErrorClass::Transient;
                }
                e
            }
            // Nobody was even tried (every breaker open): come back when one lets a probe
            // through, rather than spending retries against open breakers.
            None if !self.members.is_empty() => DeliveryError::rate_limited(NAME, wait, summary),
            None => DeliveryError::transient(NAME, summary),
        };
        Err(err)
    }
}
