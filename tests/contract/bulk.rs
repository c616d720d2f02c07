//! The bulk path: a batch larger than one transaction's chunk, written with the store's
//! parallelism (several transactions at once on PostgreSQL), keeps every row and returns the
//! ids in input order.

use crate::activity::{all_pages, user};
use crate::harness::both;
use gurumisha_api::types::ActivityQuery;
use gurumisha_core::domain::Action;
use gurumisha_core::event::NewActivity;
use gurumisha_core::Timestamp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_batches_keep_every_row_and_return_ids_in_input_order() {
    both(|db| async move {
        let u = user(&db, "bulk").await;
        let n = db.api.store().bulk_chunk() * 2 + db.api.store().bulk_parallelism() * 7 + 321;
        let base = Timestamp::now().minus_days(1);
        let batch: Vec<NewActivity> = (0..n)
            .map(|i| {
                let mut a = NewActivity::new(
                    Some(u),
                    Action::parse("page_view").unwrap(),
                    format!("bulk row {i}"),
                );
                a.timestamp = Some(Timestamp(base.0 + i as i64));
                a
            })
            .collect();
        let ids = db.api.recorder().log_activities(batch).await.unwrap();
        assert_eq!(ids.len(), n, "{}", db.name);
        let rows = all_pages(
            &db,
            ActivityQuery {
                user_id: Some(u),
                limit: Some(1000),
                ..Default::default()
            },
        )
        .await;
        assert_eq!(rows.len(), n, "{}", db.name);
        // Newest first: row k of the page walk is input n-1-k, and must carry that input's id.
        for (k, r) in rows.iter().enumerate() {
            let i = n - 1 - k;
            assert_eq!(r.description, format!("bulk row {i}"), "{}", db.name);
            assert_eq!(r.id, ids[i], "{}: id of input {i}", db.name);
        }
    })
    .await;
}
