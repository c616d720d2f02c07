//! Human labels the shortcuts put into template contexts: templates have no logic, so the
//! sender turns `arrived_docked` into "Arrived at the dock (Mombasa)" before rendering.

use gurumisha_core::ValidationError;
use serde::{Deserialize, Serialize};

/// `ready_for_pickup` → "Ready for pickup": the fallback label for a status nobody named.
pub fn humanize(code: &str) -> String {
    let words = code.trim().replace(['_', '-'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The label of an import stage (the seed's import tracking stages); unknown stages are
/// humanized rather than refused, so a new stage still produces a readable message.
pub fn import_stage_label(stage: &str) -> String {
    match stage.trim() {
        "ordered" => "Ordered".into(),
        "shipped" => "Shipped".into(),
        "arrived_docked" => "Arrived at the dock (Mombasa)".into(),
        "customs" => "In customs".into(),
        "cleared" => "Cleared".into(),
        "delivered" => "Delivered".into(),
        other => humanize(other),
    }
}

/// The security events the `security_alert` template is sent for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SecurityAlertKind {
    FailedLogins,
    NewDevice,
    PermissionChange,
}

impl SecurityAlertKind {
    pub const ALL: [Self; 3] = [Self::FailedLogins, Self::NewDevice, Self::PermissionChange];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::FailedLogins => "failed_logins",
            Self::NewDevice => "new_device",
            Self::PermissionChange => "permission_change",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                ValidationError::new(
                    "alert_kind",
                    format!("{s:?} is not one of failed_logins, new_device, permission_change"),
                )
            })
    }

    /// The alert's title (`{alert.title}`); `count` is the number of failed attempts.
    pub fn title(self, count: u32) -> String {
        match self {
            Self::FailedLogins => format!("{count} failed sign-in attempts"),
            Self::NewDevice => "Sign-in from a new device".into(),
            Self::PermissionChange => "Your account permissions changed".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_stages() {
        let stages = [
            "ordered",
            "shipped",
            "arrived_docked",
            "customs",
            "cleared",
            "delivered",
        ];
        let labels: Vec<String> = stages.iter().map(|s| import_stage_label(s)).collect();
        assert_eq!(
            labels,
            [
                "Ordered",
                "Shipped",
                "Arrived at the dock (Mombasa)",
                "In customs",
                "Cleared",
                "Delivered"
            ]
        );
        assert_eq!(import_stage_label("at_inspection"), "At inspection");
    }

    #[test]
    fn humanize_codes() {
        assert_eq!(humanize("ready_for_pickup"), "Ready for pickup");
        assert_eq!(humanize("shipped"), "Shipped");
        assert_eq!(humanize(""), "");
    }

    #[test]
    fn alert_kinds() {
        assert_eq!(
            SecurityAlertKind::parse("new_device").unwrap(),
            SecurityAlertKind::NewDevice
        );
        assert_eq!(
            SecurityAlertKind::parse("x").unwrap_err().field,
            "alert_kind"
        );
        assert_eq!(
            SecurityAlertKind::FailedLogins.title(5),
            "5 failed sign-in attempts"
        );
    }
}
