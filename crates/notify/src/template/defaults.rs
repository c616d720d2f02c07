//! The default template set `gurumisha create-notification-templates` installs (idempotent by
//! name and channel): e-mail with subject, text and HTML; SMS short and GSM-7 only (no curly
//! quotes or dashes, which would double the cost); push as title and body; in-app as title
//! and body. Every template here must validate and render its [`super::sample_context`].

use super::NotificationTemplate;
use crate::domain::{Channel, NotificationType, Priority, TemplateName};

const SIGN_OFF: &str = "Asante,\nGurumisha Motors";

/// Wraps an e-mail's inner HTML in the shared branded layout (inline styles only, so no braces
/// need escaping and mail clients that strip `<style>` still show it).
fn email_html(heading: &str, inner: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{heading}</title></head>
<body style="margin:0;padding:0;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#1f2937">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="background:#ffffff;border-radius:8px">
<tr><td style="background:#b91c1c;color:#ffffff;padding:16px 24px;font-size:20px;font-weight:bold">Gurumisha Motors</td></tr>
<tr><td style="padding:24px;font-size:15px;line-height:1.5">
<h1 style="font-size:20px;margin:0 0 16px">{heading}</h1>
{inner}
<p>Asante,<br>Gurumisha Motors</p>
</td></tr>
<tr><td style="padding:16px 24px;font-size:12px;color:#6b7280">Gurumisha Motors, Nairobi, Kenya. Choose which notifications you receive in your <a href="{{site_url}}/dashboard/notification-preferences/">notification preferences</a>.</td></tr>
</table>
</td></tr></table>
</body>
</html>
"#
    )
}

fn button(url: &str, label: &str) -> String {
    format!(
        r#"<p><a href="{url}" style="display:inline-block;background:#b91c1c;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none">{label}</a></p>"#
    )
}

struct Def {
    name: &'static str,
    ty: NotificationType,
    priority: Priority,
    vars: &'static [&'static str],
}

impl Def {
    fn make(&self, channel: Channel, subject: Option<&str>, body: &str) -> NotificationTemplate {
        NotificationTemplate {
            name: TemplateName::parse(self.name).expect("default template names are valid"),
            channel,
            notification_type: self.ty,
            subject_template: subject.map(str::to_owned),
            body_template: body.to_owned(),
            html_body_template: None,
            available_variables: self.vars.iter().map(|v| v.to_string()).collect(),
            priority: self.priority,
            active: true,
            version: 1,
        }
    }

    fn email(&self, subject: &str, text: &str, html_inner: &str) -> NotificationTemplate {
        let mut t = self.make(
            Channel::Email,
            Some(subject),
            &format!("{text}\n\n{SIGN_OFF}\n"),
        );
        t.html_body_template = Some(email_html(subject, html_inner));
        t
    }
}

