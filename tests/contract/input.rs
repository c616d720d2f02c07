//! Bad input gets a typed error naming the field; awkward content is stored, never lost.

use crate::activity::user;
use crate::harness::{both, both_with};
use gurumisha_api::types::{ActivityQuery, AuditQuery};
use gurumisha_core::domain::*;
use gurumisha_core::event::{NewActivity, RequestContext};
use gurumisha_core::sanitize::Limits;
use serde_json::json;

#[test]
fn invalid_input_names_the_field() {
    assert_eq!(
        RequestContext::parse(Some("10.0.0.256"), None, None, None)
            .unwrap_err()
            .field,
        "ip_address"
    );
    assert_eq!(Severity::parse("urgent").unwrap_err().field, "severity");
    assert_eq!(Action::parse("   ").unwrap_err().field, "action");
    assert_eq!(RecordId::parse("42 OR 1=1").unwrap_err().field, "record_id");
    assert_eq!(
        TableName::parse("Cars; DROP").unwrap_err().field,
        "table_name"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_rejects_bad_filters_with_the_field_name() {
    both(|db| async move {
        let e = db
            .api
            .list_activity(ActivityQuery {
                ip: Some("999.1.1.1".into()),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(e.message.starts_with("invalid ip"), "{}", e.message);
        let e = db
            .api
            .list_activity(ActivityQuery {
                from: Some("last tuesday".into()),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(e.message.starts_with("invalid from"), "{}", e.message);
        let e = db
            .api
            .list_audit(AuditQuery {
                username: Some("nobody".into()),
                ..Default::default()
            })
            .await
            .unwrap_err();
        assert!(e.message.starts_with("invalid username"), "{}", e.message);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn awkward_content_is_stored_and_marked() {
    let limits = Limits {
        max_text_bytes: 200,
        ..Limits::default()
    };
    both_with(limits, |db| async move {
        let n = db.name;
        let u = user(&db, "nul").await;
        let mut a = NewActivity::new(
            Some(u),
            Action::parse("search").unwrap(),
            format!("nul\0here {}", "ü".repeat(300)),
        );
        a.context = RequestContext::parse(None, Some("bot\0agent"), None, None).unwrap();
        let mut deep = json!("leaf");
        for _ in 0..200 {
            deep = json!([deep]);
        }
        a.extra_data = json!({"q\0": "x\0y", "deep": deep});
        let id = db
            .api
            .recorder()
            .log_activity(a)
            .await
            .expect("never lost for its content");
        let r = db
            .api
            .list_activity(ActivityQuery::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .find(|r| r.id == id)
            .unwrap();
        assert!(
            r.description.starts_with("nul\\u0000here"),
            "{n}: {}",
            &r.description[..20]
        );
        assert!(
            r.description.ends_with("…[truncated]") && r.description.len() <= 200,
            "{n}"
        );
        assert_eq!(r.user_agent.as_deref(), Some("bot\\u0000agent"));
        assert_eq!(r.extra_data["q\\u0000"], json!("x\\u0000y"), "{n}");
        for flag in [
            "nul_escaped:description",
            "truncated:description",
            "nul_escaped:user_agent",
            "nul_escaped:extra_data",
            "json_depth_limited:extra_data",
        ] {
            assert!(
                r.content_flags.iter().any(|f| f == flag),
                "{n}: missing {flag} in {:?}",
                r.content_flags
            );
        }

        let seq = db
            .api
            .recorder()
            .log_security_event(
                Some(u),
                AuditActionType::parse("failed_login").unwrap(),
                "pass\0word",
                Severity::High,
                RequestContext::default(),
            )
            .await
            .unwrap();
        let rows = db.api.store().audit_rows(seq, 1).await.unwrap();
        assert_eq!(rows[0].content.description, "pass\\u0000word", "{n}");
        assert_eq!(
            rows[0].content.content_flags,
            vec!["nul_escaped:description".to_owned()]
        );
        assert!(
            db.api.verify_audit(Default::default()).await.unwrap().ok,
            "{n}: sanitised rows hash as stored"
        );
    })
    .await;
}
