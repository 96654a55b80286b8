//! SQLite: one file in WAL mode; the embedded default for development and a single instance.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{Sqlite, SqlitePool, Transaction};
use tokio::sync::mpsc;

use super::{Dialect, Notice, StoreKind, sql_store};

const DIALECT: Dialect = Dialect {
    transactions_of: "SELECT * FROM transactions WHERE owner = $1 ORDER BY created_at DESC, rowid DESC LIMIT $2",
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
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pub(super) pool: SqlitePool,
}

impl SqliteStore {
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

    /// One instance per file: the relay's own broadcast reaches every stream, nothing to announce.
    async fn announce(_: &mut Transaction<'_, Sqlite>, _: &ramp_api::StatusEvent) -> Result<(), sqlx::Error> {
        Ok(())
    }
}

sql_store!(SqliteStore, DIALECT, {
    fn kind(&self) -> StoreKind {
        StoreKind::Sqlite
    }

    // One instance per file: nobody else to tell apart.
    async fn register_instance(&self, _: &str, _: u64) -> Result<(), sqlx::Error> {
        Ok(())
    }

    async fn unregister_instance(&self, _: &str) -> Result<(), sqlx::Error> {
        Ok(())
    }

    async fn release_dead_instances(&self) -> Result<Vec<String>, sqlx::Error> {
        Ok(Vec::new())
    }

    async fn announce_revocation(&self) -> Result<(), sqlx::Error> {
        Ok(()) // one instance: the relay told its own streams already
    }

    async fn listen(&self) -> Result<Option<mpsc::Receiver<Notice>>, sqlx::Error> {
        Ok(None)
    }
});