/// The default set, in a stable order (name, then email, sms, push, in_app).
pub fn default_templates() -> Vec<NotificationTemplate> {
    use Channel::*;
    let mut out = Vec::new();

    let d = Def {
        name: "order_status_change",
        ty: NotificationType::Orders,
        priority: Priority::NORMAL,
        vars: &[
            "recipient",
            "order",
            "new_status",
            "status_label",
            "site_url",
        ],
    };
    out.push(d.email(
        "Order {order.number}: {status_label}",
        "Dear {recipient.first_name},\n\n\
         Your order {order.number} for the {order.vehicle} is now: {status_label}.\n\n\
         Order total: {order.total|kes}\n\
         Follow your order: {order.url}\n\n\
         Questions? Reply to this e-mail and our sales team will help.",
        &format!(
            "<p>Dear {{recipient.first_name}},</p>\n\
             <p>Your order <strong>{{order.number}}</strong> for the {{order.vehicle}} is now: \
             <strong>{{status_label}}</strong>.</p>\n\
             <p>Order total: {{order.total|kes}}</p>\n{}\n\
             <p>Questions? Reply to this e-mail and our sales team will help.</p>",
            button("{order.url}", "Follow your order")
        ),
    ));
    out.push(d.make(
        Sms,
        None,
        "Gurumisha Motors: order {order.number} ({order.vehicle}) is now {status_label}. \
         Details: {order.url}",
    ));
    out.push(d.make(
        Push,
        Some("Order {order.number}: {status_label}"),
        "Your {order.vehicle} order is now {status_label}.",
    ));
    out.push(d.make(
        InApp,
        Some("Order {order.number}: {status_label}"),
        "Your order {order.number} for the {order.vehicle} is now {status_label}.",
    ));

    let d = Def {
        name: "import_status_change",
        ty: NotificationType::Imports,
        priority: Priority::NORMAL,
        vars: &["recipient", "import", "stage", "stage_label", "site_url"],
    };
    out.push(d.email(
        "Import {import.reference}: {stage_label}",
        "Dear {recipient.first_name},\n\n\
         Your {import.vehicle} import ({import.reference}) from {import.origin} has reached \
         a new stage: {stage_label}.\n\n\
         Follow every stage, from ordered to delivered: {import.url}",
        &format!(
            "<p>Dear {{recipient.first_name}},</p>\n\
             <p>Your {{import.vehicle}} import ({{import.reference}}) from {{import.origin}} \
             has reached a new stage:</p>\n\
             <p style=\"font-size:18px\"><strong>{{stage_label}}</strong></p>\n{}",
            button("{import.url}", "Follow your import")
        ),
    ));
    out.push(d.make(
        Sms,
        None,
        "Gurumisha Motors: your import {import.reference} is now at stage: {stage_label}. \
         Track it: {import.url}",
    ));
    out.push(d.make(
        Push,
        Some("Import {import.reference}: {stage_label}"),
        "Your {import.vehicle} is now at stage: {stage_label}.",
    ));
    out.push(d.make(
        InApp,
        Some("Import {import.reference}: {stage_label}"),
        "Your {import.vehicle} import from {import.origin} is now at stage: {stage_label}.",
    ));

    let d = Def {
        name: "inquiry_reply",
        ty: NotificationType::Orders,
        priority: Priority::NORMAL,
        vars: &["recipient", "inquiry", "agent", "site_url"],
    };
    out.push(d.email(
        "Re: {inquiry.subject}",
        "Dear {recipient.first_name},\n\n\
         {agent.name} from Gurumisha Motors has replied to your inquiry about the \
         {inquiry.car}:\n\n\
         \"{inquiry.reply_excerpt}\"\n\n\
         Read the full reply and answer it here: {inquiry.url}",
        &format!(
            "<p>Dear {{recipient.first_name}},</p>\n\
             <p>{{agent.name}} from Gurumisha Motors has replied to your inquiry about the \
             {{inquiry.car}}:</p>\n\
             <blockquote style=\"margin:0 0 16px;padding-left:12px;border-left:3px solid #d1d5db\">\
             {{inquiry.reply_excerpt}}</blockquote>\n{}",
            button("{inquiry.url}", "Read and reply")
        ),
    ));
    out.push(d.make(
        Sms,
        None,
        "Gurumisha Motors: {agent.name} replied to your inquiry about the {inquiry.car}. \
         Read it: {inquiry.url}",
    ));
    out.push(d.make(
        Push,
        Some("Reply about the {inquiry.car}"),
        "{agent.name}: {inquiry.reply_excerpt}",
    ));
    out.push(d.make(
        InApp,
        Some("New reply to your inquiry"),
        "{agent.name} replied about the {inquiry.car}: {inquiry.reply_excerpt}",
    ));

    let d = Def {
        name: "security_alert",
        ty: NotificationType::Security,
        priority: Priority::HIGHEST,
        vars: &["recipient", "alert", "site_url"],
    };
    out.push(d.email(
        "Security alert: {alert.title}",
        "Dear {recipient.first_name},\n\n\
         {alert.details}\n\n\
         When: {alert.occurred_at|date}\n\
         IP address: {alert.ip_address}\n\n\
         If you expected this, there is nothing to do. If not, change your password now \
         and review your account: {alert.review_url}\n\n\
         Gurumisha Motors will never ask for your password or your M-Pesa PIN.",
        &format!(
            "<p>Dear {{recipient.first_name}},</p>\n\
             <p>{{alert.details}}</p>\n\
             <table role=\"presentation\" cellpadding=\"4\" style=\"margin-bottom:16px\">\
             <tr><td>When</td><td>{{alert.occurred_at|date}}</td></tr>\
             <tr><td>IP address</td><td>{{alert.ip_address}}</td></tr></table>\n\
             <p>If you expected this, there is nothing to do. If not, change your password \
             now and review your account.</p>\n{}\n\
             <p style=\"color:#6b7280\">Gurumisha Motors will never ask for your password or \
             your M-Pesa PIN.</p>",
            button("{alert.review_url}", "Review your account")
        ),
    ));
    out.push(d.make(
        Sms,
        None,
        "Gurumisha Motors alert: {alert.title}, {alert.occurred_at|date}. \
         Unexpected? Secure your account: {alert.review_url}",
    ));
    out.push(d.make(
        Push,
        Some("Security alert: {alert.title}"),
        "{alert.details} Not you? Review your account now.",
    ));
    out.push(d.make(
        InApp,
        Some("Security alert: {alert.title}"),
        "{alert.details}\nTime: {alert.occurred_at|date}, IP address {alert.ip_address}.\n\
         Not what you expected? Change your password now.",
    ));

    let d = Def {
        name: "password_reset",
        ty: NotificationType::Security,
        priority: Priority::HIGHEST,
        vars: &["recipient", "reset", "site_url"],
    };
    out.push(d.email(
        "Reset your Gurumisha Motors password",
        "Dear {recipient.first_name},\n\n\
         We received a request to reset the password of your Gurumisha Motors account. \
         Use this link within {reset.expires_minutes} minutes:\n\n\
         {reset.url}\n\n\
         If you did not ask for this, ignore this e-mail: your password stays the same.",
        &format!(
            "<p>Dear {{recipient.first_name}},</p>\n\
             <p>We received a request to reset the password of your Gurumisha Motors account. \
             Use this button within {{reset.expires_minutes}} minutes:</p>\n{}\n\
             <p>If you did not ask for this, ignore this e-mail: your password stays the \
             same.</p>",
            button("{reset.url}", "Reset password")
        ),
    ));
    out.push(d.make(
        Sms,
        None,
        "Your Gurumisha Motors password reset code is {reset.code}. It expires in \
         {reset.expires_minutes} minutes. Never share it with anyone.",
    ));

    let d = Def {
        name: "welcome",
        ty: NotificationType::System,
        priority: Priority::NORMAL,
        vars: &["recipient", "site_url"],
    };
    out.push(d.email(
        "Karibu to Gurumisha Motors, {recipient.first_name}",
        "Dear {recipient.first_name},\n\n\
         Karibu! Your Gurumisha Motors account is ready. You can now:\n\n\
         - browse vehicles in stock in Kenya and ready to import,\n\
         - request an import and follow it from the order to the dock in Mombasa to your door,\n\
         - send inquiries to our sales team and read their replies.\n\n\
         Start here: {site_url}",
        &format!(
            "<p>Dear {{recipient.first_name}},</p>\n\
             <p>Karibu! Your Gurumisha Motors account is ready. You can now:</p>\n\
             <ul><li>browse vehicles in stock in Kenya and ready to import,</li>\
             <li>request an import and follow it from the order to the dock in Mombasa to \
             your door,</li>\
             <li>send inquiries to our sales team and read their replies.</li></ul>\n{}",
            button("{site_url}", "Browse vehicles")
        ),
    ));
    out.push(d.make(
        Sms,
        None,
        "Karibu to Gurumisha Motors, {recipient.first_name}! Your account is ready: {site_url}",
    ));
    out.push(d.make(
        InApp,
        Some("Karibu, {recipient.first_name}!"),
        "Your account is ready. Browse vehicles, request an import and follow every stage \
         from here.",
    ));

    let d = Def {
        name: "marketing_digest",
        ty: NotificationType::Marketing,
        priority: Priority::LOWEST,
        vars: &["recipient", "offers", "unsubscribe_url", "site_url"],
    };
    out.push(d.email(
        "New at Gurumisha Motors {offers.period}",
        "Dear {recipient.first_name},\n\n\
         {offers.headline}:\n\n\
         {offers.highlights}\n\n\
         See all vehicles: {offers.url}\n\n\
         You receive this because you chose to hear about offers from Gurumisha Motors. \
         Unsubscribe: {unsubscribe_url}",
        &format!(
            "<p>Dear {{recipient.first_name}},</p>\n\
             <p>{{offers.headline}}:</p>\n\
             <div style=\"white-space:pre-line;margin-bottom:16px\">{{offers.highlights}}</div>\n\
             {}\n\
             <p style=\"font-size:12px;color:#6b7280\">You receive this because you chose to \
             hear about offers from Gurumisha Motors. \
             <a href=\"{{unsubscribe_url}}\">Unsubscribe</a>.</p>",
            button("{offers.url}", "See all vehicles")
        ),
    ));
    out.push(d.make(
        Push,
        Some("New at Gurumisha Motors {offers.period}"),
        "{offers.headline}.",
    ));
    out.push(d.make(
        InApp,
        Some("New at Gurumisha Motors {offers.period}"),
        "{offers.headline}:\n{offers.highlights}",
    ));

    // Sent when an hourly, daily or weekly digest bucket is flushed.
    let d = Def {
        name: "notification_digest",
        ty: NotificationType::System,
        priority: Priority::NORMAL,
        vars: &["recipient", "digest", "site_url"],
    };
    out.push(d.email(
        "Your Gurumisha Motors updates {digest.period}",
        "Dear {recipient.first_name},\n\n\
         You have {digest.count} updates {digest.period}:\n\n\
         {digest.summary}\n\n\
         See them all: {digest.url}\n\n\
         These updates come as a digest because of your notification preferences: \
         {site_url}/dashboard/notification-preferences/",
        &format!(
            "<p>Dear {{recipient.first_name}},</p>\n\
             <p>You have {{digest.count}} updates {{digest.period}}:</p>\n\
             <div style=\"white-space:pre-line;margin-bottom:16px\">{{digest.summary}}</div>\n{}",
            button("{digest.url}", "See all updates")
        ),
    ));
    out.push(d.make(
        Sms,
        None,
        "Gurumisha Motors: {digest.count} updates {digest.period}. See them: {digest.url}",
    ));
    out.push(d.make(
        Push,
        Some("{digest.count} updates {digest.period}"),
        "Open Gurumisha Motors to see your order, import and inquiry updates.",
    ));
    out.push(d.make(
        InApp,
        Some("{digest.count} updates {digest.period}"),
        "{digest.summary}",
    ));
    out
}
