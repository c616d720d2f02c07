//! Typed configuration from the environment. Secrets (SMTP password, Africa's Talking API key,
//! Twilio auth token, VAPID private key) become `secrecy::SecretString` as they are read and
//! are never logged: the settings' `Debug` output redacts them, and errors name the variable,
//! never its value. An unset channel simply has no provider (its notifications fail with
//! "no … provider configured"); a half-configured one is an error at start-up.
//!
//! | variable | meaning |
//! |---|---|
//! | `GURUMISHA_SMTP_URL` | `smtp://[user[:password]@]host[:port]` (STARTTLS, 587), `smtps://…` (TLS, 465); `?tls=none` for a local relay |
//! | `GURUMISHA_SMTP_HOST`, `_PORT`, `_TLS`, `_USER`, `_PASSWORD` | the same, one by one (`_TLS`: `none`, `starttls`, `implicit`); `_PASSWORD` overrides the URL's |
//! | `GURUMISHA_SMTP_FROM` | From mailbox (`Gurumisha Motors <noreply@gurumisha.co.ke>`) |
//! | `GURUMISHA_AT_USERNAME`, `GURUMISHA_AT_API_KEY`, `GURUMISHA_AT_BASE_URL`, `GURUMISHA_AT_FROM` | Africa's Talking |
//! | `GURUMISHA_TWILIO_SID`, `GURUMISHA_TWILIO_TOKEN`, `GURUMISHA_TWILIO_FROM`, `GURUMISHA_TWILIO_BASE_URL` | Twilio (`FROM` starting `MG` is a Messaging Service) |
//! | `GURUMISHA_SMS_TIMEOUT_SECS` | SMS request timeout (10) |
//! | `GURUMISHA_VAPID_PRIVATE_KEY`, `GURUMISHA_VAPID_SUBJECT` | Web Push (subject `mailto:support@gurumisha.co.ke`) |
//! | `GURUMISHA_RETRY_BASE_SECS`, `GURUMISHA_RETRY_CAP_SECS` | retry backoff (15, 3600) |
//! | `GURUMISHA_SITE_URL` | links in messages (`https://gurumisha.co.ke`) |

use crate::NotifierError;
use gurumisha_notify::backoff::BackoffPolicy;
use gurumisha_providers::email::{SmtpConfig, TlsMode};
use gurumisha_providers::push::WebPushConfig;
use gurumisha_providers::sms::{AfricasTalkingConfig, TwilioConfig, TwilioSender};
use secrecy::SecretString;
use std::time::Duration;

pub const DEFAULT_FROM: &str = "Gurumisha Motors <noreply@gurumisha.co.ke>";
pub const DEFAULT_SITE_URL: &str = "https://gurumisha.co.ke";

/// Which providers to build, from the environment.
#[derive(Debug, Clone, Default)]
pub struct ProviderSettings {
    pub smtp: Option<SmtpConfig>,
    pub africas_talking: Option<AfricasTalkingConfig>,
    pub twilio: Option<TwilioConfig>,
    pub web_push: Option<WebPushConfig>,
}

type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

fn env_lookup(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn bad(var: &str, why: impl std::fmt::Display) -> NotifierError {
    NotifierError::Config(format!("{var}: {why}"))
}

fn number<T: std::str::FromStr>(get: Lookup, var: &str) -> Result<Option<T>, NotifierError> {
    get(var)
        .map(|v| v.trim().parse().map_err(|_| bad(var, "is not a number")))
        .transpose()
}

fn secs(get: Lookup, var: &str) -> Result<Option<Duration>, NotifierError> {
    Ok(number::<u64>(get, var)?.map(Duration::from_secs))
}

impl ProviderSettings {
    pub fn from_env() -> Result<Self, NotifierError> {
        Self::from_lookup(&env_lookup)
    }

    /// The same from any lookup (tests pass a map instead of touching the process environment).
    pub fn from_lookup(get: Lookup) -> Result<Self, NotifierError> {
        Ok(Self {
            smtp: smtp(get)?,
            africas_talking: africas_talking(get)?,
            twilio: twilio(get)?,
            web_push: web_push(get),
        })
    }
}

fn tls_mode(var: &str, v: &str) -> Result<TlsMode, NotifierError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "none" | "off" | "plain" => Ok(TlsMode::None),
        "starttls" => Ok(TlsMode::StartTls),
        "implicit" | "tls" | "smtps" => Ok(TlsMode::Implicit),
        _ => Err(bad(var, "is not one of none, starttls, implicit")),
    }
}

