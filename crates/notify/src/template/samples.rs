//! Sample contexts for the default templates: the snapshot tests render them, and the
//! console's live preview starts from them. Realistic Gurumisha Motors data (Kenya, KES).

use super::{NotificationTemplate, SecurityAlertKind, Template};
use serde_json::{json, Map, Value};

const SITE: &str = "https://gurumisha.example";

/// The sample context for a template name; unknown names get the shared part only
/// (`recipient`, `site_url`).
pub fn sample_context(name: &str) -> Value {
    let extra = match name {
        "order_status_change" => json!({
            "order": {
                "number": "ORD-10457",
                "vehicle": "2019 Toyota Harrier 2.0 Premium",
                "total": 4_250_000,
                "url": format!("{SITE}/dashboard/orders/10457/"),
            },
            "new_status": "shipped",
            "status_label": "Shipped",
        }),
        "import_status_change" => json!({
            "import": {
                "reference": "IMP-2026-0142",
                "vehicle": "2018 Mazda CX-5 2.2 XD",
                "origin": "Yokohama, Japan",
                "url": format!("{SITE}/dashboard/imports/142/"),
            },
            "stage": "arrived_docked",
            "stage_label": super::import_stage_label("arrived_docked"),
        }),
        "inquiry_reply" => json!({
            "inquiry": {
                "subject": "2020 Subaru Forester: price and availability",
                "car": "2020 Subaru Forester 2.0i-S",
                "reply_excerpt": "Yes, the Forester is still available at KES 3,650,000 and you \
                                  can view it at our Mombasa Road yard, Monday to Saturday.",
                "url": format!("{SITE}/dashboard/inquiries/881/"),
            },
            "agent": {"name": "Brian Otieno"},
        }),
        "security_alert" => return security_alert_context(SecurityAlertKind::FailedLogins),
        "password_reset" => json!({
            "reset": {
                "url": format!("{SITE}/reset-password/?token=4f9c2b7e8a1d"),
                "code": "482913",
                "expires_minutes": 30,
            },
        }),
        "marketing_digest" => json!({
            "offers": {
                "period": "this week",
                "headline": "12 new arrivals, including a 2020 Toyota Land Cruiser Prado TX",
                "highlights": "2020 Toyota Land Cruiser Prado TX - KES 6,950,000\n\
                               2019 Mazda CX-5 2.2 XD - KES 3,150,000\n\
                               2018 Subaru Outback 2.5i - KES 2,850,000",
                "url": format!("{SITE}/cars/?sort=newest"),
            },
            "unsubscribe_url": format!("{SITE}/unsubscribe/?token=c81e728d9d4c"),
        }),
        "notification_digest" => json!({
            "digest": {
                "period": "for Thursday 26 Nov 2026",
                "count": 3,
                "summary": "- Order ORD-10457 is now Shipped\n\
                            - Import IMP-2026-0142: Arrived at the dock (Mombasa)\n\
                            - Brian Otieno replied to your inquiry about the 2020 Subaru Forester",
                "url": format!("{SITE}/dashboard/notifications/"),
            },
        }),
        _ => json!({}),
    };
    merge(base(), extra)
}

/// The `security_alert` context for one kind of event.
pub fn security_alert_context(kind: SecurityAlertKind) -> Value {
    let (details, ip) = match kind {
        SecurityAlertKind::FailedLogins => (
            "Someone tried to sign in to your account 5 times with a wrong password. \
             We have locked sign-in for 15 minutes.",
            "197.248.10.23",
        ),
        SecurityAlertKind::NewDevice => (
            "Your account was signed in to from a new device: Chrome on Windows, near Nakuru.",
            "105.161.44.7",
        ),
        SecurityAlertKind::PermissionChange => (
            "Your role was changed from Customer to Manager by James Mwangi (administrator).",
            "41.90.64.12",
        ),
    };
    merge(
        base(),
        json!({
            "alert": {
                "kind": kind.as_str(),
                "title": kind.title(5),
                "details": details,
                "occurred_at": "2026-11-26T11:05:00Z",
                "ip_address": ip,
                "review_url": format!("{SITE}/dashboard/security/"),
            },
        }),
    )
}

/// A context for previewing any template, including a custom one: the sample for its name,
/// plus a visible `[path]` placeholder for every variable the sample does not provide.
pub fn preview_context(template: &NotificationTemplate) -> Value {
    let mut ctx = sample_context(template.name.as_str());
    let available: Vec<&str> = template
        .available_variables
        .iter()
        .map(String::as_str)
        .collect();
    let parts = [
        template.subject_template.as_deref(),
        Some(template.body_template.as_str()),
        template.html_body_template.as_deref(),
    ];
    for text in parts.into_iter().flatten() {
        let Ok(t) = Template::parse(text, &available) else {
            continue;
        };
        for path in t.variables() {
            fill(&mut ctx, path);
        }
    }
    ctx
}

fn base() -> Value {
    json!({
        "recipient": {
            "first_name": "Wanjiku",
            "last_name": "Kamau",
            "email": "wanjiku.kamau@example.co.ke",
            "phone": "+254712345678",
        },
        "site_url": SITE,
    })
}

fn merge(mut a: Value, b: Value) -> Value {
    if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
        a.extend(b);
    }
    a
}

/// Sets `path` to `"[path]"` unless something (even a non-object) is already there.
fn fill(ctx: &mut Value, path: &str) {
    let mut cur = ctx;
    let segments: Vec<&str> = path.split('.').collect();
    for (i, seg) in segments.iter().enumerate() {
        let Some(map) = cur.as_object_mut() else {
            return;
        };
        let last = i + 1 == segments.len();
        cur = map.entry(seg.to_string()).or_insert_with(|| {
            if last {
                Value::String(format!("[{path}]"))
            } else {
                Value::Object(Map::new())
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::RenderOptions;
    use super::*;
    use crate::domain::{Channel, NotificationType, Priority, TemplateName};

    #[test]
    fn unknown_names_get_the_shared_part() {
        let ctx = sample_context("custom_alert");
        assert_eq!(ctx["recipient"]["first_name"], "Wanjiku");
        assert_eq!(ctx["site_url"], SITE);
    }

    #[test]
    fn preview_fills_what_the_sample_lacks() {
        let t = NotificationTemplate {
            name: TemplateName::parse("custom_alert").unwrap(),
            channel: Channel::Sms,
            notification_type: NotificationType::System,
            subject_template: None,
            body_template: "Dear {recipient.first_name}, {alert_type}: {message|upper}".into(),
            html_body_template: None,
            available_variables: vec!["recipient".into(), "alert_type".into(), "message".into()],
            priority: Priority::NORMAL,
            active: true,
            version: 1,
        };
        let r = t
            .render(&preview_context(&t), &RenderOptions::default())
            .unwrap();
        assert_eq!(r.body, "Dear Wanjiku, [alert_type]: [MESSAGE]");
    }
}
