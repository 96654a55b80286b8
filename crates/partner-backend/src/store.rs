//! Persistence behind the [`Store`] trait; [`SqliteStore`] is the default.
//!
//! Everything the backend must not lose lives here: transactions and owners, status history,
//! widget links and webhook receipts. A restart reads non-terminal transactions back and resumes
//! their relays. For several instances behind a load balancer, implement [`Store`] on
//! PostgreSQL (the schema in `migrations/` is portable) and point every instance at it.

use async_trait::async_trait;
use proof_api::{Amount, TxStatus, TxType};
use ramp_api::{StatusEvent, TransactionView};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow};
use sqlx::{Row, SqlitePool};

/// A new transaction, recorded right after Proof created its session.
#[derive(Clone, Debug)]
pub struct NewTransaction {
    /// Proof's id.
    pub id: String,
    /// The app user.
    pub owner: String,
    /// Buy or sell.
    pub tx_type: TxType,
    /// Currency.
    pub currency: String,
    /// Network.
    pub network: String,
    /// Requested amount.
    pub amount: Amount,
    /// ISO 8601 UTC.
    pub created_at: String,
}

/// A status change confirmed with Proof.
#[derive(Clone, Debug)]
pub struct StatusChange {
    /// New status.
    pub status: TxStatus,
    /// Final crypto amount, when known.
    pub crypto_amount: Option<Amount>,
    /// Final fiat amount, when known.
    pub fiat_amount: Option<Amount>,
    /// Fiat currency, when known.
    pub fiat_currency: Option<String>,
    /// ISO 8601 UTC.
    pub occurred_at: String,
}

/// What opening a widget link found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkOpen {
    /// First open in time: the transaction and the session to run.
    Fresh {
        /// Transaction id.
        tx_id: String,
        /// Proof's session response, JSON.
        session_json: String,
    },
    /// Opened before.
    Used,
    /// Past its expiry.
    Expired,
    /// No such link.
    Unknown,
}

/// Storage operations. Implementations must be safe to share between instances of the backend
/// (every state change is one guarded statement or one transaction).
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Check the database answers.
    async fn ping(&self) -> Result<(), sqlx::Error>;
    /// Record a transaction in `pending`, with status event 1.
    async fn insert_transaction(&self, tx: &NewTransaction) -> Result<(), sqlx::Error>;
    /// One transaction with its owner.
    async fn transaction(&self, id: &str) -> Result<Option<(String, TransactionView)>, sqlx::Error>;
    /// The owner's transactions, newest first.
    async fn transactions_of(&self, owner: &str, limit: u32) -> Result<Vec<TransactionView>, sqlx::Error>;
    /// Ids of transactions not yet terminal.
    async fn open_transactions(&self) -> Result<Vec<String>, sqlx::Error>;
    /// Apply a change if it moves the transaction forward; returns the event it recorded.
    async fn apply_status(&self, id: &str, change: &StatusChange) -> Result<Option<StatusEvent>, sqlx::Error>;
    /// Status events after `after_seq`, oldest first.
    async fn events_after(&self, id: &str, after_seq: u64) -> Result<Vec<StatusEvent>, sqlx::Error>;
    /// Store a widget link (by hash) for a transaction.
    async fn insert_link(
        &self,
        token_hash: &str,
        tx_id: &str,
        session_json: &str,
        expires_at: u64,
    ) -> Result<(), sqlx::Error>;
    /// Consume a link at `now` (unix seconds).
    async fn open_link(&self, token_hash: &str, now: u64) -> Result<LinkOpen, sqlx::Error>;
    /// Remember a webhook delivery; `true` the first time this (id, status) is seen.
    async fn record_webhook(&self, tx_id: &str, status: &str, received_at: &str) -> Result<bool, sqlx::Error>;
}

/// Rank of a status in a transaction's life; changes only move forward.
fn rank(s: &TxStatus) -> u8 {
    match s {
        TxStatus::Pending | TxStatus::Unknown(_) => 0,
        TxStatus::Processing => 1,
        TxStatus::Completed | TxStatus::Failed | TxStatus::Cancelled => 2,
    }
}

