//! Verification split into parts (as a long chain is) still names each tampered row.

use super::{audit, Fresh};
use gurumisha_core::service::verify_store_split;
use gurumisha_core::store::Store;

#[tokio::test]
async fn split_verification_names_each_tampered_row() {
    let f = Fresh::new().await;
    f.store
        .append_audit((1..=120).map(audit).collect(), None)
        .await
        .unwrap();
    let ok = verify_store_split(f.store.as_ref(), None, 0, None, None, 10)
        .await
        .unwrap();
    assert!(ok.ok && ok.rows_checked == 120, "{ok:?}");
    let raw = f.raw();
    let triggers: Vec<String> = raw
        .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!triggers.is_empty());
    for t in triggers {
        raw.execute_batch(&format!("DROP TRIGGER \"{t}\"")).unwrap();
    }
    // Highest first, so each new edit becomes the first broken row; the parts are 1-60 and
    // 61-120.
    for (sql, seq) in [
        (
            "UPDATE audit_log SET description = description || '.' WHERE seq = 97",
            97,
        ),
        ("UPDATE audit_log SET user_agent = 'x' WHERE seq = 61", 61),
        ("UPDATE audit_log SET ts = ts + 1 WHERE seq = 12", 12),
        ("DELETE FROM audit_log WHERE seq = 5", 5),
    ] {
        raw.execute_batch(sql).unwrap();
        let r = verify_store_split(f.store.as_ref(), None, 0, None, None, 10)
            .await
            .unwrap();
        assert!(!r.ok, "{sql}");
        assert_eq!(r.problem.expect("a problem").seq, seq, "{sql}");
    }
}