fn smtp(get: Lookup) -> Result<Option<SmtpConfig>, NotifierError> {
    let from = get("GURUMISHA_SMTP_FROM").unwrap_or_else(|| DEFAULT_FROM.to_owned());
    let mut config = if let Some(raw) = get("GURUMISHA_SMTP_URL") {
        const VAR: &str = "GURUMISHA_SMTP_URL";
        // The url crate's errors never repeat the input, so a password cannot leak from here.
        let u = url::Url::parse(&raw).map_err(|e| bad(VAR, e))?;
        let (tls, port) = match u.scheme() {
            "smtp" => (TlsMode::StartTls, 587),
            "smtps" => (TlsMode::Implicit, 465),
            _ => return Err(bad(VAR, "must start with smtp:// or smtps://")),
        };
        let host = u.host_str().ok_or_else(|| bad(VAR, "has no host"))?;
        let mut c = SmtpConfig::new(host, u.port().unwrap_or(port), from.clone());
        c.tls = tls;
        for (k, v) in u.query_pairs() {
            if k == "tls" {
                c.tls = tls_mode(VAR, &v)?;
            }
        }
        if !u.username().is_empty() {
            c.username = Some(percent_decode(u.username()));
        }
        c.password = u.password().map(|p| SecretString::from(percent_decode(p)));
        c
    } else if let Some(host) = get("GURUMISHA_SMTP_HOST") {
        let port = number(get, "GURUMISHA_SMTP_PORT")?.unwrap_or(587);
        SmtpConfig::new(host, port, from.clone())
    } else {
        return Ok(None);
    };
    if let Some(v) = get("GURUMISHA_SMTP_TLS") {
        config.tls = tls_mode("GURUMISHA_SMTP_TLS", &v)?;
    }
    if let Some(user) = get("GURUMISHA_SMTP_USER") {
        config.username = Some(user);
    }
    if let Some(pass) = get("GURUMISHA_SMTP_PASSWORD") {
        config.password = Some(SecretString::from(pass));
    }
    if let Some(t) = secs(get, "GURUMISHA_SMTP_TIMEOUT_SECS")? {
        config.timeout = t;
    }
    if config.username.is_some() != config.password.is_some() {
        return Err(bad(
            "GURUMISHA_SMTP_USER/GURUMISHA_SMTP_PASSWORD",
            "give both or neither",
        ));
    }
    Ok(Some(config))
}

/// `%40` → `@` in URL user information (`+` stays a plus, unlike form decoding).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).and_then(|c| hex(*c)),
            b.get(i + 2).and_then(|c| hex(*c)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn sms_timeout(get: Lookup) -> Result<Duration, NotifierError> {
    Ok(secs(get, "GURUMISHA_SMS_TIMEOUT_SECS")?
        .unwrap_or(gurumisha_providers::sms::DEFAULT_TIMEOUT))
}

fn africas_talking(get: Lookup) -> Result<Option<AfricasTalkingConfig>, NotifierError> {
    let (user, key) = (get("GURUMISHA_AT_USERNAME"), get("GURUMISHA_AT_API_KEY"));
    let (user, key) = match (user, key) {
        (None, None) => return Ok(None),
        (Some(u), Some(k)) => (u, k),
        _ => {
            return Err(bad(
                "GURUMISHA_AT_USERNAME/GURUMISHA_AT_API_KEY",
                "give both or neither",
            ))
        }
    };
    let mut c = AfricasTalkingConfig::new(user, SecretString::from(key));
    if let Some(base) = get("GURUMISHA_AT_BASE_URL") {
        c.base_url = base;
    }
    c.from = get("GURUMISHA_AT_FROM");
    c.timeout = sms_timeout(get)?;
    Ok(Some(c))
}

fn twilio(get: Lookup) -> Result<Option<TwilioConfig>, NotifierError> {
    let sid = get("GURUMISHA_TWILIO_SID");
    let token = get("GURUMISHA_TWILIO_TOKEN");
    let from = get("GURUMISHA_TWILIO_FROM");
    let (sid, token, from) = match (sid, token, from) {
        (None, None, _) => return Ok(None),
        (Some(s), Some(t), Some(f)) => (s, t, f),
        _ => {
            return Err(bad(
                "GURUMISHA_TWILIO_SID/GURUMISHA_TWILIO_TOKEN/GURUMISHA_TWILIO_FROM",
                "give all three or none",
            ))
        }
    };
    let sender = if from.starts_with("MG") {
        TwilioSender::MessagingService(from)
    } else {
        TwilioSender::From(from)
    };
    let mut c = TwilioConfig::new(sid, SecretString::from(token), sender);
    if let Some(base) = get("GURUMISHA_TWILIO_BASE_URL") {
        c.base_url = base;
    }
    c.timeout = sms_timeout(get)?;
    Ok(Some(c))
}

fn web_push(get: Lookup) -> Option<WebPushConfig> {
    let key = get("GURUMISHA_VAPID_PRIVATE_KEY")?;
    let subject = get("GURUMISHA_VAPID_SUBJECT")
        .unwrap_or_else(|| "mailto:support@gurumisha.co.ke".to_owned());
    Some(WebPushConfig::new(SecretString::from(key), subject))
}

/// Worker settings that belong to the deployment rather than to one command line.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub backoff: BackoffPolicy,
    pub site_url: String,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        Self {
            backoff: BackoffPolicy::default(),
            site_url: DEFAULT_SITE_URL.to_owned(),
        }
    }
}

