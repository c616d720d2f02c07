//! The notification commands: `process-notifications` (drain what is due, or run as a worker
//! until SIGTERM/SIGINT), `create-notification-templates` and `notify` (send one by hand).
//! Each parses flags, calls the engine in `gurumisha-notifier`, prints.

use anyhow::Context;
use clap::Args;
use gurumisha_api::Api;
use gurumisha_core::queue::{QueueFilter, QueueStatus, Target};
use gurumisha_core::Timestamp;
use gurumisha_notifier::templates::install_defaults;
use gurumisha_notifier::{
    CancellationToken, Notifier, NotifierSettings, ProviderSettings, Providers, SendRequest,
    Worker, WorkerConfig, WorkerReport, WorkerSettings,
};
use gurumisha_notify::clock::SystemClock;
use gurumisha_notify::preferences::DecisionKind;
use gurumisha_notify::{Channel, NotificationType, Priority, TemplateName};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args)]
pub struct ProcessArgs {
    /// First move failed notifications back to pending, due now (instead of at their retry time).
    #[arg(long)]
    retry_failed: bool,
    /// Delete sent and cancelled notifications older than --cleanup-days.
    #[arg(long)]
    cleanup: bool,
    #[arg(long, default_value_t = 30)]
    cleanup_days: i64,
    /// Keep running until SIGTERM or SIGINT (then finish the sends in flight and exit).
    #[arg(long)]
    worker: bool,
    /// Rows claimed at a time.
    #[arg(long, default_value_t = 50)]
    batch_size: u32,
    /// Sends in flight at a time.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// The most one send may take before it counts as a transient failure.
    #[arg(long, default_value_t = 30)]
    send_timeout_secs: u64,
    /// Lease on claimed rows (default: long enough for a whole batch, see the worker docs).
    #[arg(long)]
    lease_secs: Option<u64>,
    /// How often an idle worker looks for work when nothing wakes it.
    #[arg(long, default_value_t = 1000)]
    poll_ms: u64,
}

/// One line for a person: store failures go through the API's wording (no raw database text).
fn engine_err(e: gurumisha_notifier::NotifierError) -> anyhow::Error {
    match e {
        gurumisha_notifier::NotifierError::Store(s) => store_err(s),
        other => anyhow::anyhow!(other.to_string()),
    }
}

fn store_err(e: gurumisha_core::StoreError) -> anyhow::Error {
    anyhow::anyhow!(gurumisha_api::ApiError::from(e).message)
}

fn print_report(r: &WorkerReport) {
    println!(
        "processed: claimed {}, sent {}, retrying {}, dead {}, lease lost {}, store errors {}; \
         digests flushed {}",
        r.claimed, r.sent, r.retrying, r.dead, r.lease_lost, r.store_errors, r.digests_flushed
    );
}

pub async fn process(url: Option<String>, a: ProcessArgs) -> anyhow::Result<ExitCode> {
    let api = crate::cmd::open(url).await?;
    let settings = ProviderSettings::from_env().map_err(engine_err)?;
    let providers = Providers::from_settings(&settings).map_err(engine_err)?;
    let worker_settings = WorkerSettings::from_env().map_err(engine_err)?;
    let config = WorkerConfig {
        batch_size: a.batch_size,
        concurrency: a.concurrency,
        send_timeout: Duration::from_secs(a.send_timeout_secs),
        lease: a.lease_secs.map(Duration::from_secs),
        poll_interval: Duration::from_millis(a.poll_ms),
        ..WorkerConfig::default()
    }
    .with_settings(&worker_settings);
    let queue = api.queue_store().clone();
    let worker = Worker::new(
        queue.clone(),
        api.notify_data().clone(),
        providers.clone(),
        Arc::new(SystemClock),
        config,
    )
    .map_err(engine_err)?;
    tracing::info!(providers = %providers.describe(), owner = %worker.config().owner, "worker ready");

    if a.retry_failed {
        let filter = QueueFilter {
            status: Some(QueueStatus::Failed),
            ..QueueFilter::default()
        };
        let n = queue
            .retry(Target::Filter(filter), false, Timestamp::now())
            .await
            .map_err(store_err)?;
        println!("moved {n} failed notifications back to pending");
    }
    let report = if a.worker {
        let stop = CancellationToken::new();
        let token = stop.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            eprintln!("stopping: finishing the sends in flight");
            token.cancel();
        });
        println!(
            "worker {} running ({}); SIGTERM or Ctrl-C stops it",
            worker.config().owner,
            providers.describe()
        );
        worker.run(stop).await.map_err(engine_err)?
    } else {
        worker.drain().await.map_err(engine_err)?
    };
    print_report(&report);
    if a.cleanup {
        let before = Timestamp::now().minus_days(a.cleanup_days);
        let n = queue.cleanup(before).await.map_err(store_err)?;
        println!(
            "cleaned up {n} sent or cancelled notifications older than {} days",
            a.cleanup_days
        );
    }
    let c = queue.counts().await.map_err(store_err)?;
    println!(
        "queue: pending {}, processing {}, sent {}, failed {}, dead {}, cancelled {}",
        c.pending, c.processing, c.sent, c.failed, c.dead, c.cancelled
    );
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

