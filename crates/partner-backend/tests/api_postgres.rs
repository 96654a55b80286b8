//! The backend's whole API suite (`api/cases.rs`) on a real PostgreSQL database, one fresh
//! database per test. Skipped, with a note, when `RAMP_TEST_POSTGRES_URL` is not set.

mod common;

const STORE: common::Db = common::Db::Postgres;

include!("api/cases.rs");
