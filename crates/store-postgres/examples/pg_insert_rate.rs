//! Insert and read rates of the PostgreSQL store, as JSON lines on stdout.
//!
//!   cargo run --release -p gurumisha-store-postgres --example pg_insert_rate -- ADMIN_URL [ROWS]
//!
//! ADMIN_URL is a server URL such as the one `scripts/pg-throwaway.sh start DIR` prints; the
//! program creates a database of its own there and drops it at the end.

use gurumisha_core::domain::{Outcome, Severity};
use gurumisha_core::event::{ActivityRow, AuditContent};
use gurumisha_core::query::{ActivityFilter, Cursor, PageRequest};
use gurumisha_core::store::Store;
use gurumisha_core::Timestamp;
use gurumisha_store_postgres::PgStore;
use sqlx::Connection;
use std::time::Instant;

fn activity(i: i64, base: i64) -> ActivityRow {
    ActivityRow {
        timestamp: Timestamp(base + i * 1_000),
        user_id: Some(i % 5_000 + 1),
        action: ["login", "car_view", "search", "order_create"][(i % 4) as usize].into(),
        description: format!(
            "Viewed Toyota Harrier 2018 listing KDA{:06} in Nairobi",
            i % 1_000_000
        ),
        ip_address: Some(format!("10.{}.{}.{}", i % 7, (i / 7) % 250, i % 250)),
        user_agent: Some("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120".into()),
        session_id: Some(format!("sess-{}", i % 20_000)),
        request_id: Some(format!("req-{i}")),
        object_type: Some("car".into()),
        object_id: Some((i % 50_000).to_string()),
        object_display: Some("Toyota Harrier 2018".into()),
        extra_data: format!("{{\"page\":{},\"ref\":\"search\"}}", i % 40),
        outcome: Outcome::Success,
        content_flags: vec![],
    }
}

fn audit(i: i64, base: i64) -> AuditContent {
    AuditContent {
        timestamp: Timestamp(base + i * 1_000),
        user_id: Some(i % 500 + 1),
        action_type: "update".into(),
        table_name: "cars".into(),
        record_id: Some((i % 50_000).to_string()),
        field_name: Some("price_kes".into()),
        old_value: Some("3500000".into()),
        new_value: Some("3400000".into()),
        severity: Severity::Medium,
        description: format!("Price of car {} lowered", i % 50_000),
        ip_address: Some("192.168.0.10".into()),
        user_agent: None,
        change_set_id: Some(format!("cs-{i}")),
        content_flags: vec![],
    }
}

fn line(v: serde_json::Value) {
    use std::io::Write;
    // A closed pipe (`| head`) must not stop the run before its database is dropped.
    let _ = writeln!(std::io::stdout(), "{v}");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let admin = args
        .next()
        .ok_or("usage: pg_insert_rate ADMIN_URL [ROWS]")?;
    let total: i64 = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(200_000);
    let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    let url = match admin.rfind('/') {
        Some(i) if i > admin.find("://").map_or(0, |j| j + 2) => format!("{}/{name}", &admin[..i]),
        _ => format!("{admin}/{name}"),
    };
    let result = run(&url, total).await;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    result
}

async fn run(url: &str, total: i64) -> Result<(), Box<dyn std::error::Error>> {
    let store = PgStore::connect(url).await?;
    store.migrate().await?;
    let base = Timestamp::now().micros() - total * 1_000;

    // One writer, 5,000-row transactions (the recorder's bulk path).
    let t = Instant::now();
    let mut i = 0;
    while i < total {
        let n = 5_000.min(total - i);
        store
            .insert_activities((i..i + n).map(|k| activity(k, base)).collect())
            .await?;
        i += n;
    }
    let s = t.elapsed().as_secs_f64();
    line(
        serde_json::json!({"bench": "insert_activities", "writers": 1, "batch": 5000, "rows": total, "seconds": s, "rows_per_s": total as f64 / s}),
    );

    // Four writers at once.
    let t = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..4i64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut i = 0;
            while i < total / 4 {
                let n = 5_000.min(total / 4 - i);
                let start = total + w * total + i;
                store
                    .insert_activities((start..start + n).map(|k| activity(k, base)).collect())
                    .await?;
                i += n;
            }
            Ok::<_, gurumisha_core::StoreError>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let s = t.elapsed().as_secs_f64();
    line(
        serde_json::json!({"bench": "insert_activities", "writers": 4, "batch": 5000, "rows": total, "seconds": s, "rows_per_s": total as f64 / s}),
    );

    // Single-row commits: the cost of one durable transaction (fsync on).
    let t = Instant::now();
    for k in 0..200 {
        store
            .insert_activities(vec![activity(10 * total + k, base)])
            .await?;
    }
    let s = t.elapsed().as_secs_f64();
    line(
        serde_json::json!({"bench": "insert_activities", "writers": 1, "batch": 1, "rows": 200, "seconds": s, "rows_per_s": 200.0 / s}),
    );

    // Audit appends, 500-row chained transactions.
    let audits = (total / 4).max(500);
    let t = Instant::now();
    let mut i = 0;
    while i < audits {
        let n = 500.min(audits - i);
        store
            .append_audit((i..i + n).map(|k| audit(k, base)).collect(), None)
            .await?;
        i += n;
    }
    let s = t.elapsed().as_secs_f64();
    line(
        serde_json::json!({"bench": "append_audit", "writers": 1, "batch": 500, "rows": audits, "seconds": s, "rows_per_s": audits as f64 / s}),
    );

    sqlx::query("ANALYZE").execute(store.pool()).await?;
    let n = store.estimate_activity().await?;
    let reads: [(&str, ActivityFilter, Option<Cursor>); 6] = [
        ("first_page", ActivityFilter::default(), None),
        (
            "deep_page",
            ActivityFilter::default(),
            Some(Cursor {
                ts: base + 1_000 * (total / 10),
                id: total / 10,
            }),
        ),
        (
            "user_filter",
            ActivityFilter {
                user_id: Some(42),
                ..Default::default()
            },
            None,
        ),
        (
            "ip_filter",
            ActivityFilter {
                ip: Some("10.3.17.99".into()),
                ..Default::default()
            },
            None,
        ),
        (
            "text_rare",
            ActivityFilter {
                text: Some("KDA000123".into()),
                ..Default::default()
            },
            None,
        ),
        (
            "text_common",
            ActivityFilter {
                text: Some("toyota harr".into()),
                ..Default::default()
            },
            None,
        ),
    ];
    for (what, f, after) in reads {
        let page = PageRequest { after, limit: 100 };
        store.list_activity(&f, &page).await?; // warm
        let t = Instant::now();
        let mut got = 0;
        for _ in 0..10 {
            got = store.list_activity(&f, &page).await?.items.len();
        }
        let ms = t.elapsed().as_secs_f64() * 100.0;
        line(
            serde_json::json!({"bench": "list_activity", "query": what, "table_rows": n, "page_rows": got, "ms_per_page": ms}),
        );
    }
    store.close().await;
    Ok(())
}
