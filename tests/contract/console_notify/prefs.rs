//! The preferences view: validation naming the field, old → new in the audit trail.

use super::{operator, user};
use crate::harness::both;
use gurumisha_api::types::*;
use gurumisha_core::domain::*;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preferences_are_validated_and_changes_recorded() {
    both(|db| async move {
        let (support_id, support) = operator(&db, "mutua", Role::Support).await;
        let customer = user(&db, "wambui", Role::Customer, None).await;
        let set = |preferences| SetPreferencesRequest {
            user_id: customer,
            preferences,
        };
        let e = support
            .set_preferences(set(json!({"time_zone": "Africa/Mombasa"})))
            .await
            .unwrap_err();
        assert_eq!(e.code, ApiErrorCode::InvalidInput);
        assert!(e.message.starts_with("invalid time_zone:"), "{}", e.message);
        for (bad, field) in [
            (json!({"types": {"spam": {}}}), "types.spam"),
            (json!({"channels": {"fax": true}}), "channels.fax"),
            (json!({"colour": "blue"}), "preferences.colour"),
            (
                json!({"quiet_hours": {"start": "25:00", "end": "06:00"}}),
                "quiet_hours",
            ),
        ] {
            let e = support.set_preferences(set(bad)).await.unwrap_err();
            assert!(
                e.message.starts_with(&format!("invalid {field}")),
                "{}",
                e.message
            );
        }

        let before = support
            .get_preferences(GetPreferencesRequest {
                username: Some("wambui".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(!before.stored && before.time_zone_from_profile);
        let saved = support
            .set_preferences(set(json!({
                "frequency": "daily",
                "quiet_hours": {"start": "22:00", "end": "07:00"},
            })))
            .await
            .unwrap();
        assert_eq!(
            saved.changed_fields,
            vec!["frequency", "quiet_hours"],
            "{}",
            db.name
        );
        assert!(saved.user.stored && saved.user.time_zone_from_profile);
        let rows = support
            .api()
            .list_audit(AuditQuery {
                change_set_id: saved.change_set_id.clone(),
                ..Default::default()
            })
            .await
            .unwrap()
            .items;
        let quiet = rows
            .iter()
            .find(|r| r.field_name.as_deref() == Some("quiet_hours"))
            .unwrap();
        assert_eq!(quiet.old_value, Some(json!(null)));
        assert_eq!(
            quiet.new_value,
            Some(json!({"start": "22:00", "end": "07:00"}))
        );
        assert_eq!(quiet.user_id, Some(support_id));
        assert_eq!(quiet.table_name, "notification_preferences");
        assert_eq!(
            quiet.record_id.as_deref(),
            Some(customer.to_string().as_str())
        );
        let frequency = rows
            .iter()
            .find(|r| r.field_name.as_deref() == Some("frequency"))
            .unwrap();
        assert_eq!(
            (frequency.old_value.clone(), frequency.new_value.clone()),
            (Some(json!("immediate")), Some(json!("daily")))
        );
        let after = support
            .get_preferences(GetPreferencesRequest {
                user_id: Some(customer),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(
            after.preferences.frequency,
            gurumisha_notify::Frequency::Daily
        );
    })
    .await;
}
