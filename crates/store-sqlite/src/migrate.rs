//! Forward-only migrations, embedded in the binary. Each file is applied once, in order, in
//! the writer's transaction together with its `schema_migrations` row. A file whose checksum
//! differs from the one recorded when it was applied means the schema history was edited:
//! the store refuses to start rather than guess.

use crate::conn::db_err;
use gurumisha_core::{StoreError, Timestamp};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init.sql",
        sql: include_str!("../../../migrations/sqlite/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "0002_notifications.sql",
        sql: include_str!("../../../migrations/sqlite/0002_notifications.sql"),
    },
    Migration {
        version: 3,
        name: "0003_notify_data.sql",
        sql: include_str!("../../../migrations/sqlite/0003_notify_data.sql"),
    },
    Migration {
        version: 4,
        name: "0004_activity_ts_blocks.sql",
        sql: include_str!("../../../migrations/sqlite/0004_activity_ts_blocks.sql"),
    },
    Migration {
        version: 6,
        name: "0006_queue_console.sql",
        sql: include_str!("../../../migrations/sqlite/0006_queue_console.sql"),
    },
    Migration {
        version: 7,
        name: "0007_console_alerts.sql",
        sql: include_str!("../../../migrations/sqlite/0007_console_alerts.sql"),
    },
];

pub(crate) fn checksum(sql: &str) -> String {
    hex::encode(Sha256::digest(sql.as_bytes()))
}

/// Applies every pending migration; runs inside the writer's transaction.
pub(crate) fn apply(conn: &Connection, migrations: &[Migration]) -> Result<Vec<i64>, StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT    NOT NULL,
             checksum   TEXT    NOT NULL,
             applied_at INTEGER NOT NULL
         )",
    )
    .map_err(db_err)?;

    let newest_known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    let newest_applied: Option<(i64, String)> = conn
        .query_row(
            "SELECT version, name FROM schema_migrations ORDER BY version DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(db_err)?;
    if let Some((v, name)) = newest_applied.filter(|(v, _)| *v > newest_known) {
        return Err(StoreError::Migration(format!(
            "the database has migration {name} (version {v}), newer than this build knows; \
             use a newer Gurumisha Console"
        )));
    }

    let mut applied = Vec::new();
    for m in migrations {
        let sum = checksum(m.sql);
        let recorded: Option<String> = conn
            .query_row(
                "SELECT checksum FROM schema_migrations WHERE version = ?1",
                [m.version],
                |r| r.get(0),
            )
            .optional()
            .map_err(db_err)?;
        match recorded {
            Some(old) if old == sum => continue,
            Some(old) => {
                return Err(StoreError::Migration(format!(
                    "{} was changed after it was applied (checksum {old}, file now {sum}); \
                     migrations are forward-only: add a new file instead",
                    m.name
                )))
            }
            None => {}
        }
        conn.execute_batch(m.sql)
            .map_err(|e| StoreError::Migration(format!("{}: {e}", m.name)))?;
        conn.execute(
            "INSERT INTO schema_migrations (version, name, checksum, applied_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![m.version, m.name, sum, Timestamp::now().micros()],
        )
        .map_err(db_err)?;
        tracing::info!(migration = m.name, "applied SQLite migration");
        applied.push(m.version);
    }
    Ok(applied)
}
