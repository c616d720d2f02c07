//! The stored template row, after the seed's `NotificationTemplate`: one per name and channel,
//! versioned (every edit is a new version and a queued notification pins the version it was
//! rendered from; the store keeps the history, this type is one version).

use super::{sms_info, RenderError, RenderOptions, SmsInfo, Template, TemplateError};
use crate::domain::{Channel, NotificationType, Priority, TemplateName};
use gurumisha_core::ValidationError;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// One version of a template for one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct NotificationTemplate {
    pub name: TemplateName,
    pub channel: Channel,
    pub notification_type: NotificationType,
    /// E-mail subject, push title or in-app title. SMS has none.
    pub subject_template: Option<String>,
    pub body_template: String,
    /// E-mail only: the HTML alternative to the plain-text body.
    pub html_body_template: Option<String>,
    /// Root names or dotted paths a template may use (`recipient` allows
    /// `recipient.first_name`).
    pub available_variables: Vec<String>,
    pub priority: Priority,
    pub active: bool,
    /// Starts at 1, one more per edit.
    #[ts(type = "number")]
    pub version: i64,
}

/// A template that does not validate or render; names the part (`subject_template`,
/// `body_template`, `html_body_template`, ...) at fault.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NotificationTemplateError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("{field}: {error}")]
    Syntax {
        field: &'static str,
        error: TemplateError,
    },
    #[error("{field}: {error}")]
    Render {
        field: &'static str,
        error: RenderError,
    },
}

impl NotificationTemplateError {
    pub fn field(&self) -> &'static str {
        match self {
            Self::Invalid(e) => e.field,
            Self::Syntax { field, .. } | Self::Render { field, .. } => field,
        }
    }
}

/// What a template produced for one recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct RenderedMessage {
    /// Subject or title, on one line (context values cannot inject header line breaks).
    pub subject: Option<String>,
    pub body: String,
    pub html_body: Option<String>,
    /// For SMS: encoding and segment count of `body`.
    pub sms: Option<SmsInfo>,
}

struct Compiled {
    subject: Option<Template>,
    body: Template,
    html: Option<Template>,
}

impl NotificationTemplate {
    /// Checks every part: fields, channel rules, and each template against the available
    /// variables (errors give the position).
    pub fn validate(&self) -> Result<(), NotificationTemplateError> {
        self.compile().map(|_| ())
    }

    /// Validates, then renders every part for `context`.
    pub fn render(
        &self,
        context: &serde_json::Value,
        options: &RenderOptions,
    ) -> Result<RenderedMessage, NotificationTemplateError> {
        let c = self.compile()?;
        let err = |field| move |error| NotificationTemplateError::Render { field, error };
        let subject = match &c.subject {
            Some(t) => Some(one_line(
                &t.render_text(context, options)
                    .map_err(err("subject_template"))?,
            )),
            None => None,
        };
        let body = c
            .body
            .render_text(context, options)
            .map_err(err("body_template"))?;
        let html_body = match &c.html {
            Some(t) => Some(
                t.render_html(context, options)
                    .map_err(err("html_body_template"))?,
            ),
            None => None,
        };
        let sms = (self.channel == Channel::Sms).then(|| sms_info(&body));
        Ok(RenderedMessage {
            subject,
            body,
            html_body,
            sms,
        })
    }

    fn compile(&self) -> Result<Compiled, NotificationTemplateError> {
        let invalid = |field, reason: &str| Err(ValidationError::new(field, reason).into());
        if self.version < 1 {
            return invalid("version", "must be 1 or more");
        }
        let mut seen = std::collections::HashSet::new();
        for v in &self.available_variables {
            super::check_variable_path(v)
                .map_err(|reason| ValidationError::new("available_variables", reason))?;
            if !seen.insert(v.as_str()) {
                return invalid("available_variables", &format!("{v:?} is listed twice"));
            }
        }
        let available: Vec<&str> = self
            .available_variables
            .iter()
            .map(String::as_str)
            .collect();
        let parse = |field: &'static str, text: &str| {
            Template::parse(text, &available)
                .map_err(|error| NotificationTemplateError::Syntax { field, error })
        };

