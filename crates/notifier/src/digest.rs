//! Flushing digests: every bucket whose window has ended becomes one message, composed from its
//! items with the `notification_digest` template of its channel (plain text without one), and
//! is enqueued with the idempotency key `digest:{bucket_id}` before the bucket is marked
//! flushed. A worker that dies between the two leaves the bucket unflushed; the next flush
//! enqueues the same key again, which finds the existing row, and marks it: at most one
//! message per bucket, whoever crashes when. Quiet hours are honoured at flush time.

use crate::render::{full_context, render_version, Rendered};
use crate::send::effective_preferences;
use crate::{NotifierError, Worker};
use gurumisha_core::notify_data::{DigestBucket, DigestItem};
use gurumisha_core::queue::NewNotification;
use gurumisha_core::Timestamp;
use gurumisha_notify::preferences::quiet_until;
use gurumisha_notify::{Priority, TimeZoneName};
use serde_json::json;
use std::collections::HashMap;

/// Buckets taken per flush round.
const ROUND: u32 = 200;
/// Items listed in one digest; the rest are counted.
const LISTED: usize = 20;

fn local(t: Timestamp, tz: &TimeZoneName, fmt: &str) -> String {
    jiff::Timestamp::from_microsecond(t.0)
        .map(|ts| ts.to_zoned_datetime(tz.zone()).strftime(fmt).to_string())
        .unwrap_or_default()
}

/// "between 14:00 and 15:00", "for Thursday 26 Nov 2026", "for the week of 23 Nov 2026".
pub(crate) fn period(b: &DigestBucket, tz: &TimeZoneName) -> String {
    let hours = (b.window_end.0 - b.window_start.0) / 3_600_000_000;
    if hours <= 1 {
        format!(
            "between {} and {}",
            local(b.window_start, tz, "%H:%M"),
            local(b.window_end, tz, "%H:%M")
        )
    } else if hours <= 25 {
        format!("for {}", local(b.window_start, tz, "%A %-d %b %Y"))
    } else {
        format!("for the week of {}", local(b.window_start, tz, "%-d %b %Y"))
    }
}

pub(crate) fn summary(items: &[DigestItem]) -> String {
    let mut lines: Vec<String> = items
        .iter()
        .take(LISTED)
        .map(|i| format!("- {}", i.title))
        .collect();
    if items.len() > LISTED {
        lines.push(format!("- and {} more", items.len() - LISTED));
    }
    lines.join("\n")
}

impl Worker {
    /// Enqueues one message per due bucket and marks the buckets flushed; returns how many.
    pub async fn flush_digests(&self) -> Result<u64, NotifierError> {
        let mut flushed = 0;
        loop {
            let now = self.clock.now();
            let due = self.data.due_digests(now, ROUND).await?;
            if due.is_empty() {
                return Ok(flushed);
            }
            let mut ids: Vec<i64> = due.iter().map(|b| b.recipient_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let (contacts, prefs) = tokio::try_join!(
                self.data.contacts(&ids),
                self.data.get_preferences_many(&ids)
            )?;
            let contacts: HashMap<i64, _> = contacts.into_iter().map(|c| (c.user_id, c)).collect();
            let mut prefs: HashMap<i64, _> = prefs
                .into_iter()
                .map(|p| (p.user_id, p.preferences))
                .collect();
            let (round, before) = (due.len(), flushed);
            for bucket in due {
                let Some(contact) = contacts.get(&bucket.recipient_id) else {
                    tracing::warn!(
                        bucket = bucket.id,
                        "digest for an unknown user left unflushed"
                    );
                    continue;
                };
                let items = self.data.digest_items(bucket.id).await?;
                if items.is_empty() {
                    continue;
                }
                let p = effective_preferences(
                    prefs.remove(&bucket.recipient_id),
                    contact,
                    contact.user_id,
                );
                let ctx = full_context(
                    &json!({"digest": {
                        "period": period(&bucket, &p.time_zone),
                        "count": items.len(),
                        "summary": summary(&items),
                        "url": format!("{}/dashboard/notifications/", self.config.site_url),
                    }}),
                    contact,
                    &self.config.site_url,
                );
                let rendered = self.compose(&bucket, &ctx, &p.time_zone).await?;
                let scheduled_at = p
                    .quiet_hours
                    .as_ref()
                    .and_then(|q| quiet_until(q, &p.time_zone.zone(), now))
                    .unwrap_or(now);
                let (template_name, template_version) = match rendered.template {
                    Some((n, v)) => (Some(n), i32::try_from(v).ok()),
                    None => (None, None),
                };
                let row = NewNotification {
                    idempotency_key: format!("digest:{}", bucket.id),
                    recipient_id: bucket.recipient_id,
                    channel: bucket.channel.clone(),
                    notification_type: "system".into(),
                    template_name,
                    template_version,
                    title: rendered.title,
                    body: rendered.body,
                    html_body: rendered.html_body,
                    context: ctx,
                    priority: i16::from(rendered.priority.get()),
                    scheduled_at,
                    created_at: now,
                    max_retries: i32::try_from(self.config.backoff.max_retries).unwrap_or(8),
                };
                let ids = self.queue.enqueue(vec![row]).await?;
                if let Some((id, _)) = ids.first() {
                    if self.data.mark_digest_flushed(bucket.id, *id, now).await? {
                        flushed += 1;
                    }
                }
            }
            // A full round may mean more are due; one without progress means the rest are
            // buckets this worker cannot flush (logged above), so stop until next time.
            if round < ROUND as usize || flushed == before {
                return Ok(flushed);
            }
        }
    }

    async fn compose(
        &self,
        bucket: &DigestBucket,
        ctx: &serde_json::Value,
        zone: &TimeZoneName,
    ) -> Result<Rendered, NotifierError> {
        let current = self
            .data
            .get_template("notification_digest", &bucket.channel)
            .await?;
        if let Some(v) = current.filter(|v| v.active) {
            match render_version(&v, ctx, zone, "Your updates", None) {
                Ok(r) => return Ok(r),
                Err(why) => tracing::warn!(reason = %why, "digest template unusable: plain text"),
            }
        }
        let d = &ctx["digest"];
        Ok(Rendered {
            title: format!(
                "{} updates {}",
                d["count"],
                d["period"].as_str().unwrap_or("")
            ),
            body: d["summary"].as_str().unwrap_or_default().to_owned(),
            html_body: None,
            template: None,
            priority: Priority::NORMAL,
        })
    }
}
