//! From a stored template version and a context to the text a queue row carries, and the
//! context every message gets: the recipient (from the contact row) and the site URL.

use gurumisha_core::notify_data::{Contact, TemplateVersion};
use gurumisha_core::ValidationError;
use gurumisha_notify::template::{humanize, RenderOptions};
use gurumisha_notify::{
    Channel, NotificationTemplate, NotificationType, Priority, TemplateName, TimeZoneName,
};
use serde_json::{json, Value};

/// What one channel's queue row (or digest item) will carry.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rendered {
    pub title: String,
    pub body: String,
    pub html_body: Option<String>,
    /// The pinned template, when one was used.
    pub template: Option<(String, i64)>,
    pub priority: Priority,
}

/// A stored version back to the domain type (validated: stored rows went through it once).
pub(crate) fn from_version(v: &TemplateVersion) -> Result<NotificationTemplate, ValidationError> {
    Ok(NotificationTemplate {
        name: TemplateName::parse(&v.name)?,
        channel: Channel::parse(&v.channel)?,
        notification_type: NotificationType::parse(&v.notification_type)?,
        subject_template: v.subject_template.clone(),
        body_template: v.body_template.clone(),
        html_body_template: v.html_body_template.clone(),
        available_variables: v.available_variables.clone(),
        priority: Priority::new(i64::from(v.priority))?,
        active: v.active,
        version: v.version,
    })
}

/// The context with `recipient` (from the contact) and `site_url` filled in where the caller
/// did not set them; a non-object context is wrapped as `{"value": …}`.
pub(crate) fn full_context(context: &Value, contact: &Contact, site_url: &str) -> Value {
    let mut ctx = match context {
        Value::Object(_) => context.clone(),
        Value::Null => json!({}),
        other => json!({ "value": other }),
    };
    let map = ctx.as_object_mut().expect("an object");
    map.entry("recipient").or_insert_with(|| {
        json!({
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "email": contact.email,
            "phone": contact.phone,
        })
    });
    map.entry("site_url")
        .or_insert_with(|| Value::String(site_url.to_owned()));
    ctx
}

/// Renders `version` for `context` in the recipient's zone. `fallback_title` names SMS rows,
/// which have no subject.
pub(crate) fn render_version(
    version: &TemplateVersion,
    context: &Value,
    zone: &TimeZoneName,
    fallback_title: &str,
    priority: Option<Priority>,
) -> Result<Rendered, String> {
    let t = from_version(version).map_err(|e| {
        format!(
            "template {} v{} ({}) is invalid: {e}",
            version.name, version.version, version.channel
        )
    })?;
    let options = RenderOptions {
        time_zone: zone.clone(),
    };
    let r = t.render(context, &options).map_err(|e| {
        format!(
            "template {} v{} ({}) could not be rendered: {e}",
            version.name, version.version, version.channel
        )
    })?;
    let title = match r.subject {
        Some(s) => s,
        None if !fallback_title.trim().is_empty() => fallback_title.trim().to_owned(),
        None => humanize(&version.name),
    };
    Ok(Rendered {
        title,
        body: r.body,
        html_body: r.html_body,
        template: Some((version.name.clone(), version.version)),
        priority: priority.unwrap_or(t.priority),
    })
}

/// Plain title and message, when there is no template for the channel.
pub(crate) fn plain(title: &str, message: &str, priority: Option<Priority>) -> Option<Rendered> {
    (!title.trim().is_empty() || !message.trim().is_empty()).then(|| Rendered {
        title: title.trim().to_owned(),
        body: message.trim().to_owned(),
        html_body: None,
        template: None,
        priority: priority.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gurumisha_core::Timestamp;

    fn contact() -> Contact {
        Contact {
            user_id: 7,
            first_name: "Wanjiru".into(),
            last_name: "Kamau".into(),
            email: "wanjiru@example.co.ke".into(),
            phone: Some("+254712345678".into()),
            time_zone: "Africa/Nairobi".into(),
            is_active: true,
        }
    }

    fn version(channel: &str, subject: Option<&str>, body: &str) -> TemplateVersion {
        TemplateVersion {
            name: "order_status_change".into(),
            channel: channel.into(),
            version: 3,
            notification_type: "orders".into(),
            subject_template: subject.map(str::to_owned),
            body_template: body.into(),
            html_body_template: None,
            available_variables: vec!["recipient".into(), "order".into()],
            priority: 2,
            active: true,
            edited_by: None,
            note: None,
            created_at: Timestamp(0),
        }
    }

    #[test]
    fn context_gets_recipient_and_site_but_keeps_callers_values() {
        let ctx = full_context(
            &json!({"order": {"number": "ORD-1"}}),
            &contact(),
            "https://x",
        );
        assert_eq!(ctx["recipient"]["first_name"], "Wanjiru");
        assert_eq!(ctx["site_url"], "https://x");
        let own = full_context(
            &json!({"recipient": {"first_name": "Achieng"}}),
            &contact(),
            "s",
        );
        assert_eq!(own["recipient"]["first_name"], "Achieng");
        assert_eq!(full_context(&Value::Null, &contact(), "s")["site_url"], "s");
    }

    #[test]
    fn renders_pins_and_names_sms_rows() {
        let ctx = full_context(&json!({"order": {"number": "ORD-1"}}), &contact(), "s");
        let tz = TimeZoneName::nairobi();
        let v = version(
            "email",
            Some("Order {order.number}"),
            "Dear {recipient.first_name}",
        );
        let r = render_version(&v, &ctx, &tz, "ignored", None).unwrap();
        assert_eq!(
            (r.title.as_str(), r.body.as_str()),
            ("Order ORD-1", "Dear Wanjiru")
        );
        assert_eq!(r.template, Some(("order_status_change".into(), 3)));
        assert_eq!(r.priority.get(), 2);
        let sms = version("sms", None, "{order.number}");
        let r = render_version(&sms, &ctx, &tz, "", Some(Priority::HIGHEST)).unwrap();
        assert_eq!(r.title, "Order status change");
        assert_eq!(r.priority, Priority::HIGHEST);
        let e = render_version(&v, &json!({}), &tz, "", None).unwrap_err();
        assert!(
            e.contains("could not be rendered") && e.contains("v3"),
            "{e}"
        );
        assert!(plain(" ", "", None).is_none());
    }
}
