//! The queue's benchmarks for `gurumisha-bench` (JSON lines like the others):
//!
//! - `queue_throughput`: N rows through two real workers (claim, send, complete) with the
//!   `NoopProvider`, so the figure is the queue's own cost; `enqueue_per_sec` is the bulk
//!   enqueue before it.
//! - `queue_pickup`: a worker waiting for work while rows arrive one at a time at a steady
//!   300/s; latency from the start of each enqueue to the worker handing the row to the
//!   provider (LISTEN/NOTIFY on PostgreSQL, the store's wake-up on SQLite; the poll interval is
//!   set to 1 s so polling cannot be what is measured).
//! - `smtp_throughput`: pooled SMTP sends to a local sink (`gurumisha_providers::bench`).

use async_trait::async_trait;
use gurumisha_api::Api;
use gurumisha_core::domain::{Email, PhoneE164, Role};
use gurumisha_core::platform::NewUser;
use gurumisha_core::queue::NewNotification;
use gurumisha_core::Timestamp;
use gurumisha_notifier::{CancellationToken, Providers, Worker, WorkerConfig};
use gurumisha_notify::clock::SystemClock;
use gurumisha_notify::Channel;
use gurumisha_providers::{Delivery, DeliveryError, OutboundMessage, Provider};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const USERS: usize = 200;

fn emit(v: serde_json::Value) {
    println!("{v}");
}

fn percentiles(mut xs: Vec<Duration>) -> (f64, f64, f64) {
    xs.sort();
    let at = |p: f64| xs[((xs.len() as f64 * p) as usize).min(xs.len() - 1)].as_secs_f64() * 1000.0;
    (at(0.50), at(0.95), at(0.99))
}

async fn users(api: &Api) -> anyhow::Result<Vec<i64>> {
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let rows = (0..USERS)
        .map(|i| NewUser {
            username: format!("qbench-{}-{i}", &tag[..8]),
            first_name: "Bench".into(),
            last_name: format!("User {i}"),
            email: Email::parse(&format!("qbench{i}@example.co.ke")).expect("valid"),
            phone: PhoneE164::parse(&format!("+2547100{i:05}")).ok(),
            role: Role::Customer,
            is_staff: false,
            is_active: true,
            date_joined: Timestamp::now(),
            time_zone: "Africa/Nairobi".into(),
            password_hash: "!".into(),
        })
        .collect();
    Ok(api.store().insert_users(rows).await?)
}

fn row(key: String, recipient_id: i64) -> NewNotification {
    NewNotification {
        idempotency_key: key,
        recipient_id,
        channel: "email".into(),
        notification_type: "orders".into(),
        template_name: None,
        template_version: None,
        title: "Order ORD-10457: Shipped".into(),
        body: "Your order ORD-10457 for the 2019 Toyota Harrier is now Shipped.".into(),
        html_body: None,
        context: json!({}),
        priority: 3,
        scheduled_at: Timestamp::now(),
        created_at: Timestamp::now(),
        max_retries: 3,
    }
}

fn worker(api: &Api, providers: Providers, config: WorkerConfig) -> anyhow::Result<Worker> {
    Ok(Worker::new(
        api.queue_store().clone(),
        api.notify_data().clone(),
        providers,
        Arc::new(SystemClock),
        config,
    )?)
}

pub async fn run(api: &Api, backend: &str, rows: usize) -> anyhow::Result<()> {
    let ids = users(api).await?;
    throughput(api, backend, rows, &ids).await?;
    pickup(api, backend, &ids).await?;
    let r = gurumisha_providers::bench::smtp_throughput(5_000, 32, 32).await?;
    emit(
        json!({"bench": "smtp_throughput", "backend": "smtp_sink", "rows": r.messages,
                "failed": r.failed, "concurrency": r.concurrency, "per_sec": r.per_second.round()}),
    );
    Ok(())
}

