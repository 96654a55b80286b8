//! Moving a single instance's SQLite data to PostgreSQL, for partners who outgrow one instance.

use sqlx::Row;

use super::{PgStore, SqliteStore};

/// What [`sqlite_to_postgres`] copied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Copied {
    /// Transactions.
    pub transactions: u64,
    /// Status events.
    pub status_events: u64,
    /// Widget links (used ones too, so they stay used).
    pub widget_links: u64,
    /// Webhook receipts.
    pub webhook_receipts: u64,
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

/// Copy everything from the SQLite database at `from` into the PostgreSQL database at `to`, in
/// one PostgreSQL transaction (all or nothing). Both are migrated first. Stop the backend that
/// uses `from` before, so nothing changes during the copy; watcher leases are not copied (the
/// instances on PostgreSQL take every open transaction over when they start) nor are rate-limit
/// counters.
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

    let columns = "id, owner, tx_type, currency, network, amount, status, status_seq, crypto_amount, fiat_amount, \
                   fiat_currency, created_at, updated_at, resume_session, resume_until";
    // Oldest first, so PostgreSQL's `ord` keeps SQLite's insertion order.
    let rows = sqlx::query(&format!("SELECT {columns} FROM transactions ORDER BY rowid")).fetch_all(&mut *src).await?;
    for r in rows {
        sqlx::query(&format!(
            "INSERT INTO transactions ({columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
        ))
        .bind(r.try_get::<String, _>("id")?)
        .bind(r.try_get::<String, _>("owner")?)
        .bind(r.try_get::<String, _>("tx_type")?)
        .bind(r.try_get::<String, _>("currency")?)
        .bind(r.try_get::<String, _>("network")?)
        .bind(r.try_get::<String, _>("amount")?)
        .bind(r.try_get::<String, _>("status")?)
        .bind(r.try_get::<i64, _>("status_seq")?)
        .bind(r.try_get::<Option<String>, _>("crypto_amount")?)
        .bind(r.try_get::<Option<String>, _>("fiat_amount")?)
        .bind(r.try_get::<Option<String>, _>("fiat_currency")?)
        .bind(r.try_get::<String, _>("created_at")?)
        .bind(r.try_get::<String, _>("updated_at")?)
        // An unfinished purchase can still be continued after the move.
        .bind(r.try_get::<Option<String>, _>("resume_session")?)
        .bind(r.try_get::<Option<i64>, _>("resume_until")?)
        .execute(&mut *db)
        .await?;
        copied.transactions += 1;
    }
    let rows = sqlx::query("SELECT tx_id, seq, status, crypto_amount, fiat_amount, occurred_at FROM status_events")
        .fetch_all(&mut *src)
        .await?;
    for r in rows {
        sqlx::query(
            "INSERT INTO status_events (tx_id, seq, status, crypto_amount, fiat_amount, occurred_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(r.try_get::<String, _>("tx_id")?)
        .bind(r.try_get::<i64, _>("seq")?)
        .bind(r.try_get::<String, _>("status")?)
        .bind(r.try_get::<Option<String>, _>("crypto_amount")?)
        .bind(r.try_get::<Option<String>, _>("fiat_amount")?)
        .bind(r.try_get::<String, _>("occurred_at")?)
        .execute(&mut *db)
        .await?;
        copied.status_events += 1;
    }
    let rows = sqlx::query("SELECT token_hash, tx_id, session_json, expires_at, used_at FROM widget_links")
        .fetch_all(&mut *src)
        .await?;
    for r in rows {
        sqlx::query(
            "INSERT INTO widget_links (token_hash, tx_id, session_json, expires_at, used_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(r.try_get::<String, _>("token_hash")?)
        .bind(r.try_get::<String, _>("tx_id")?)
        .bind(r.try_get::<Option<String>, _>("session_json")?)
        .bind(r.try_get::<i64, _>("expires_at")?)
        .bind(r.try_get::<Option<i64>, _>("used_at")?)
        .execute(&mut *db)
        .await?;
        copied.widget_links += 1;
    }
    let rows = sqlx::query("SELECT tx_id, status, received_at FROM webhook_receipts").fetch_all(&mut *src).await?;
    for r in rows {
        sqlx::query("INSERT INTO webhook_receipts (tx_id, status, received_at) VALUES ($1, $2, $3)")
            .bind(r.try_get::<String, _>("tx_id")?)
            .bind(r.try_get::<String, _>("status")?)
            .bind(r.try_get::<String, _>("received_at")?)
            .execute(&mut *db)
            .await?;
        copied.webhook_receipts += 1;
    }
    db.commit().await?;
    src.close().await?;
    Ok(copied)
}
