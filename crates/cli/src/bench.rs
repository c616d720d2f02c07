//! `gurumisha-bench`: speed, measured by a program that prints one JSON object per line.
//!
//! cargo run --release --bin gurumisha-bench -- --backend sqlite|postgres [--rows N] [--database-url URL]
//!
//! For PostgreSQL without a URL it starts the same throwaway cluster the tests use.
//! `--only queue` runs just the notification queue's benchmarks (`bench_queue.rs`), `--only
//! ingest` just `ingest_batch`, `--only verify` just `verify` and `--only overview` just
//! `overview` over the rows already in `--database-url` (signed with `--signing-key-file`; for
//! repeating one measurement).

mod bench_queue;

use clap::Parser;
use gurumisha_api::types::{ActivityQuery, VerifyQuery};
use gurumisha_api::{Api, Config};
use gurumisha_core::domain::*;
use gurumisha_core::event::{FieldChange, NewActivity, NewAudit, RequestContext};
use gurumisha_core::sanitize::Limits;
use gurumisha_core::service::{ModelChange, Recorder};
use gurumisha_core::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Args {
    #[arg(long, value_parser = ["sqlite", "postgres"])]
    backend: String,
    #[arg(long, default_value_t = 1_000_000)]
    rows: usize,
    #[arg(long)]
    database_url: Option<String>,
    /// `queue`: only the notification queue's benchmarks; `ingest`: only `ingest_batch`;
    /// `verify` / `overview`: only that one, over the rows already in the database.
    #[arg(long, value_parser = ["all", "queue", "ingest", "verify", "overview"], default_value = "all")]
    only: String,
    /// The checkpoint signing key (created when missing); default: one in a scratch directory.
    #[arg(long)]
    signing_key_file: Option<PathBuf>,
    /// Rows for queue_throughput.
    #[arg(long, default_value_t = 50_000)]
    queue_rows: usize,
}

const WORDS: &[&str] = &[
    "toyota", "harrier", "subaru", "forester", "mazda", "demio", "nissan", "note", "honda",
    "vezel", "prado", "fielder", "outback", "axio", "juke", "tiguan",
];
const USERS: i64 = 200;
const DAY: i64 = 86_400_000_000;

fn emit(v: serde_json::Value) {
    println!("{v}");
}

fn percentiles(mut xs: Vec<Duration>) -> (f64, f64, f64) {
    xs.sort();
    let at = |p: f64| xs[((xs.len() as f64 * p) as usize).min(xs.len() - 1)].as_secs_f64() * 1000.0;
    (at(0.50), at(0.95), at(0.99))
}

fn activity(rng: &mut StdRng, at: i64) -> NewActivity {
    let user = rng.gen_range(1..=USERS);
    let (w1, w2) = (
        WORDS[rng.gen_range(0..WORDS.len())],
        WORDS[rng.gen_range(0..WORDS.len())],
    );
    let mut a = NewActivity::new(
        Some(user),
        Action::parse(["car_view", "page_view", "search", "login"][rng.gen_range(0..4)]).unwrap(),
        format!("Viewed {w1} {w2} listing {}", rng.gen_range(0..100_000)),
    );
    a.timestamp = Some(Timestamp(at));
    a.context = RequestContext::parse(
        Some(&format!(
            "41.90.{}.{}",
            rng.gen_range(0..255),
            rng.gen_range(1..255)
        )),
        Some("Mozilla/5.0 (Linux; Android 13)"),
        Some(&format!("s{}", rng.gen_range(0..50_000))),
        None,
    )
    .unwrap();
    a.extra_data = json!({"path": "/cars/", "status": 200});
    a
}

