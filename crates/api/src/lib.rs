//! gurumisha-api: the console's API. Request and response types are declared once
//! ([`types`]); [`Api`] implements each command as one async function; the Tauri shell serves
//! them over IPC and [`http`] serves the very same functions over loopback HTTP, so the UI is
//! tested in a real browser against the real backend. No Tauri here.

pub mod access;
pub mod alerts;
pub mod commands;
pub mod config;
pub mod connections;
mod console;
mod console_changes;
mod console_overview;
mod console_prefs;
mod console_queue;
mod console_templates;
mod error;
pub mod export;
pub mod http;
pub mod password;
pub mod sessions;
pub mod telemetry;
pub mod types;
mod types_console;
mod types_notify;
pub mod verify_job;

pub use console::Console;
pub use gurumisha_core::alerts::AlertSettings;
pub use gurumisha_core::event::RequestContext;

pub use config::Config;
pub use types::{ApiError, ApiErrorCode};

use gurumisha_core::alerts::AlertStore;
use gurumisha_core::analytics::AnalyticsStore;
use gurumisha_core::checkpoint::{CheckpointPolicy, CheckpointSigner};
use gurumisha_core::domain::{parse_ip, Severity};
use gurumisha_core::event::AuditEntry;
use gurumisha_core::extent::EXTENT_CAP;
use gurumisha_core::notify_data::NotifyDataStore;
use gurumisha_core::query::{ActivityFilter, AuditFilter, PageRequest};
use gurumisha_core::queue::NotificationStore;
use gurumisha_core::service::Recorder;
use gurumisha_core::store::Store;
use gurumisha_core::Timestamp;
use std::sync::Arc;
use types::*;

/// Opens the store named by `url` (PostgreSQL for `postgres://`/`postgresql://`, else SQLite)
/// and applies pending migrations.
pub async fn open_store(url: Option<&str>) -> Result<Arc<dyn Store>, ApiError> {
    Ok(open_stores(url).await?.0)
}

/// Like [`open_store`], also returning the same database as the notification queue's store.
pub async fn open_stores(
    url: Option<&str>,
) -> Result<(Arc<dyn Store>, Arc<dyn NotificationStore>), ApiError> {
    let (store, queue, _, _, _) = open_all_stores(url).await?;
    Ok((store, queue))
}

/// One database seen through each storage contract it implements.
type Stores = (
    Arc<dyn Store>,
    Arc<dyn NotificationStore>,
    Arc<dyn NotifyDataStore>,
    Arc<dyn AnalyticsStore>,
    Arc<dyn AlertStore>,
);

/// Like [`open_stores`], also returning the same database as the notification data store.
async fn open_all_stores(url: Option<&str>) -> Result<Stores, ApiError> {
    let stores: Stores = match url {
        Some(u) if u.starts_with("postgres://") || u.starts_with("postgresql://") => {
            let s = Arc::new(gurumisha_store_postgres::PgStore::connect(u).await?);
            (s.clone(), s.clone(), s.clone(), s.clone(), s)
        }
        Some(u) => {
            let s = Arc::new(gurumisha_store_sqlite::SqliteStore::open_url(u)?);
            (s.clone(), s.clone(), s.clone(), s.clone(), s)
        }
        None => {
            let s = Arc::new(gurumisha_store_sqlite::SqliteStore::open(
                &config::default_sqlite_path(),
            )?);
            (s.clone(), s.clone(), s.clone(), s.clone(), s)
        }
    };
    stores.0.migrate().await?;
    Ok(stores)
}

/// The console backend: one store, one recorder. Cheap to clone.
#[derive(Clone)]
pub struct Api {
    store: Arc<dyn Store>,
    queue: Arc<dyn NotificationStore>,
    notify_data: Arc<dyn NotifyDataStore>,
    analytics: Arc<dyn AnalyticsStore>,
    alerts: Arc<dyn AlertStore>,
    recorder: Recorder,
    sessions: Arc<sessions::Sessions>,
    exports: Arc<export::Exports>,
    verifications: Arc<verify_job::Verifications>,
}

impl Api {
    /// Opens with configuration from the environment; `database_url` overrides it.
    pub async fn open(database_url: Option<String>) -> Result<Api, ApiError> {
        Self::open_with(Config::from_env()?.with_database_url(database_url)).await
    }

