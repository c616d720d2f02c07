//! The notifications the platform sends most, as one call each (after the seed's
//! `NotificationShortcuts`): the template, the channels, the context the template expects and
//! a natural idempotency key (the same status change reported twice notifies once).

use crate::{Notifier, NotifierError, SendOutcome, SendRequest};
use gurumisha_core::Timestamp;
use gurumisha_notify::template::{humanize, import_stage_label, SecurityAlertKind};
use gurumisha_notify::{Channel, NotificationType, Priority, TemplateName};
use serde_json::json;

const ALL: &[Channel] = &[Channel::Email, Channel::Sms, Channel::Push, Channel::InApp];

/// An import order's stages, in the order a car goes through them (the platform's own type).
pub use gurumisha_core::platform::ImportStage;

/// An order as the templates show it.
#[derive(Debug, Clone)]
pub struct OrderInfo {
    pub number: String,
    pub vehicle: String,
    pub total_kes: i64,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct ImportInfo {
    pub reference: String,
    pub vehicle: String,
    pub origin: String,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct InquiryReply {
    /// Identifies the reply (the key: one notification per reply).
    pub reply_id: i64,
    pub subject: String,
    pub car: String,
    pub reply_excerpt: String,
    pub url: String,
    pub agent_name: String,
}

#[derive(Debug, Clone)]
pub struct SecurityAlert {
    pub kind: SecurityAlertKind,
    pub details: String,
    pub occurred_at: Timestamp,
    pub ip_address: String,
    /// Failed attempts, for `FailedLogins`.
    pub count: u32,
    pub review_url: String,
}

fn template(name: &str) -> Option<TemplateName> {
    TemplateName::parse(name).ok()
}

impl Notifier {
    /// An order moved to `new_status` (`confirmed`, `shipped`, `ready_for_pickup`, ...).
    pub async fn order_status_change(
        &self,
        recipient_id: i64,
        order: &OrderInfo,
        new_status: &str,
    ) -> Result<SendOutcome, NotifierError> {
        let label = humanize(new_status);
        let mut req = SendRequest::new(recipient_id, NotificationType::Orders, ALL);
        req.title = format!("Order {}: {label}", order.number);
        req.message = format!(
            "Your order {} for the {} is now {label}.",
            order.number, order.vehicle
        );
        req.template_name = template("order_status_change");
        req.context = json!({
            "order": {"number": order.number, "vehicle": order.vehicle,
                      "total": order.total_kes, "url": order.url},
            "new_status": new_status, "status_label": label, "url": order.url,
        });
        req.idempotency_key = Some(format!("order:{}:{}", order.number, new_status.trim()));
        self.send_notification(req).await
    }

    /// An import order reached `stage`.
    pub async fn import_status_change(
        &self,
        recipient_id: i64,
        import: &ImportInfo,
        stage: ImportStage,
    ) -> Result<SendOutcome, NotifierError> {
        let label = import_stage_label(stage.as_str());
        let mut req = SendRequest::new(recipient_id, NotificationType::Imports, ALL);
        req.title = format!("Import {}: {label}", import.reference);
        req.message = format!("Your {} is now at stage: {label}.", import.vehicle);
        req.template_name = template("import_status_change");
        req.context = json!({
            "import": {"reference": import.reference, "vehicle": import.vehicle,
                       "origin": import.origin, "url": import.url},
            "stage": stage.as_str(), "stage_label": label, "url": import.url,
        });
        req.idempotency_key = Some(format!("import:{}:{}", import.reference, stage.as_str()));
        self.send_notification(req).await
    }

    /// Staff replied to a customer's inquiry.
    pub async fn inquiry_reply(
        &self,
        recipient_id: i64,
        reply: &InquiryReply,
    ) -> Result<SendOutcome, NotifierError> {
        let channels = [Channel::Email, Channel::Push, Channel::InApp];
        let mut req = SendRequest::new(recipient_id, NotificationType::Orders, &channels);
        req.title = format!("Reply about the {}", reply.car);
        req.message = format!("{}: {}", reply.agent_name, reply.reply_excerpt);
        req.template_name = template("inquiry_reply");
        req.context = json!({
            "inquiry": {"subject": reply.subject, "car": reply.car,
                        "reply_excerpt": reply.reply_excerpt, "url": reply.url},
            "agent": {"name": reply.agent_name}, "url": reply.url,
        });
        req.idempotency_key = Some(format!("inquiry_reply:{}", reply.reply_id));
        self.send_notification(req).await
    }

    /// A security event on the recipient's account: every channel, at once, whatever the
    /// preferences and quiet hours say (security cannot be turned off).
    pub async fn security_alert(
        &self,
        recipient_id: i64,
        alert: &SecurityAlert,
    ) -> Result<SendOutcome, NotifierError> {
        let title = alert.kind.title(alert.count);
        let mut req = SendRequest::new(recipient_id, NotificationType::Security, ALL);
        req.title = format!("Security alert: {title}");
        req.message = alert.details.clone();
        req.template_name = template("security_alert");
        req.priority = Some(Priority::HIGHEST);
        req.context = json!({
            "alert": {"kind": alert.kind.as_str(), "title": title, "details": alert.details,
                      "occurred_at": alert.occurred_at.to_rfc3339(),
                      "ip_address": alert.ip_address, "review_url": alert.review_url},
            "url": alert.review_url,
        });
        req.idempotency_key = Some(format!(
            "security:{recipient_id}:{}:{}",
            alert.kind.as_str(),
            alert.occurred_at.micros()
        ));
        self.send_notification(req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_are_ordered_and_labelled() {
        let mut sorted = ImportStage::ALL;
        sorted.sort();
        assert_eq!(sorted, ImportStage::ALL);
        assert!(ImportStage::Shipped < ImportStage::Delivered);
        assert_eq!(
            import_stage_label(ImportStage::parse("arrived_docked").unwrap().as_str()),
            "Arrived at the dock (Mombasa)"
        );
        assert_eq!(ImportStage::parse("teleported").unwrap_err().field, "stage");
    }
}
