//! Rough throughput and latency figures for the SQLite store, as JSON lines:
//! bulk `insert_activities` in 5,000-row batches, then list queries over the result.
//!
//! `cargo run -p gurumisha-store-sqlite --example sqlite_bench -- [rows] [path] [objects]`

use gurumisha_core::checkpoint::{CheckpointPolicy, CheckpointSigner};
use gurumisha_core::domain::Outcome;
use gurumisha_core::domain::Severity;
use gurumisha_core::event::ActivityRow;
use gurumisha_core::event::AuditContent;
use gurumisha_core::query::{ActivityFilter, PageRequest};
use gurumisha_core::store::Store;
use gurumisha_core::Timestamp;
use gurumisha_store_sqlite::SqliteStore;
use std::sync::Arc;
use std::time::Instant;

const WORDS: [&str; 16] = [
    "toyota", "harrier", "subaru", "forester", "mazda", "demio", "nissan", "note", "honda",
    "vezel", "prado", "fielder", "outback", "axio", "juke", "tiguan",
];
const ACTIONS: [&str; 4] = ["car_view", "page_view", "search", "login"];

/// Rows shaped like `gurumisha-bench`'s (crates/cli/src/bench.rs): 200 users, random IPs in
/// 41.90.0.0/16 and 50,000 sessions, no object, time-ordered. With `objects`, every row also
/// names one of 2,000 cars.
fn row(i: u64, t0: i64, objects: bool) -> ActivityRow {
    let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i >> 7);
    let h2 = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    let (w1, w2) = (WORDS[(h % 16) as usize], WORDS[((h >> 4) % 16) as usize]);
    let car = (h2 >> 20) % 2_000;
    ActivityRow {
        timestamp: Timestamp(t0 + i as i64 * 7_776_000), // 1M rows over 90 days
        user_id: Some(((h >> 8) % 200) as i64 + 1),
        action: ACTIONS[((h >> 16) % 4) as usize].into(),
        description: format!("Viewed {w1} {w2} listing {}", (h2 >> 8) % 100_000),
        ip_address: Some(format!(
            "41.90.{}.{}",
            (h2 >> 30) % 255,
            (h2 >> 40) % 254 + 1
        )),
        user_agent: Some("Mozilla/5.0 (Linux; Android 13)".into()),
        session_id: Some(format!("s{}", (h2 >> 48) % 50_000)),
        request_id: None,
        object_type: objects.then(|| "car".into()),
        object_id: objects.then(|| car.to_string()),
        object_display: objects.then(|| format!("{w1} {w2} #{car}")),
        extra_data: r#"{"path":"/cars/","status":200}"#.into(),
        outcome: if h.is_multiple_of(17) {
            Outcome::Failure
        } else {
            Outcome::Success
        },
        content_flags: vec![],
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let total: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let path = args
        .next()
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("gurumisha-bench-{}.db", std::process::id()))
        });
    let objects = args.next().as_deref() == Some("objects");
    let fresh = !path.exists();
    let store = Arc::new(SqliteStore::open(&path).expect("open"));
    store.migrate().await.expect("migrate");
    let t0 = 1_700_000_000_000_000;
    let existing = store.estimate_activity().await.unwrap() as u64;
    if fresh || existing < total {
        const BATCH: u64 = 5_000;
        // Only the inserts are timed, not making up the rows.
        let mut secs = 0.0;
        let mut i = existing;
        while i < total {
            let n = BATCH.min(total - i);
            let rows: Vec<ActivityRow> = (i..i + n).map(|k| row(k, t0, objects)).collect();
            let start = Instant::now();
            store.insert_activities(rows).await.expect("insert");
            secs += start.elapsed().as_secs_f64();
            i += n;
        }
        println!(
            r#"{{"bench":"insert_activities","rows":{},"batch":{BATCH},"secs":{secs:.3},"rows_per_sec":{:.0}}}"#,
            total - existing,
            (total - existing) as f64 / secs
        );
    }

    let f = ActivityFilter::default;
    let text = |t: &str| ActivityFilter {
        text: Some(t.into()),
        ..f()
    };
    let cases: Vec<(&str, ActivityFilter)> = vec![
        ("newest", f()),
        (
            "user",
            ActivityFilter {
                user_id: Some(42),
                ..f()
            },
        ),
        (
            "ip",
            ActivityFilter {
                ip: Some("41.90.7.9".into()),
                ..f()
            },
        ),
        (
            "session",
            ActivityFilter {
                session_id: Some("s4242".into()),
                ..f()
            },
        ),
        (
            "action",
            ActivityFilter {
                action: Some("search".into()),
                ..f()
            },
        ),
        (
            "object",
            ActivityFilter {
                object_type: Some("car".into()),
                object_id: Some("77".into()),
                ..f()
            },
        ),
        ("text_common", text("toyota")),
        ("text_common_prefix", text("toy harr")),
        ("text_2_chars", text("to")),
        ("text_1_digit", text("1")),
        ("text_2_digits", text("12")),
        ("text_3_digits", text("123")),
        ("text_rare", text("12345")),
        ("text_none", text("lamborghini")),
        (
            "text_common_and_user",
            ActivityFilter {
                user_id: Some(42),
                ..text("toyota")
            },
        ),
        (
            "text_rare_and_action",
            ActivityFilter {
                action: Some("login".into()),
                ..text("12345")
            },
        ),
    ];
    for (name, filter) in cases {
        let mut page = PageRequest::first(100);
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..5 {
            let start = Instant::now();
            let p = store.list_activity(&filter, &page).await.expect("list");
            times.push(start.elapsed().as_secs_f64() * 1e3);
            rows += p.items.len();
            match p.next_cursor {
                Some(c) => page = PageRequest::new(Some(&c), Some(100)).unwrap(),
                None => break,
            }
        }
        let ms: Vec<String> = times.iter().map(|t| format!("{t:.2}")).collect();
        println!(
            r#"{{"bench":"list_activity","case":"{name}","rows":{rows},"ms_per_page":[{}]}}"#,
            ms.join(",")
        );
    }

    // Single rows from 64 concurrent callers: the writer commits whatever is queued together.
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..64u64 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for k in 0..100u64 {
                let r = row(10_000_000 + c * 1000 + k, t0, objects);
                store
                    .insert_activities(vec![r])
                    .await
                    .expect("single insert");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        r#"{{"bench":"insert_single_concurrent","rows":6400,"callers":64,"secs":{secs:.3},"rows_per_sec":{:.0}}}"#,
        6400.0 / secs
    );

    // Audit: 500-row appends with a checkpoint every 1,000 rows, then 64 concurrent callers.
    let policy = Arc::new(CheckpointPolicy {
        signer: CheckpointSigner::from_seed([7; 32]),
        every: 1000,
    });
    let audit = move |n: u64| AuditContent {
        timestamp: Timestamp(t0 + n as i64),
        user_id: Some((n % 200) as i64 + 1),
        action_type: "update".into(),
        table_name: "cars".into(),
        record_id: Some((n % 2000).to_string()),
        field_name: Some("price_kes".into()),
        old_value: Some("2000000".into()),
        new_value: Some("1800000".into()),
        severity: Severity::Medium,
        description: format!("price of car {} cut", n % 2000),
        ip_address: None,
        user_agent: None,
        change_set_id: None,
        content_flags: vec![],
    };
    let start = Instant::now();
    for b in 0..100u64 {
        let rows = (b * 500..(b + 1) * 500).map(audit).collect();
        store
            .append_audit(rows, Some(&policy))
            .await
            .expect("append");
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        r#"{{"bench":"append_audit","rows":50000,"batch":500,"secs":{secs:.3},"rows_per_sec":{:.0}}}"#,
        50_000.0 / secs
    );
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..64u64 {
        let (store, policy) = (store.clone(), policy.clone());
        tasks.push(tokio::spawn(async move {
            for k in 0..50u64 {
                store
                    .append_audit(vec![audit(c * 1000 + k)], Some(&policy))
                    .await
                    .expect("append");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        r#"{{"bench":"append_audit_single_concurrent","rows":3200,"callers":64,"secs":{secs:.3},"rows_per_sec":{:.0}}}"#,
        3200.0 / secs
    );
}