struct Cluster(Option<PathBuf>);

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = Command::new(script()).arg("stop").arg(&dir).status();
        }
    }
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/pg-throwaway.sh")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let scratch = std::env::temp_dir().join(format!("gurumisha-bench-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let mut cluster = Cluster(None);
    let url = match (&args.database_url, args.backend.as_str()) {
        (Some(u), _) => u.clone(),
        (None, "sqlite") => format!("sqlite://{}", scratch.join("bench.sqlite3").display()),
        (None, _) => {
            let dir = scratch.join("pg");
            let out = Command::new(script()).arg("start").arg(&dir).output()?;
            anyhow::ensure!(
                out.status.success(),
                "starting PostgreSQL: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            cluster.0 = Some(dir);
            String::from_utf8(out.stdout)?.trim().to_owned()
        }
    };
    let api = Api::open_with(Config {
        database_url: Some(url),
        signing_key_file: args
            .signing_key_file
            .clone()
            .unwrap_or_else(|| scratch.join("key")),
        checkpoint_every: 1000,
        limits: Limits::default(),
        session_idle: gurumisha_api::config::SESSION_IDLE,
    })
    .await
    .map_err(|e| anyhow::anyhow!(e.message))?;
    let result = match args.only.as_str() {
        "queue" => Ok(()),
        "verify" => verify(&args.backend, &api).await,
        "overview" => overview(&args.backend, &api).await,
        _ => run(&args, &api).await,
    };
    let result = match result {
        Ok(()) if ["ingest", "verify", "overview"].contains(&args.only.as_str()) => Ok(()),
        Ok(()) => bench_queue::run(&api, &args.backend, args.queue_rows).await,
        e => e,
    };
    drop(api);
    drop(cluster);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

async fn run(args: &Args, api: &Api) -> anyhow::Result<()> {
    let (backend, n) = (args.backend.as_str(), args.rows);
    let rec: &Recorder = api.recorder();
    let mut rng = StdRng::seed_from_u64(7);
    let now = Timestamp::now().0;
    let start = now - 90 * DAY;

    // ingest_batch: the bulk path, time-ordered rows over 90 days.
    // The rows are made before the clock starts: the benchmark measures the store's bulk path
    // (validation, sanitizing, writing, indexing), not this program's random-data generator.
    let step = (90 * DAY) / n.max(1) as i64;
    let t = Instant::now();
    let mut batches = Vec::new();
    let mut made = 0;
    while made < n {
        let k = 50_000.min(n - made);
        batches.push(
            (0..k)
                .map(|i| activity(&mut rng, start + (made + i) as i64 * step))
                .collect::<Vec<_>>(),
        );
        made += k;
    }
    let gen_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for batch in batches {
        rec.log_activities(batch).await?;
    }
    let secs = t.elapsed().as_secs_f64();
    emit(
        json!({"bench": "ingest_batch", "backend": backend, "rows": n, "per_sec": (n as f64 / secs).round(), "secs": secs, "generate_secs": gen_secs}),
    );
    if args.only == "ingest" {
        return Ok(());
    }

    // ingest_single: 64 concurrent callers, each call durable on return.
    let single = (n / 10).clamp(1_000, 100_000);
    let t = Instant::now();
    let mut handles = Vec::new();
    for c in 0..64 {
        let rec = rec.clone();
        let per = single / 64;
        handles.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(c);
            let mut lat = Vec::with_capacity(per);
            for _ in 0..per {
                let a = activity(&mut rng, Timestamp::now().0);
                let t = Instant::now();
                rec.log_activity(a).await.expect("single insert");
                lat.push(t.elapsed());
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for h in handles {
        lat.extend(h.await?);
    }
    let secs = t.elapsed().as_secs_f64();
    let (p50, p95, p99) = percentiles(lat.clone());
    emit(
        json!({"bench": "ingest_single", "backend": backend, "rows": lat.len(), "callers": 64, "per_sec": (lat.len() as f64 / secs).round(), "p50_ms": p50, "p95_ms": p95, "p99_ms": p99}),
    );

    // audit_change: chained change sets of three fields through the bulk path.
    let t = Instant::now();
    let mut written = 0;
    while written < n {
        let sets = (3_000.min(n - written) / 3).max(1);
        let mut batch: Vec<NewAudit> = Vec::with_capacity(sets * 3);
        for i in 0..sets {
            let change = ModelChange {
                timestamp: Some(Timestamp(start + (written + i * 3) as i64 * step)),
                user_id: Some(rng.gen_range(1..=USERS)),
                table_name: TableName::parse("cars")?,
                record_id: RecordId::from(rng.gen_range(1..5_000)),
                action_type: AuditActionType::parse("update")?,
                changes: vec![
                    FieldChange {
                        field: FieldName::parse("price_kes")?,
                        old: json!(2_000_000),
                        new: json!(1_950_000),
                    },
                    FieldChange {
                        field: FieldName::parse("status")?,
                        old: json!("available"),
                        new: json!("reserved"),
                    },
                    FieldChange {
                        field: FieldName::parse("mileage_km")?,
                        old: json!(84_000),
                        new: json!(84_120),
                    },
                ],
                severity: None,
                description: None,
                context: RequestContext::default(),
            };
            batch.extend(
                Recorder::model_change_entries(change)
                    .map(|(_, e)| e)
                    .unwrap_or_default(),
            );
        }
        written += batch.len();
        rec.log_audits(batch).await?;
    }
    let secs = t.elapsed().as_secs_f64();
    emit(
        json!({"bench": "audit_change", "backend": backend, "rows": written, "per_sec": (written as f64 / secs).round()}),
    );

    // The load is done: bring statistics and visibility information up to date (VACUUM
    // (ANALYZE) on PostgreSQL), as the database's own maintenance would shortly, so the read
    // benchmarks below measure queries, not background maintenance competing with them.
    let t = Instant::now();
    api.store().optimize().await?;
    emit(
        json!({"bench": "optimize", "backend": backend, "rows": n, "secs": t.elapsed().as_secs_f64()}),
    );

    // query_first_page: one user, last 30 days, first page of 100.
    let from = Timestamp(now - 30 * DAY).to_rfc3339();
    let mut lat = Vec::new();
    for _ in 0..500 {
        let q = ActivityQuery {
            user_id: Some(rng.gen_range(1..=USERS)),
            from: Some(from.clone()),
            limit: Some(100),
            ..Default::default()
        };
        let t = Instant::now();
        let p = api
            .list_activity(q)
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
        lat.push(t.elapsed());
        anyhow::ensure!(!p.items.is_empty(), "first page is empty");
    }
    let (p50, p95, p99) = percentiles(lat);
    emit(
        json!({"bench": "query_first_page", "backend": backend, "rows": n, "p50_ms": p50, "p95_ms": p95, "p99_ms": p99}),
    );

    // query_deep_page: walk about 100k rows in by keyset, then time pages from there.
    let mut cursor = None;
    let mut depth = 0;
    let mut cursors = Vec::new();
    while depth < 100_000.min(n) {
        let p = api
            .list_activity(ActivityQuery {
                cursor: cursor.clone(),
                limit: Some(1000),
                ..Default::default()
            })
            .await
            .map_err(|e| anyhow::anyhow!(e.message))?;
        depth += p.items.len();
        cursor = p.next_cursor;
        if depth >= 90_000.min(n / 2) {
            cursors.extend(cursor.clone());
        }
        if cursor.is_none() {
            break;
        }
    }
    let mut lat = Vec::new();
    for i in 0..500 {
        let c = cursors.get(i % cursors.len().max(1)).cloned();
        let t = Instant::now();
        api.list_activity(ActivityQuery {
            cursor: c,
            limit: Some(100),
            ..Default::default()
        })
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
        lat.push(t.elapsed());
    }
    let (p50, p95, p99) = percentiles(lat);
    emit(
        json!({"bench": "query_deep_page", "backend": backend, "rows": n, "depth": depth, "p50_ms": p50, "p95_ms": p95, "p99_ms": p99}),
    );

    // search_page: free text, two word prefixes, first page of 100.
    let mut lat = Vec::new();
    for _ in 0..300 {
        let text = format!(
            "{} {}",
            WORDS[rng.gen_range(0..WORDS.len())],
            &WORDS[rng.gen_range(0..WORDS.len())][..3]
        );
        let t = Instant::now();
        api.list_activity(ActivityQuery {
            text: Some(text),
            limit: Some(100),
            ..Default::default()
        })
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
        lat.push(t.elapsed());
    }
    let (p50, p95, p99) = percentiles(lat);
    emit(
        json!({"bench": "search_page", "backend": backend, "rows": n, "p50_ms": p50, "p95_ms": p95, "p99_ms": p99}),
    );

    overview(backend, api).await?;
    verify(backend, api).await
}

/// overview: the manager's charts (events per day, top actions, audit severities this week,
/// delivery by channel, queue depth) over everything loaded, as a manager signed in to the
/// console asks for them.
async fn overview(backend: &str, api: &Api) -> anyhow::Result<()> {
    use gurumisha_api::types::{OverviewRequest, SignInRequest};
    let name = format!("bench-manager-{}", std::process::id());
    api.store()
        .insert_users(vec![gurumisha_core::platform::NewUser {
            username: name.clone(),
            first_name: "Bench".into(),
            last_name: "Manager".into(),
            email: Email::parse(&format!("{name}@example.co.ke"))?,
            phone: None,
            role: Role::Manager,
            is_staff: true,
            is_active: true,
            date_joined: Timestamp::now(),
            time_zone: "Africa/Nairobi".into(),
            password_hash: gurumisha_api::password::make(
                "bench",
                &gurumisha_api::password::new_salt(),
                1_000,
            ),
        }])
        .await?;
    let signed = api
        .sign_in(
            SignInRequest {
                username: name,
                password: "bench".into(),
            },
            RequestContext::default(),
        )
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let console = api
        .console(Some(&signed.token))
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let rows = api.store().estimate_activity().await?;
    for days in [30, 90] {
        let mut lat = Vec::new();
        let mut events = 0;
        for _ in 0..20 {
            let t = Instant::now();
            let o = console
                .overview(OverviewRequest { days: Some(days) })
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
            lat.push(t.elapsed());
            events = o.events_per_day.iter().map(|d| d.count).sum::<i64>();
        }
        let (p50, p95, p99) = percentiles(lat);
        emit(
            json!({"bench": "overview", "backend": backend, "rows": rows, "days": days, "events_charted": events, "p50_ms": p50, "p95_ms": p95, "p99_ms": p99}),
        );
    }
    Ok(())
}

/// verify: the whole chain and its checkpoints.
async fn verify(backend: &str, api: &Api) -> anyhow::Result<()> {
    let t = Instant::now();
    let report = api
        .verify_audit(VerifyQuery::default())
        .await
        .map_err(|e| anyhow::anyhow!(e.message))?;
    let secs = t.elapsed().as_secs_f64();
    anyhow::ensure!(report.ok, "verification failed: {:?}", report.problem);
    emit(
        json!({"bench": "verify", "backend": backend, "rows": report.rows_checked, "checkpoints": report.checkpoints_checked, "per_sec": (report.rows_checked as f64 / secs).round()}),
    );
    Ok(())
}
