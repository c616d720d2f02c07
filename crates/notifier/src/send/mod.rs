//! Fan-out: one notification, its channels, one decision each.
//!
//! Per call: the preferences and the contact are loaded with one query each (both at once),
//! `gurumisha_notify::explain` decides every channel at the delivery instant (now, or the
//! requested `scheduled_at` if later), and then:
//! - send / defer: the current version of the template for that channel is rendered and the row
//!   is enqueued with the template's name and version pinned (all channels in one enqueue);
//! - digest: the rendered text goes into the digest bucket of the user's window;
//! - skip: nothing is queued.
//!
//! Every channel's decision is recorded with its reason, so "why was this not sent?" always has
//! an answer. The caller's idempotency key names the whole call; each channel's queue row gets
//! `{key}:{channel}`, so a repeated call (a retried HTTP request, a re-run job) creates nothing
//! new: it returns the decisions recorded the first time.

mod types;

pub(crate) use types::{kind_parse, kind_str};
pub use types::{ChannelOutcome, SendOutcome, SendRequest};

use crate::render::{full_context, plain, render_version, Rendered};
use crate::NotifierError;
use gurumisha_core::notify_data::{
    Contact, DecisionFilter, NewDecision, NewDigestItem, NotifyDataStore, StoredDecision,
};
use gurumisha_core::queue::{NewNotification, NotificationStore};
use gurumisha_core::Timestamp;
use gurumisha_notify::clock::Clock;
use gurumisha_notify::preferences::{explain, Decision, DecisionKind};
use gurumisha_notify::{Channel, NotificationType, Preferences, TimeZoneName};
use std::sync::Arc;

/// Engine-wide settings for fan-out.
#[derive(Debug, Clone)]
pub struct NotifierSettings {
    /// Retries after the first attempt for every row enqueued.
    pub max_retries: i32,
    pub site_url: String,
}

impl Default for NotifierSettings {
    fn default() -> Self {
        Self {
            max_retries: gurumisha_notify::backoff::BackoffPolicy::default().max_retries as i32,
            site_url: crate::config::DEFAULT_SITE_URL.to_owned(),
        }
    }
}

/// Sends notifications through preferences into the queue. Cheap to clone.
#[derive(Clone)]
pub struct Notifier {
    pub(crate) queue: Arc<dyn NotificationStore>,
    pub(crate) data: Arc<dyn NotifyDataStore>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) settings: NotifierSettings,
}

/// Preferences as stored (defaults when none or unreadable), in the zone they name, else the
/// contact's: the stored document only carries `time_zone` when the user chose one.
pub(crate) fn effective_preferences(
    stored: Option<serde_json::Value>,
    contact: &Contact,
    user_id: i64,
) -> Preferences {
    let chose_zone = stored
        .as_ref()
        .is_some_and(|v| v.get("time_zone").is_some());
    let mut prefs = match stored.map(Preferences::from_json) {
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            tracing::warn!(user_id, error = %e, "stored preferences unreadable: using defaults");
            Preferences::default()
        }
        None => Preferences::default(),
    };
    if !chose_zone {
        if let Ok(tz) = TimeZoneName::parse(&contact.time_zone) {
            prefs.time_zone = tz;
        }
    }
    prefs
}

impl Notifier {
    pub fn new(
        queue: Arc<dyn NotificationStore>,
        data: Arc<dyn NotifyDataStore>,
        clock: Arc<dyn Clock>,
        settings: NotifierSettings,
    ) -> Self {
        Self {
            queue,
            data,
            clock,
            settings,
        }
    }

