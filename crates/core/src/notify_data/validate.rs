//! The rules a store checks before writing notification data. They keep rows meaningful, not
//! policy: channels and types stay plain strings here (`gurumisha-notify` owns their lists).

use super::{NewDecision, NewDigestItem, PushSubscriptionRow, TemplateDraft, TemplateVersion};
use crate::ValidationError;

/// Longest template name, channel, type or key a store accepts.
pub const MAX_KEY_CHARS: usize = 200;

/// The decisions a fan-out records.
pub const DECISIONS: &[&str] = &["send", "skip", "defer", "digest"];

/// A required short identifier: not blank, no surrounding whitespace, not too long.
fn key(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if value.trim() != value {
        return Err(ValidationError::new(
            field,
            format!("{value:?} has leading or trailing whitespace"),
        ));
    }
    if value.chars().count() > MAX_KEY_CHARS {
        return Err(ValidationError::new(
            field,
            format!("longer than {MAX_KEY_CHARS} characters"),
        ));
    }
    Ok(())
}

fn non_empty(field: &'static str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::new(field, "must not be empty"))
    } else {
        Ok(())
    }
}

/// A priority from 1 (highest) to 5.
pub fn priority(value: i16) -> Result<(), ValidationError> {
    if (1..=5).contains(&value) {
        Ok(())
    } else {
        Err(ValidationError::new(
            "priority",
            format!("{value} is not between 1 (highest) and 5"),
        ))
    }
}

/// Stored preferences are a JSON object (the serialised `Preferences`).
pub fn preferences(value: &serde_json::Value) -> Result<(), ValidationError> {
    if value.is_object() {
        Ok(())
    } else {
        Err(ValidationError::new("preferences", "must be a JSON object"))
    }
}

impl TemplateDraft {
    pub fn validate(&self) -> Result<(), ValidationError> {
        key("name", &self.name)?;
        key("channel", &self.channel)?;
        key("notification_type", &self.notification_type)?;
        priority(self.priority)
    }
}

impl TemplateVersion {
    /// Whether `draft` has this version's content (everything but who edited it and why).
    pub fn same_content(&self, draft: &TemplateDraft) -> bool {
        self.name == draft.name
            && self.channel == draft.channel
            && self.notification_type == draft.notification_type
            && self.subject_template == draft.subject_template
            && self.body_template == draft.body_template
            && self.html_body_template == draft.html_body_template
            && self.available_variables == draft.available_variables
            && self.priority == draft.priority
            && self.active == draft.active
    }
}

impl NewDecision {
    pub fn validate(&self) -> Result<(), ValidationError> {
        key("send_key", &self.send_key)?;
        key("channel", &self.channel)?;
        key("notification_type", &self.notification_type)?;
        if !DECISIONS.contains(&self.decision.as_str()) {
            return Err(ValidationError::new(
                "decision",
                format!(
                    "{:?} is not one of send, skip, defer, digest",
                    self.decision
                ),
            ));
        }
        Ok(())
    }
}

impl NewDigestItem {
    pub fn validate(&self) -> Result<(), ValidationError> {
        key("channel", &self.channel)?;
        key("idempotency_key", &self.idempotency_key)?;
        key("notification_type", &self.notification_type)?;
        if self.window_end <= self.window_start {
            return Err(ValidationError::new(
                "window_end",
                "the digest window must end after it starts",
            ));
        }
        Ok(())
    }
}

impl PushSubscriptionRow {
    pub fn validate(&self) -> Result<(), ValidationError> {
        non_empty("endpoint", &self.endpoint)?;
        non_empty("p256dh", &self.p256dh)?;
        non_empty("auth", &self.auth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Timestamp;

    fn draft() -> TemplateDraft {
        TemplateDraft {
            name: "order_status_change".into(),
            channel: "email".into(),
            notification_type: "orders".into(),
            subject_template: Some("Order {{ order.id }}".into()),
            body_template: "Hello".into(),
            html_body_template: None,
            available_variables: vec!["order".into()],
            priority: 3,
            active: true,
            edited_by: None,
            note: None,
        }
    }

    #[test]
    fn template_rules_name_the_field() {
        assert!(draft().validate().is_ok());
        let bad = |f: fn(&mut TemplateDraft)| {
            let mut d = draft();
            f(&mut d);
            d.validate().unwrap_err().field
        };
        assert_eq!(bad(|d| d.name = "  ".into()), "name");
        assert_eq!(bad(|d| d.name = " padded".into()), "name");
        assert_eq!(bad(|d| d.name = "x".repeat(201)), "name");
        assert_eq!(bad(|d| d.channel = String::new()), "channel");
        assert_eq!(bad(|d| d.priority = 0), "priority");
        assert_eq!(bad(|d| d.priority = 6), "priority");
    }

    #[test]
    fn decisions_and_digests() {
        let d = NewDecision {
            send_key: "k".into(),
            recipient_id: 1,
            channel: "sms".into(),
            notification_type: "orders".into(),
            decision: "maybe".into(),
            reason: String::new(),
            notification_id: None,
            digest_bucket_id: None,
            until: None,
            decided_at: Timestamp(0),
        };
        assert_eq!(d.validate().unwrap_err().field, "decision");
        let item = NewDigestItem {
            recipient_id: 1,
            channel: "email".into(),
            window_start: Timestamp(10),
            window_end: Timestamp(10),
            idempotency_key: "k".into(),
            notification_type: "orders".into(),
            title: String::new(),
            body: String::new(),
            created_at: Timestamp(0),
        };
        assert_eq!(item.validate().unwrap_err().field, "window_end");
        assert_eq!(
            preferences(&serde_json::json!([1])).unwrap_err().field,
            "preferences"
        );
    }
}
