//! A provider that succeeds at once: what the queue throughput benchmark measures against, so
//! the figure is the queue's own cost and not a network's.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_trait::async_trait;

use crate::{Channel, Delivery, DeliveryError, OutboundMessage, Provider};

/// Accepts every message instantly and answers a fresh id (`noop-<uuid v7>`).
#[derive(Debug)]
pub struct NoopProvider {
    channel: Channel,
    sent: AtomicU64,
}

impl NoopProvider {
    pub fn new(channel: Channel) -> Self {
        Self {
            channel,
            sent: AtomicU64::new(0),
        }
    }

    /// How many messages it has accepted.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }
}

impl Default for NoopProvider {
    fn default() -> Self {
        Self::new(Channel::Email)
    }
}

#[async_trait]
impl Provider for NoopProvider {
    fn name(&self) -> &str {
        "noop"
    }

    fn channel(&self) -> Channel {
        self.channel
    }

    async fn send(&self, _msg: &OutboundMessage) -> Result<Delivery, DeliveryError> {
        let start = Instant::now();
        self.sent.fetch_add(1, Ordering::Relaxed);
        Ok(Delivery {
            provider: "noop".into(),
            provider_message_id: format!("noop-{}", uuid::Uuid::now_v7()),
            status_text: "accepted".into(),
            latency: start.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Recipient;
    use gurumisha_core::domain::Email;

    #[tokio::test]
    async fn succeeds_with_fresh_ids() {
        let p = NoopProvider::default();
        let msg = OutboundMessage::new(
            "k",
            Recipient::Email(Email::parse("a@example.com").unwrap()),
            "s",
            "t",
        );
        let a = p.send(&msg).await.unwrap();
        let b = p.send(&msg).await.unwrap();
        assert_ne!(a.provider_message_id, b.provider_message_id);
        assert_eq!(
            (p.sent(), p.name(), p.channel()),
            (2, "noop", Channel::Email)
        );
    }
}
