//! The backend over real loopback HTTP, against its embedded sandbox, with a real SQLite file.
//! The same cases run on PostgreSQL in `api_postgres.rs`.

mod common;

const STORE: common::Db = common::Db::Sqlite;

include!("api/cases.rs");
