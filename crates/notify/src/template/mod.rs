//! Notification templates in the seed's syntax: `'Alert: {alert_type}'`,
//! `'Dear {recipient.first_name}, {message}'`.
//!
//! - `{name}` and dotted paths (`{order.number}`, `{items.0.title}`) look values up in a JSON
//!   context; `{{` and `}}` are literal braces.
//! - Filters, deliberately few: `{amount|kes}` (`KES 1,800,000`), `|upper`, `|lower`, and
//!   `|date` (an ISO timestamp shown as `26 Nov 2026, 14:05` in the recipient's time zone).
//! - [`Template::parse`] rejects syntax errors and variables outside the available list, with
//!   line, column and byte offset. A variable is available if it or one of its dotted
//!   prefixes is listed (`recipient` allows `recipient.first_name`).
//! - Rendering never substitutes silently: a missing or `null` value is an error naming the
//!   variable. HTML rendering escapes context values and leaves the template's own markup alone.
//!
//! [`NotificationTemplate`] is the stored row (name, channel, parts, available variables,
//! priority, active, version); [`default_templates`] is the set `gurumisha
//! create-notification-templates` installs, and [`sample_context`] feeds live previews.

mod defaults;
mod labels;
mod notification;
mod parse;
mod render;
mod samples;
mod sms;

pub use defaults::default_templates;
pub use labels::{humanize, import_stage_label, SecurityAlertKind};
pub use notification::{NotificationTemplate, NotificationTemplateError, RenderedMessage};
pub use parse::{TemplateError, TemplateErrorKind};
pub use render::{RenderError, RenderOptions};
pub use samples::{preview_context, sample_context, security_alert_context};
pub use sms::{sms_info, SmsEncoding, SmsInfo};

/// A parsed, validated template. Parse once, render many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    source: String,
    parts: Vec<Part>,
}

#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Var(Placeholder),
}

#[derive(Debug, Clone, PartialEq)]
struct Placeholder {
    path: String,
    segments: Vec<String>,
    filters: Vec<Filter>,
}

/// The filters a placeholder may apply, left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    Kes,
    Upper,
    Lower,
    Date,
}

impl Filter {
    const ALL: [Filter; 4] = [Self::Kes, Self::Upper, Self::Lower, Self::Date];

    fn as_str(self) -> &'static str {
        match self {
            Self::Kes => "kes",
            Self::Upper => "upper",
            Self::Lower => "lower",
            Self::Date => "date",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }
}

impl Template {
    /// Parses `text`, allowing only variables in (or under) `available_variables`.
    pub fn parse(text: &str, available_variables: &[&str]) -> Result<Self, TemplateError> {
        Ok(Self {
            source: text.to_owned(),
            parts: parse::parse(text, available_variables)?,
        })
    }

    /// The text it was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The variable paths used, in order of first use, without repeats.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        let mut seen = std::collections::HashSet::new();
        self.parts.iter().filter_map(move |p| match p {
            Part::Var(v) if seen.insert(v.path.as_str()) => Some(v.path.as_str()),
            _ => None,
        })
    }

    /// Renders as plain text (SMS, push, in-app, the text part of an e-mail).
    pub fn render_text(
        &self,
        context: &serde_json::Value,
        options: &RenderOptions,
    ) -> Result<String, RenderError> {
        render::render(&self.parts, context, options, false)
    }

    /// Renders an HTML body: every substituted value is HTML-escaped; the template's own
    /// markup is copied as written.
    pub fn render_html(
        &self,
        context: &serde_json::Value,
        options: &RenderOptions,
    ) -> Result<String, RenderError> {
        render::render(&self.parts, context, options, true)
    }
}

/// Validates a declared available variable (same path rules as in a template).
pub(crate) fn check_variable_path(path: &str) -> Result<(), String> {
    parse::check_path(path).map_err(|(_, msg)| msg)
}
