//! Platform tables: batched inserts, constraints, user look-ups.

use super::Fresh;
use gurumisha_core::domain::{Email, PhoneE164, Role};
use gurumisha_core::platform::{
    CarStatus, ImportStage, NewCar, NewImportOrder, NewInquiry, NewOrder, NewUser, Vin,
};
use gurumisha_core::store::Store;
use gurumisha_core::{StoreError, Timestamp};

pub(crate) fn user(name: &str) -> NewUser {
    NewUser {
        username: name.into(),
        first_name: "Wanjiru".into(),
        last_name: "Kamau".into(),
        email: Email::parse(&format!("{name}@example.co.ke")).unwrap(),
        phone: Some(PhoneE164::parse("+254712345678").unwrap()),
        role: Role::Customer,
        is_staff: false,
        is_active: true,
        date_joined: Timestamp(1_700_000_000_000_000),
        time_zone: "Africa/Nairobi".into(),
        password_hash: "pbkdf2_sha256$600000$salt$hash".into(),
    }
}

#[tokio::test]
async fn users_insert_look_up_and_page() {
    let f = Fresh::new().await;
    let mut admin = user("admin");
    admin.role = Role::ComplianceOfficer;
    admin.is_staff = true;
    admin.phone = None;
    let ids = f
        .store
        .insert_users(vec![user("a"), admin, user("c")])
        .await
        .unwrap();
    assert_eq!(ids, [1, 2, 3]);
    let u = f
        .store
        .get_user_by_username("admin")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (u.id, u.role, u.is_staff, u.phone.as_deref()),
        (2, Role::ComplianceOfficer, true, None)
    );
    assert_eq!(u.time_zone, "Africa/Nairobi");
    assert_eq!(u.email, "admin@example.co.ke");
    assert!(f
        .store
        .get_user_by_username("nobody")
        .await
        .unwrap()
        .is_none());
    let page: Vec<i64> = f
        .store
        .list_users(1, 10)
        .await
        .unwrap()
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(page, [2, 3]);
    assert_eq!(f.store.list_users(0, 1).await.unwrap().len(), 1);
    // A duplicate username is a conflict, and the whole batch is rolled back.
    let e = f
        .store
        .insert_users(vec![user("d"), user("a")])
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    assert!(f.store.get_user_by_username("d").await.unwrap().is_none());
}

#[tokio::test]
async fn cars_orders_imports_and_inquiries() {
    let f = Fresh::new().await;
    let t = Timestamp(1_700_000_000_000_000);
    let u = f.store.insert_users(vec![user("buyer")]).await.unwrap()[0];
    let car = |vin: &str| NewCar {
        make: "Toyota".into(),
        model: "Harrier".into(),
        year: 2018,
        vin: Vin::parse(vin).unwrap(),
        price_kes: 3_200_000,
        status: CarStatus::Available,
        created_at: t,
    };
    let cars = f
        .store
        .insert_cars(vec![car("JTDKB20U793456789"), car("JTDKB20U793456780")])
        .await
        .unwrap();
    assert_eq!(cars.len(), 2);
    let e = f
        .store
        .insert_cars(vec![car("JTDKB20U793456789")])
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    let order = NewOrder {
        user_id: u,
        car_id: cars[0],
        status: "pending".into(),
        total_kes: 3_200_000,
        created_at: t,
    };
    assert_eq!(
        f.store
            .insert_orders(vec![order.clone()])
            .await
            .unwrap()
            .len(),
        1
    );
    // Foreign keys are enforced.
    let orphan = NewOrder {
        user_id: 999,
        ..order
    };
    assert!(matches!(
        f.store.insert_orders(vec![orphan]).await,
        Err(StoreError::Database(_))
    ));
    let imports: Vec<_> = ImportStage::ALL
        .iter()
        .map(|&stage| NewImportOrder {
            user_id: u,
            make: "Mazda".into(),
            model: "CX-5".into(),
            year: 2019,
            origin_country: "Japan".into(),
            stage,
            created_at: t,
        })
        .collect();
    assert_eq!(
        f.store.insert_import_orders(imports).await.unwrap().len(),
        6
    );
    let inquiry = NewInquiry {
        user_id: u,
        car_id: None,
        subject: "Financing".into(),
        message: "Do you offer financing?".into(),
        status: "open".into(),
        created_at: t,
    };
    let with_car = NewInquiry {
        car_id: Some(cars[1]),
        ..inquiry.clone()
    };
    assert_eq!(
        f.store
            .insert_inquiries(vec![inquiry, with_car])
            .await
            .unwrap()
            .len(),
        2
    );
    // The stage CHECK holds even for SQL written by hand.
    let e = f.raw().execute(
        "INSERT INTO import_orders (user_id, make, model, year, origin_country, stage, created_at)
         VALUES (1, 'a', 'b', 2000, 'Japan', 'lost_at_sea', 0)",
        [],
    );
    assert!(e.is_err());
}
