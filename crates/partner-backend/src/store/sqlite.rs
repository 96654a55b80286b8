//! SQLite: one file in WAL mode; the embedded default for development and a single instance.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::mpsc;

use super::{Dialect, Engine, Notice, SqlStore, StoreKind};

const DIALECT: Dialect = Dialect {
    transactions_of: "SELECT * FROM transactions WHERE owner = $1 ORDER BY created_at DESC, rowid DESC LIMIT $2",
    transactions_before: "SELECT * FROM transactions WHERE owner = $1
          AND (created_at, rowid) < (SELECT created_at, rowid FROM transactions WHERE id = $2 AND owner = $1)
        ORDER BY created_at DESC, rowid DESC LIMIT $3",
    take_orphans: "UPDATE transactions SET watch_holder = $1, watch_until = $2
        WHERE id IN (SELECT id FROM transactions WHERE is_open = 1
                     AND (watch_until IS NULL OR watch_until < $3) LIMIT $4)
        RETURNING id",
    take_rate: "INSERT INTO rate_limits (key, tat) VALUES ($1, $2 + $3)
        ON CONFLICT (key) DO UPDATE SET tat = MAX(rate_limits.tat, $2) + $3
        WHERE MAX(rate_limits.tat, $2) - $2 <= $4
        RETURNING tat",
};

/// SQLite (one file, WAL mode).
pub type SqliteStore = SqlStore<Sqlite>;

impl SqlStore<Sqlite> {
    /// Open (creating if needed) the database at `url` and run migrations.
    ///
    /// # Errors
    /// When the file cannot be opened or a migration fails.
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        let options = url
            .parse::<SqliteConnectOptions>()?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(std::time::Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await.map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
        Ok(Self { pool })
    }
}

/// One instance per file: the relay's own broadcast reaches every stream, so there is nothing
/// to announce and nobody else to tell apart.
#[async_trait::async_trait]
impl Engine for Sqlite {
    const KIND: StoreKind = StoreKind::Sqlite;
    const DIALECT: Dialect = DIALECT;

    async fn announce(_: &mut Transaction<'_, Sqlite>, _: &ramp_api::StatusEvent) -> Result<(), sqlx::Error> {
        Ok(())
    }

    async fn listen(_: &SqlitePool) -> Result<Option<mpsc::Receiver<Notice>>, sqlx::Error> {
        Ok(None)
    }

    async fn announce_revocation(_: &SqlitePool) -> Result<(), sqlx::Error> {
        Ok(())
    }

    async fn announce_link(_: &SqlitePool) -> Result<(), sqlx::Error> {
        Ok(())
    }

    async fn register_instance(_: &SqlitePool, _: &str, _: u64) -> Result<(), sqlx::Error> {
        Ok(())
    }

    async fn unregister_instance(_: &SqlitePool, _: &str) -> Result<(), sqlx::Error> {
        Ok(())
    }

    async fn release_dead_instances(_: &SqlitePool) -> Result<Vec<String>, sqlx::Error> {
        Ok(Vec::new())
    }
}
