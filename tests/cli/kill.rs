//! Reliability: N SMS notifications, three `gurumisha process-notifications --worker` processes
//! on one database, one of them killed with SIGKILL again and again in the middle of its
//! batches. At the end no row is lost (each is sent or dead with a reason), every sent row
//! reached the SMS API, and a message reached it twice only if a kill fell between the two
//! deliveries (an attempt in flight at a kill, whose result died with the worker).
//!
//! N is `GURUMISHA_KILL_TEST_N` (1,000 by default, what `make test` runs; the README gives the
//! 10,000 command). SQLite always; PostgreSQL when `GURUMISHA_TEST_PG_URL` is set (required
//! with `GURUMISHA_REQUIRE_PG=1`).

use gurumisha_api::{Api, Config};
use gurumisha_core::domain::{Email, PhoneE164, Role};
use gurumisha_core::platform::NewUser;
use gurumisha_core::query::PageRequest;
use gurumisha_core::queue::{NewNotification, QueueFilter, QueueStatus};
use gurumisha_core::sanitize::Limits;
use gurumisha_core::Timestamp;
use gurumisha_testkit::sms_peers::{at_recipient_failure, ApiPeer, Scripted, AT_KEY, AT_USER};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const USERS: usize = 50;
/// Users whose number the API refuses for good, and whose number is always rate limited
/// (a 503 would, rightly, open the provider's circuit breaker for everyone).
const INVALID: usize = 13;
const FLAKY: usize = 17;
const BATCH: &str = "10";

fn phone(i: usize) -> String {
    format!("+2547000{i:05}")
}

struct Run {
    dir: PathBuf,
    url: String,
    peer_url: String,
}

impl Run {
    fn spawn(&self, n: usize) -> Child {
        let log = std::fs::File::create(self.dir.join(format!("worker-{n}.log"))).unwrap();
        Command::new(env!("CARGO_BIN_EXE_gurumisha"))
            .args([
                "--database-url",
                &self.url,
                "process-notifications",
                "--worker",
            ])
            .args([
                "--batch-size",
                BATCH,
                "--concurrency",
                "5",
                "--send-timeout-secs",
                "2",
            ])
            .args(["--lease-secs", "6", "--poll-ms", "200"])
            .env("GURUMISHA_DATA_DIR", &self.dir)
            .env("GURUMISHA_SIGNING_KEY_FILE", self.dir.join("signing.key"))
            .env("GURUMISHA_AT_USERNAME", AT_USER)
            .env("GURUMISHA_AT_API_KEY", AT_KEY)
            .env("GURUMISHA_AT_BASE_URL", &self.peer_url)
            .env("GURUMISHA_SMS_TIMEOUT_SECS", "1")
            .env("GURUMISHA_RETRY_BASE_SECS", "1")
            .env("GURUMISHA_RETRY_CAP_SECS", "2")
            .env_remove("GURUMISHA_SMTP_URL")
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("spawn a worker")
    }
}

async fn seed(api: &Api, n: usize) {
    let users: Vec<NewUser> = (0..USERS)
        .map(|i| NewUser {
            username: format!("kill{i}"),
            first_name: "Test".into(),
            last_name: format!("User {i}"),
            email: Email::parse(&format!("kill{i}@example.co.ke")).unwrap(),
            phone: Some(PhoneE164::parse(&phone(i)).unwrap()),
            role: Role::Customer,
            is_staff: false,
            is_active: true,
            date_joined: Timestamp::now(),
            time_zone: "Africa/Nairobi".into(),
            password_hash: "!".into(),
        })
        .collect();
    let ids = api.store().insert_users(users).await.unwrap();
    let now = Timestamp::now();
    let rows: Vec<NewNotification> = (0..n)
        .map(|i| NewNotification {
            idempotency_key: format!("kill-{i:05}"),
            recipient_id: ids[i % USERS],
            channel: "sms".into(),
            notification_type: "imports".into(),
            template_name: None,
            template_version: None,
            title: "Import update".into(),
            body: format!("Gurumisha test kill-{i:05}"),
            html_body: None,
            context: serde_json::json!({}),
            priority: 3,
            scheduled_at: now,
            created_at: now,
            max_retries: 3,
        })
        .collect();
    for chunk in rows.chunks(2_000) {
        api.queue_store().enqueue(chunk.to_vec()).await.unwrap();
    }
}

fn sigterm(child: &Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
}

