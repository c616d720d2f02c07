//! The notification queue in the console: the summary (counts, depth per channel, grouped
//! failures), filtered keyset lists, one notification with its attempts and the fan-out's
//! "why", and bulk retry/cancel/requeue with a dry run first.
//!
//! Reading needs `view_queue`; acting needs `manage_queue`, and every real action is recorded
//! with the operator as actor. Opening a notification is not recorded: queue rows are
//! operational data, not audit data.

use crate::access::Permission;
use crate::types::*;
use crate::{clean, Console};
use gurumisha_core::domain::Severity;
use gurumisha_core::event::ObjectRef;
use gurumisha_core::notify_data::{Contact, DecisionFilter, StoredDecision};
use gurumisha_core::query::PageRequest;
use gurumisha_core::queue::{
    Attempt, BulkAction, QueueFilter, QueueStatus, QueuedNotification, Target,
};
use gurumisha_core::Timestamp;
use gurumisha_notify::preferences::DecisionKind;
use gurumisha_notify::NotificationStatus;

/// Dead and failed rows (each) read for the failure groups.
const FAILURE_SCAN: u32 = 5_000;

/// Most ids one action takes.
const MAX_IDS: usize = 10_000;

impl Console {
    pub async fn queue_summary(&self, _req: QueueSummaryRequest) -> Result<QueueSummary, ApiError> {
        self.require(Permission::ViewQueue).await?;
        let q = self.api().queue_store();
        let now = Timestamp::now();
        let (c, depth, failures) = tokio::try_join!(
            q.counts(),
            q.channel_depth(now),
            q.failure_groups(FAILURE_SCAN)
        )?;
        Ok(QueueSummary {
            counts: QueueStatusCounts {
                pending: c.pending,
                processing: c.processing,
                sent: c.sent,
                failed: c.failed,
                dead: c.dead,
                cancelled: c.cancelled,
                total: c.total(),
            },
            depth: depth
                .into_iter()
                .map(|d| ChannelQueueDepth {
                    total: d.total(),
                    channel: d.channel,
                    due: d.due,
                    scheduled: d.scheduled,
                    retrying: d.retrying,
                    processing: d.processing,
                })
                .collect(),
            failures: failures
                .groups
                .into_iter()
                .map(|g| FailureGroupInfo {
                    provider: g.provider,
                    channel: g.channel,
                    pattern: g.pattern,
                    example_error: g.example_error,
                    count: g.count,
                    dead: g.dead,
                    failed: g.failed,
                    newest_id: g.newest_id,
                    newest_at: g.newest_at,
                })
                .collect(),
            failures_scanned: failures.scanned,
            failures_truncated: failures.truncated,
            generated_at: now,
        })
    }

    pub async fn list_notifications(
        &self,
        req: ListNotificationsRequest,
    ) -> Result<NotificationPage, ApiError> {
        self.require(Permission::ViewQueue).await?;
        let filter = self.queue_filter(req.filter).await?;
        let page = PageRequest::new(req.cursor.as_deref(), req.limit)?;
        let p = self.api().queue_store().list_queue(&filter, &page).await?;
        Ok(NotificationPage {
            items: p.items.iter().map(row).collect(),
            next_cursor: p.next_cursor,
        })
    }

