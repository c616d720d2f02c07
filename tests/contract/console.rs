//! The console as operators use it: sign-in against Django password hashes, roles checked in
//! the backend, and the console's own actions recorded with the operator as actor.

use crate::harness::{both, Db};
use gurumisha_api::types::{
    ActivityQuery, ApiErrorCode, AuditQuery, ChangeSetQuery, SignInRequest, VerifyQuery,
};
use gurumisha_api::{password, Console, RequestContext};
use gurumisha_core::domain::*;
use gurumisha_core::event::AuditEntry;
use gurumisha_core::platform::NewUser;
use gurumisha_core::query::{AuditFilter, PageRequest};
use gurumisha_core::service::ModelChange;
use gurumisha_core::Timestamp;
use serde_json::json;

/// Django's own test vector (tests/auth_tests/test_hashers.py): "lètmein", salt "seasalt".
const DJANGO_HASH: &str =
    "pbkdf2_sha256$390000$seasalt$8xBlGd3jVgvJ+92hWPxi5ww0uuAuAnKgC45eudxro7c=";

async fn staff(db: &Db, username: &str, role: Role, hash: &str, staff: bool, active: bool) -> i64 {
    db.api
        .store()
        .insert_users(vec![NewUser {
            username: username.into(),
            first_name: "Achieng".into(),
            last_name: "Odhiambo".into(),
            email: Email::parse(&format!("{username}@example.co.ke")).unwrap(),
            phone: None,
            role,
            is_staff: staff,
            is_active: active,
            date_joined: Timestamp::now(),
            time_zone: "Africa/Nairobi".into(),
            password_hash: hash.into(),
        }])
        .await
        .unwrap()[0]
}

fn cheap(password: &str) -> String {
    password::make(password, &password::new_salt(), 1_000)
}

async fn sign_in(
    db: &Db,
    username: &str,
    password: &str,
) -> Result<Console, gurumisha_api::ApiError> {
    let signed = db
        .api
        .sign_in(
            SignInRequest {
                username: username.into(),
                password: password.into(),
            },
            RequestContext::parse(Some("127.0.0.1"), Some("test"), None, None).unwrap(),
        )
        .await?;
    db.api.console(Some(&signed.token))
}

