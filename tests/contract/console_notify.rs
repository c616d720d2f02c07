//! The console's notification views as operators use them: the queue (summary with grouped
//! failures, lists, one notification with its "why", bulk actions with dry runs), templates
//! (preview with inline errors and SMS cost, versioned saves with the diff audited, test sends)
//! and preferences (validated, old → new audited), on both databases.

mod prefs;
mod queue;
mod templates;

use crate::harness::{both, Db};
use gurumisha_api::types::*;
use gurumisha_api::{password, Console, RequestContext};
use gurumisha_core::domain::*;
use gurumisha_core::event::AuditEntry;
use gurumisha_core::platform::NewUser;
use gurumisha_core::query::{AuditFilter, PageRequest};
use gurumisha_core::Timestamp;
use gurumisha_notify::{Channel, NotificationStatus};
use serde_json::json;

/// A user (staff unless a customer) with a cheap password hash; returns the id.
pub async fn user(db: &Db, username: &str, role: Role, phone: Option<&str>) -> i64 {
    db.api
        .store()
        .insert_users(vec![NewUser {
            username: username.into(),
            first_name: "Njeri".into(),
            last_name: "Mwangi".into(),
            email: Email::parse(&format!("{username}@example.co.ke")).unwrap(),
            phone: phone.map(|p| PhoneE164::parse(p).unwrap()),
            role,
            is_staff: role != Role::Customer,
            is_active: true,
            date_joined: Timestamp::now(),
            time_zone: "Africa/Nairobi".into(),
            password_hash: password::make("pw", &password::new_salt(), 1_000),
        }])
        .await
        .unwrap()[0]
}

pub async fn sign_in(db: &Db, username: &str) -> Console {
    let signed = db
        .api
        .sign_in(
            SignInRequest {
                username: username.into(),
                password: "pw".into(),
            },
            RequestContext::parse(Some("127.0.0.1"), Some("test"), None, None).unwrap(),
        )
        .await
        .unwrap();
    db.api.console(Some(&signed.token)).unwrap()
}

pub async fn operator(db: &Db, username: &str, role: Role) -> (i64, Console) {
    let id = user(db, username, role, Some("+254712345678")).await;
    (id, sign_in(db, username).await)
}

pub async fn recent_audit(db: &Db, n: u32) -> Vec<AuditEntry> {
    db.api
        .store()
        .list_audit(&AuditFilter::default(), &PageRequest::first(n))
        .await
        .unwrap()
        .items
}

pub fn dead_sms() -> NotificationFilter {
    NotificationFilter {
        status: Some(NotificationStatus::Dead),
        channel: Some(Channel::Sms),
        ..NotificationFilter::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_decide_who_may_act_on_the_queue_and_templates() {
    both(|db| async move {
        let (_, manager) = operator(&db, "meneja", Role::Manager).await;
        let (_, support) = operator(&db, "msaidizi", Role::Support).await;
        let (compliance_id, compliance) = operator(&db, "mkaguzi", Role::ComplianceOfficer).await;
        let retry = QueueActionRequest {
            action: QueueActionKind::Retry,
            ids: None,
            filter: Some(dead_sms()),
            dry_run: true,
        };
        let e = manager.queue_action(retry.clone()).await.unwrap_err();
        assert_eq!(e.code, ApiErrorCode::Forbidden, "{}", db.name);
        assert!(
            e.message.contains("manager role may not retry"),
            "{}",
            e.message
        );
        // Everyone may look.
        manager.queue_summary(QueueSummaryRequest {}).await.unwrap();
        assert_eq!(support.queue_action(retry).await.unwrap().matched, 0);

        let save = SaveTemplateRequest {
            name: "order_status_change".into(),
            channel: Channel::Sms,
            notification_type: None,
            subject: None,
            body: "Order {order.number}: {status_label}".into(),
            html: None,
            available_variables: None,
            priority: None,
            active: None,
            note: None,
        };
        let e = compliance.save_template(save).await.unwrap_err();
        assert_eq!(e.code, ApiErrorCode::Forbidden, "{}", db.name);
        let denied = &recent_audit(&db, 1).await[0].row.content;
        assert_eq!(denied.action_type, "permission_denied");
        assert_eq!(denied.user_id, Some(compliance_id));
        let e = compliance
            .set_preferences(SetPreferencesRequest {
                user_id: compliance_id,
                preferences: json!({}),
            })
            .await
            .unwrap_err();
        assert_eq!(e.code, ApiErrorCode::Forbidden);
        compliance
            .list_templates(ListTemplatesRequest {})
            .await
            .unwrap();
    })
    .await;
}