    pub async fn open_with(config: Config) -> Result<Api, ApiError> {
        let (store, queue, notify_data, analytics, alerts) =
            open_all_stores(config.database_url.as_deref()).await?;
        let signer = CheckpointSigner::load_or_create(&config.signing_key_file)?;
        let policy = CheckpointPolicy {
            signer,
            every: config.checkpoint_every,
        };
        let recorder = Recorder::new(store.clone(), Some(policy), config.limits);
        Ok(Api {
            store,
            queue,
            notify_data,
            analytics,
            alerts,
            recorder,
            sessions: Arc::new(sessions::Sessions::new(config.session_idle)),
            exports: Arc::default(),
            verifications: Arc::default(),
        })
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The durable notification queue (the same database as [`Api::store`]).
    pub fn queue_store(&self) -> &Arc<dyn NotificationStore> {
        &self.queue
    }

    /// Templates, preferences, decisions, inbox, digests, push subscriptions and contacts
    /// (the same database as [`Api::store`]).
    pub fn notify_data(&self) -> &Arc<dyn NotifyDataStore> {
        &self.notify_data
    }

    /// The overview's aggregates (the same database as [`Api::store`]).
    pub fn analytics(&self) -> &Arc<dyn AnalyticsStore> {
        &self.analytics
    }

    /// Desktop alerts (the same database as [`Api::store`]).
    pub fn alert_store(&self) -> &Arc<dyn AlertStore> {
        &self.alerts
    }

    pub fn recorder(&self) -> &Recorder {
        &self.recorder
    }

    /// Running and finished exports (see [`Console::start_export`]).
    pub fn exports(&self) -> &export::Exports {
        &self.exports
    }

    /// Running and finished "verify now" runs (see [`Console::start_verify`]).
    pub fn verifications(&self) -> &verify_job::Verifications {
        &self.verifications
    }

    /// Signed-in operators (see [`Api::sign_in`]).
    pub fn sessions(&self) -> &sessions::Sessions {
        &self.sessions
    }

    pub async fn status(&self, _req: StatusRequest) -> Result<ConsoleStatus, ApiError> {
        let head = self.store.audit_head().await?;
        Ok(ConsoleStatus {
            backend: self.store.backend(),
            location: self.store.location(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            activity_estimate: self.store.estimate_activity().await?,
            audit_head_seq: head.map(|h| h.0),
        })
    }

    pub async fn list_activity(&self, req: ActivityQuery) -> Result<ActivityPage, ApiError> {
        let page = PageRequest::new(req.cursor.as_deref(), req.limit)?;
        let filter = self.activity_filter(req).await?;
        let p = self.store.list_activity(&filter, &page).await?;
        Ok(ActivityPage {
            items: p.items,
            next_cursor: p.next_cursor,
        })
    }

    /// The newest and oldest rows' keys of what `list_activity` would list for `req` (its
    /// cursor and limit ignored) and how many rows that is: exact up to [`EXTENT_CAP`] rows,
    /// an estimate above.
    pub async fn activity_extent(&self, req: ActivityQuery) -> Result<LogExtent, ApiError> {
        let filter = self.activity_filter(req).await?;
        let e = self.store.activity_extent(&filter, EXTENT_CAP).await?;
        Ok(e.into())
    }

    async fn activity_filter(&self, req: ActivityQuery) -> Result<ActivityFilter, ApiError> {
        Ok(ActivityFilter {
            user_id: self.user_id(req.user_id, req.username.as_deref()).await?,
            action: clean(req.action),
            object_type: clean(req.object_type),
            object_id: clean(req.object_id),
            ip: clean(req.ip)
                .map(|ip| parse_ip("ip", &ip).map(|ip| ip.to_string()))
                .transpose()?,
            session_id: clean(req.session_id),
            from: time_bound("from", req.from)?,
            to: time_bound("to", req.to)?,
            text: clean(req.text),
        })
    }

    pub async fn list_audit(&self, req: AuditQuery) -> Result<AuditPage, ApiError> {
        let page = PageRequest::new(req.cursor.as_deref(), req.limit)?;
        let filter = self.audit_filter(req).await?;
        let p = self.store.list_audit(&filter, &page).await?;
        Ok(AuditPage {
            items: p.items.into_iter().map(audit_record).collect(),
            next_cursor: p.next_cursor,
        })
    }

    /// Like [`Api::activity_extent`], for `list_audit` (keys are `(ts, seq)`).
    pub async fn audit_extent(&self, req: AuditQuery) -> Result<LogExtent, ApiError> {
        let filter = self.audit_filter(req).await?;
        let e = self.store.audit_extent(&filter, EXTENT_CAP).await?;
        Ok(e.into())
    }

    async fn audit_filter(&self, req: AuditQuery) -> Result<AuditFilter, ApiError> {
        Ok(AuditFilter {
            user_id: self.user_id(req.user_id, req.username.as_deref()).await?,
            table_name: clean(req.table_name),
            record_id: clean(req.record_id),
            field_name: clean(req.field_name),
            action_type: clean(req.action_type),
            severity: clean(req.severity)
                .map(|s| Severity::parse(&s))
                .transpose()?,
            change_set_id: clean(req.change_set_id),
            from: time_bound("from", req.from)?,
            to: time_bound("to", req.to)?,
            text: clean(req.text),
        })
    }

    /// Every field of one change set, in chain order.
    pub async fn get_change_set(&self, req: ChangeSetQuery) -> Result<Vec<AuditRecord>, ApiError> {
        let id = clean(Some(req.change_set_id))
            .ok_or_else(|| ApiError::invalid("invalid change_set_id: must not be empty"))?;
        let filter = AuditFilter {
            change_set_id: Some(id.clone()),
            ..AuditFilter::default()
        };
        let p = self
            .store
            .list_audit(&filter, &PageRequest::first(PageRequest::MAX))
            .await?;
        if p.items.is_empty() {
            return Err(ApiError::new(
                ApiErrorCode::NotFound,
                format!("no change set {id}"),
            ));
        }
        let mut items: Vec<AuditRecord> = p.items.into_iter().map(audit_record).collect();
        items.sort_by_key(|r| r.seq);
        Ok(items)
    }

    pub async fn verify_audit(&self, req: VerifyQuery) -> Result<VerifyReport, ApiError> {
        Ok(self.recorder.verify(req.from, req.to).await?)
    }

    async fn user_id(
        &self,
        id: Option<i64>,
        username: Option<&str>,
    ) -> Result<Option<i64>, ApiError> {
        if id.is_some() {
            return Ok(id);
        }
        match username.map(str::trim).filter(|u| !u.is_empty()) {
            None => Ok(None),
            Some(name) => match self.store.get_user_by_username(name).await? {
                Some(u) => Ok(Some(u.id)),
                None => Err(ApiError::invalid(format!(
                    "invalid username: no user named {name:?}"
                ))),
            },
        }
    }
}

fn clean(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn time_bound(field: &'static str, s: Option<String>) -> Result<Option<Timestamp>, ApiError> {
    clean(s)
        .map(|s| {
            Timestamp::parse(&s)
                .map_err(|e| ApiError::invalid(format!("invalid {field}: {}", e.reason)))
        })
        .transpose()
}

/// Stored JSON text back to a value; text that is not JSON is shown as a string, never dropped.
fn json_value(text: Option<String>) -> Option<serde_json::Value> {
    text.map(|t| serde_json::from_str(&t).unwrap_or(serde_json::Value::String(t)))
}

pub fn audit_record(e: AuditEntry) -> AuditRecord {
    let AuditEntry { row, username } = e;
    let c = row.content;
    AuditRecord {
        seq: row.seq,
        timestamp: c.timestamp,
        user_id: c.user_id,
        username,
        action_type: c.action_type,
        table_name: c.table_name,
        record_id: c.record_id,
        field_name: c.field_name,
        old_value: json_value(c.old_value),
        new_value: json_value(c.new_value),
        severity: c.severity,
        description: c.description,
        ip_address: c.ip_address,
        user_agent: c.user_agent,
        change_set_id: c.change_set_id,
        content_flags: c.content_flags,
        prev_hash: gurumisha_core::chain::to_hex(&row.prev_hash),
        hash: gurumisha_core::chain::to_hex(&row.hash),
    }
}