pub async fn create_templates(url: Option<String>) -> anyhow::Result<ExitCode> {
    let api = crate::cmd::open(url).await?;
    let r = install_defaults(&**api.notify_data(), Timestamp::now())
        .await
        .map_err(engine_err)?;
    println!(
        "templates: {} in the default set, {} new versions stored, {} unchanged",
        r.templates, r.created, r.unchanged
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct NotifyArgs {
    /// The recipient: a user id or a username.
    #[arg(long)]
    user: String,
    /// orders, imports, security, marketing or system.
    #[arg(long = "type")]
    notification_type: String,
    /// email, sms, push or in_app; repeat or separate with commas.
    #[arg(long = "channel", required = true, value_delimiter = ',')]
    channels: Vec<String>,
    #[arg(long, default_value = "")]
    title: String,
    #[arg(long, default_value = "")]
    message: String,
    /// Render this template's current version for each channel that has one.
    #[arg(long)]
    template: Option<String>,
    /// Template variables as a JSON object.
    #[arg(long)]
    context: Option<String>,
    /// Idempotency key: the same key again sends nothing new.
    #[arg(long)]
    key: Option<String>,
    /// 1 (highest) to 5.
    #[arg(long)]
    priority: Option<String>,
    /// Not before this time (RFC 3339).
    #[arg(long)]
    at: Option<String>,
    #[arg(long)]
    json: bool,
}

async fn user_id(api: &Api, user: &str) -> anyhow::Result<i64> {
    if let Ok(id) = user.trim().parse::<i64>() {
        return Ok(id);
    }
    let u = api
        .store()
        .get_user_by_username(user.trim())
        .await
        .map_err(store_err)?
        .with_context(|| format!("no user named {user:?}"))?;
    Ok(u.id)
}

pub async fn notify(url: Option<String>, a: NotifyArgs) -> anyhow::Result<ExitCode> {
    let api = crate::cmd::open(url).await?;
    let ty = NotificationType::parse(&a.notification_type)?;
    let channels = a
        .channels
        .iter()
        .map(|c| Channel::parse(c))
        .collect::<Result<Vec<_>, _>>()?;
    let mut req = SendRequest::new(user_id(&api, &a.user).await?, ty, &channels);
    req.title = a.title;
    req.message = a.message;
    req.template_name = a.template.as_deref().map(TemplateName::parse).transpose()?;
    if let Some(ctx) = a.context {
        req.context = serde_json::from_str(&ctx).context("--context is not JSON")?;
    }
    req.idempotency_key = a.key;
    req.priority = a.priority.as_deref().map(Priority::parse).transpose()?;
    req.scheduled_at = a.at.as_deref().map(Timestamp::parse).transpose()?;
    let settings = NotifierSettings {
        site_url: WorkerSettings::from_env().map_err(engine_err)?.site_url,
        ..NotifierSettings::default()
    };
    let notifier = Notifier::new(
        api.queue_store().clone(),
        api.notify_data().clone(),
        Arc::new(SystemClock),
        settings,
    );
    let out = notifier.send_notification(req).await.map_err(engine_err)?;
    if a.json {
        println!("{}", serde_json::to_string(&out)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "send key {}{}",
        out.send_key,
        if out.replayed {
            " (seen before: nothing new was queued)"
        } else {
            ""
        }
    );
    for c in &out.channels {
        let kind = match c.decision {
            DecisionKind::Send => "send",
            DecisionKind::Skip => "skip",
            DecisionKind::Defer => "defer",
            DecisionKind::Digest => "digest",
        };
        let mut line = format!("{:7} {:6} {}", c.channel.as_str(), kind, c.reason);
        if let Some(id) = c.notification_id {
            line.push_str(&format!(" [notification {id}]"));
        }
        if let Some(b) = c.digest_bucket_id {
            line.push_str(&format!(" [digest bucket {b}]"));
        }
        if let Some(t) = c.until {
            line.push_str(&format!(" [until {}]", t.to_rfc3339()));
        }
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}