impl WorkerSettings {
    pub fn from_env() -> Result<Self, NotifierError> {
        Self::from_lookup(&env_lookup)
    }

    pub fn from_lookup(get: Lookup) -> Result<Self, NotifierError> {
        let mut s = Self::default();
        if let Some(base) = secs(get, "GURUMISHA_RETRY_BASE_SECS")? {
            s.backoff.base = base;
        }
        if let Some(cap) = secs(get, "GURUMISHA_RETRY_CAP_SECS")? {
            s.backoff.cap = cap;
        }
        if let Some(url) = get("GURUMISHA_SITE_URL") {
            s.site_url = url.trim_end_matches('/').to_owned();
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashMap;

    fn settings(vars: &[(&str, &str)]) -> Result<ProviderSettings, NotifierError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        ProviderSettings::from_lookup(&|k| map.get(k).cloned())
    }

    #[test]
    fn nothing_set_means_no_providers() {
        let s = settings(&[]).unwrap();
        assert!(s.smtp.is_none() && s.africas_talking.is_none() && s.twilio.is_none());
        assert!(s.web_push.is_none());
    }

    #[test]
    fn smtp_url_with_credentials_and_overrides() {
        let s = settings(&[(
            "GURUMISHA_SMTP_URL",
            "smtp://mailer%40gurumisha:p%40ss%20word@smtp.example.co.ke?tls=none",
        )])
        .unwrap();
        let c = s.smtp.unwrap();
        assert_eq!(
            (c.host.as_str(), c.port, c.tls),
            ("smtp.example.co.ke", 587, TlsMode::None)
        );
        assert_eq!(c.username.as_deref(), Some("mailer@gurumisha"));
        assert_eq!(c.password.unwrap().expose_secret(), "p@ss word");
        let s = settings(&[
            ("GURUMISHA_SMTP_URL", "smtps://relay.example"),
            ("GURUMISHA_SMTP_USER", "u"),
            ("GURUMISHA_SMTP_PASSWORD", "hunter2-secret"),
        ])
        .unwrap();
        let c = s.smtp.unwrap();
        assert_eq!((c.port, c.tls), (465, TlsMode::Implicit));
        assert!(
            !format!("{c:?}").contains("hunter2-secret"),
            "Debug redacts"
        );
    }

    #[test]
    fn half_configured_is_an_error_naming_the_variables_not_the_secrets() {
        let e = settings(&[("GURUMISHA_AT_API_KEY", "atsk_secret_123")]).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("GURUMISHA_AT_USERNAME"), "{text}");
        assert!(!text.contains("atsk_secret_123"), "{text}");
        let e = settings(&[("GURUMISHA_SMTP_URL", "http://x:secretpw@host")]).unwrap_err();
        assert!(!e.to_string().contains("secretpw"));
        let e = settings(&[
            ("GURUMISHA_TWILIO_SID", "AC1"),
            ("GURUMISHA_TWILIO_TOKEN", "t"),
        ]);
        assert!(e.unwrap_err().to_string().contains("GURUMISHA_TWILIO_FROM"));
    }

    #[test]
    fn sms_and_push() {
        let s = settings(&[
            ("GURUMISHA_AT_USERNAME", "gurumisha"),
            ("GURUMISHA_AT_API_KEY", "k"),
            ("GURUMISHA_AT_BASE_URL", "http://127.0.0.1:9"),
            ("GURUMISHA_TWILIO_SID", "AC1"),
            ("GURUMISHA_TWILIO_TOKEN", "t"),
            ("GURUMISHA_TWILIO_FROM", "MG123"),
            ("GURUMISHA_SMS_TIMEOUT_SECS", "2"),
            ("GURUMISHA_VAPID_PRIVATE_KEY", "k"),
        ])
        .unwrap();
        let at = s.africas_talking.unwrap();
        assert_eq!(
            (at.base_url.as_str(), at.timeout),
            ("http://127.0.0.1:9", Duration::from_secs(2))
        );
        assert_eq!(
            s.twilio.unwrap().sender,
            TwilioSender::MessagingService("MG123".into())
        );
        assert!(s.web_push.unwrap().subject.starts_with("mailto:"));
    }

    #[test]
    fn worker_settings() {
        let map: HashMap<&str, &str> = HashMap::from([
            ("GURUMISHA_RETRY_BASE_SECS", "1"),
            ("GURUMISHA_SITE_URL", "http://x/"),
        ]);
        let s = WorkerSettings::from_lookup(&|k| map.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(s.backoff.base, Duration::from_secs(1));
        assert_eq!(s.site_url, "http://x");
        let bad = HashMap::from([("GURUMISHA_RETRY_CAP_SECS", "soon")]);
        let e = WorkerSettings::from_lookup(&|k| bad.get(k).map(|v| v.to_string()));
        assert!(e
            .unwrap_err()
            .to_string()
            .contains("GURUMISHA_RETRY_CAP_SECS"));
    }
}