fn scenario(label: &str, url: String, dir: &Path, n: usize) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let peer = rt.block_on(ApiPeer::africas_talking());
    peer.answer_number(
        &phone(INVALID),
        at_recipient_failure(403, "InvalidPhoneNumber"),
    );
    peer.answer_number(
        &phone(FLAKY),
        Scripted::too_many("1", r#"{"error":"Too Many Requests"}"#),
    );
    // A real API's latency keeps sends in flight long enough for kills to land among them.
    peer.set_delay(Duration::from_millis(25));
    let api = rt
        .block_on(Api::open_with(Config {
            database_url: Some(url.clone()),
            signing_key_file: dir.join("signing.key"),
            checkpoint_every: 1000,
            limits: Limits::default(),
            session_idle: gurumisha_api::config::SESSION_IDLE,
        }))
        .unwrap_or_else(|e| panic!("{label}: {}", e.message));
    rt.block_on(seed(&api, n));
    let run = Run {
        dir: dir.to_owned(),
        url,
        peer_url: peer.base_url.clone(),
    };
    let mut workers: Vec<Child> = (0..3).map(|i| run.spawn(i)).collect();
    let mut kills: Vec<Instant> = Vec::new();
    let mut kills_mid_work = 0;
    let max_kills = (n / 150).max(6);
    let deadline = Instant::now() + Duration::from_secs(120 + n as u64 / 40);
    let mut spawned = 3;
    loop {
        let c = rt.block_on(api.queue_store().counts()).unwrap();
        if c.pending + c.processing + c.failed == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{label}: not done in time: {c:?}"
        );
        if kills.len() < max_kills && c.sent > 0 {
            // Kill worker 0 in the middle of whatever it is doing, then start a new one.
            if !kills.is_empty() {
                std::thread::sleep(Duration::from_millis(
                    150 + (kills.len() as u64 * 137) % 300,
                ));
            }
            workers[0].kill().unwrap();
            kills.push(Instant::now());
            if c.pending > 0 {
                kills_mid_work += 1;
            }
            workers[0].wait().unwrap();
            workers[0] = run.spawn(spawned);
            spawned += 1;
        } else {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    for w in &workers {
        sigterm(w);
    }
    for w in workers {
        let out = w.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{label}: a worker did not stop cleanly"
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("processed: claimed"));
    }

    // Every row is final with a reason; nothing else.
    let c = rt.block_on(api.queue_store().counts()).unwrap();
    assert_eq!(c.sent + c.dead, n as i64, "{label}: {c:?}");
    let expected_dead = (0..n)
        .filter(|i| matches!(i % USERS, INVALID | FLAKY))
        .count() as i64;
    assert_eq!(c.dead, expected_dead, "{label}: {c:?}");
    let mut rows = Vec::new();
    let mut page = PageRequest::first(PageRequest::MAX);
    loop {
        let p = rt
            .block_on(api.queue_store().list_queue(&QueueFilter::default(), &page))
            .unwrap();
        rows.extend(p.items);
        match p.next_cursor {
            Some(cur) => page = PageRequest::new(Some(&cur), Some(PageRequest::MAX)).unwrap(),
            None => break,
        }
    }
    assert_eq!(rows.len(), n);
    for r in &rows {
        match r.status {
            QueueStatus::Sent => assert!(r
                .provider_message_id
                .as_deref()
                .is_some_and(|m| m.starts_with("ATXid_"))),
            QueueStatus::Dead => {
                let e = r.last_error.as_deref().unwrap_or_default();
                assert!(
                    e.contains("InvalidPhoneNumber") || e.contains("gave up after 4 attempts"),
                    "{label}: {e}"
                );
            }
            s => panic!("{label}: row {} ends {s:?}", r.id),
        }
    }

    // Deliveries as the SMS API saw them (the failing numbers never deliver).
    let mut delivered: HashMap<String, Vec<Instant>> = HashMap::new();
    for req in peer.requests() {
        let to = req.field("to").unwrap_or_default();
        if to == phone(INVALID) || to == phone(FLAKY) {
            continue;
        }
        let key = req
            .field("message")
            .unwrap_or_default()
            .trim_start_matches("Gurumisha test ")
            .to_owned();
        delivered.entry(key).or_default().push(req.at);
    }
    let mut duplicates = 0;
    for r in rows.iter().filter(|r| r.status == QueueStatus::Sent) {
        let times = delivered
            .get(&r.idempotency_key)
            .unwrap_or_else(|| panic!("{label}: {} never reached the API", r.idempotency_key));
        for pair in times.windows(2) {
            duplicates += 1;
            if kills.iter().any(|k| pair[0] <= *k && *k <= pair[1]) {
                continue;
            }
            // Otherwise the first attempt must be on record as failed (a request the API
            // accepted but whose answer came after the send timeout): at-least-once, not loss.
            let d = rt
                .block_on(api.queue_store().get_notification(r.id))
                .unwrap()
                .unwrap();
            assert!(
                d.attempts.iter().any(|a| a.outcome != "sent"),
                "{label}: {} delivered twice without a kill or a failed attempt in between",
                r.idempotency_key
            );
        }
    }
    assert!(
        kills_mid_work >= 3,
        "{label}: only {kills_mid_work} kills landed while work was left"
    );
    let in_flight_bound = kills.len() * 2 * BATCH.parse::<usize>().unwrap();
    assert!(
        duplicates <= in_flight_bound,
        "{label}: {duplicates} duplicates > {in_flight_bound}"
    );
    eprintln!(
        "{label}: {n} notifications, {} kills ({kills_mid_work} with work left), {} sent, {} dead, \
         {duplicates} duplicate deliveries",
        kills.len(),
        c.sent,
        c.dead
    );
}

fn size() -> usize {
    std::env::var("GURUMISHA_KILL_TEST_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

fn scratch(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gurumisha-kill-{label}-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn killed_sqlite_workers_lose_nothing() {
    let dir = scratch("sqlite");
    let url = format!("sqlite://{}", dir.join("kill.sqlite3").display());
    scenario("sqlite", url, &dir, size());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn killed_postgres_workers_lose_nothing() {
    let Ok(admin) = std::env::var("GURUMISHA_TEST_PG_URL") else {
        assert_ne!(
            std::env::var("GURUMISHA_REQUIRE_PG").as_deref(),
            Ok("1"),
            "GURUMISHA_TEST_PG_URL is not set but GURUMISHA_REQUIRE_PG=1"
        );
        eprintln!("note: GURUMISHA_TEST_PG_URL unset, skipping the PostgreSQL kill test");
        return;
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let name = format!("kill_{}", uuid::Uuid::new_v4().simple());
    rt.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .unwrap();
    });
    drop(rt);
    let (base, _) = admin.rsplit_once('/').unwrap();
    let dir = scratch("postgres");
    scenario("postgres", format!("{base}/{name}"), &dir, size());
    let _ = std::fs::remove_dir_all(&dir);
}
