//! Chain verification rate of an existing PostgreSQL database, as one JSON line on stdout
//! (signatures are not checked: no key is given).
//!
//!   cargo run --release -p gurumisha-store-postgres --example pg_verify_rate -- DATABASE_URL

use gurumisha_core::service::verify_store;
use gurumisha_store_postgres::PgStore;
use std::time::Instant;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::args()
        .nth(1)
        .ok_or("usage: pg_verify_rate DATABASE_URL")?;
    let store = PgStore::connect(&url).await?;
    for _ in 0..3 {
        let t = Instant::now();
        let r = verify_store(&store, None, 0, None, None).await?;
        let secs = t.elapsed().as_secs_f64();
        println!(
            "{{\"bench\":\"verify\",\"backend\":\"postgres\",\"ok\":{},\"rows\":{},\"per_sec\":{:.0}}}",
            r.ok,
            r.rows_checked,
            r.rows_checked as f64 / secs
        );
    }
    Ok(())
}
