//! Channel → delivery client. E-mail goes to SMTP, SMS to a failover over Africa's Talking and
//! Twilio (in that order, whichever are configured), push to Web Push; in-app needs no client
//! (the worker writes the inbox). A channel without a client is reported, not guessed.

use crate::config::ProviderSettings;
use crate::NotifierError;
use gurumisha_notify::Channel;
use gurumisha_providers::email::SmtpProvider;
use gurumisha_providers::push::WebPushProvider;
use gurumisha_providers::sms::{AfricasTalking, FailoverMember, FailoverSms, Twilio};
use gurumisha_providers::{NoopProvider, Provider};
use std::sync::Arc;

/// The clients the worker sends through, one per channel (none for in-app).
#[derive(Clone, Default)]
pub struct Providers {
    pub email: Option<Arc<dyn Provider>>,
    pub sms: Option<Arc<dyn Provider>>,
    pub push: Option<Arc<dyn Provider>>,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

fn config_err(e: impl std::fmt::Display) -> NotifierError {
    NotifierError::Config(e.to_string())
}

impl Providers {
    /// Builds every configured client. Fails on a configuration that cannot work (a bad From
    /// address, a VAPID key that is not a P-256 scalar), never on one that is absent.
    pub fn from_settings(s: &ProviderSettings) -> Result<Self, NotifierError> {
        let email = match &s.smtp {
            Some(c) => {
                Some(Arc::new(SmtpProvider::new(c).map_err(config_err)?) as Arc<dyn Provider>)
            }
            None => None,
        };
        let mut members = Vec::new();
        if let Some(c) = &s.africas_talking {
            let p = AfricasTalking::new(c.clone()).map_err(config_err)?;
            members.push(FailoverMember::new(Arc::new(p)));
        }
        if let Some(c) = &s.twilio {
            let p = Twilio::new(c.clone()).map_err(config_err)?;
            members.push(FailoverMember::new(Arc::new(p)));
        }
        let sms =
            (!members.is_empty()).then(|| Arc::new(FailoverSms::new(members)) as Arc<dyn Provider>);
        let push = match &s.web_push {
            Some(c) => {
                let p = WebPushProvider::new(c.clone()).map_err(config_err)?;
                Some(Arc::new(p) as Arc<dyn Provider>)
            }
            None => None,
        };
        Ok(Self { email, sms, push })
    }

    /// Every channel accepted at once by [`NoopProvider`]: for queue benchmarks.
    pub fn noop() -> Self {
        Self {
            email: Some(Arc::new(NoopProvider::new(Channel::Email))),
            sms: Some(Arc::new(NoopProvider::new(Channel::Sms))),
            push: Some(Arc::new(NoopProvider::new(Channel::Push))),
        }
    }

    /// The client for `channel`; `None` for in-app (no client) and for unconfigured ones.
    pub fn for_channel(&self, channel: Channel) -> Option<&Arc<dyn Provider>> {
        match channel {
            Channel::Email => self.email.as_ref(),
            Channel::Sms => self.sms.as_ref(),
            Channel::Push => self.push.as_ref(),
            Channel::InApp => None,
        }
    }

    /// One line for the log: which client serves which channel (no credentials).
    pub fn describe(&self) -> String {
        let name = |p: &Option<Arc<dyn Provider>>| {
            p.as_ref()
                .map_or("not configured".to_owned(), |p| p.name().to_owned())
        };
        format!(
            "email: {}, sms: {}, push: {}, in_app: inbox",
            name(&self.email),
            name(&self.sms),
            name(&self.push)
        )
    }
}