    /// One notification with its attempts, the fan-out decisions of its send and its status
    /// in words. Not recorded (see the module docs).
    pub async fn get_notification(
        &self,
        req: GetNotificationRequest,
    ) -> Result<NotificationView, ApiError> {
        self.require(Permission::ViewQueue).await?;
        let api = self.api();
        let Some(detail) = api.queue_store().get_notification(req.id).await? else {
            return Err(ApiError::new(
                ApiErrorCode::NotFound,
                format!("no notification {}", req.id),
            ));
        };
        let n = detail.notification;
        let data = api.notify_data();
        let ids = [n.recipient_id];
        let own = DecisionFilter {
            notification_id: Some(n.id),
            ..DecisionFilter::default()
        };
        let (contacts, mine) = tokio::try_join!(data.contacts(&ids), data.list_decisions(&own))?;
        // The whole send (every channel's decision), found through this row's own decision.
        let decisions = match mine.first() {
            Some(d) => {
                data.list_decisions(&DecisionFilter {
                    send_key: Some(d.decision.send_key.clone()),
                    ..DecisionFilter::default()
                })
                .await?
            }
            None => Vec::new(),
        };
        let explanation = explain_status(&n, &detail.attempts, &decisions, Timestamp::now());
        Ok(NotificationView {
            notification: row(&n),
            body: n.body,
            html_body: n.html_body,
            context: n.context,
            idempotency_key: n.idempotency_key,
            scheduled_at: n.scheduled_at,
            provider_message_id: n.provider_message_id,
            lease_owner: n.lease_owner,
            lease_expires_at: n.lease_expires_at,
            recipient: contacts.into_iter().next().map(recipient),
            attempts: detail
                .attempts
                .into_iter()
                .enumerate()
                .map(|(i, a)| AttemptInfo {
                    number: i as u32 + 1,
                    at: a.at,
                    provider: a.provider,
                    outcome: a.outcome,
                    error: a.error,
                    latency_ms: a.latency_ms,
                })
                .collect(),
            decisions: decisions
                .into_iter()
                .map(|d| decision_info(d, n.id))
                .collect(),
            status_explanation: explanation,
        })
    }

    /// Retry, cancel or requeue by ids or by a filter naming a status; `dry_run` only counts.
    pub async fn queue_action(
        &self,
        req: QueueActionRequest,
    ) -> Result<QueueActionResult, ApiError> {
        self.require(Permission::ManageQueue).await?;
        let action = match req.action {
            QueueActionKind::Retry => BulkAction::Retry,
            QueueActionKind::Cancel => BulkAction::Cancel,
            QueueActionKind::Requeue => BulkAction::Requeue,
        };
        let ids = req.ids.unwrap_or_default();
        let (target, what) = match (ids.is_empty(), req.filter) {
            (false, Some(_)) => {
                return Err(ApiError::invalid(
                    "invalid request: give ids or a filter, not both",
                ))
            }
            (false, None) => ids_target(ids)?,
            (true, filter) => {
                self.filter_target(action, filter.unwrap_or_default())
                    .await?
            }
        };
        let q = self.api().queue_store();
        let now = Timestamp::now();
        let matched = q.bulk(action, target.clone(), true, now).await? as i64;
        let verb = match req.action {
            QueueActionKind::Retry => ("retry", "retried"),
            QueueActionKind::Cancel => ("cancel", "cancelled"),
            QueueActionKind::Requeue => ("requeue", "requeued"),
        };
        if req.dry_run {
            return Ok(QueueActionResult {
                action: req.action,
                dry_run: true,
                matched,
                changed: 0,
                description: what.describe(verb.0, matched),
            });
        }
        let changed = q.bulk(action, target, false, now).await? as i64;
        let description = what.describe(verb.1, changed);
        let single = what.single();
        self.record(
            "update",
            "notifications",
            single.map(|id| id.to_string()),
            description.clone(),
            if single.is_some() {
                Severity::Low
            } else {
                Severity::Medium
            },
            single
                .map(|id| ObjectRef::parse("notification", &id.to_string(), &format!("#{id}")))
                .transpose()?,
        )
        .await?;
        Ok(QueueActionResult {
            action: req.action,
            dry_run: false,
            matched,
            changed,
            description,
        })
    }

    /// The store's filter for the console's (usernames resolved, blanks dropped).
    async fn queue_filter(&self, f: NotificationFilter) -> Result<QueueFilter, ApiError> {
        Ok(QueueFilter {
            status: f.status.map(queue_status).transpose()?,
            channel: f.channel.map(|c| c.as_str().to_owned()),
            provider: clean(f.provider),
            error_contains: clean(f.error),
            recipient_id: self.api().user_id(f.user_id, f.username.as_deref()).await?,
        })
    }

