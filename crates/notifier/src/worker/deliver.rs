//! One queue row to its channel: e-mail to SMTP, SMS to the SMS failover, push to every one of
//! the user's push subscriptions (dropping those the push service reports gone), in-app into
//! the inbox. What cannot be addressed fails permanently with a reason a person can act on.

use super::Worker;
use gurumisha_core::domain::{Email, PhoneE164};
use gurumisha_core::notify_data::Contact;
use gurumisha_core::queue::QueuedNotification;
use gurumisha_notify::Channel;
use gurumisha_providers::{
    Delivery, DeliveryError, OutboundMessage, Provider, PushContent, PushSubscription, Recipient,
};
use std::sync::Arc;
use std::time::Instant;

fn permanent(provider: &str, why: impl Into<String>) -> DeliveryError {
    DeliveryError::permanent(provider, why)
}

fn message(row: &QueuedNotification, to: Recipient) -> OutboundMessage {
    let mut m = OutboundMessage::new(&row.idempotency_key, to, &row.title, &row.body);
    m.html_body = row.html_body.clone();
    m.metadata
        .insert("notification_id".into(), row.id.to_string());
    m.metadata
        .insert("notification_type".into(), row.notification_type.clone());
    if let Some(t) = &row.template_name {
        m.metadata.insert("template".into(), t.clone());
    }
    m
}

impl Worker {
    pub(super) async fn deliver(
        &self,
        row: &QueuedNotification,
        contact: Option<&Contact>,
    ) -> Result<Delivery, DeliveryError> {
        let channel =
            Channel::parse(&row.channel).map_err(|e| permanent("worker", e.to_string()))?;
        let Some(contact) = contact else {
            return Err(permanent(
                "worker",
                format!("recipient {} does not exist", row.recipient_id),
            ));
        };
        if !contact.is_active && row.notification_type != "security" {
            return Err(permanent("worker", "the recipient's account is inactive"));
        }
        if channel == Channel::InApp {
            return self.inbox(row).await;
        }
        let Some(provider) = self.providers.for_channel(channel) else {
            let what = match channel {
                Channel::Sms => "SMS",
                other => other.as_str(),
            };
            return Err(DeliveryError::permanent_provider(
                "unconfigured",
                format!("no {what} provider configured"),
            ));
        };
        match channel {
            Channel::Email => {
                let to = Email::parse(&contact.email)
                    .map_err(|e| permanent(provider.name(), format!("recipient e-mail: {e}")))?;
                provider.send(&message(row, Recipient::Email(to))).await
            }
            Channel::Sms => {
                let Some(phone) = contact.phone.as_deref() else {
                    return Err(permanent(
                        provider.name(),
                        "the recipient has no phone number",
                    ));
                };
                let to = PhoneE164::parse(phone)
                    .map_err(|e| permanent(provider.name(), format!("recipient phone: {e}")))?;
                provider.send(&message(row, Recipient::Phone(to))).await
            }
            Channel::Push => self.push(row, provider).await,
            Channel::InApp => unreachable!("handled above"),
        }
    }

    async fn inbox(&self, row: &QueuedNotification) -> Result<Delivery, DeliveryError> {
        let start = Instant::now();
        let item = self
            .data
            .deliver_inbox(
                row.recipient_id,
                row.id,
                &row.notification_type,
                &row.title,
                &row.body,
                self.clock.now(),
            )
            .await
            .map_err(|e| DeliveryError::transient("inbox", e.to_string()))?;
        Ok(Delivery {
            provider: "inbox".into(),
            provider_message_id: format!("inbox-{}", item.id),
            status_text: "delivered".into(),
            latency: start.elapsed(),
        })
    }

    /// Sends to every subscription of the user. Delivered when at least one accepted it (a
    /// retry would repeat it on those); otherwise the most hopeful error decides.
    async fn push(
        &self,
        row: &QueuedNotification,
        provider: &Arc<dyn Provider>,
    ) -> Result<Delivery, DeliveryError> {
        let name = provider.name();
        let subs = self
            .data
            .push_subscriptions(row.recipient_id)
            .await
            .map_err(|e| DeliveryError::transient(name, e.to_string()))?;
        if subs.is_empty() {
            return Err(permanent(name, "the recipient has no push subscriptions"));
        }
        let total = subs.len();
        let mut accepted: Vec<Delivery> = Vec::new();
        let mut errors: Vec<DeliveryError> = Vec::new();
        for s in subs {
            let sub = match PushSubscription::new(&s.endpoint, &s.p256dh, &s.auth) {
                Ok(sub) => sub,
                Err(e) => {
                    self.drop_subscription(&s.endpoint, "invalid keys").await;
                    errors.push(permanent(name, e.to_string()));
                    continue;
                }
            };
            let mut msg = message(row, Recipient::Push(sub));
            msg.push = Some(PushContent {
                title: row.title.clone(),
                body: row.body.clone(),
                url: row
                    .context
                    .get("url")
                    .and_then(|u| u.as_str())
                    .map(str::to_owned),
            });
            match provider.send(&msg).await {
                Ok(d) => accepted.push(d),
                Err(e) => {
                    if matches!(e.http_status, Some(404 | 410)) {
                        self.drop_subscription(&s.endpoint, "gone").await;
                    }
                    errors.push(e);
                }
            }
        }
        if let Some(mut first) = accepted.first().cloned() {
            if accepted.len() < total {
                first.status_text = format!(
                    "{} ({} of {total} subscriptions)",
                    first.status_text,
                    accepted.len()
                );
            }
            return Ok(first);
        }
        let retryable = errors.iter().position(|e| !e.is_permanent()).unwrap_or(0);
        Err(errors.swap_remove(retryable))
    }

    async fn drop_subscription(&self, endpoint: &str, why: &str) {
        match self.data.delete_push_subscription(endpoint).await {
            Ok(_) => tracing::info!(reason = why, "push subscription removed"),
            Err(e) => tracing::warn!(error = %e, "removing a push subscription failed"),
        }
    }
}
