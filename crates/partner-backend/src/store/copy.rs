//! Moving a single instance's SQLite data to PostgreSQL, for partners who outgrow one instance.
//!
//! What is copied is [`TABLES`], one list: each table with its columns, in an order that
//! satisfies the foreign keys. A table the backend adds goes there, and the copy test (which
//! checks every table of the schema is either listed or deliberately left out) fails until it
//! is.

use sqlx::Row;

use super::{PgStore, SqliteStore};

/// How a column is read from SQLite and written to PostgreSQL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `TEXT NOT NULL`.
    Text,
    /// `TEXT`, nullable.
    OptText,
    /// `INTEGER`/`BIGINT NOT NULL`.
    Int,
    /// `INTEGER`/`BIGINT`, nullable.
    OptInt,
}

/// A table to copy: its name, its columns, and the order rows are read in.
#[derive(Clone, Copy, Debug)]
pub struct Table {
    /// Table name.
    pub name: &'static str,
    /// Columns and their kinds.
    pub columns: &'static [(&'static str, Kind)],
    /// `ORDER BY` of the read (insertion order where PostgreSQL derives something from it).
    pub order_by: &'static str,
}

use Kind::{Int, OptInt, OptText, Text};

/// Every table that holds what a user or the backend must not lose, in foreign-key order.
/// Watcher leases (`watch_holder`, `watch_until`) are not copied: the instances on PostgreSQL
/// take every open transaction over when they start. Rate-limit counters (`rate_limits`) are
/// not copied either: they only matter for a minute.
pub const TABLES: &[Table] = &[
    Table {
        name: "transactions",
        columns: &[
            ("id", Text),
            ("owner", Text),
            ("tx_type", Text),
            ("currency", Text),
            ("network", Text),
            ("amount", Text),
            ("status", Text),
            ("status_seq", Int),
            ("crypto_amount", OptText),
            ("fiat_amount", OptText),
            ("fiat_currency", OptText),
            ("created_at", Text),
            ("updated_at", Text),
            // An unfinished purchase can still be continued after the move.
            ("resume_session", OptText),
            ("resume_until", OptInt),
            ("status_rank", Int),
            ("is_open", Int),
        ],
        // Oldest first, so PostgreSQL's `ord` keeps SQLite's insertion order.
        order_by: "rowid",
    },
    Table {
        name: "status_events",
        columns: &[
            ("tx_id", Text),
            ("seq", Int),
            ("status", Text),
            ("crypto_amount", OptText),
            ("fiat_amount", OptText),
            ("occurred_at", Text),
        ],
        order_by: "rowid",
    },
    Table {
        name: "widget_links",
        columns: &[
            ("token_hash", Text),
            ("tx_id", Text),
            ("session_json", OptText),
            ("expires_at", Int),
            ("used_at", OptInt),
        ],
        order_by: "rowid",
    },
    Table {
        name: "webhook_receipts",
        columns: &[("tx_id", Text), ("status", Text), ("received_at", Text)],
        order_by: "rowid",
    },
    // Signed-in users stay signed in after the move.
    Table {
        name: "app_sessions",
        columns: &[("id", Text), ("user_id", Text), ("email", Text), ("created_at", Int), ("revoked_at", OptInt)],
        order_by: "rowid",
    },
    Table {
        name: "refresh_tokens",
        columns: &[("token_hash", Text), ("session_id", Text), ("expires_at", Int), ("used_at", OptInt)],
        order_by: "rowid",
    },
];

/// Tables of the schema deliberately not copied, and why (see [`TABLES`]).
pub const NOT_COPIED: &[(&str, &str)] = &[
    ("rate_limits", "counters that matter for a minute"),
    ("_sqlx_migrations", "each database runs its own migrations"),
];

/// What [`sqlite_to_postgres`] copied: rows per table, in [`TABLES`] order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Copied(pub Vec<(&'static str, u64)>);

impl Copied {
    /// Rows copied of `table` (0 for a table not in [`TABLES`]).
    pub fn rows(&self, table: &str) -> u64 {
        self.0.iter().find(|(t, _)| *t == table).map_or(0, |(_, n)| *n)
    }
}

impl std::fmt::Display for Copied {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(|(t, n)| format!("{n} {t}")).collect();
        write!(f, "copied {}", parts.join(", "))
    }
}

/// Why a copy did not happen.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// The destination already holds transactions: copying would mix two histories.
    #[error("the PostgreSQL database already holds {0} transactions; copy into an empty database")]
    NotEmpty(i64),
    /// A database failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// Copy every table of [`TABLES`] from the SQLite database at `from` into the PostgreSQL
/// database at `to`, in one PostgreSQL transaction (all or nothing). Both are migrated first.
/// Stop the backend that uses `from` before, so nothing changes during the copy.
///
/// # Errors
/// [`CopyError::NotEmpty`] when `to` has transactions already; a database error otherwise.
pub async fn sqlite_to_postgres(from: &str, to: &str) -> Result<Copied, CopyError> {
    let source = SqliteStore::open(from).await?;
    let target = PgStore::open(to, "db-copy").await?;
    let mut src = source.pool.acquire().await?;
    let mut db = target.pool.begin().await?;
    let existing: i64 = sqlx::query_scalar("SELECT count(*) FROM transactions").fetch_one(&mut *db).await?;
    if existing > 0 {
        return Err(CopyError::NotEmpty(existing));
    }
    let mut copied = Copied::default();
    for table in TABLES {
        let names: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
        let list = names.join(", ");
        let params: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let insert = format!("INSERT INTO {} ({list}) VALUES ({})", table.name, params.join(", "));
        let rows = sqlx::query(&format!("SELECT {list} FROM {} ORDER BY {}", table.name, table.order_by))
            .fetch_all(&mut *src)
            .await?;
        let mut n = 0;
        for r in rows {
            let mut q = sqlx::query(&insert);
            for (column, kind) in table.columns {
                q = match kind {
                    Text => q.bind(r.try_get::<String, _>(*column)?),
                    OptText => q.bind(r.try_get::<Option<String>, _>(*column)?),
                    Int => q.bind(r.try_get::<i64, _>(*column)?),
                    OptInt => q.bind(r.try_get::<Option<i64>, _>(*column)?),
                };
            }
            q.execute(&mut *db).await?;
            n += 1;
        }
        copied.0.push((table.name, n));
    }
    db.commit().await?;
    src.close().await?;
    Ok(copied)
}
