//! Audit trail: model changes as change sets, typed values, no-op suppression, filters,
//! object history and "who last changed this field".

use crate::activity::user;
use crate::harness::both;
use gurumisha_api::types::{AuditQuery, ChangeSetQuery};
use gurumisha_core::domain::*;
use gurumisha_core::event::{FieldChange, RequestContext};
use gurumisha_core::service::ModelChange;
use serde_json::{json, Value};

pub fn change(
    user: i64,
    table: &str,
    record: &str,
    action: &str,
    fields: Vec<(&str, Value, Value)>,
) -> ModelChange {
    ModelChange {
        timestamp: None,
        user_id: Some(user),
        table_name: TableName::parse(table).unwrap(),
        record_id: RecordId::parse(record).unwrap(),
        action_type: AuditActionType::parse(action).unwrap(),
        changes: fields
            .into_iter()
            .map(|(f, old, new)| FieldChange {
                field: FieldName::parse(f).unwrap(),
                old,
                new,
            })
            .collect(),
        severity: None,
        description: None,
        context: RequestContext::parse(Some("197.232.10.20"), Some("Mozilla/5.0"), None, None)
            .unwrap(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_model_change_is_one_row_per_changed_field() {
    both(|db| async move {
        let n = db.name;
        let staff = user(&db, "kamau.admin").await;
        let rec = db.api.recorder();
        let written = rec
            .log_model_change(change(
                staff,
                "cars",
                "42",
                "update",
                vec![
                    ("price_kes", json!(2_000_000), json!(1_800_000)),
                    ("status", json!("available"), json!("available")),
                    ("sold_at", json!(null), json!("2026-11-20")),
                    (
                        "features",
                        json!({"sunroof": false}),
                        json!({"sunroof": true, "seats": 7}),
                    ),
                ],
            ))
            .await
            .unwrap()
            .expect("something changed");
        assert_eq!(
            written.seqs.len(),
            3,
            "{n}: the unchanged status is suppressed"
        );
        assert!(
            rec.log_model_change(change(
                staff,
                "cars",
                "42",
                "update",
                vec![("status", json!("sold"), json!("sold"))]
            ))
            .await
            .unwrap()
            .is_none(),
            "{n}: all-no-op writes nothing"
        );

        let rows = db
            .api
            .get_change_set(ChangeSetQuery {
                change_set_id: written.change_set_id.clone(),
            })
            .await
            .unwrap();
        let fields: Vec<_> = rows.iter().map(|r| r.field_name.clone().unwrap()).collect();
        assert_eq!(
            fields,
            vec!["price_kes", "sold_at", "features"],
            "{n}: chain order"
        );
        assert_eq!(
            rows[0].old_value,
            Some(json!(2_000_000)),
            "{n}: numbers stay numbers"
        );
        assert_eq!(rows[1].old_value, Some(Value::Null), "{n}: null stays null");
        assert_eq!(
            rows[2].new_value,
            Some(json!({"seats": 7, "sunroof": true})),
            "{n}: JSON stays JSON"
        );
        assert_eq!(rows[0].severity, Severity::Medium);
        assert_eq!(rows[0].username.as_deref(), Some("kamau.admin"));
        assert_eq!(rows[0].ip_address.as_deref(), Some("197.232.10.20"));
        let missing = db
            .api
            .get_change_set(ChangeSetQuery {
                change_set_id: "no-such-set".into(),
            })
            .await
            .unwrap_err();
        assert_eq!(missing.code, gurumisha_api::ApiErrorCode::NotFound);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_filters_history_and_last_change() {
    both(|db| async move {
        let n = db.name;
        let (a, b) = (user(&db, "compliance1").await, user(&db, "support1").await);
        let rec = db.api.recorder();
        rec.log_model_change(change(
            a,
            "cars",
            "7",
            "update",
            vec![("price_kes", json!(1), json!(2))],
        ))
        .await
        .unwrap();
        rec.log_model_change(change(
            b,
            "cars",
            "7",
            "update",
            vec![
                ("price_kes", json!(2), json!(3)),
                ("status", json!("available"), json!("sold")),
            ],
        ))
        .await
        .unwrap();
        rec.log_model_change(change(
            a,
            "orders",
            "7",
            "create",
            vec![("status", json!(null), json!("pending"))],
        ))
        .await
        .unwrap();
        let fail = rec
            .log_security_event(
                None,
                AuditActionType::parse("failed_login").unwrap(),
                "Multiple failed login attempts for wanjiru",
                Severity::High,
                RequestContext::default(),
            )
            .await
            .unwrap();
        rec.log_security_event(
            Some(a),
            AuditActionType::parse("permission_change").unwrap(),
            "Granted superuser",
            Severity::Critical,
            RequestContext::default(),
        )
        .await
        .unwrap();

        let q = |q: AuditQuery| async { db.api.list_audit(q).await.unwrap().items };
        let history = q(AuditQuery {
            table_name: Some("cars".into()),
            record_id: Some("7".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(history.len(), 3, "{n}: every change to cars#7");
        let last = q(AuditQuery {
            table_name: Some("cars".into()),
            record_id: Some("7".into()),
            field_name: Some("price_kes".into()),
            limit: Some(1),
            ..Default::default()
        })
        .await;
        assert_eq!(
            (last[0].username.as_deref(), &last[0].new_value),
            (Some("support1"), &Some(json!(3))),
            "{n}: who last changed the price"
        );
        assert_eq!(
            q(AuditQuery {
                severity: Some("critical".into()),
                ..Default::default()
            })
            .await
            .len(),
            1,
            "{n}"
        );
        assert_eq!(
            q(AuditQuery {
                severity: Some("HIGH".into()),
                ..Default::default()
            })
            .await[0]
                .seq,
            fail,
            "{n}"
        );
        assert_eq!(
            q(AuditQuery {
                action_type: Some("create".into()),
                ..Default::default()
            })
            .await[0]
                .table_name,
            "orders"
        );
        assert_eq!(
            q(AuditQuery {
                user_id: Some(b),
                ..Default::default()
            })
            .await
            .len(),
            2,
            "{n}"
        );
        assert_eq!(
            q(AuditQuery {
                field_name: Some("status".into()),
                ..Default::default()
            })
            .await
            .len(),
            2,
            "{n}"
        );
        assert_eq!(
            q(AuditQuery {
                text: Some("failed wanj".into()),
                ..Default::default()
            })
            .await
            .len(),
            1,
            "{n}: free text"
        );
        let bad = db
            .api
            .list_audit(AuditQuery {
                severity: Some("urgent".into()),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(bad.message.contains("severity"), "{n}: {}", bad.message);
    })
    .await;
}
