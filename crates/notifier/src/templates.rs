//! Installing the default templates (`gurumisha create-notification-templates`, the demo):
//! each goes through `save_template`, which stores a new version only when the content differs
//! from the current one, so running it twice creates nothing the second time, and an operator's
//! edit is not silently overwritten by an unchanged default (the default becomes a new version
//! only when the shipped text itself changed).

use crate::NotifierError;
use gurumisha_core::notify_data::{NotifyDataStore, TemplateDraft};
use gurumisha_core::Timestamp;
use gurumisha_notify::template::default_templates;
use gurumisha_notify::NotificationTemplate;
use serde::Serialize;

/// Who the stored versions name as their editor.
pub const INSTALLER: &str = "create-notification-templates";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InstallReport {
    /// Templates in the default set.
    pub templates: usize,
    /// New versions stored (first install, or a default whose text changed).
    pub created: usize,
    pub unchanged: usize,
}

/// A domain template as a store draft.
pub fn draft(t: &NotificationTemplate, edited_by: &str, note: Option<&str>) -> TemplateDraft {
    TemplateDraft {
        name: t.name.as_str().to_owned(),
        channel: t.channel.as_str().to_owned(),
        notification_type: t.notification_type.as_str().to_owned(),
        subject_template: t.subject_template.clone(),
        body_template: t.body_template.clone(),
        html_body_template: t.html_body_template.clone(),
        available_variables: t.available_variables.clone(),
        priority: i16::from(t.priority.get()),
        active: t.active,
        edited_by: Some(edited_by.to_owned()),
        note: note.map(str::to_owned),
    }
}

/// Validates and saves every default template.
pub async fn install_defaults(
    data: &dyn NotifyDataStore,
    now: Timestamp,
) -> Result<InstallReport, NotifierError> {
    let mut report = InstallReport::default();
    for t in default_templates() {
        t.validate()
            .map_err(|e| NotifierError::Config(format!("default template {}: {e}", t.name)))?;
        let (_, created) = data
            .save_template(draft(&t, INSTALLER, Some("default template")), now)
            .await?;
        report.templates += 1;
        if created {
            report.created += 1;
        } else {
            report.unchanged += 1;
        }
    }
    Ok(report)
}
