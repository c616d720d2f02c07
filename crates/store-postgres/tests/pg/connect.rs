//! Connecting: clear errors that never show the password.

use crate::common::{admin_url, fresh, with_database};
use gurumisha_core::store::Store;
use gurumisha_core::StoreError;
use gurumisha_store_postgres::PgStore;

#[tokio::test]
async fn unreachable_server_is_unavailable_without_the_password() {
    let err = PgStore::connect("postgres://app:hunter2%21@127.0.0.1:1/gm")
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(msg.contains("postgres://app@127.0.0.1:1/gm"), "{msg}");
    assert!(!msg.contains("hunter2"), "{msg}");
    let err = PgStore::connect("postgres://app:hunter2@127.0.0.1:notaport/gm")
        .await
        .unwrap_err();
    assert!(!err.to_string().contains("hunter2"), "{err}");
}

#[tokio::test]
async fn location_has_no_password() {
    let Some(db) = fresh("location_has_no_password").await else {
        return;
    };
    // The throwaway cluster trusts loopback, so any password is accepted and must be hidden.
    let with_pw = db.url.replacen("postgres@", "postgres:s3cret@", 1);
    let store = PgStore::connect(&with_pw).await.unwrap();
    assert!(!store.location().contains("s3cret"), "{}", store.location());
    assert_eq!(store.backend().as_str(), "postgres");
    store.close().await;
}

#[tokio::test]
async fn missing_database_is_unavailable() {
    let Some(admin) = admin_url("missing_database_is_unavailable") else {
        return;
    };
    let err = PgStore::connect(&with_database(&admin, "no_such_db_here"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(err.to_string().contains("no_such_db_here"), "{err}");
}
