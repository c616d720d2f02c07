//! The databases the desktop console knows: the embedded SQLite file, the one configured by
//! the environment (if any), and PostgreSQL connections an operator adds. Connections live in
//! `connections.json` in the console's config directory, without passwords; each password is
//! in the OS keychain (the Secret Service when the session has one, else the kernel's key
//! store), so no secret is ever in a file, the database or a log, and none reaches the UI.

use crate::types::{ApiError, ApiErrorCode};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use ts_rs::TS;

/// The keychain service the passwords are filed under (the connection id is the account).
const SERVICE: &str = "gurumisha-console";
pub const EMBEDDED: &str = "embedded";
pub const ENVIRONMENT: &str = "environment";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionInfo {
    pub id: String,
    pub name: String,
    /// `sqlite` or `postgres`.
    pub kind: String,
    /// Where it points, with any password removed.
    pub location: String,
    /// Whether a password for it is in the keychain.
    pub has_password: bool,
    /// The connection the console is using now.
    pub live: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ListConnectionsRequest {}

/// A PostgreSQL connection to add; the password goes to the keychain.
#[derive(Clone, Deserialize, TS)]
#[ts(export)]
pub struct AddConnectionRequest {
    pub name: String,
    /// `postgres://user@host:port/database` (a password in it is moved to the keychain).
    pub url: String,
    #[ts(optional)]
    #[serde(default)]
    pub password: Option<String>,
}

impl std::fmt::Debug for AddConnectionRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AddConnectionRequest")
            .field("name", &self.name)
            .field("url", &crate::connections::strip_password(&self.url).ok())
            .field("password", &self.password.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionId {
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Saved {
    id: String,
    name: String,
    url: String,
}

/// Removes the password from a PostgreSQL URL: `(url without it, the password)`.
pub fn strip_password(raw: &str) -> Result<(String, Option<String>), ApiError> {
    let mut u =
        url::Url::parse(raw.trim()).map_err(|e| ApiError::invalid(format!("invalid url: {e}")))?;
    if !matches!(u.scheme(), "postgres" | "postgresql") {
        return Err(ApiError::invalid(
            "invalid url: only postgres:// connections can be added (SQLite is built in)",
        ));
    }
    if u.host_str().is_none_or(str::is_empty) {
        return Err(ApiError::invalid("invalid url: it names no host"));
    }
    let password = u.password().map(|p| {
        url::form_urlencoded::parse(format!("p={p}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default()
    });
    u.set_password(None)
        .map_err(|_| ApiError::invalid("invalid url: cannot remove its password"))?;
    Ok((u.to_string(), password))
}

fn with_password(url: &str, password: Option<&str>) -> Result<String, ApiError> {
    let Some(p) = password else {
        return Ok(url.to_owned());
    };
    let mut u = url::Url::parse(url).map_err(|e| ApiError::invalid(format!("invalid url: {e}")))?;
    u.set_password(Some(p))
        .map_err(|_| ApiError::invalid("invalid url: cannot carry a password"))?;
    Ok(u.to_string())
}

fn keychain_error(e: keyring::Error) -> ApiError {
    ApiError::new(
        ApiErrorCode::Unavailable,
        format!("the OS keychain is not available: {e}"),
    )
}

/// The password of connection `id` in the keychain: the Secret Service when the session
/// bus has one, else the kernel's per-user key store (in memory; forgotten at reboot).
enum Secret {
    Service(keyring::Entry),
    Kernel(String),
}

fn kernel_error(e: linux_keyutils::KeyError) -> ApiError {
    ApiError::new(
        ApiErrorCode::Unavailable,
        format!("the kernel key store is not available: {e:?}"),
    )
}

impl Secret {
    fn of(id: &str) -> Result<Self, ApiError> {
        if secret_service_usable() {
            Ok(Self::Service(
                keyring::Entry::new(SERVICE, id).map_err(keychain_error)?,
            ))
        } else {
            Ok(Self::Kernel(format!("{SERVICE}:{id}")))
        }
    }

    fn ring() -> Result<linux_keyutils::KeyRing, ApiError> {
        linux_keyutils::KeyRing::from_special_id(linux_keyutils::KeyRingIdentifier::User, true)
            .map_err(kernel_error)
    }

    fn get(&self) -> Result<Option<String>, ApiError> {
        match self {
            Self::Service(e) => match e.get_password() {
                Ok(p) => Ok(Some(p)),
                Err(keyring::Error::NoEntry) => Ok(None),
                Err(e) => Err(keychain_error(e)),
            },
            Self::Kernel(desc) => match Self::ring()?.search(desc) {
                Ok(key) => {
                    let bytes = key.read_to_vec().map_err(kernel_error)?;
                    String::from_utf8(bytes).map(Some).map_err(|_| {
                        ApiError::new(ApiErrorCode::Internal, "a stored password is not UTF-8")
                    })
                }
                Err(linux_keyutils::KeyError::KeyDoesNotExist) => Ok(None),
                Err(e) => Err(kernel_error(e)),
            },
        }
    }

    fn set(&self, password: &str) -> Result<(), ApiError> {
        match self {
            Self::Service(e) => e.set_password(password).map_err(keychain_error),
            Self::Kernel(desc) => Self::ring()?
                .add_key(desc, password)
                .map(|_| ())
                .map_err(kernel_error),
        }
    }

    fn delete(&self) -> Result<(), ApiError> {
        match self {
            Self::Service(e) => match e.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(keychain_error(e)),
            },
            Self::Kernel(desc) => match Self::ring()?.search(desc) {
                Ok(key) => key.invalidate().map_err(kernel_error),
                Err(linux_keyutils::KeyError::KeyDoesNotExist) => Ok(()),
                Err(e) => Err(kernel_error(e)),
            },
        }
    }
}

fn secret_service_usable() -> bool {
    static USABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *USABLE.get_or_init(|| {
        if std::env::var("GURUMISHA_KEYCHAIN").as_deref() == Ok("keyutils") {
            return false;
        }
        match keyring::secret_service::SsCredential::new_with_target(None, SERVICE, "probe")
            .and_then(|c| keyring::Entry::new_with_credential(Box::new(c)).get_password())
        {
            Ok(_) | Err(keyring::Error::NoEntry) => true,
            Err(e) => {
                tracing::info!(error = %e, "no Secret Service; passwords go to the kernel key store");
                false
            }
        }
    })
}

/// Which keychain holds the passwords, for display.
pub fn keychain_kind() -> &'static str {
    if secret_service_usable() {
        "Secret Service"
    } else {
        "kernel key store (forgotten at reboot)"
    }
}

/// The saved connections of this user.
pub struct Connections {
    file: PathBuf,
    environment: Option<String>,
}

impl Connections {
    /// `file` is `connections.json`; `environment` the URL configured by the environment.
    pub fn new(file: PathBuf, environment: Option<String>) -> Self {
        Self { file, environment }
    }

    /// In the console's config directory (`GURUMISHA_CONFIG_DIR` overrides it).
    pub fn default_file() -> PathBuf {
        std::env::var_os("GURUMISHA_CONFIG_DIR")
            .map(PathBuf::from)
            .or_else(|| dirs::config_dir().map(|d| d.join("gurumisha")))
            .unwrap_or_else(|| PathBuf::from(".gurumisha"))
            .join("connections.json")
    }

    fn saved(&self) -> Result<Vec<Saved>, ApiError> {
        match std::fs::read(&self.file) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| ApiError::invalid(format!("invalid {}: {e}", self.file.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(ApiError::new(
                ApiErrorCode::Internal,
                format!("cannot read {}: {e}", self.file.display()),
            )),
        }
    }

    fn save(&self, all: &[Saved]) -> Result<(), ApiError> {
        let io = |e: std::io::Error| {
            ApiError::new(
                ApiErrorCode::Internal,
                format!("cannot write {}: {e}", self.file.display()),
            )
        };
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let json = serde_json::to_vec_pretty(all)
            .map_err(|e| ApiError::new(ApiErrorCode::Internal, e.to_string()))?;
        let tmp = self.file.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(io)?;
        std::fs::rename(&tmp, &self.file).map_err(io)
    }

    /// Every connection; `live` marks the one in use.
    pub fn list(&self, live: &str) -> Result<Vec<ConnectionInfo>, ApiError> {
        let mut out = vec![ConnectionInfo {
            id: EMBEDDED.into(),
            name: "This computer (SQLite)".into(),
            kind: "sqlite".into(),
            location: crate::config::default_sqlite_path().display().to_string(),
            has_password: false,
            live: live == EMBEDDED,
        }];
        if let Some(url) = &self.environment {
            let pg = url.starts_with("postgres");
            out.push(ConnectionInfo {
                id: ENVIRONMENT.into(),
                name: "Configured by the environment".into(),
                kind: if pg { "postgres" } else { "sqlite" }.into(),
                location: gurumisha_store_postgres::redact_url(url),
                has_password: false,
                live: live == ENVIRONMENT,
            });
        }
        for s in self.saved()? {
            let has_password = Secret::of(&s.id)?.get()?.is_some();
            out.push(ConnectionInfo {
                live: live == s.id,
                id: s.id,
                name: s.name,
                kind: "postgres".into(),
                location: s.url,
                has_password,
            });
        }
        Ok(out)
    }

    /// Saves a PostgreSQL connection (its password to the keychain) and returns its id.
    pub fn add(&self, req: AddConnectionRequest) -> Result<String, ApiError> {
        let name = req.name.trim().to_owned();
        if name.is_empty() {
            return Err(ApiError::invalid("invalid name: must not be empty"));
        }
        let (url, in_url) = strip_password(&req.url)?;
        let password = req.password.filter(|p| !p.is_empty()).or(in_url);
        let id = format!("pg-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        if let Some(p) = &password {
            Secret::of(&id)?.set(p)?;
        }
        let mut all = self.saved()?;
        all.push(Saved {
            id: id.clone(),
            name,
            url,
        });
        self.save(&all)?;
        Ok(id)
    }

    pub fn remove(&self, id: &str) -> Result<(), ApiError> {
        let mut all = self.saved()?;
        let before = all.len();
        all.retain(|s| s.id != id);
        if all.len() == before {
            return Err(ApiError::new(
                ApiErrorCode::NotFound,
                format!("no connection {id:?}"),
            ));
        }
        Secret::of(id)?.delete()?;
        self.save(&all)
    }

    /// The database URL of a connection, with its password from the keychain (`None` for the
    /// embedded file).
    pub fn url_of(&self, id: &str) -> Result<Option<String>, ApiError> {
        match id {
            EMBEDDED => Ok(None),
            ENVIRONMENT => self.environment.clone().map(Some).ok_or_else(|| {
                ApiError::new(
                    ApiErrorCode::NotFound,
                    "no connection is configured by the environment",
                )
            }),
            _ => {
                let s = self
                    .saved()?
                    .into_iter()
                    .find(|s| s.id == id)
                    .ok_or_else(|| {
                        ApiError::new(ApiErrorCode::NotFound, format!("no connection {id:?}"))
                    })?;
                let password = Secret::of(id)?.get()?;
                with_password(&s.url, password.as_deref()).map(Some)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url() {
        let (url, pw) =
            strip_password("postgres://ops:s3cr%40t@db.example:5432/gurumisha").unwrap();
        assert_eq!(url, "postgres://ops@db.example:5432/gurumisha");
        assert_eq!(pw.as_deref(), Some("s3cr@t"));
        assert_eq!(
            with_password(&url, Some("s3cr@t")).unwrap(),
            "postgres://ops:s3cr%40t@db.example:5432/gurumisha"
        );
        assert!(strip_password("sqlite:///tmp/x").is_err());
        assert!(strip_password("not a url").is_err());
    }

    #[test]
    fn the_file_holds_no_password_and_the_keychain_does() {
        // Under `make test` there is no Secret Service on the private bus: the kernel store.
        std::env::set_var("GURUMISHA_KEYCHAIN", "keyutils");
        let dir = std::env::temp_dir().join(format!("gurumisha-conn-{}", uuid::Uuid::new_v4()));
        let c = Connections::new(dir.join("connections.json"), None);
        let id = c
            .add(AddConnectionRequest {
                name: "Platform".into(),
                url: "postgres://ops@127.0.0.1:5432/gurumisha".into(),
                password: Some("kenya-2026!".into()),
            })
            .unwrap();
        let file = std::fs::read_to_string(dir.join("connections.json")).unwrap();
        assert!(!file.contains("kenya-2026"), "{file}");
        let list = c.list(&id).unwrap();
        let me = list.iter().find(|x| x.id == id).unwrap();
        assert!(me.live && me.has_password);
        assert_eq!(
            c.url_of(&id).unwrap().unwrap(),
            "postgres://ops:kenya-2026!@127.0.0.1:5432/gurumisha"
        );
        c.remove(&id).unwrap();
        assert!(c.url_of(&id).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