async fn throughput(api: &Api, backend: &str, n: usize, ids: &[i64]) -> anyhow::Result<()> {
    let run = uuid::Uuid::new_v4().simple().to_string();
    let t = Instant::now();
    let mut i = 0;
    while i < n {
        let k = 5_000.min(n - i);
        let batch = (i..i + k)
            .map(|j| row(format!("tp-{run}-{j}"), ids[j % ids.len()]))
            .collect();
        api.queue_store().enqueue(batch).await?;
        i += k;
    }
    let enqueue = n as f64 / t.elapsed().as_secs_f64();
    let workers = 2;
    let config = WorkerConfig {
        batch_size: 500,
        concurrency: 256,
        ..WorkerConfig::default()
    };
    let pool: Vec<Worker> = (0..workers)
        .map(|_| worker(api, Providers::noop(), config.clone()))
        .collect::<anyhow::Result<_>>()?;
    let t = Instant::now();
    let reports = futures_util::future::try_join_all(pool.iter().map(|w| w.drain())).await?;
    let secs = t.elapsed().as_secs_f64();
    let sent: u64 = reports.iter().map(|r| r.sent).sum();
    anyhow::ensure!(sent as usize == n, "sent {sent} of {n}: {reports:?}");
    emit(
        json!({"bench": "queue_throughput", "backend": backend, "rows": n, "workers": workers,
                "per_sec": (n as f64 / secs).round(), "enqueue_per_sec": enqueue.round(), "secs": secs}),
    );
    Ok(())
}

/// Records, per idempotency key, how long after its enqueue began the worker sent it.
#[derive(Default)]
struct Probe {
    started: Mutex<HashMap<String, Instant>>,
    waited: Mutex<Vec<Duration>>,
}

#[async_trait]
impl Provider for Probe {
    fn name(&self) -> &str {
        "probe"
    }

    fn channel(&self) -> Channel {
        Channel::Email
    }

    async fn send(&self, msg: &OutboundMessage) -> Result<Delivery, DeliveryError> {
        let now = Instant::now();
        if let Some(t) = self.started.lock().unwrap().get(&msg.idempotency_key) {
            self.waited.lock().unwrap().push(now - *t);
        }
        Ok(Delivery {
            provider: "probe".into(),
            provider_message_id: msg.idempotency_key.clone(),
            status_text: "ok".into(),
            latency: Duration::ZERO,
        })
    }
}

async fn pickup(api: &Api, backend: &str, ids: &[i64]) -> anyhow::Result<()> {
    let (rate, secs) = (300u32, 10u32);
    let probe = Arc::new(Probe::default());
    let providers = Providers {
        email: Some(probe.clone()),
        ..Providers::default()
    };
    let config = WorkerConfig {
        poll_interval: Duration::from_secs(1),
        ..WorkerConfig::default()
    };
    let w = worker(api, providers, config)?;
    let stop = CancellationToken::new();
    let running = tokio::spawn({
        let stop = stop.clone();
        async move { w.run(stop).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let run = uuid::Uuid::new_v4().simple().to_string();
    let mut tick = tokio::time::interval(Duration::from_secs(1) / rate);
    let n = (rate * secs) as usize;
    for i in 0..n {
        tick.tick().await;
        let key = format!("pk-{run}-{i}");
        probe
            .started
            .lock()
            .unwrap()
            .insert(key.clone(), Instant::now());
        api.queue_store()
            .enqueue(vec![row(key, ids[i % ids.len()])])
            .await?;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while probe.waited.lock().unwrap().len() < n && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    running.await??;
    let waited = probe.waited.lock().unwrap().clone();
    anyhow::ensure!(waited.len() == n, "picked up {} of {n}", waited.len());
    let (p50, p95, p99) = percentiles(waited);
    emit(
        json!({"bench": "queue_pickup", "backend": backend, "rows": n, "rate_per_sec": rate,
                "p50_ms": p50, "p95_ms": p95, "p99_ms": p99}),
    );
    Ok(())
}