/// The newest audit rows, newest first.
async fn recent_audit(db: &Db, n: u32) -> Vec<AuditEntry> {
    db.api
        .store()
        .list_audit(&AuditFilter::default(), &PageRequest::first(n))
        .await
        .unwrap()
        .items
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_sign_in_with_their_django_passwords() {
    both(|db| async move {
        let id = staff(
            &db,
            "achieng",
            Role::ComplianceOfficer,
            DJANGO_HASH,
            true,
            true,
        )
        .await;
        let console = sign_in(&db, "achieng", "lètmein").await.unwrap();
        let me = console.operator().info();
        assert_eq!((me.user_id, me.role), (id, Role::ComplianceOfficer));
        assert_eq!(me.display_name, "Achieng Odhiambo");
        assert!(me
            .permissions
            .contains(&gurumisha_api::access::Permission::ExportAudit));
        let login = &recent_audit(&db, 1).await[0];
        assert_eq!(login.row.content.action_type, "login", "{}", db.name);
        assert_eq!(login.row.content.user_id, Some(id));
        let mine = console
            .list_activity(ActivityQuery {
                mine: Some(true),
                ..Default::default()
            })
            .await
            .unwrap();
        let label = mine.items[0].session_id.as_deref().unwrap_or_default();
        assert!(label.starts_with("console-"), "session label {label:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_sign_ins_are_refused_alike_and_audited() {
    both(|db| async move {
        let id = staff(
            &db,
            "otieno",
            Role::Admin,
            &cheap("right horse"),
            true,
            true,
        )
        .await;
        staff(
            &db,
            "mteja",
            Role::Customer,
            &cheap("customer pw"),
            false,
            true,
        )
        .await;
        staff(&db, "zamani", Role::Support, &cheap("old pw"), true, false).await;
        staff(&db, "hakuna", Role::Support, "!unusable", true, true).await;

        let wrong = sign_in(&db, "otieno", "wrong horse").await.err().unwrap();
        let unknown = sign_in(&db, "nobody", "right horse").await.err().unwrap();
        assert_eq!(wrong.code, ApiErrorCode::Unauthenticated);
        assert_eq!(
            wrong, unknown,
            "an unknown user and a wrong password look the same"
        );
        let unusable = sign_in(&db, "hakuna", "").await.err().unwrap();
        assert_eq!(unusable, wrong);

        let customer = sign_in(&db, "mteja", "customer pw").await.err().unwrap();
        assert!(
            customer.message.contains("no console access"),
            "{}",
            customer.message
        );
        let inactive = sign_in(&db, "zamani", "old pw").await.err().unwrap();
        assert!(
            inactive.message.contains("inactive"),
            "{}",
            inactive.message
        );

        let rows = recent_audit(&db, 5).await;
        assert!(rows
            .iter()
            .all(|r| r.row.content.action_type == "failed_login"));
        let reasons: Vec<&str> = rows
            .iter()
            .map(|r| r.row.content.description.as_str())
            .collect();
        assert!(
            reasons
                .iter()
                .any(|d| d.contains("\"otieno\": wrong password")),
            "{reasons:?}"
        );
        assert!(
            reasons
                .iter()
                .any(|d| d.contains("\"nobody\": no such user")),
            "{reasons:?}"
        );
        let wrong_row = rows
            .iter()
            .find(|r| r.row.content.description.contains("otieno"))
            .unwrap();
        assert_eq!(wrong_row.row.content.user_id, Some(id));
        assert!(
            !rows
                .iter()
                .any(|r| r.row.content.description.contains("wrong horse")),
            "a tried password never reaches the log"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_are_checked_in_the_backend_and_refusals_recorded() {
    both(|db| async move {
        let id = staff(
            &db,
            "kamau",
            Role::Support,
            &cheap("support pw"),
            true,
            true,
        )
        .await;
        let support = sign_in(&db, "kamau", "support pw").await.unwrap();
        for e in [
            support
                .list_audit(AuditQuery::default())
                .await
                .err()
                .unwrap(),
            support
                .verify_audit(VerifyQuery::default())
                .await
                .err()
                .unwrap(),
            support
                .get_change_set(ChangeSetQuery {
                    change_set_id: "x".into(),
                })
                .await
                .err()
                .unwrap(),
        ] {
            assert_eq!(e.code, ApiErrorCode::Forbidden, "{}", db.name);
            assert!(e.message.contains("support role may not"), "{}", e.message);
        }
        let denied = &recent_audit(&db, 1).await[0];
        assert_eq!(denied.row.content.action_type, "permission_denied");
        assert_eq!(denied.row.content.user_id, Some(id));
        // Support may see activity (the platform's timeline is their daily tool).
        support
            .list_activity(ActivityQuery::default())
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_actions_are_audited_and_in_my_activity() {
    both(|db| async move {
        let id = staff(&db, "njeri", Role::Admin, &cheap("admin pw"), true, true).await;
        let other = staff(&db, "wafula", Role::Manager, &cheap("mgr pw"), true, true).await;
        let change = db
            .api
            .recorder()
            .log_model_change(ModelChange {
                timestamp: None,
                user_id: Some(other),
                table_name: TableName::parse("cars").unwrap(),
                record_id: RecordId::from(42),
                action_type: AuditActionType::parse("update").unwrap(),
                changes: vec![gurumisha_core::event::FieldChange {
                    field: FieldName::parse("price_kes").unwrap(),
                    old: json!(2_100_000),
                    new: json!(1_990_000),
                }],
                severity: None,
                description: None,
                context: RequestContext::default(),
            })
            .await
            .unwrap()
            .unwrap();
        let admin = sign_in(&db, "njeri", "admin pw").await.unwrap();
        let fields = admin
            .get_change_set(ChangeSetQuery {
                change_set_id: change.change_set_id.clone(),
            })
            .await
            .unwrap();
        assert_eq!(fields.len(), 1);
        let access = &recent_audit(&db, 1).await[0];
        assert_eq!(access.row.content.action_type, "data_access", "{}", db.name);
        assert_eq!(access.row.content.user_id, Some(id));
        assert_eq!(access.row.content.table_name, "cars");
        assert_eq!(access.row.content.record_id.as_deref(), Some("42"));
        assert!(access
            .row
            .content
            .description
            .contains(&change.change_set_id));

        // "My activity": the operator's own events only, the console's included.
        let mine = admin
            .list_activity(ActivityQuery {
                mine: Some(true),
                user_id: Some(other),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(!mine.items.is_empty());
        assert!(mine.items.iter().all(|a| a.user_id == Some(id)));
        assert!(mine
            .items
            .iter()
            .any(|a| a.description.starts_with("Console: opened change set")));

        // Signing out without a session records nothing.
        db.api.sign_out(None).await.unwrap();
        let rows = recent_audit(&db, 1).await;
        assert_eq!(rows[0].row.content.action_type, "data_access");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_at_sign_out() {
    both(|db| async move {
        staff(&db, "chebet", Role::Manager, &cheap("pw"), true, true).await;
        let signed = db
            .api
            .sign_in(
                SignInRequest {
                    username: "chebet".into(),
                    password: "pw".into(),
                },
                RequestContext::default(),
            )
            .await
            .unwrap();
        assert!(db.api.console(Some(&signed.token)).is_ok());
        db.api.sign_out(Some(&signed.token)).await.unwrap();
        let e = db.api.console(Some(&signed.token)).err().unwrap();
        assert_eq!(e.code, ApiErrorCode::Unauthenticated);
        assert_eq!(
            recent_audit(&db, 1).await[0].row.content.action_type,
            "logout"
        );
        assert_eq!(
            db.api.console(None).err().unwrap().code,
            ApiErrorCode::Unauthenticated
        );
    })
    .await;
}
