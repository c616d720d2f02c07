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

pub(crate) async fn staff(
    db: &Db,
    username: &str,
    role: Role,
    hash: &str,
    staff: bool,
    active: bool,
) -> i64 {
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

pub(crate) fn cheap(password: &str) -> String {
    password::make(password, &password::new_salt(), 1_000)
}

pub(crate) async fn sign_in(
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
pub(crate) async fn recent_audit(db: &Db, n: u32) -> Vec<AuditEntry> {
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overview_counts_what_happened() {
    both(|db| async move {
        let id = staff(&db, "mwangi", Role::Manager, &cheap("pw"), true, true).await;
        let now = Timestamp::now();
        let rec = db.api.recorder();
        let mut batch = Vec::new();
        for (ago_us, action) in [
            (60_000_000, "car_view"),
            (120_000_000, "car_view"),
            (3 * 86_400_000_000, "login"),
            (40 * 86_400_000_000, "login"), // outside a 30-day window
        ] {
            let mut a = gurumisha_core::event::NewActivity::new(
                Some(id),
                Action::parse(action).unwrap(),
                "overview test",
            );
            a.timestamp = Some(Timestamp(now.micros() - ago_us));
            batch.push(a);
        }
        rec.log_activities(batch).await.unwrap();
        rec.log_security_event(
            Some(id),
            AuditActionType::parse("permission_change").unwrap(),
            "made a customer staff",
            Severity::Critical,
            RequestContext::default(),
        )
        .await
        .unwrap();
        let mut n = crate::queue::note("ov-1", 3, now);
        n.channel = "sms".into();
        db.api.queue_store().enqueue(vec![n]).await.unwrap();

        let manager = sign_in(&db, "mwangi", "pw").await.unwrap();
        let o = manager
            .overview(gurumisha_api::types::OverviewRequest { days: Some(30) })
            .await
            .unwrap();
        assert_eq!(o.events_per_day.len(), 30, "{}", db.name);
        let days: Vec<&str> = o.events_per_day.iter().map(|d| d.day.as_str()).collect();
        assert!(
            days.windows(2).all(|w| w[0] < w[1]),
            "days ascend: {days:?}"
        );
        // The sign-in itself logs one `login` activity today.
        let total: i64 = o.events_per_day.iter().map(|d| d.count).sum();
        assert_eq!(
            total, 4,
            "three test events and the sign-in, not the one 40 days ago"
        );
        assert_eq!(o.top_actions[0].name, "car_view");
        assert_eq!(o.top_actions[0].count, 2);
        assert_eq!(o.top_actions[1].name, "login");
        assert_eq!(o.top_actions[1].count, 2);
        let critical = o
            .audit_by_severity
            .iter()
            .find(|s| s.name == "critical")
            .unwrap();
        assert_eq!(critical.count, 1);
        assert_eq!(o.critical_recent[0].description, "made a customer staff");
        let sms = o
            .delivery_by_channel
            .iter()
            .find(|c| c.channel == "sms")
            .unwrap();
        assert_eq!((sms.pending, sms.sent), (1, 0));
        assert_eq!(o.queue_depth, 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn who_last_changed_each_field() {
    both(|db| async move {
        let a = staff(
            &db,
            "auditor",
            Role::ComplianceOfficer,
            &cheap("pw"),
            true,
            true,
        )
        .await;
        let seller = staff(&db, "seller", Role::Support, &cheap("pw2"), true, true).await;
        let change =
            |user: i64, field: &str, old: serde_json::Value, new: serde_json::Value| ModelChange {
                timestamp: None,
                user_id: Some(user),
                table_name: TableName::parse("cars").unwrap(),
                record_id: RecordId::from(7),
                action_type: AuditActionType::parse("update").unwrap(),
                changes: vec![gurumisha_core::event::FieldChange {
                    field: FieldName::parse(field).unwrap(),
                    old,
                    new,
                }],
                severity: None,
                description: None,
                context: RequestContext::default(),
            };
        let rec = db.api.recorder();
        rec.log_model_change(change(a, "price_kes", json!(1), json!(2)))
            .await
            .unwrap();
        rec.log_model_change(change(seller, "status", json!("available"), json!("sold")))
            .await
            .unwrap();
        rec.log_model_change(change(seller, "price_kes", json!(2), json!(3)))
            .await
            .unwrap();
        let console = sign_in(&db, "auditor", "pw").await.unwrap();
        let last = console
            .field_last_changes(gurumisha_api::types::FieldLastChangesQuery {
                table_name: "cars".into(),
                record_id: "7".into(),
            })
            .await
            .unwrap();
        let fields: Vec<&str> = last.iter().map(|f| f.field_name.as_str()).collect();
        assert_eq!(fields, ["price_kes", "status"], "{}", db.name);
        assert_eq!(last[0].last.user_id, Some(seller));
        assert_eq!(last[0].last.new_value, Some(json!(3)));
        let access = &recent_audit(&db, 1).await[0];
        assert_eq!(access.row.content.action_type, "data_access");
        assert_eq!(
            access.row.content.description,
            "opened the history of cars 7"
        );
    })
    .await;
}

async fn wait_done(console: &Console, id: &str) -> gurumisha_api::export::ExportStatus {
    crate::harness::until_finished(&format!("export {id}"), || async {
        let s = console
            .export_status(gurumisha_api::export::ExportId {
                export_id: id.into(),
            })
            .await
            .unwrap();
        (s.state, s)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_stream_the_filtered_set_formula_safe() {
    use gurumisha_api::export::{ExportFormat, ExportKind, ExportRequest};
    use gurumisha_api::types::JobState;
    both(|db| async move {
        let id = staff(
            &db,
            "kiprono",
            Role::ComplianceOfficer,
            &cheap("pw"),
            true,
            true,
        )
        .await;
        let other = staff(
            &db,
            "mutua",
            Role::ComplianceOfficer,
            &cheap("pw"),
            true,
            true,
        )
        .await;
        let rec = db.api.recorder();
        let mut batch = Vec::new();
        for i in 0..2_500 {
            let mut a = gurumisha_core::event::NewActivity::new(
                Some(other),
                Action::parse("search").unwrap(),
                if i == 7 {
                    "=HYPERLINK(\"http://evil.example\",\"click\")".to_owned()
                } else {
                    format!("searched for harrier {i}")
                },
            );
            a.timestamp = Some(Timestamp(
                Timestamp::now().micros() - i64::from(i) * 1_000_000,
            ));
            batch.push(a);
        }
        rec.log_activities(batch).await.unwrap();
        let console = sign_in(&db, "kiprono", "pw").await.unwrap();
        let path = db.dir.join("activity.csv");
        let started = console
            .start_export(
                ExportRequest {
                    kind: ExportKind::Activity,
                    format: ExportFormat::Csv,
                    activity: Some(ActivityQuery {
                        action: Some("search".into()),
                        ..Default::default()
                    }),
                    audit: None,
                },
                path.clone(),
                None,
            )
            .await
            .unwrap();
        let done = wait_done(&console, &started.export_id).await;
        assert_eq!(done.state, JobState::Done, "{:?}", done.error);
        assert_eq!(
            done.rows, 2_500,
            "{}: every page, not just the first",
            db.name
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(done.bytes as usize, text.len());
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 2_501);
        assert!(lines[0].starts_with("id,timestamp,user_id,username,action,description"));
        assert!(
            text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""),
            "a formula is defused"
        );
        let export_row = &recent_audit(&db, 1).await[0];
        assert_eq!(export_row.row.content.action_type, "export");
        assert_eq!(export_row.row.content.user_id, Some(id));
        assert!(export_row
            .row
            .content
            .description
            .contains("filter: action=search"));

        // JSON Lines of the audit trail: one parseable object per row.
        let path = db.dir.join("audit.jsonl");
        let started = console
            .start_export(
                ExportRequest {
                    kind: ExportKind::Audit,
                    format: ExportFormat::Jsonl,
                    activity: None,
                    audit: Some(AuditQuery::default()),
                },
                path.clone(),
                None,
            )
            .await
            .unwrap();
        let done = wait_done(&console, &started.export_id).await;
        assert_eq!(done.state, JobState::Done);
        let text = std::fs::read_to_string(&path).unwrap();
        let rows: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len() as u64, done.rows);
        assert!(rows.iter().any(|r| r["action_type"] == "export"));

        // Another operator cannot see or fetch it.
        let peer = sign_in(&db, "mutua", "pw").await.unwrap();
        let e = peer
            .export_status(gurumisha_api::export::ExportId {
                export_id: started.export_id.clone(),
            })
            .await
            .unwrap_err();
        assert_eq!(e.code, ApiErrorCode::NotFound);
        assert!(peer.export_file(&started.export_id).is_err());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_is_refused_an_audit_export_in_the_backend() {
    use gurumisha_api::export::{ExportFormat, ExportKind, ExportRequest};
    both(|db| async move {
        let id = staff(&db, "wekesa", Role::Support, &cheap("pw"), true, true).await;
        let support = sign_in(&db, "wekesa", "pw").await.unwrap();
        let path = db.dir.join("refused.csv");
        let e = support
            .start_export(
                ExportRequest {
                    kind: ExportKind::Audit,
                    format: ExportFormat::Csv,
                    activity: None,
                    audit: None,
                },
                path.clone(),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code, ApiErrorCode::Forbidden);
        assert!(!path.exists(), "nothing written");
        let denied = &recent_audit(&db, 1).await[0];
        assert_eq!(denied.row.content.action_type, "permission_denied");
        assert_eq!(denied.row.content.user_id, Some(id));
        assert!(denied
            .row
            .content
            .description
            .contains("export the audit trail"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_bring_new_critical_events_and_dead_notifications() {
    use gurumisha_api::alerts::{AlertKind, AlertSettingsRequest};
    use gurumisha_api::AlertSettings;
    use gurumisha_core::queue::NextStep;
    both(|db| async move {
        staff(
            &db,
            "officer",
            Role::ComplianceOfficer,
            &cheap("pw"),
            true,
            true,
        )
        .await;
        staff(&db, "helper", Role::Support, &cheap("pw"), true, true).await;
        let officer = sign_in(&db, "officer", "pw").await.unwrap();
        let support = sign_in(&db, "helper", "pw").await.unwrap();
        let rec = db.api.recorder();
        // Old events are not alerts: the watcher starts at the head.
        rec.log_security_event(
            None,
            AuditActionType::parse("permission_change").unwrap(),
            "before the watcher",
            Severity::Critical,
            RequestContext::default(),
        )
        .await
        .unwrap();
        let start = officer.alert_start().await.unwrap();
        assert_eq!(
            officer
                .get_alert_settings(AlertSettingsRequest {})
                .await
                .unwrap(),
            AlertSettings::default()
        );
        for (sev, text) in [
            (Severity::Critical, "superuser granted to mteja"),
            (Severity::High, "bulk price change"),
            (Severity::Low, "viewed a car"),
        ] {
            rec.log_security_event(
                None,
                AuditActionType::parse("permission_change").unwrap(),
                text,
                sev,
                RequestContext::default(),
            )
            .await
            .unwrap();
        }
        let q = db.api.queue_store();
        let now = Timestamp::now();
        let id = q
            .enqueue(vec![crate::queue::note("alert-1", 3, now)])
            .await
            .unwrap()[0]
            .0;
        let lease = q.claim("w", 1, 30_000, now).await.unwrap().pop().unwrap().1;
        q.fail(
            lease,
            crate::queue::attempt(now, "550 no such user"),
            NextStep::Dead {
                reason: "550 no such user".into(),
            },
            now,
        )
        .await
        .unwrap();

        let (alerts, next) = officer.alerts_after(start.clone()).await.unwrap();
        let kinds: Vec<AlertKind> = alerts.iter().map(|a| a.kind).collect();
        assert_eq!(
            kinds,
            [AlertKind::CriticalAudit, AlertKind::DeadNotification],
            "{}: high is opt-in, low never",
            db.name
        );
        assert!(alerts[0].body.contains("superuser granted to mteja"));
        assert!(alerts[0].route.starts_with("#/audit?severity=critical"));
        assert_eq!(alerts[1].route, format!("#/queue?status=dead&id={id}"));
        assert!(alerts[1].body.contains("550 no such user"));
        // Nothing twice.
        assert!(officer.alerts_after(next).await.unwrap().0.is_empty());

        // Settings: high on, dead off (recorded), applied to the next read.
        officer
            .set_alert_settings(AlertSettings {
                critical_audit: true,
                high_audit: true,
                dead_notifications: false,
            })
            .await
            .unwrap();
        assert_eq!(
            recent_audit(&db, 1).await[0].row.content.action_type,
            "config_change"
        );
        let (alerts, _) = officer.alerts_after(start.clone()).await.unwrap();
        let kinds: Vec<AlertKind> = alerts.iter().map(|a| a.kind).collect();
        assert_eq!(kinds, [AlertKind::CriticalAudit, AlertKind::HighAudit]);

        // Support may not see audit data: only the dead notification reaches them.
        let (alerts, _) = support.alerts_after(start).await.unwrap();
        let kinds: Vec<AlertKind> = alerts.iter().map(|a| a.kind).collect();
        assert_eq!(kinds, [AlertKind::DeadNotification]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_alert_watcher_wakes_within_seconds() {
    use gurumisha_api::alerts::CancellationToken;
    both(|db| async move {
        staff(&db, "watcher", Role::Admin, &cheap("pw"), true, true).await;
        let admin = sign_in(&db, "watcher", "pw").await.unwrap();
        let stop = CancellationToken::new();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let task = {
            let (admin, stop) = (admin.clone(), stop.clone());
            tokio::spawn(async move {
                admin
                    .watch_alerts(stop, std::time::Duration::from_millis(500), move |a| {
                        let _ = tx.send(a);
                    })
                    .await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let t = std::time::Instant::now();
        db.api
            .recorder()
            .log_security_event(
                None,
                AuditActionType::parse("permission_change").unwrap(),
                "watched",
                Severity::Critical,
                RequestContext::default(),
            )
            .await
            .unwrap();
        let alert = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
            .await
            .expect("an alert within seconds")
            .unwrap();
        assert!(alert.body.contains("watched"), "{}", db.name);
        eprintln!("{}: alert after {:?}", db.name, t.elapsed());
        stop.cancel();
        task.await.unwrap().unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn activity_days_follow_the_time_zone_offset() {
    use gurumisha_core::analytics::day_of;
    both(|db| async move {
        const DAY: i64 = 86_400_000_000;
        const HOUR: i64 = 3_600_000_000;
        // 2026-11-20 00:00 UTC, and times around midnight in UTC and in Nairobi (UTC+3).
        let midnight = 20_412 * DAY;
        let times = [
            midnight - 1,             // 23:59:59.999999 UTC on the 19th: the 20th in Nairobi
            midnight,                 // 00:00 UTC on the 20th
            midnight + 21 * HOUR - 1, // 23:59:59.999999 Nairobi on the 20th
            midnight + 21 * HOUR,     // 00:00 Nairobi on the 21st
            -DAY / 2,                 // 1969-12-31 12:00 UTC: before the epoch, floored
        ];
        let batch = times
            .iter()
            .map(|&t| {
                let mut a = gurumisha_core::event::NewActivity::new(
                    None,
                    Action::parse("page_view").unwrap(),
                    "day bucket",
                );
                a.timestamp = Some(Timestamp(t));
                a
            })
            .collect();
        db.api.recorder().log_activities(batch).await.unwrap();
        let a = db.api.analytics();
        for offset in [0, 3 * HOUR, -5 * HOUR] {
            let got = a
                .activity_per_day(Timestamp(-DAY), Timestamp(midnight + 2 * DAY), offset)
                .await
                .unwrap();
            let mut want = std::collections::BTreeMap::<i64, i64>::new();
            for t in times {
                *want.entry(day_of(t, offset)).or_default() += 1;
            }
            assert_eq!(
                got,
                want.into_iter().collect::<Vec<_>>(),
                "{} at offset {offset}",
                db.name
            );
        }
        let nairobi = a
            .activity_per_day(
                Timestamp(midnight - DAY),
                Timestamp(midnight + 2 * DAY),
                3 * HOUR,
            )
            .await
            .unwrap();
        assert_eq!(nairobi, vec![(20_412, 3), (20_413, 1)], "{}", db.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_notification_committed_late_is_still_alerted_once() {
    use gurumisha_api::alerts::AlertKind;
    use gurumisha_core::queue::NextStep;
    both(|db| async move {
        staff(&db, "helper", Role::Support, &cheap("pw"), true, true).await;
        let support = sign_in(&db, "helper", "pw").await.unwrap();
        let q = db.api.queue_store();
        let now = Timestamp::now();
        const SEC: i64 = 1_000_000;
        // Dead a second before the watcher starts: not news.
        let kill = |key: &'static str, at: Timestamp| {
            let q = q.clone();
            async move {
                let id = q
                    .enqueue(vec![crate::queue::note(key, 3, at)])
                    .await
                    .unwrap()[0]
                    .0;
                let lease = q.claim(key, 1, 30_000, at).await.unwrap().pop().unwrap().1;
                let dead = NextStep::Dead {
                    reason: "550 no such user".into(),
                };
                q.fail(lease, crate::queue::attempt(at, "550"), dead, at)
                    .await
                    .unwrap();
                id
            }
        };
        kill("before-start", Timestamp(now.micros() - SEC)).await;
        let start = support.alert_start().await.unwrap();
        assert!(support
            .alerts_after(start.clone())
            .await
            .unwrap()
            .0
            .is_empty());

        // Two workers: one stamps its notification dead at `now`, the other at `now - 5 s`
        // but commits after the watcher has read the first.
        let first = kill("first", now).await;
        let (alerts, next) = support.alerts_after(start).await.unwrap();
        let routes: Vec<&str> = alerts.iter().map(|a| a.route.as_str()).collect();
        assert_eq!(
            routes,
            [format!("#/queue?status=dead&id={first}")],
            "{}",
            db.name
        );
        let late = kill("late", Timestamp(now.micros() - 5 * SEC)).await;
        let (alerts, next) = support.alerts_after(next).await.unwrap();
        assert_eq!(alerts.len(), 1, "{}: the late one, once", db.name);
        assert_eq!(alerts[0].kind, AlertKind::DeadNotification);
        assert_eq!(alerts[0].route, format!("#/queue?status=dead&id={late}"));
        assert!(support.alerts_after(next).await.unwrap().0.is_empty());
    })
    .await;
}
