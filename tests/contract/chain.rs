//! The hash chain under concurrent writers, automatic and on-demand checkpoints, verification.

use crate::activity::user;
use crate::audit::change;
use crate::harness::both;
use gurumisha_api::types::VerifyQuery;
use gurumisha_core::checkpoint::signature_valid;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_never_fork_the_chain() {
    both(|db| async move {
        let n = db.name;
        let u = user(&db, "writer").await;
        let mut handles = Vec::new();
        for t in 0..16 {
            let rec = db.api.recorder().clone();
            handles.push(tokio::spawn(async move {
                for i in 0..8 {
                    rec.log_model_change(change(
                        u,
                        "cars",
                        &format!("{t}"),
                        "update",
                        vec![
                            ("price_kes", json!(i), json!(i + 1)),
                            ("mileage_km", json!(i * 10), json!(i * 10 + 5)),
                        ],
                    ))
                    .await
                    .unwrap();
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        let report = db.api.verify_audit(VerifyQuery::default()).await.unwrap();
        assert!(report.ok, "{n}: {report:?}");
        assert_eq!(report.rows_checked, 256, "{n}");
        assert_eq!(report.head_seq, Some(256), "{n}: gap-free");
        assert!(
            report.checkpoints_checked >= 12,
            "{n}: a checkpoint about every 10 rows, got {}",
            report.checkpoints_checked
        );

        let store = db.api.store();
        let cps = store.list_checkpoints(1, i64::MAX).await.unwrap();
        let key = db.api.recorder().verifying_key().unwrap();
        assert!(cps.iter().all(|c| signature_valid(&key, c)), "{n}");
        let cp = db.api.recorder().checkpoint_now().await.unwrap().unwrap();
        assert_eq!(cp.seq, 256, "{n}: on demand, over the head");

        let partial = db
            .api
            .verify_audit(VerifyQuery {
                from: Some(100),
                to: Some(180),
            })
            .await
            .unwrap();
        assert!(partial.ok, "{n}: {partial:?}");
        assert_eq!(partial.rows_checked, 81, "{n}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_read_back_rehash_to_their_stored_hash() {
    both(|db| async move {
        let u = user(&db, "hasher").await;
        db.api
            .recorder()
            .log_model_change(change(
                u,
                "users",
                "3",
                "update",
                vec![("email", json!("a@b.co.ke"), json!("c\u{e9}@d.co.ke"))],
            ))
            .await
            .unwrap();
        let rows = db.api.store().audit_rows(1, 10).await.unwrap();
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.prev_hash, gurumisha_core::chain::GENESIS);
        assert_eq!(
            gurumisha_core::chain::seal(r.seq, &r.prev_hash, &r.content),
            r.hash,
            "{}: stored bytes are hashed bytes",
            db.name
        );
    })
    .await;
}
