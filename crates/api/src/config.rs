//! Typed, layered configuration: defaults, then environment. Secrets (database passwords, the
//! signing key) never come from the database; the signing key is a file outside it.

use gurumisha_core::sanitize::Limits;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` or `sqlite://…`/a path; `None` means the embedded default file.
    pub database_url: Option<String>,
    pub signing_key_file: PathBuf,
    /// Sign a checkpoint every this many audit rows (0 disables automatic checkpoints).
    pub checkpoint_every: i64,
    pub limits: Limits,
    /// A console session ends after this long without a request (`GURUMISHA_SESSION_IDLE_MINUTES`,
    /// default 8 hours: a working day).
    pub session_idle: std::time::Duration,
}

/// The default [`Config::session_idle`].
pub const SESSION_IDLE: std::time::Duration = std::time::Duration::from_secs(8 * 3600);

/// The embedded database: `$GURUMISHA_DATA_DIR/gurumisha.sqlite3`, else the OS data directory.
pub fn default_sqlite_path() -> PathBuf {
    data_dir().join("gurumisha.sqlite3")
}

fn data_dir() -> PathBuf {
    std::env::var_os("GURUMISHA_DATA_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("gurumisha")))
        .unwrap_or_else(|| PathBuf::from(".gurumisha"))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Defaults overridden by `GURUMISHA_DATABASE_URL` (or `DATABASE_URL`),
    /// `GURUMISHA_SIGNING_KEY_FILE`, `GURUMISHA_CHECKPOINT_EVERY`, `GURUMISHA_MAX_TEXT_BYTES`.
    pub fn from_env() -> Result<Self, crate::ApiError> {
        let mut limits = Limits::default();
        if let Some(v) = env("GURUMISHA_MAX_TEXT_BYTES") {
            limits.max_text_bytes = v.parse().map_err(|_| {
                crate::ApiError::invalid(format!("GURUMISHA_MAX_TEXT_BYTES={v:?} is not a number"))
            })?;
        }
        let checkpoint_every = match env("GURUMISHA_CHECKPOINT_EVERY") {
            Some(v) => v.parse().map_err(|_| {
                crate::ApiError::invalid(format!(
                    "GURUMISHA_CHECKPOINT_EVERY={v:?} is not a number"
                ))
            })?,
            None => 1000,
        };
        let session_idle = match env("GURUMISHA_SESSION_IDLE_MINUTES") {
            Some(v) => std::time::Duration::from_secs(
                60 * v.parse::<u64>().ok().filter(|m| *m > 0).ok_or_else(|| {
                    crate::ApiError::invalid(format!(
                        "GURUMISHA_SESSION_IDLE_MINUTES={v:?} is not a positive number"
                    ))
                })?,
            ),
            None => SESSION_IDLE,
        };
        let signing_key_file = env("GURUMISHA_SIGNING_KEY_FILE")
            .map(PathBuf::from)
            .or_else(|| dirs::config_dir().map(|d| d.join("gurumisha").join("audit-signing.key")))
            .unwrap_or_else(|| data_dir().join("audit-signing.key"));
        Ok(Self {
            database_url: env("GURUMISHA_DATABASE_URL").or_else(|| env("DATABASE_URL")),
            signing_key_file,
            checkpoint_every,
            limits,
            session_idle,
        })
    }

    pub fn with_database_url(mut self, url: Option<String>) -> Self {
        if url.is_some() {
            self.database_url = url;
        }
        self
    }
}