    /// A filter target: it must name a status the action can change, so no bulk action ever
    /// sweeps the whole queue by accident.
    async fn filter_target(
        &self,
        action: BulkAction,
        filter: NotificationFilter,
    ) -> Result<(Target, Selection), ApiError> {
        let f = self.queue_filter(filter).await?;
        let Some(status) = f.status else {
            return Err(ApiError::invalid(
                "invalid filter: a bulk action needs ids or a filter with a status \
                 (for example status=dead), so it never applies to the whole queue",
            ));
        };
        if !action.from_statuses().contains(&status) {
            let can: Vec<&str> = action.from_statuses().iter().map(|s| s.as_str()).collect();
            return Err(ApiError::invalid(format!(
                "invalid filter: {} applies to {} notifications, not {}",
                action_name(action),
                can.join(" or "),
                status.as_str()
            )));
        }
        Ok((Target::Filter(f.clone()), Selection::Filter(f)))
    }
}

/// What an action applies to, for its description.
enum Selection {
    Ids(Vec<i64>),
    Filter(QueueFilter),
}

impl Selection {
    fn single(&self) -> Option<i64> {
        match self {
            Self::Ids(ids) if ids.len() == 1 => Some(ids[0]),
            _ => None,
        }
    }

    /// "retried 73 dead sms notifications (filter: status=dead, channel=sms)".
    fn describe(&self, verb: &str, n: i64) -> String {
        let s = if n == 1 { "" } else { "s" };
        match self {
            Self::Ids(ids) if ids.len() == 1 => {
                let none = if n == 0 {
                    " (not in a status it applies to)"
                } else {
                    ""
                };
                format!("{verb} notification {}{none}", ids[0])
            }
            Self::Ids(ids) => {
                let shown: Vec<String> = ids.iter().take(10).map(i64::to_string).collect();
                let more = if ids.len() > 10 { ", …" } else { "" };
                format!(
                    "{verb} {n} of {} selected notification{s} (ids {}{more})",
                    ids.len(),
                    shown.join(", ")
                )
            }
            Self::Filter(f) => {
                let mut adjectives = String::new();
                let mut parts = Vec::new();
                if let Some(v) = f.status {
                    adjectives.push_str(&format!(" {}", v.as_str()));
                    parts.push(format!("status={}", v.as_str()));
                }
                if let Some(v) = &f.channel {
                    adjectives.push_str(&format!(" {v}"));
                    parts.push(format!("channel={v}"));
                }
                if let Some(v) = &f.provider {
                    parts.push(format!("provider={v}"));
                }
                if let Some(v) = &f.error_contains {
                    parts.push(format!("error contains {v:?}"));
                }
                if let Some(v) = f.recipient_id {
                    parts.push(format!("user={v}"));
                }
                format!(
                    "{verb} {n}{adjectives} notification{s} (filter: {})",
                    parts.join(", ")
                )
            }
        }
    }
}

fn ids_target(mut ids: Vec<i64>) -> Result<(Target, Selection), ApiError> {
    ids.sort_unstable();
    ids.dedup();
    if ids.len() > MAX_IDS {
        return Err(ApiError::invalid(format!(
            "invalid ids: at most {MAX_IDS} per action (use a filter for more)"
        )));
    }
    Ok((Target::Ids(ids.clone()), Selection::Ids(ids)))
}

fn action_name(a: BulkAction) -> &'static str {
    match a {
        BulkAction::Retry => "retry",
        BulkAction::Cancel => "cancel",
        BulkAction::Requeue => "requeue",
    }
}

fn queue_status(s: NotificationStatus) -> Result<QueueStatus, ApiError> {
    Ok(QueueStatus::parse(s.as_str())?)
}

fn notification_status(s: QueueStatus) -> NotificationStatus {
    match s {
        QueueStatus::Pending => NotificationStatus::Pending,
        QueueStatus::Processing => NotificationStatus::Processing,
        QueueStatus::Sent => NotificationStatus::Sent,
        QueueStatus::Failed => NotificationStatus::Failed,
        QueueStatus::Dead => NotificationStatus::Dead,
        QueueStatus::Cancelled => NotificationStatus::Cancelled,
    }
}

