//! Fresh databases per test, a manual clock, users, and providers pointed at loopback peers.

use gurumisha_api::{Api, Config};
use gurumisha_core::domain::{Email, PhoneE164, Role};
use gurumisha_core::notify_data::NotifyDataStore;
use gurumisha_core::platform::NewUser;
use gurumisha_core::queue::{NotificationDetail, NotificationStore};
use gurumisha_core::sanitize::Limits;
use gurumisha_core::Timestamp;
use gurumisha_notifier::{
    Notifier, NotifierSettings, ProviderSettings, Providers, Worker, WorkerConfig,
};
use gurumisha_notify::clock::{Clock, ManualClock};
use gurumisha_testkit::sms_peers::{ApiPeer, AT_KEY, AT_USER};
use gurumisha_testkit::smtp_server::SmtpServer;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// 2026-11-26T20:00:00Z: 23:00 in Nairobi (inside 22:00–07:00 quiet hours).
pub const T0: Timestamp = Timestamp(1_795_723_200_000_000);
pub const HOUR: i64 = 3_600_000_000;
pub const SITE: &str = "https://gurumisha.test";

pub struct Db {
    pub api: Api,
    pub name: &'static str,
    pub clock: Arc<ManualClock>,
    dir: PathBuf,
}

impl Drop for Db {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gurumisha-notifier-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn open(url: String, dir: PathBuf, name: &'static str) -> Db {
    let api = Api::open_with(Config {
        database_url: Some(url),
        signing_key_file: dir.join("signing.key"),
        checkpoint_every: 1000,
        limits: Limits::default(),
        session_idle: gurumisha_api::config::SESSION_IDLE,
    })
    .await
    .unwrap_or_else(|e| panic!("open {name}: {}", e.message));
    Db {
        api,
        name,
        clock: Arc::new(ManualClock::new(T0)),
        dir,
    }
}

pub async fn sqlite() -> Db {
    let dir = scratch();
    let url = format!("sqlite://{}", dir.join("test.sqlite3").display());
    open(url, dir, "sqlite").await
}

pub async fn postgres() -> Option<Db> {
    let Ok(admin) = std::env::var("GURUMISHA_TEST_PG_URL") else {
        if std::env::var("GURUMISHA_REQUIRE_PG").as_deref() == Ok("1") {
            panic!("GURUMISHA_TEST_PG_URL is not set but GURUMISHA_REQUIRE_PG=1");
        }
        eprintln!("note: GURUMISHA_TEST_PG_URL unset, skipping the PostgreSQL half");
        return None;
    };
    use sqlx::Connection;
    let name = format!("notifier_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin).await.expect("connect");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.ok();
    let (base, _) = admin.rsplit_once('/').expect("URL has a database part");
    Some(open(format!("{base}/{name}"), scratch(), "postgres").await)
}

/// Runs `body` on SQLite and then on PostgreSQL.
pub async fn both<F, Fut>(body: F)
where
    F: Fn(Db) -> Fut,
    Fut: Future<Output = ()>,
{
    body(sqlite().await).await;
    if let Some(db) = postgres().await {
        body(db).await;
    }
}

impl Db {
    pub fn queue(&self) -> Arc<dyn NotificationStore> {
        self.api.queue_store().clone()
    }

    pub fn data(&self) -> Arc<dyn NotifyDataStore> {
        self.api.notify_data().clone()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn advance(&self, d: Duration) {
        self.clock.advance(d);
    }

    pub fn notifier(&self) -> Notifier {
        self.notifier_with(3)
    }

    pub fn notifier_with(&self, max_retries: i32) -> Notifier {
        let settings = NotifierSettings {
            max_retries,
            site_url: SITE.into(),
        };
        Notifier::new(self.queue(), self.data(), self.clock.clone(), settings)
    }

    pub fn worker(&self, providers: Providers) -> Worker {
        self.worker_with(providers, |_| {})
    }

    pub fn worker_with(&self, providers: Providers, f: impl FnOnce(&mut WorkerConfig)) -> Worker {
        let mut config = WorkerConfig {
            batch_size: 10,
            concurrency: 4,
            send_timeout: Duration::from_secs(5),
            poll_interval: Duration::from_millis(50),
            site_url: SITE.into(),
            ..WorkerConfig::default()
        };
        f(&mut config);
        Worker::new(
            self.queue(),
            self.data(),
            providers,
            self.clock.clone(),
            config,
        )
        .unwrap()
    }

    /// A customer with an e-mail address, a Kenyan mobile number and a time zone.
    pub async fn user(&self, username: &str, time_zone: &str) -> i64 {
        let n = self.api.store().list_users(0, 1000).await.unwrap().len();
        let u = NewUser {
            username: username.into(),
            first_name: "Wanjiru".into(),
            last_name: "Kamau".into(),
            email: Email::parse(&format!("{username}@example.co.ke")).unwrap(),
            phone: PhoneE164::parse(&format!("+25471234{n:04}")).ok(),
            role: Role::Customer,
            is_staff: false,
            is_active: true,
            date_joined: Timestamp(T0.0 - 400 * 24 * HOUR),
            time_zone: time_zone.into(),
            password_hash: "!".into(),
        };
        self.api.store().insert_users(vec![u]).await.unwrap()[0]
    }

    pub async fn prefs(&self, user: i64, json: serde_json::Value) {
        self.data()
            .set_preferences(user, json, self.now())
            .await
            .unwrap();
    }

    pub async fn detail(&self, id: i64) -> NotificationDetail {
        self.queue()
            .get_notification(id)
            .await
            .unwrap()
            .expect("row")
    }

    pub async fn install_templates(&self) {
        gurumisha_notifier::templates::install_defaults(&*self.data(), self.now())
            .await
            .unwrap();
    }
}

pub fn smtp_providers(server: &SmtpServer) -> Providers {
    from_env(&[
        (
            "GURUMISHA_SMTP_URL",
            format!("smtp://127.0.0.1:{}?tls=none", server.addr.port()),
        ),
        ("GURUMISHA_SMTP_TIMEOUT_SECS", "5".into()),
    ])
}

pub fn sms_providers(peer: &ApiPeer) -> Providers {
    from_env(&[
        ("GURUMISHA_AT_USERNAME", AT_USER.into()),
        ("GURUMISHA_AT_API_KEY", AT_KEY.into()),
        ("GURUMISHA_AT_BASE_URL", peer.base_url.clone()),
        ("GURUMISHA_SMS_TIMEOUT_SECS", "2".into()),
    ])
}

/// Providers built the way the CLI builds them, from (variable, value) pairs.
pub fn from_env(vars: &[(&str, String)]) -> Providers {
    let map: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    let settings = ProviderSettings::from_lookup(&|k| map.get(k).cloned()).unwrap();
    Providers::from_settings(&settings).unwrap()
}