/// SQLite (one file, WAL mode).
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
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
        sqlx::migrate!("./migrations").run(&pool).await.map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
        Ok(Self { pool })
    }
}

fn status_of(raw: String) -> TxStatus {
    serde_json::from_value(serde_json::Value::String(raw.clone())).unwrap_or(TxStatus::Unknown(raw))
}

fn amount_of(raw: Option<String>) -> Option<Amount> {
    raw.filter(|s| !s.is_empty()).and_then(|s| Amount::parse(&s).ok())
}

fn view(row: &SqliteRow) -> Result<TransactionView, sqlx::Error> {
    let tx_type: String = row.try_get("tx_type")?;
    let amount: String = row.try_get("amount")?;
    Ok(TransactionView {
        id: row.try_get("id")?,
        tx_type: serde_json::from_value(serde_json::Value::String(tx_type.clone())).unwrap_or(TxType::Unknown(tx_type)),
        status: status_of(row.try_get("status")?),
        currency: row.try_get("currency")?,
        network: row.try_get("network")?,
        amount: Amount::parse(&amount).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        crypto_amount: amount_of(row.try_get("crypto_amount")?),
        fiat_amount: amount_of(row.try_get("fiat_amount")?),
        fiat_currency: row.try_get("fiat_currency")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn event(tx_id: &str, row: &SqliteRow) -> Result<StatusEvent, sqlx::Error> {
    let seq: i64 = row.try_get("seq")?;
    Ok(StatusEvent {
        seq: u64::try_from(seq).unwrap_or_default(),
        merchant_transaction_id: tx_id.to_owned(),
        status: status_of(row.try_get("status")?),
        crypto_amount: amount_of(row.try_get("crypto_amount")?),
        fiat_amount: amount_of(row.try_get("fiat_amount")?),
        occurred_at: row.try_get("occurred_at")?,
    })
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop)
    }

    async fn insert_transaction(&self, tx: &NewTransaction) -> Result<(), sqlx::Error> {
        let mut db = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO transactions (id, owner, tx_type, currency, network, amount, status, status_seq, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, 'pending', 1, ?, ?)",
        )
        .bind(&tx.id)
        .bind(&tx.owner)
        .bind(tx.tx_type.as_str())
        .bind(&tx.currency)
        .bind(&tx.network)
        .bind(tx.amount.as_str())
        .bind(&tx.created_at)
        .bind(&tx.created_at)
        .execute(&mut *db)
        .await?;
        sqlx::query("INSERT INTO status_events (tx_id, seq, status, occurred_at) VALUES (?, 1, 'pending', ?)")
            .bind(&tx.id)
            .bind(&tx.created_at)
            .execute(&mut *db)
            .await?;
        db.commit().await
    }

    async fn transaction(&self, id: &str) -> Result<Option<(String, TransactionView)>, sqlx::Error> {
        let row = sqlx::query("SELECT * FROM transactions WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| Ok((r.try_get("owner")?, view(&r)?))).transpose()
    }

    async fn transactions_of(&self, owner: &str, limit: u32) -> Result<Vec<TransactionView>, sqlx::Error> {
        let rows =
            sqlx::query("SELECT * FROM transactions WHERE owner = ? ORDER BY created_at DESC, rowid DESC LIMIT ?")
                .bind(owner)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(view).collect()
    }

    async fn open_transactions(&self) -> Result<Vec<String>, sqlx::Error> {
        let rows = sqlx::query("SELECT id FROM transactions WHERE status NOT IN ('completed', 'failed', 'cancelled')")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| r.try_get("id")).collect()
    }

    async fn apply_status(&self, id: &str, change: &StatusChange) -> Result<Option<StatusEvent>, sqlx::Error> {
        if matches!(change.status, TxStatus::Unknown(_)) {
            return Ok(None);
        }
        let crypto = change.crypto_amount.as_ref().map(Amount::as_str);
        let fiat = change.fiat_amount.as_ref().map(Amount::as_str);
        // Writing first takes the write lock at once (a read-then-write transaction can fail
        // with SQLITE_BUSY_SNAPSHOT in WAL mode), and the rank guard lets only forward moves in,
        // so two writers (instances, webhook and watcher) never both advance.
        let mut db = self.pool.begin().await?;
        let Some(row) = sqlx::query(
            "UPDATE transactions SET status = ?1, status_seq = status_seq + 1,
                 crypto_amount = COALESCE(?2, crypto_amount), fiat_amount = COALESCE(?3, fiat_amount),
                 fiat_currency = COALESCE(?4, fiat_currency), updated_at = ?5
             WHERE id = ?6 AND (CASE status WHEN 'processing' THEN 1 WHEN 'completed' THEN 2 WHEN 'failed' THEN 2
                                            WHEN 'cancelled' THEN 2 ELSE 0 END) < ?7
             RETURNING status_seq",
        )
        .bind(change.status.as_str())
        .bind(crypto)
        .bind(fiat)
        .bind(&change.fiat_currency)
        .bind(&change.occurred_at)
        .bind(id)
        .bind(i64::from(rank(&change.status)))
        .fetch_optional(&mut *db)
        .await?
        else {
            return Ok(None);
        };
        let seq: i64 = row.try_get("status_seq")?;
        sqlx::query(
            "INSERT INTO status_events (tx_id, seq, status, crypto_amount, fiat_amount, occurred_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(seq)
        .bind(change.status.as_str())
        .bind(crypto)
        .bind(fiat)
        .bind(&change.occurred_at)
        .execute(&mut *db)
        .await?;
        db.commit().await?;
        Ok(Some(StatusEvent {
            seq: u64::try_from(seq).unwrap_or_default(),
            merchant_transaction_id: id.to_owned(),
            status: change.status.clone(),
            crypto_amount: change.crypto_amount.clone(),
            fiat_amount: change.fiat_amount.clone(),
            occurred_at: change.occurred_at.clone(),
        }))
    }

    async fn events_after(&self, id: &str, after_seq: u64) -> Result<Vec<StatusEvent>, sqlx::Error> {
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        let rows = sqlx::query("SELECT * FROM status_events WHERE tx_id = ? AND seq > ? ORDER BY seq")
            .bind(id)
            .bind(after)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| event(id, r)).collect()
    }

    async fn insert_link(
        &self,
        token_hash: &str,
        tx_id: &str,
        session_json: &str,
        expires_at: u64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("INSERT INTO widget_links (token_hash, tx_id, session_json, expires_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(tx_id)
            .bind(session_json)
            .bind(i64::try_from(expires_at).unwrap_or(i64::MAX))
            .execute(&self.pool)
            .await
            .map(drop)
    }

    async fn open_link(&self, token_hash: &str, now: u64) -> Result<LinkOpen, sqlx::Error> {
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let Some(row) =
            sqlx::query("SELECT tx_id, session_json, used_at, expires_at FROM widget_links WHERE token_hash = ?")
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?
        else {
            return Ok(LinkOpen::Unknown);
        };
        if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
            return Ok(LinkOpen::Used);
        }
        if row.try_get::<i64, _>("expires_at")? <= now {
            return Ok(LinkOpen::Expired);
        }
        // The guard on used_at makes the claim atomic: of two concurrent opens, one updates the row.
        let claimed = sqlx::query(
            "UPDATE widget_links SET used_at = ?, session_json = NULL WHERE token_hash = ? AND used_at IS NULL",
        )
        .bind(now)
        .bind(token_hash)
        .execute(&self.pool)
        .await?;
        let session_json: Option<String> = row.try_get("session_json")?;
        Ok(match session_json {
            Some(session_json) if claimed.rows_affected() == 1 => {
                LinkOpen::Fresh { tx_id: row.try_get("tx_id")?, session_json }
            }
            _ => LinkOpen::Used,
        })
    }

    async fn record_webhook(&self, tx_id: &str, status: &str, received_at: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("INSERT OR IGNORE INTO webhook_receipts (tx_id, status, received_at) VALUES (?, ?, ?)")
            .bind(tx_id)
            .bind(status)
            .bind(received_at)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