fn row(n: &QueuedNotification) -> NotificationRow {
    NotificationRow {
        id: n.id,
        recipient_id: n.recipient_id,
        channel: n.channel.clone(),
        notification_type: n.notification_type.clone(),
        template_name: n.template_name.clone(),
        template_version: n.template_version,
        title: n.title.clone(),
        priority: n.priority,
        status: notification_status(n.status),
        retry_count: n.retry_count,
        max_retries: n.max_retries,
        next_attempt_at: n.next_attempt_at,
        last_error: n.last_error.clone(),
        provider: n.provider.clone(),
        sent_at: n.sent_at,
        created_at: n.created_at,
        updated_at: n.updated_at,
    }
}

pub(crate) fn recipient(c: Contact) -> RecipientInfo {
    let name = format!("{} {}", c.first_name, c.last_name)
        .trim()
        .to_owned();
    RecipientInfo {
        user_id: c.user_id,
        name,
        email: c.email,
        phone: c.phone,
        time_zone: c.time_zone,
        is_active: c.is_active,
    }
}

fn decision_info(d: StoredDecision, this: i64) -> DecisionInfo {
    let d = d.decision;
    DecisionInfo {
        this_notification: d.notification_id == Some(this),
        channel: d.channel,
        decision: match d.decision.as_str() {
            "send" => DecisionKind::Send,
            "defer" => DecisionKind::Defer,
            "digest" => DecisionKind::Digest,
            _ => DecisionKind::Skip,
        },
        reason: d.reason,
        until: d.until,
        decided_at: d.decided_at,
        notification_id: d.notification_id,
        digest_bucket_id: d.digest_bucket_id,
    }
}

/// "2026-11-27 07:00 UTC".
pub(crate) fn short_time(t: Timestamp) -> String {
    let s = t.to_rfc3339();
    format!("{} {} UTC", &s[..10], &s[11..16])
}

/// The status in words, with the reason where there is one.
fn explain_status(
    n: &QueuedNotification,
    attempts: &[Attempt],
    decisions: &[StoredDecision],
    now: Timestamp,
) -> String {
    let tries = |k: usize| format!("{k} attempt{}", if k == 1 { "" } else { "s" });
    let last_error = n.last_error.as_deref().unwrap_or("no error recorded");
    match n.status {
        QueueStatus::Pending => match n.next_attempt_at {
            Some(t) if t > now => {
                let why = decisions
                    .iter()
                    .find(|d| d.decision.notification_id == Some(n.id))
                    .filter(|d| d.decision.decision == "defer")
                    .map(|d| format!(" ({})", d.decision.reason))
                    .unwrap_or_default();
                format!("scheduled for {}{why}", short_time(t))
            }
            Some(t) => format!(
                "waiting for a worker (due since {}); if it stays here, check that a worker is running",
                short_time(t)
            ),
            None => "waiting for a worker".into(),
        },
        QueueStatus::Processing => format!(
            "being sent by {} (lease until {})",
            n.lease_owner.as_deref().unwrap_or("a worker"),
            n.lease_expires_at.map(short_time).unwrap_or_else(|| "-".into())
        ),
        QueueStatus::Sent => format!(
            "sent {} via {}{}",
            n.sent_at.map(short_time).unwrap_or_else(|| "-".into()),
            n.provider.as_deref().unwrap_or("a provider"),
            n.provider_message_id
                .as_deref()
                .map(|m| format!(" (message id {m})"))
                .unwrap_or_default()
        ),
        QueueStatus::Failed => format!(
            "attempt {} of {} failed: {last_error}; next retry {}",
            attempts.len().max(n.retry_count as usize),
            n.max_retries + 1,
            n.next_attempt_at.map(short_time).unwrap_or_else(|| "-".into())
        ),
        QueueStatus::Dead => format!(
            "dead after {}: {last_error}",
            tries(attempts.len().max(n.retry_count as usize))
        ),
        QueueStatus::Cancelled => format!("cancelled {}", short_time(n.updated_at)),
    }
}
