//! The notification part of `gurumisha demo`: the default templates, a spread of preferences
//! (quiet hours, daily digests, SMS off, marketing on) and push subscriptions, three days of
//! fan-outs through the real engine (so decisions, deferred rows and digest buckets are what
//! the engine makes), then a delivery history written through the queue's own verbs the way a
//! worker writes it: mostly sent, some failed and waiting for a retry, some dead, with the
//! error texts the providers produce. Nothing leaves the machine.

use gurumisha_api::Api;
use gurumisha_core::notify_data::PushSubscriptionRow;
use gurumisha_core::queue::{Attempt, NextStep, NotificationStore};
use gurumisha_core::Timestamp;
use gurumisha_notifier::shortcuts::{
    ImportInfo, ImportStage, InquiryReply, OrderInfo, SecurityAlert,
};
use gurumisha_notifier::templates::install_defaults;
use gurumisha_notifier::{
    Notifier, NotifierSettings, Providers, SendRequest, Worker, WorkerConfig,
};
use gurumisha_notify::clock::ManualClock;
use gurumisha_notify::template::{sample_context, SecurityAlertKind};
use gurumisha_notify::{Channel, NotificationType, TemplateName};
use rand::rngs::StdRng;
use rand::Rng;
use serde_json::json;
use std::sync::Arc;

const SITE: &str = "https://gurumisha.co.ke";
const MIN_US: i64 = 60_000_000;
// A real browser subscription's keys (RFC 8291 appendix A); the endpoints are made up.
const P256DH: &str =
    "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";
const VEHICLES: &[&str] = &[
    "2019 Toyota Harrier 2.0 Premium",
    "2018 Mazda CX-5 2.2 XD",
    "2020 Subaru Forester 2.0i-S",
    "2017 Nissan X-Trail 20X",
    "2020 Toyota Land Cruiser Prado TX",
];

fn pick<'a, T>(rng: &mut StdRng, xs: &'a [T]) -> &'a T {
    &xs[rng.gen_range(0..xs.len())]
}

/// Fills the notification tables; returns a one-line summary.
pub async fn fill(
    api: &Api,
    customers: &[i64],
    now: Timestamp,
    rng: &mut StdRng,
) -> anyhow::Result<String> {
    let data = api.notify_data().clone();
    let queue = api.queue_store().clone();
    let start = Timestamp(now.0 - 72 * 60 * MIN_US);
    install_defaults(&*data, Timestamp(start.0 - 24 * 60 * MIN_US)).await?;
    for &id in customers {
        let prefs = match rng.gen_range(0..100) {
            0..=11 => Some(json!({"quiet_hours": {"start": "22:00", "end": "07:00"}})),
            12..=19 => Some(json!({"frequency": "daily"})),
            20..=24 => Some(
                json!({"channels": {"email": true, "sms": false, "push": true, "in_app": true}}),
            ),
            25..=27 => Some(
                json!({"types": {"marketing": {"email": true, "sms": false, "push": false, "in_app": true}}}),
            ),
            _ => None,
        };
        if let Some(p) = prefs {
            data.set_preferences(id, p, start).await?;
        }
        if rng.gen_bool(0.1) {
            let token: String = (0..24)
                .map(|_| *pick(rng, &['a', 'b', 'c', 'D', 'E', '7', '9', '_']))
                .collect();
            data.save_push_subscription(PushSubscriptionRow {
                user_id: id,
                endpoint: format!("https://fcm.googleapis.com/fcm/send/{token}"),
                p256dh: P256DH.into(),
                auth: AUTH.into(),
                created_at: start,
            })
            .await?;
        }
    }

    let clock = Arc::new(ManualClock::new(start));
    let settings = NotifierSettings {
        site_url: SITE.into(),
        ..NotifierSettings::default()
    };
    let notifier = Notifier::new(queue.clone(), data.clone(), clock.clone(), settings);
    let events = (customers.len() * 2).clamp(50, 400);
    let mut times: Vec<i64> = (0..events).map(|_| rng.gen_range(start.0..now.0)).collect();
    times.sort_unstable();
    for (i, t) in times.into_iter().enumerate() {
        clock.set(Timestamp(t));
        let user = *pick(rng, customers);
        let vehicle = pick(rng, VEHICLES).to_string();
        match rng.gen_range(0..100) {
            0..=39 => {
                let n = 10_000 + rng.gen_range(0..900);
                let order = OrderInfo {
                    number: format!("ORD-{n}"),
                    vehicle,
                    total_kes: rng.gen_range(18..90) * 100_000,
                    url: format!("{SITE}/dashboard/orders/{n}/"),
                };
                let status = *pick(
                    rng,
                    &["confirmed", "shipped", "ready_for_pickup", "delivered"],
                );
                notifier.order_status_change(user, &order, status).await?;
            }
            40..=69 => {
                let n = rng.gen_range(100..400);
                let import = ImportInfo {
                    reference: format!("IMP-2026-{n:04}"),
                    vehicle,
                    origin: pick(
                        rng,
                        &["Yokohama, Japan", "Durban, South Africa", "Dubai, UAE"],
                    )
                    .to_string(),
                    url: format!("{SITE}/dashboard/imports/{n}/"),
                };
                notifier
                    .import_status_change(user, &import, *pick(rng, &ImportStage::ALL))
                    .await?;
            }
            70..=84 => {
                let reply = InquiryReply {
                    reply_id: i as i64 + 1,
                    subject: format!("{vehicle}: price and availability"),
                    car: vehicle.clone(),
                    reply_excerpt: format!("Yes, the {vehicle} is still available and you can view it at our Mombasa Road yard."),
                    url: format!("{SITE}/dashboard/inquiries/{}/", 800 + i),
                    agent_name: pick(rng, &["Brian Otieno", "Mercy Wanjiku", "Kevin Mutua"]).to_string(),
                };
                notifier.inquiry_reply(user, &reply).await?;
            }
            85..=91 => {
                let alert = SecurityAlert {
                    kind: SecurityAlertKind::FailedLogins,
                    details: "Someone tried to sign in to your account 5 times with a wrong password. We have locked sign-in for 15 minutes.".into(),
                    occurred_at: Timestamp(t),
                    ip_address: format!("197.248.{}.{}", rng.gen_range(0..255), rng.gen_range(1..255)),
                    count: 5,
                    review_url: format!("{SITE}/dashboard/security/"),
                };
                notifier.security_alert(user, &alert).await?;
            }
            _ => {
                let mut r = SendRequest::new(
                    user,
                    NotificationType::Marketing,
                    &[Channel::Email, Channel::InApp],
                );
                r.template_name = TemplateName::parse("marketing_digest").ok();
                r.context = sample_context("marketing_digest");
                r.idempotency_key = Some(format!("marketing:week-48:{user}"));
                notifier.send_notification(r).await?;
            }
        }
    }
    history(api, &*queue, Timestamp(now.0 - 20 * MIN_US), rng).await?;

    // Buckets whose day is over become digest messages waiting for the worker.
    clock.set(now);
    let worker = Worker::new(
        queue.clone(),
        data.clone(),
        Providers::default(),
        clock,
        WorkerConfig::default(),
    )?;
    let flushed = worker.flush_digests().await?;
    let c = queue.counts().await?;
    let pending = data.pending_digests(1000).await?.len();
    Ok(format!(
        "{events} notifications fanned out: {} sent, {} failed (retrying), {} dead, {} pending or \
         scheduled; {flushed} digests flushed, {pending} digest buckets open",
        c.sent, c.failed, c.dead, c.pending
    ))
}

