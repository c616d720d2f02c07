//! The storage contract suite: every test runs against SQLite (a fresh file) and PostgreSQL (a
//! fresh database in the throwaway cluster named by `GURUMISHA_TEST_PG_URL`). Without that
//! variable the PostgreSQL half is skipped with a notice, unless `GURUMISHA_REQUIRE_PG=1`
//! (set by `make test`), where it fails.

mod activity;
mod audit;
mod bulk;
mod chain;
mod console;
mod console_http;
mod console_notify;
mod console_verify;
mod extent;
mod harness;
mod input;
mod notify_data;
mod queue;
mod queue_batch;
mod queue_console;
