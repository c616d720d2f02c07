//! Platform tables: ids in input order, look-ups, names joined into the logs, conflicts.

use crate::common::{self, fresh};
use gurumisha_core::domain::{Email, PhoneE164, Role};
use gurumisha_core::platform::{
    CarStatus, ImportStage, NewCar, NewImportOrder, NewInquiry, NewOrder, NewUser, Vin,
};
use gurumisha_core::query::{ActivityFilter, AuditFilter, PageRequest};
use gurumisha_core::store::Store;
use gurumisha_core::{StoreError, Timestamp};

fn user(i: usize) -> NewUser {
    NewUser {
        username: format!("user{i:03}"),
        first_name: "Wanjiku".into(),
        last_name: format!("Kamau {i}"),
        email: Email::parse(&format!("user{i}@example.co.ke")).unwrap(),
        phone: i
            .is_multiple_of(2)
            .then(|| PhoneE164::parse("+254712345678").unwrap()),
        role: if i == 0 { Role::Admin } else { Role::Customer },
        is_staff: i == 0,
        is_active: i % 10 != 9,
        date_joined: Timestamp(common::BASE + i as i64),
        time_zone: "Africa/Nairobi".into(),
        password_hash: "pbkdf2_sha256$600000$salt$hash".into(),
    }
}

#[tokio::test]
async fn platform_rows_insert_in_order_and_join_into_the_logs() {
    let Some(db) = fresh("platform_rows_insert_in_order_and_join_into_the_logs").await else {
        return;
    };
    let s = &db.store;
    let users: Vec<NewUser> = (0..120).map(user).collect();
    let uids = s.insert_users(users.clone()).await.unwrap();
    assert_eq!(uids.len(), 120);
    for (u, id) in users.iter().zip(&uids) {
        let got = s.get_user_by_username(&u.username).await.unwrap().unwrap();
        assert_eq!(got.id, *id);
        assert_eq!(got.last_name, u.last_name);
        assert_eq!(got.phone.as_deref(), u.phone.as_ref().map(|p| p.as_str()));
        assert_eq!(
            (got.role, got.is_staff, got.is_active),
            (u.role, u.is_staff, u.is_active)
        );
    }
    assert!(s.get_user_by_username("nobody").await.unwrap().is_none());

    let mut listed = Vec::new();
    let mut after = 0;
    loop {
        let page = s.list_users(after, 50).await.unwrap();
        let Some(last) = page.last() else { break };
        after = last.id;
        listed.extend(page.into_iter().map(|u| u.username));
    }
    assert_eq!(
        listed,
        users.iter().map(|u| u.username.clone()).collect::<Vec<_>>()
    );

    let cars: Vec<NewCar> = (0..5)
        .map(|i| NewCar {
            make: "Toyota".into(),
            model: format!("Harrier {i}"),
            year: 2018,
            vin: Vin::parse(&format!("JTDKB20U79345678{i}")).unwrap(),
            price_kes: 3_500_000 + i,
            status: CarStatus::Available,
            created_at: Timestamp(common::BASE),
        })
        .collect();
    let cids = s.insert_cars(cars.clone()).await.unwrap();
    let models: Vec<(i64, String)> = sqlx::query_as("SELECT id, model FROM cars ORDER BY id")
        .fetch_all(s.pool())
        .await
        .unwrap();
    assert_eq!(
        models,
        cids.iter()
            .copied()
            .zip(cars.iter().map(|c| c.model.clone()))
            .collect::<Vec<_>>()
    );
    assert!(
        matches!(
            s.insert_cars(vec![cars[0].clone()]).await,
            Err(StoreError::Conflict(_))
        ),
        "duplicate VIN"
    );

    let oids = s
        .insert_orders(vec![NewOrder {
            user_id: uids[1],
            car_id: cids[2],
            status: "pending".into(),
            total_kes: 3_500_002,
            created_at: Timestamp(common::BASE),
        }])
        .await
        .unwrap();
    assert_eq!(oids.len(), 1);
    let bad = NewOrder {
        user_id: 999_999,
        car_id: cids[0],
        status: "pending".into(),
        total_kes: 1,
        created_at: Timestamp(common::BASE),
    };
    assert!(
        matches!(
            s.insert_orders(vec![bad]).await,
            Err(StoreError::Conflict(_))
        ),
        "unknown user"
    );
    let iids = s
        .insert_import_orders(
            ImportStage::ALL
                .iter()
                .map(|&stage| NewImportOrder {
                    user_id: uids[3],
                    make: "Subaru".into(),
                    model: "Forester".into(),
                    year: 2019,
                    origin_country: "JP".into(),
                    stage,
                    created_at: Timestamp(common::BASE),
                })
                .collect(),
        )
        .await
        .unwrap();
    let stages: Vec<String> = sqlx::query_scalar("SELECT stage FROM import_orders ORDER BY id")
        .fetch_all(s.pool())
        .await
        .unwrap();
    assert_eq!(
        stages,
        ImportStage::ALL
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect::<Vec<_>>()
    );
    assert_eq!(iids.len(), 6);
    let qids = s
        .insert_inquiries(vec![
            NewInquiry {
                user_id: uids[4],
                car_id: Some(cids[1]),
                subject: "Price?".into(),
                message: "Is it negotiable?".into(),
                status: "open".into(),
                created_at: Timestamp(common::BASE),
            },
            NewInquiry {
                user_id: uids[5],
                car_id: None,
                subject: "Import".into(),
                message: "From Japan?".into(),
                status: "open".into(),
                created_at: Timestamp(common::BASE),
            },
        ])
        .await
        .unwrap();
    assert!(qids[0] < qids[1]);
    assert!(
        matches!(
            s.insert_users(vec![users[0].clone()]).await,
            Err(StoreError::Conflict(_))
        ),
        "duplicate username"
    );

    // Usernames are joined into both logs; a user id with no user stays anonymous.
    let mut a = common::activity(1);
    a.user_id = Some(uids[7]);
    let mut b = common::activity(2);
    b.user_id = Some(123_456);
    s.insert_activities(vec![a, b]).await.unwrap();
    let page = s
        .list_activity(&ActivityFilter::default(), &PageRequest::first(10))
        .await
        .unwrap();
    let names: Vec<_> = page
        .items
        .iter()
        .map(|r| (r.user_id, r.username.clone()))
        .collect();
    assert!(
        names.contains(&(Some(uids[7]), Some("user007".into()))),
        "{names:?}"
    );
    assert!(names.contains(&(Some(123_456), None)), "{names:?}");
    let mut c = common::audit(1);
    c.user_id = Some(uids[0]);
    s.append_audit(vec![c], None).await.unwrap();
    let page = s
        .list_audit(&AuditFilter::default(), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(page.items[0].username.as_deref(), Some("user000"));
}
