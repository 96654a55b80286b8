//! PostgreSQL: one database shared by any number of backend instances.
//!
//! Every recorded status change is announced with `NOTIFY` inside the transaction that records
//! it, so it reaches listeners exactly when it commits; [`PgStore::listen`] turns those
//! notifications into [`Notice`]s on a dedicated connection (`LISTEN`), and says when the
//! connection was lost so the relay can read what it may have missed from the tables.

use std::time::Duration;

use sqlx::postgres::{PgListener, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::mpsc;

use super::{Dialect, Notice, STATUS_CHANNEL, StoreKind, sql_store};

const DIALECT: Dialect = Dialect {
    transactions_of: "SELECT * FROM transactions WHERE owner = $1 ORDER BY created_at DESC, ord DESC LIMIT $2",
    // SKIP LOCKED: instances sweeping at the same moment divide the orphans instead of queueing.
    take_orphans: "UPDATE transactions SET watch_holder = $1, watch_until = $2
        WHERE id IN (SELECT id FROM transactions WHERE status NOT IN ('completed', 'failed', 'cancelled')
                     AND (watch_until IS NULL OR watch_until < $3) LIMIT $4 FOR UPDATE SKIP LOCKED)
          AND (watch_until IS NULL OR watch_until < $3)
        RETURNING id",
    take_rate: "INSERT INTO rate_limits (key, tat) VALUES ($1, $2 + $3)
        ON CONFLICT (key) DO UPDATE SET tat = GREATEST(rate_limits.tat, $2) + $3
        WHERE GREATEST(rate_limits.tat, $2) - $2 <= $4
        RETURNING tat",
};

/// How long to wait before connecting the listener again after a failure.
const RELISTEN_DELAY: Duration = Duration::from_millis(500);

/// PostgreSQL, through a connection pool.
#[derive(Clone, Debug)]
pub struct PgStore {
    pub(super) pool: PgPool,
}

impl PgStore {
    /// Connect to the database at `url` and run migrations (concurrent starts are safe:
    /// sqlx serialises migrations with an advisory lock).
    ///
    /// # Errors
    /// When the database cannot be reached or a migration fails.
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        let pool =
            PgPoolOptions::new().max_connections(16).acquire_timeout(Duration::from_secs(5)).connect(url).await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await.map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
        Ok(Self { pool })
    }

    /// `NOTIFY` the change; PostgreSQL delivers it when (and only if) the transaction commits.
    async fn announce(db: &mut Transaction<'_, Postgres>, event: &ramp_api::StatusEvent) -> Result<(), sqlx::Error> {
        let payload = serde_json::to_string(event).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query("SELECT pg_notify($1, $2)").bind(STATUS_CHANNEL).bind(payload).execute(&mut **db).await.map(drop)
    }
}

/// Forward notifications until the receiver goes away; on a lost connection, say `Resync` and
/// listen again (the listener reconnects by itself on the next receive).
async fn forward(mut listener: PgListener, out: mpsc::Sender<Notice>) {
    loop {
        let notice = match listener.try_recv().await {
            Ok(Some(n)) => match serde_json::from_str(n.payload()) {
                Ok(event) => Notice::Status(event),
                Err(e) => {
                    tracing::warn!("ignored an unreadable status notification: {e}");
                    continue;
                }
            },
            Ok(None) => {
                tracing::warn!("lost the database connection that listens for status changes; reconnecting");
                Notice::Resync
            }
            Err(e) => {
                tracing::warn!("listening for status changes failed: {e}; retrying");
                tokio::time::sleep(RELISTEN_DELAY).await;
                Notice::Resync
            }
        };
        if out.send(notice).await.is_err() {
            return;
        }
    }
}

sql_store!(PgStore, DIALECT, {
    fn kind(&self) -> StoreKind {
        StoreKind::Postgres
    }

    async fn listen(&self) -> Result<Option<mpsc::Receiver<Notice>>, sqlx::Error> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(STATUS_CHANNEL).await?;
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(forward(listener, tx));
        Ok(Some(rx))
    }
});
