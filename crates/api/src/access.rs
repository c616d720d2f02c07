//! Who may do what. Every console command checks its permission here, in the backend; the UI
//! only reflects the list it is given (`OperatorInfo::permissions`).

use crate::types::{ApiError, ApiErrorCode};
use gurumisha_core::domain::Role;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Permission {
    /// The operator's own timeline ("My activity"); every operator has it.
    ViewOwnActivity,
    /// Everyone's activity.
    ViewActivity,
    ExportActivity,
    /// The audit trail: lists, change sets, object history.
    ViewAudit,
    ExportAudit,
    VerifyAudit,
    ViewQueue,
    /// Retry, cancel and requeue notifications.
    ManageQueue,
    ViewTemplates,
    /// Edit templates and send test messages.
    EditTemplates,
    ViewPreferences,
    EditPreferences,
    ViewOverview,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Self::ViewOwnActivity,
        Self::ViewActivity,
        Self::ExportActivity,
        Self::ViewAudit,
        Self::ExportAudit,
        Self::VerifyAudit,
        Self::ViewQueue,
        Self::ManageQueue,
        Self::ViewTemplates,
        Self::EditTemplates,
        Self::ViewPreferences,
        Self::EditPreferences,
        Self::ViewOverview,
    ];

    /// What the permission lets one do, for refusals: "may not {what}".
    pub fn what(self) -> &'static str {
        match self {
            Self::ViewOwnActivity => "see their own activity",
            Self::ViewActivity => "see everyone's activity",
            Self::ExportActivity => "export activity",
            Self::ViewAudit => "open the audit trail",
            Self::ExportAudit => "export the audit trail",
            Self::VerifyAudit => "verify the audit trail",
            Self::ViewQueue => "see the notification queue",
            Self::ManageQueue => "retry, cancel or requeue notifications",
            Self::ViewTemplates => "see notification templates",
            Self::EditTemplates => "edit notification templates",
            Self::ViewPreferences => "see notification preferences",
            Self::EditPreferences => "change notification preferences",
            Self::ViewOverview => "see the overview",
        }
    }
}

/// The console's roles and their permissions:
///
/// | | admin | compliance officer | support | manager |
/// |---|---|---|---|---|
/// | own activity, everyone's activity, queue, templates, preferences, overview (view) | ✓ | ✓ | ✓ | ✓ |
/// | export activity | ✓ | ✓ | | ✓ |
/// | audit trail: view, export, verify | ✓ | ✓ | | view only |
/// | retry/cancel/requeue, edit templates, change preferences | ✓ | | ✓ | |
///
/// Customers have no console access.
pub fn allows(role: Role, p: Permission) -> bool {
    use Permission::*;
    match role {
        Role::Customer => false,
        Role::Admin => true,
        Role::ComplianceOfficer => !matches!(p, ManageQueue | EditTemplates | EditPreferences),
        Role::Support => !matches!(p, ExportActivity | ViewAudit | ExportAudit | VerifyAudit),
        Role::Manager => !matches!(
            p,
            ExportAudit | VerifyAudit | ManageQueue | EditTemplates | EditPreferences
        ),
    }
}

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Customer => "customer",
        Role::Admin => "admin",
        Role::ComplianceOfficer => "compliance officer",
        Role::Support => "support",
        Role::Manager => "manager",
    }
}

/// A signed-in operator: a platform user with staff rights and a console role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// The user's IANA time zone (days in the overview are theirs).
    pub time_zone: String,
}

impl Operator {
    pub fn can(&self, p: Permission) -> bool {
        allows(self.role, p)
    }

    /// `Ok` when the role allows `p`, else a `forbidden` error naming the role and the action.
    pub fn require(&self, p: Permission) -> Result<(), ApiError> {
        if self.can(p) {
            Ok(())
        } else {
            Err(ApiError::new(
                ApiErrorCode::Forbidden,
                format!(
                    "forbidden: the {} role may not {}",
                    role_label(self.role),
                    p.what()
                ),
            ))
        }
    }

    pub fn info(&self) -> OperatorInfo {
        OperatorInfo {
            user_id: self.user_id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            permissions: Permission::ALL
                .iter()
                .copied()
                .filter(|p| self.can(*p))
                .collect(),
        }
    }
}

/// The signed-in operator as the UI sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OperatorInfo {
    #[ts(type = "number")]
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub permissions: Vec<Permission>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_as_documented() {
        use Permission::*;
        for p in Permission::ALL {
            assert!(allows(Role::Admin, *p));
            assert!(!allows(Role::Customer, *p));
            for r in [Role::ComplianceOfficer, Role::Support, Role::Manager] {
                assert!(allows(r, ViewOwnActivity) && allows(r, ViewOverview));
            }
        }
        assert!(!allows(Role::Support, ExportAudit));
        assert!(!allows(Role::Support, ViewAudit));
        assert!(allows(Role::Support, ManageQueue));
        assert!(allows(Role::ComplianceOfficer, ExportAudit));
        assert!(!allows(Role::ComplianceOfficer, ManageQueue));
        assert!(allows(Role::Manager, ViewAudit));
        assert!(!allows(Role::Manager, ExportAudit));
    }

    #[test]
    fn refusals_name_the_role_and_the_action() {
        let op = Operator {
            user_id: 7,
            username: "akinyi".into(),
            display_name: "Akinyi Otieno".into(),
            role: Role::Support,
            time_zone: "Africa/Nairobi".into(),
        };
        let e = op.require(Permission::ExportAudit).unwrap_err();
        assert_eq!(e.code, ApiErrorCode::Forbidden);
        assert_eq!(
            e.message,
            "forbidden: the support role may not export the audit trail"
        );
        assert!(!op.info().permissions.contains(&Permission::ExportAudit));
    }
}