/// What a worker running until `until` would have recorded: outcomes by channel, with the
/// providers' own error texts. Each attempt happens a few seconds after the notification was
/// due (created, scheduled or retried), never before it existed.
async fn history(
    api: &Api,
    queue: &dyn NotificationStore,
    until: Timestamp,
    rng: &mut StdRng,
) -> anyhow::Result<()> {
    let data = api.notify_data();
    // When each retry was due (a claim moves `next_attempt_at` to the lease's end).
    let mut retry_due: std::collections::HashMap<i64, i64> = Default::default();
    loop {
        let claimed = queue.claim("demo-worker-1", 500, 60_000, until).await?;
        if claimed.is_empty() {
            return Ok(());
        }
        for (row, lease) in claimed {
            let due = retry_due
                .get(&row.id)
                .copied()
                .unwrap_or(row.scheduled_at.0)
                .max(row.created_at.0);
            let at = Timestamp((due + rng.gen_range(1..20) * 1_000_000).min(until.0.max(due)));
            let roll = rng.gen_range(0..100);
            let latency = rng.gen_range(40..900);
            let ok = |provider: &str, id: String| (provider.to_owned(), id);
            let outcome: Result<(String, String), (&str, &str, String, bool)> = match row.channel.as_str() {
                "in_app" => {
                    let item = data
                        .deliver_inbox(row.recipient_id, row.id, &row.notification_type, &row.title, &row.body, at)
                        .await?;
                    if rng.gen_bool(0.5) {
                        data.mark_read(row.recipient_id, &[item.id], at).await?;
                    }
                    Ok(ok("inbox", format!("inbox-{}", item.id)))
                }
                "email" => match roll {
                    0..=91 => Ok(ok("smtp", format!("<{:032x}@gurumisha.co.ke>", rng.gen::<u128>()))),
                    92..=95 => Err(("smtp", "transient", "smtp: connection failed: Connection refused (os error 111)".into(), false)),
                    _ => Err(("smtp", "permanent", "smtp: permanent error (550): 5.1.1 Recipient address rejected: User unknown in virtual mailbox table".into(), true)),
                },
                "sms" => match roll {
                    0..=87 => Ok(ok("africastalking", format!("ATXid_{:032x}", rng.gen::<u128>()))),
                    88..=92 => Err(("sms-failover", "rate_limited", "sms-failover: africastalking: HTTP 429: {\"error\":\"Too Many Requests\"}".into(), false)),
                    93..=95 => Err(("sms-failover", "transient", "sms-failover: africastalking: HTTP 502: Bad Gateway; twilio: HTTP 503, code 20503: Service Unavailable".into(), false)),
                    _ => Err(("africastalking", "permanent", "africastalking: InvalidPhoneNumber (403)".into(), true)),
                },
                _ => match roll {
                    0..=84 => Ok(ok("webpush", format!("https://fcm.googleapis.com/m/{:032x}", rng.gen::<u128>()))),
                    _ => Err(("webpush", "permanent", "webpush: subscription gone (HTTP 410: push subscription has unsubscribed or expired.)".into(), true)),
                },
            };
            match outcome {
                Ok((provider, id)) => {
                    queue
                        .complete(lease, &provider, Some(&id), latency, at)
                        .await?;
                }
                Err((provider, class, error, permanent)) => {
                    let next = if permanent {
                        NextStep::Dead {
                            reason: format!("permanent error, not retried: {error}"),
                        }
                    } else {
                        let next = at.0 + rng.gen_range(5..90) * MIN_US;
                        retry_due.insert(row.id, next);
                        NextStep::Retry {
                            at: Timestamp(next),
                        }
                    };
                    let attempt = Attempt {
                        at,
                        provider: provider.into(),
                        outcome: class.into(),
                        error: Some(error),
                        latency_ms: latency,
                    };
                    queue.fail(lease, attempt, next, at).await?;
                }
            }
        }
    }
}
