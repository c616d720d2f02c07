//! The default template set, rendered with its sample contexts and snapshotted with `insta`
//! (snapshots in `src/snapshots/`, reviewed by eye). Also the set's invariants: every template
//! validates, SMS bodies stay cheap, push stays short.

use crate::domain::Channel;
use crate::template::{
    default_templates, sample_context, security_alert_context, sms_info, NotificationTemplate,
    RenderOptions, RenderedMessage, SecurityAlertKind, SmsEncoding,
};
use std::collections::HashSet;

fn show(t: &NotificationTemplate, r: &RenderedMessage) -> String {
    let mut s = format!(
        "template: {} ({}), type {}, priority {}, version {}\n",
        t.name, t.channel, t.notification_type, t.priority, t.version
    );
    if let Some(subject) = &r.subject {
        s.push_str(&format!("--- subject ---\n{subject}\n"));
    }
    s.push_str(&format!("--- body ---\n{}\n", r.body));
    if let Some(html) = &r.html_body {
        s.push_str(&format!("--- html ---\n{html}"));
    }
    if let Some(sms) = &r.sms {
        s.push_str(&format!(
            "--- sms ---\n{:?}, {} units, {} segment(s), {} left\n",
            sms.encoding, sms.units, sms.segments, sms.remaining
        ));
    }
    s
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ prepend_module_to_snapshot => false }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn every_default_template_renders_its_sample() {
    let options = RenderOptions::default();
    for t in default_templates() {
        let r = t
            .render(&sample_context(t.name.as_str()), &options)
            .unwrap_or_else(|e| panic!("{} ({}): {e}", t.name, t.channel));
        snapshot(&format!("{}__{}", t.name, t.channel), &show(&t, &r));
    }
}

#[test]
fn security_alert_kinds_render() {
    let options = RenderOptions::default();
    let templates = default_templates();
    for kind in SecurityAlertKind::ALL {
        let ctx = security_alert_context(kind);
        for channel in [Channel::Email, Channel::Sms] {
            let t = templates
                .iter()
                .find(|t| t.name.as_str() == "security_alert" && t.channel == channel)
                .unwrap();
            let r = t.render(&ctx, &options).unwrap();
            let text = match channel {
                Channel::Email => format!("{}\n\n{}", r.subject.unwrap(), r.body),
                _ => r.body,
            };
            snapshot(
                &format!("security_alert__{}__{}", kind.as_str(), channel),
                &text,
            );
        }
    }
}

#[test]
fn the_set_is_valid_and_unique_by_name_and_channel() {
    let templates = default_templates();
    let mut keys = HashSet::new();
    for t in &templates {
        t.validate()
            .unwrap_or_else(|e| panic!("{} ({}): {e}", t.name, t.channel));
        assert!(keys.insert((t.name.clone(), t.channel)), "{} twice", t.name);
        assert!(t.active && t.version == 1);
        let ctx = sample_context(t.name.as_str());
        for v in &t.available_variables {
            let root = v.split('.').next().unwrap();
            assert!(ctx.get(root).is_some(), "{}: sample lacks {root}", t.name);
        }
    }
    let names: HashSet<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    for wanted in [
        "order_status_change",
        "import_status_change",
        "inquiry_reply",
        "security_alert",
        "password_reset",
        "welcome",
        "marketing_digest",
        "notification_digest",
    ] {
        assert!(names.contains(wanted), "{wanted} missing");
    }
    assert_eq!(templates.len(), 28);
}

#[test]
fn sms_bodies_are_gsm7_and_one_segment_with_the_samples() {
    let check = |t: &NotificationTemplate, ctx| {
        let r = t.render(&ctx, &RenderOptions::default()).unwrap();
        let info = sms_info(&r.body);
        assert_eq!(info.encoding, SmsEncoding::Gsm7, "{}: {}", t.name, r.body);
        assert_eq!(info.segments, 1, "{}: {}", t.name, r.body);
        assert_eq!(r.sms, Some(info));
    };
    for t in default_templates()
        .iter()
        .filter(|t| t.channel == Channel::Sms)
    {
        check(t, sample_context(t.name.as_str()));
        if t.name.as_str() == "security_alert" {
            for kind in SecurityAlertKind::ALL {
                check(t, security_alert_context(kind));
            }
        }
    }
}

#[test]
fn push_titles_and_bodies_fit_a_lock_screen() {
    for t in default_templates()
        .iter()
        .filter(|t| t.channel == Channel::Push)
    {
        let r = t
            .render(&sample_context(t.name.as_str()), &RenderOptions::default())
            .unwrap();
        let title = r.subject.unwrap();
        assert!(title.chars().count() <= 65, "{}: title {title:?}", t.name);
        assert!(
            r.body.chars().count() <= 200,
            "{}: body {:?}",
            t.name,
            r.body
        );
    }
}
