//! Opening connections with the store's PRAGMAs, and turning driver errors into
//! [`StoreError`]s (busy, locked and I/O failures are "unavailable"; unique violations are
//! conflicts; everything else is a database error carrying SQLite's message).

use gurumisha_core::StoreError;
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::Path;
use std::time::Duration;

/// Statements kept prepared per connection: the fixed statements plus the dynamic list
/// queries, whose shapes are bounded by the combinations of filters in use.
const STATEMENT_CACHE: usize = 128;

/// The writer's connection: creates the file, switches it to WAL (a property of the file,
/// so readers see it too) and makes every commit durable before it returns.
pub(crate) fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| open_err(path, e))?;
    common(&conn)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(db_err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Unavailable(format!(
            "{}: could not switch to WAL mode (got {mode})",
            path.display()
        )));
    }
    conn.execute_batch(
        "PRAGMA synchronous = FULL;
         PRAGMA journal_size_limit = 67108864;
         PRAGMA wal_autocheckpoint = 10000;",
    )
    .map_err(db_err)?;
    Ok(conn)
}

/// A reader's connection: opened read-only, so a bug in a list query cannot write.
pub(crate) fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| open_err(path, e))?;
    common(&conn)?;
    Ok(conn)
}

fn common(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(Duration::from_millis(5_000))
        .map_err(db_err)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.execute_batch(
        "PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -65536;
         PRAGMA mmap_size = 268435456;",
    )
    .map_err(db_err)
}

fn open_err(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::Unavailable(format!("cannot open {}: {e}", path.display()))
}

/// Maps a driver error. The message is SQLite's own (for `tracing`); the API shows people
/// only the error's code.
pub(crate) fn db_err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        match f.code {
            ErrorCode::DatabaseBusy
            | ErrorCode::DatabaseLocked
            | ErrorCode::SystemIoFailure
            | ErrorCode::DiskFull
            | ErrorCode::CannotOpen
            | ErrorCode::ReadOnly
            | ErrorCode::OutOfMemory
            | ErrorCode::FileLockingProtocolFailed
            | ErrorCode::NotADatabase
            | ErrorCode::DatabaseCorrupt => return StoreError::Unavailable(e.to_string()),
            ErrorCode::ConstraintViolation
                if matches!(
                    f.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
            {
                return StoreError::Conflict(e.to_string())
            }
            _ => {}
        }
    }
    StoreError::Database(e.to_string())
}

/// A value read back that does not fit its type (a hash of the wrong length, an unknown
/// severity, JSON that does not parse): reported, never a panic.
pub(crate) fn bad_data(table: &str, key: i64, what: impl std::fmt::Display) -> StoreError {
    StoreError::Database(format!("{table} row {key}: {what}"))
}