    #[tracing::instrument(skip_all, fields(recipient = req.recipient_id, ty = %req.notification_type))]
    pub async fn send_notification(&self, req: SendRequest) -> Result<SendOutcome, NotifierError> {
        let mut channels: Vec<Channel> = Vec::new();
        for c in &req.channels {
            if !channels.contains(c) {
                channels.push(*c);
            }
        }
        if channels.is_empty() {
            return Err(NotifierError::invalid(
                "channels",
                "name at least one channel",
            ));
        }
        let send_key = match req.idempotency_key.as_deref().map(str::trim) {
            Some("") => return Err(NotifierError::invalid("idempotency_key", "is empty")),
            Some(k) if k.len() > 200 => {
                return Err(NotifierError::invalid(
                    "idempotency_key",
                    "is over 200 bytes",
                ))
            }
            Some(k) => {
                if let Some(replay) = self.replay(k).await? {
                    return Ok(replay);
                }
                k.to_owned()
            }
            None => uuid::Uuid::now_v7().to_string(),
        };
        let now = self.clock.now();
        let id = req.recipient_id;
        let ids = [id];
        let (stored, contacts) =
            tokio::try_join!(self.data.get_preferences(id), self.data.contacts(&ids))?;
        let contact = contacts
            .into_iter()
            .find(|c| c.user_id == id)
            .ok_or(NotifierError::UnknownRecipient(id))?;
        let prefs = effective_preferences(stored.map(|s| s.preferences), &contact, id);
        let at = req.scheduled_at.filter(|t| *t > now).unwrap_or(now);
        let trace = explain(&prefs, req.notification_type, &channels, at);
        let ctx = full_context(&req.context, &contact, &self.settings.site_url);
        let inactive = !contact.is_active && req.notification_type != NotificationType::Security;

        let mut outcomes = Vec::with_capacity(channels.len());
        let mut rows = Vec::new();
        for entry in trace.entries {
            let mut out = ChannelOutcome {
                channel: entry.channel,
                decision: entry.decision.kind(),
                reason: entry.reason,
                notification_id: None,
                digest_bucket_id: None,
                until: None,
            };
            if inactive {
                out.decision = DecisionKind::Skip;
                out.reason = "the recipient's account is inactive".into();
                outcomes.push(out);
                continue;
            }
            if out.decision == DecisionKind::Skip {
                outcomes.push(out);
                continue;
            }
            let rendered = match self
                .render(&req, entry.channel, &ctx, &prefs.time_zone)
                .await?
            {
                Ok(r) => r,
                Err(why) => {
                    tracing::warn!(channel = %entry.channel, reason = %why, "not sent");
                    out.decision = DecisionKind::Skip;
                    out.reason = why;
                    outcomes.push(out);
                    continue;
                }
            };
            let channel_key = format!("{send_key}:{}", entry.channel);
            match entry.decision {
                Decision::Digest {
                    bucket_start,
                    bucket_end,
                    ..
                } => {
                    let bucket = self
                        .data
                        .add_digest_item(NewDigestItem {
                            recipient_id: id,
                            channel: entry.channel.as_str().into(),
                            window_start: bucket_start,
                            window_end: bucket_end,
                            idempotency_key: channel_key,
                            notification_type: req.notification_type.as_str().into(),
                            title: rendered.title,
                            body: rendered.body,
                            created_at: now,
                        })
                        .await?;
                    out.digest_bucket_id = Some(bucket);
                    out.until = Some(bucket_end);
                }
                decision => {
                    let scheduled_at = decision.scheduled_at(at).unwrap_or(at);
                    if decision.kind() == DecisionKind::Defer {
                        out.until = Some(scheduled_at);
                    }
                    rows.push((
                        outcomes.len(),
                        row(
                            &req,
                            id,
                            entry.channel,
                            channel_key,
                            rendered,
                            &ctx,
                            (scheduled_at, now),
                            self.settings.max_retries,
                        ),
                    ));
                }
            }
            outcomes.push(out);
        }
        if !rows.is_empty() {
            let (slots, new): (Vec<usize>, Vec<NewNotification>) = rows.into_iter().unzip();
            let ids = self.queue.enqueue(new).await?;
            for (slot, (qid, _)) in slots.into_iter().zip(ids) {
                outcomes[slot].notification_id = Some(qid);
            }
        }
        let decisions = outcomes
            .iter()
            .map(|o| NewDecision {
                send_key: send_key.clone(),
                recipient_id: id,
                channel: o.channel.as_str().into(),
                notification_type: req.notification_type.as_str().into(),
                decision: kind_str(o.decision).into(),
                reason: o.reason.clone(),
                notification_id: o.notification_id,
                digest_bucket_id: o.digest_bucket_id,
                until: o.until,
                decided_at: now,
            })
            .collect();
        self.data.record_decisions(decisions).await?;
        Ok(SendOutcome {
            send_key,
            replayed: false,
            channels: outcomes,
        })
    }

    /// The decisions recorded for `key`, if this key was sent before.
    async fn replay(&self, key: &str) -> Result<Option<SendOutcome>, NotifierError> {
        let filter = DecisionFilter {
            send_key: Some(key.to_owned()),
            ..DecisionFilter::default()
        };
        let found: Vec<StoredDecision> = self.data.list_decisions(&filter).await?;
        if found.is_empty() {
            return Ok(None);
        }
        let mut channels = Vec::new();
        for d in found {
            let channel = Channel::parse(&d.decision.channel)?;
            if channels
                .iter()
                .any(|c: &ChannelOutcome| c.channel == channel)
            {
                continue;
            }
            channels.push(ChannelOutcome {
                channel,
                decision: kind_parse(&d.decision.decision),
                reason: d.decision.reason,
                notification_id: d.decision.notification_id,
                digest_bucket_id: d.decision.digest_bucket_id,
                until: d.decision.until,
            });
        }
        Ok(Some(SendOutcome {
            send_key: key.to_owned(),
            replayed: true,
            channels,
        }))
    }

    /// The channel's text: its template's current version when there is an active one, else
    /// the request's title and message. `Err` is a skip reason.
    async fn render(
        &self,
        req: &SendRequest,
        channel: Channel,
        ctx: &serde_json::Value,
        zone: &TimeZoneName,
    ) -> Result<Result<Rendered, String>, NotifierError> {
        if let Some(name) = &req.template_name {
            let current = self
                .data
                .get_template(name.as_str(), channel.as_str())
                .await?;
            if let Some(v) = current.filter(|v| v.active) {
                return Ok(render_version(&v, ctx, zone, &req.title, req.priority));
            }
        }
        Ok(
            plain(&req.title, &req.message, req.priority).ok_or_else(|| match &req.template_name {
                Some(name) => format!(
                "no active {name} template for {channel} and no title or message to send instead"
            ),
                None => "no template, title or message to send".to_owned(),
            }),
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn row(
    req: &SendRequest,
    recipient_id: i64,
    channel: Channel,
    key: String,
    r: Rendered,
    ctx: &serde_json::Value,
    (scheduled_at, created_at): (Timestamp, Timestamp),
    max_retries: i32,
) -> NewNotification {
    let (template_name, template_version) = match r.template {
        Some((n, v)) => (Some(n), i32::try_from(v).ok()),
        None => (None, None),
    };
    NewNotification {
        idempotency_key: key,
        recipient_id,
        channel: channel.as_str().into(),
        notification_type: req.notification_type.as_str().into(),
        template_name,
        template_version,
        title: r.title,
        body: r.body,
        html_body: r.html_body,
        context: ctx.clone(),
        priority: i16::from(r.priority.get()),
        scheduled_at,
        max_retries,
        created_at,
    }
}
