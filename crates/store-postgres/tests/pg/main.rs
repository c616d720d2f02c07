//! Integration tests of the PostgreSQL store, one binary. Each test gets a fresh database in the
//! throwaway cluster named by `GURUMISHA_TEST_PG_URL` (see `scripts/pg-throwaway.sh`); without
//! it every test prints a skip notice and passes.

mod activity;
mod audit;
mod common;
mod connect;
mod platform;
mod schema;
