//! The newest-id-first text walk returns exactly the rows of the planned query, whatever the
//! order of ids and timestamps, on every page.

use super::activity::{matches, varied};
use super::{Fresh, Lcg, T0};
use crate::activity::list_with_budget;
use gurumisha_core::event::ActivityRow;
use gurumisha_core::query::{ActivityFilter, PageRequest};
use gurumisha_core::store::Store;
use gurumisha_core::Timestamp;

/// About five blocks of ids: mostly in time order, some backdated far, some in the third block
/// dated ahead of everything, many sharing a timestamp.
fn rows() -> Vec<ActivityRow> {
    let mut rng = Lcg(11);
    (1..=5_000)
        .map(|n| {
            let mut r = varied(n, &mut rng);
            let base = T0 + n * 1_000 - n % 3 * 1_000;
            r.timestamp = Timestamp(match (rng.next(100), n) {
                (0..=3, _) => T0 + rng.next(5_000_000) as i64, // backdated anywhere
                (4..=9, 2_100..=2_400) => T0 + 6_000_000 + rng.next(1_000) as i64, // ahead of all
                _ => base,
            });
            r
        })
        .collect()
}

fn cases() -> Vec<ActivityFilter> {
    let text = |t: &str| ActivityFilter {
        text: Some(t.into()),
        ..Default::default()
    };
    vec![
        text("viewed"),
        text("harr"),
        text("log nairobi"),
        text("subaru forester"),
        ActivityFilter {
            action: Some("search".into()),
            ..text("harr")
        },
        ActivityFilter {
            from: Some(Timestamp(T0 + 2_000_000)),
            ..text("viewed")
        },
        ActivityFilter {
            to: Some(Timestamp(T0 + 1_500_000)),
            ..text("car")
        },
        ActivityFilter {
            from: Some(Timestamp(T0 + 1_000_000)),
            to: Some(Timestamp(T0 + 1_100_000)),
            ..text("logged")
        },
        ActivityFilter {
            from: Some(Timestamp(T0 + 6_000_000)),
            ..text("mazda")
        },
    ]
}

#[tokio::test]
async fn the_walk_pages_through_exactly_the_right_rows() {
    let f = Fresh::new().await;
    let rows = rows();
    let mut ids = Vec::new();
    for chunk in rows.chunks(900) {
        ids.extend(f.store.insert_activities(chunk.to_vec()).await.unwrap());
    }
    for filter in cases() {
        let mut expected: Vec<(i64, i64)> = rows
            .iter()
            .zip(&ids)
            .filter(|(r, _)| matches(&filter, r))
            .map(|(r, id)| (r.timestamp.micros(), *id))
            .collect();
        expected.sort_by(|a, b| b.cmp(a));
        assert!(!expected.is_empty(), "{filter:?} selects nothing");
        // A budget that never runs out, one that runs out on some pages, and none at all.
        for budget in [usize::MAX, 300, 0] {
            for limit in [37, 1000] {
                let filter2 = filter.clone();
                let got = f
                    .store
                    .readers
                    .read(move |c| {
                        let mut got = Vec::new();
                        let mut page = PageRequest::first(limit);
                        loop {
                            let p = list_with_budget(c, &filter2, &page, budget)?;
                            got.extend(p.items.iter().map(|r| (r.timestamp.micros(), r.id)));
                            match p.next_cursor {
                                Some(cur) => page = PageRequest::new(Some(&cur), Some(limit))?,
                                None => break,
                            }
                        }
                        Ok(got)
                    })
                    .await
                    .unwrap();
                assert_eq!(got, expected, "{filter:?} budget {budget} limit {limit}");
            }
        }
    }
}