        let subject = self
            .subject_template
            .as_deref()
            .filter(|s| !s.trim().is_empty());
        let subject = match (self.channel, subject) {
            (Channel::Sms, Some(_)) => return invalid("subject_template", "SMS has no subject"),
            (Channel::Sms, None) => None,
            (_, None) => {
                return invalid(
                    "subject_template",
                    "is required for e-mail, push and in-app",
                )
            }
            (_, Some(s)) if s.contains(['\n', '\r']) => {
                return invalid("subject_template", "must be a single line")
            }
            (_, Some(s)) => Some(parse("subject_template", s)?),
        };
        if self.body_template.trim().is_empty() {
            return invalid("body_template", "must not be empty");
        }
        let body = parse("body_template", &self.body_template)?;
        let html = match self.html_body_template.as_deref() {
            None => None,
            Some(_) if self.channel != Channel::Email => {
                return invalid("html_body_template", "only e-mail has an HTML body")
            }
            Some(h) if h.trim().is_empty() => {
                return invalid("html_body_template", "must not be empty when given")
            }
            Some(h) => Some(parse("html_body_template", h)?),
        };
        Ok(Compiled {
            subject,
            body,
            html,
        })
    }
}

/// Control characters (line breaks, tabs) become spaces; runs of spaces collapse.
fn one_line(s: &str) -> String {
    let replaced: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    replaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::TemplateErrorKind;
    use super::*;
    use serde_json::json;

    fn seed_example() -> NotificationTemplate {
        NotificationTemplate {
            name: TemplateName::parse("custom_alert").unwrap(),
            channel: Channel::Email,
            notification_type: NotificationType::System,
            subject_template: Some("Alert: {alert_type}".into()),
            body_template: "Dear {recipient.first_name}, {message}".into(),
            html_body_template: Some("<p>Dear {recipient.first_name},</p><p>{message}</p>".into()),
            available_variables: vec!["recipient".into(), "alert_type".into(), "message".into()],
            priority: Priority::NORMAL,
            active: true,
            version: 1,
        }
    }

    #[test]
    fn the_seed_example_validates_and_renders() {
        let t = seed_example();
        t.validate().unwrap();
        let ctx = json!({
            "alert_type": "Payment\r\nBcc: victim@example.com",
            "recipient": {"first_name": "Otieno"},
            "message": "Balance <due>",
        });
        let r = t.render(&ctx, &RenderOptions::default()).unwrap();
        assert_eq!(
            r.subject.as_deref(),
            Some("Alert: Payment Bcc: victim@example.com")
        );
        assert_eq!(r.body, "Dear Otieno, Balance <due>");
        assert_eq!(
            r.html_body.as_deref(),
            Some("<p>Dear Otieno,</p><p>Balance &lt;due&gt;</p>")
        );
        assert_eq!(r.sms, None);
    }

    #[test]
    fn errors_name_the_part() {
        let mut t = seed_example();
        t.html_body_template = Some("<p>\n{secret}</p>".into());
        let e = t.validate().unwrap_err();
        assert_eq!(e.field(), "html_body_template");
        let NotificationTemplateError::Syntax { error, .. } = e else {
            panic!()
        };
        assert_eq!(
            (error.kind, error.line, error.column),
            (TemplateErrorKind::UnknownVariable, 2, 2)
        );

        let mut t = seed_example();
        t.channel = Channel::Sms;
        assert_eq!(t.validate().unwrap_err().field(), "subject_template");
        t.subject_template = None;
        assert_eq!(t.validate().unwrap_err().field(), "html_body_template");
        t.html_body_template = None;
        t.validate().unwrap();
        let r = t
            .render(
                &json!({"recipient": {"first_name": "A"}, "message": "B"}),
                &RenderOptions::default(),
            )
            .unwrap();
        assert_eq!(r.sms.unwrap().segments, 1);

        let mut t = seed_example();
        t.available_variables.push("recipient".into());
        assert_eq!(t.validate().unwrap_err().field(), "available_variables");
        t.available_variables = vec!["bad-name".into()];
        assert_eq!(t.validate().unwrap_err().field(), "available_variables");
        let mut t = seed_example();
        t.version = 0;
        assert_eq!(t.validate().unwrap_err().field(), "version");
        let mut t = seed_example();
        t.subject_template = Some("two\nlines".into());
        assert_eq!(t.validate().unwrap_err().field(), "subject_template");
        let mut t = seed_example();
        t.body_template = "  ".into();
        assert_eq!(t.validate().unwrap_err().field(), "body_template");
    }

    #[test]
    fn render_errors_name_part_and_variable() {
        let e = seed_example()
            .render(
                &json!({"alert_type": "x", "message": "m"}),
                &RenderOptions::default(),
            )
            .unwrap_err();
        assert_eq!(e.field(), "body_template");
        assert!(e.to_string().contains("recipient.first_name"), "{e}");
    }

    #[test]
    fn serde_round_trip() {
        let t = seed_example();
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["name"], "custom_alert");
        assert_eq!(json["channel"], "email");
        assert_eq!(json["priority"], 3);
        let back: NotificationTemplate = serde_json::from_value(json).unwrap();
        assert_eq!(back, t);
    }
}
