//! "Verify now" from the console: background work with progress and cancel, a verdict that
//! names the first broken row, and the verification itself on the record.

use crate::console::{cheap, recent_audit, sign_in, staff};
use crate::harness::{both, tamper, Db};
use gurumisha_api::types::JobState;
use gurumisha_api::types::{ActivityQuery, ApiErrorCode, VerifyQuery};
use gurumisha_api::verify_job::{VerifyId, VerifyStatus};
use gurumisha_api::Console;
use gurumisha_core::domain::*;
use gurumisha_core::event::NewAudit;
use gurumisha_core::service::{verify_store_observed, VerifyProgress};
use gurumisha_core::CoreError;

async fn audit_rows(db: &Db, n: usize) {
    let batch = (0..n)
        .map(|i| NewAudit {
            timestamp: None,
            user_id: None,
            action_type: AuditActionType::parse("update").unwrap(),
            table_name: TableName::parse("cars").unwrap(),
            record_id: Some(RecordId::from(i as i64 + 1)),
            field_name: None,
            old_value: None,
            new_value: None,
            severity: Severity::Low,
            description: format!("price change {i}"),
            context: Default::default(),
            change_set_id: None,
        })
        .collect();
    db.api.recorder().log_audits(batch).await.unwrap();
}

async fn wait_verified(console: &Console, id: &str) -> VerifyStatus {
    crate::harness::until_finished(&format!("verification {id}"), || async {
        let s = console
            .verify_status(VerifyId {
                verify_id: id.into(),
            })
            .await
            .unwrap();
        (s.state, s)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_now_reports_progress_and_is_recorded() {
    both(|db| async move {
        let id = staff(
            &db,
            "chebet",
            Role::ComplianceOfficer,
            &cheap("pw"),
            true,
            true,
        )
        .await;
        audit_rows(&db, 300).await;
        let officer = sign_in(&db, "chebet", "pw").await.unwrap();
        let head = db.api.store().audit_head().await.unwrap().unwrap().0;

        let started = officer.start_verify(VerifyQuery::default()).await.unwrap();
        let done = wait_verified(&officer, &started.verify_id).await;
        assert_eq!(done.state, JobState::Done, "{}: {done:?}", db.name);
        let report = done.report.expect("a finished verification has a report");
        assert!(report.ok, "{}: {report:?}", db.name);
        assert_eq!(report.rows_checked as i64, head);
        assert_eq!((done.rows_checked, done.total), (head, head), "{}", db.name);
        assert!(report.checkpoints_checked >= 30, "{report:?}");

        // Who verified, what and the verdict are on the record, in the audit trail and in
        // the officer's own timeline.
        let row = &recent_audit(&db, 1).await[0].row.content;
        assert_eq!(
            (row.action_type.as_str(), row.user_id),
            ("verify", Some(id))
        );
        assert_eq!(row.severity, Severity::Low);
        assert!(
            row.description
                .starts_with("verified the whole audit chain: intact"),
            "{}",
            row.description
        );
        let mine = officer
            .list_activity(ActivityQuery {
                mine: Some(true),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(mine.items[0].action, "verify", "{}", db.name);

        // A range, and a range the wrong way round.
        let part = officer
            .start_verify(VerifyQuery {
                from: Some(10),
                to: Some(20),
            })
            .await
            .unwrap();
        let part = wait_verified(&officer, &part.verify_id).await;
        assert_eq!(part.report.map(|r| r.rows_checked), Some(11));
        let e = officer
            .start_verify(VerifyQuery {
                from: Some(20),
                to: Some(10),
            })
            .await
            .unwrap_err();
        assert_eq!(e.code, ApiErrorCode::InvalidInput);
        assert!(e.message.starts_with("invalid from"), "{}", e.message);

        // Another operator cannot watch or cancel it; support may not verify at all.
        staff(&db, "otieno", Role::Support, &cheap("pw"), true, true).await;
        let support = sign_in(&db, "otieno", "pw").await.unwrap();
        let e = support
            .verify_status(VerifyId {
                verify_id: started.verify_id.clone(),
            })
            .await
            .unwrap_err();
        assert_eq!(e.code, ApiErrorCode::NotFound);
        let e = support
            .start_verify(VerifyQuery::default())
            .await
            .unwrap_err();
        assert_eq!(e.code, ApiErrorCode::Forbidden);
        let refused = &recent_audit(&db, 1).await[0].row.content;
        assert_eq!(refused.action_type, "permission_denied");
        let theirs = support
            .list_activity(ActivityQuery {
                mine: Some(true),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(theirs.items[0].action, "permission_denied", "{}", db.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_chain_is_named_and_recorded_as_critical() {
    both(|db| async move {
        staff(
            &db,
            "njeri",
            Role::ComplianceOfficer,
            &cheap("pw"),
            true,
            true,
        )
        .await;
        audit_rows(&db, 120).await;
        let officer = sign_in(&db, "njeri", "pw").await.unwrap();
        tamper(
            &db,
            "UPDATE audit_log SET description = 'price unchanged' WHERE seq = 57",
        )
        .await;

        let started = officer.start_verify(VerifyQuery::default()).await.unwrap();
        let done = wait_verified(&officer, &started.verify_id).await;
        let report = done.report.expect("a report");
        assert!(!report.ok, "{}", db.name);
        assert_eq!(
            report.problem.as_ref().map(|p| p.seq),
            Some(57),
            "{report:?}"
        );

        // A critical row: every compliance officer's console raises a desktop alert for it.
        let row = &recent_audit(&db, 1).await[0].row.content;
        assert_eq!(row.action_type, "verify");
        assert_eq!(row.severity, Severity::Critical, "{}", db.name);
        assert!(
            row.description.contains("BROKEN at seq 57"),
            "{}",
            row.description
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_verification_stops_without_a_verdict() {
    both(|db| async move {
        audit_rows(&db, 200).await;
        let store = db.api.store().as_ref();
        // Counted while it runs, split into parts as a long chain is.
        let watched = VerifyProgress::default();
        let report = verify_store_observed(store, None, 0, None, None, 10, &watched)
            .await
            .unwrap();
        assert!(report.ok);
        assert_eq!((watched.rows(), watched.total()), (200, 200), "{}", db.name);

        let cancelled = VerifyProgress::default();
        cancelled.cancel();
        let e = verify_store_observed(store, None, 0, None, None, 10, &cancelled)
            .await
            .unwrap_err();
        assert!(matches!(e, CoreError::Cancelled), "{}: {e}", db.name);
        assert_eq!(cancelled.rows(), 0);

        // From the console: a cancel lands before or after the end, never as a verdict of
        // a chain it did not finish.
        staff(
            &db,
            "wanjiru",
            Role::ComplianceOfficer,
            &cheap("pw"),
            true,
            true,
        )
        .await;
        let officer = sign_in(&db, "wanjiru", "pw").await.unwrap();
        let started = officer.start_verify(VerifyQuery::default()).await.unwrap();
        officer
            .cancel_verify(VerifyId {
                verify_id: started.verify_id.clone(),
            })
            .await
            .unwrap();
        let end = wait_verified(&officer, &started.verify_id).await;
        match end.state {
            JobState::Cancelled => assert!(end.report.is_none()),
            JobState::Done => assert!(end.report.is_some_and(|r| r.ok)),
            other => panic!("{}: {other:?}", db.name),
        }
    })
    .await;
}
