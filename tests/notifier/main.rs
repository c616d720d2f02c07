//! The notification engine end to end, on SQLite (a fresh file) and PostgreSQL (a fresh
//! database in the throwaway cluster named by `GURUMISHA_TEST_PG_URL`; skipped with a notice
//! without it, unless `GURUMISHA_REQUIRE_PG=1`). Providers talk to real protocol peers on
//! 127.0.0.1 (`gurumisha-testkit`); time is a manual clock, moved by the tests, never slept.

mod digest;
mod fanout;
mod harness;
mod inbox_push;
mod worker_email;
mod worker_lease;
mod worker_sms;
