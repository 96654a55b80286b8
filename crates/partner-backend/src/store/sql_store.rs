//! The one implementation of [`Store`] for both databases: every statement is written once (in
//! [`super::sql`], with `$N` placeholders, which sqlx accepts on SQLite too) and run through
//! sqlx's generic API; what differs between SQLite and PostgreSQL is the [`Engine`] each
//! implements ([`super::Dialect`]'s few statements, announcing changes to other instances,
//! and telling which instances are alive).

use async_trait::async_trait;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Pool, Transaction, Type};
use tokio::sync::mpsc;

use super::{Dialect, EventRow, LinkRow, Notice, Store, StoreKind, TxRow};

/// A store on the database `DB` ([`super::SqliteStore`] or [`super::PgStore`]).
#[derive(Clone, Debug)]
pub struct SqlStore<DB: Database> {
    pub(super) pool: Pool<DB>,
}

/// What a database brings besides running the shared statements.
#[async_trait]
pub trait Engine: Database {
    /// SQLite or PostgreSQL.
    const KIND: StoreKind;
    /// The statements that differ.
    const DIALECT: Dialect;
    /// Announce a recorded change to the other instances, inside the transaction recording it.
    async fn announce(db: &mut Transaction<'_, Self>, event: &ramp_api::StatusEvent) -> Result<(), sqlx::Error>;
    /// See [`Store::listen`].
    async fn listen(pool: &Pool<Self>) -> Result<Option<mpsc::Receiver<Notice>>, sqlx::Error>;
    /// See [`Store::announce_revocation`].
    async fn announce_revocation(pool: &Pool<Self>) -> Result<(), sqlx::Error>;
    /// Tell the other instances a widget link was recorded ([`Notice::LinkAdded`]).
    async fn announce_link(pool: &Pool<Self>) -> Result<(), sqlx::Error>;
    /// See [`Store::register_instance`].
    async fn register_instance(pool: &Pool<Self>, name: &str, now: u64) -> Result<(), sqlx::Error>;
    /// See [`Store::unregister_instance`].
    async fn unregister_instance(pool: &Pool<Self>, name: &str) -> Result<(), sqlx::Error>;
    /// See [`Store::release_dead_instances`].
    async fn release_dead_instances(pool: &Pool<Self>) -> Result<Vec<String>, sqlx::Error>;
}

/// Rows affected by a statement, which sqlx offers only on each database's own result type.
pub trait Affected {
    /// How many rows the statement changed.
    fn affected(&self) -> u64;
}

impl Affected for sqlx::sqlite::SqliteQueryResult {
    fn affected(&self) -> u64 {
        self.rows_affected()
    }
}

impl Affected for sqlx::postgres::PgQueryResult {
    fn affected(&self) -> u64 {
        self.rows_affected()
    }
}

#[async_trait]
impl<DB> Store for SqlStore<DB>
where
    DB: Engine,
    DB::QueryResult: Affected,
    for<'c> &'c Pool<DB>: Executor<'c, Database = DB>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> i64: Encode<'q, DB>,
    for<'r> i64: Decode<'r, DB> + Type<DB>,
    for<'r> String: Decode<'r, DB> + Type<DB>,
    for<'r> TxRow: FromRow<'r, DB::Row>,
    for<'r> EventRow: FromRow<'r, DB::Row>,
    for<'r> LinkRow: FromRow<'r, DB::Row>,
    usize: ColumnIndex<DB::Row>,
{
    fn kind(&self) -> StoreKind {
        DB::KIND
    }

    async fn listen(&self) -> Result<Option<mpsc::Receiver<Notice>>, sqlx::Error> {
        DB::listen(&self.pool).await
    }

    async fn announce_revocation(&self) -> Result<(), sqlx::Error> {
        DB::announce_revocation(&self.pool).await
    }

    async fn register_instance(&self, name: &str, now: u64) -> Result<(), sqlx::Error> {
        DB::register_instance(&self.pool, name, now).await
    }

    async fn unregister_instance(&self, name: &str) -> Result<(), sqlx::Error> {
        DB::unregister_instance(&self.pool, name).await
    }

    async fn release_dead_instances(&self) -> Result<Vec<String>, sqlx::Error> {
        DB::release_dead_instances(&self.pool).await
    }

    async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(drop)
    }

    async fn insert_transaction(&self, tx: &super::NewTransaction, lease: super::Lease<'_>) -> Result<(), sqlx::Error> {
        let mut db = self.pool.begin().await?;
        sqlx::query(super::sql::INSERT_TX)
            .bind(tx.id.as_str())
            .bind(tx.owner.as_str())
            .bind(tx.tx_type.as_str())
            .bind(tx.currency.as_str())
            .bind(tx.network.as_str())
            .bind(tx.amount.as_str())
            .bind(tx.created_at.as_str())
            .bind(lease.holder)
            .bind(lease.until_ms)
            .bind(i64::from(super::rank(&proof_api::TxStatus::Pending)))
            .bind(super::open_flag(&proof_api::TxStatus::Pending))
            .execute(&mut *db)
            .await?;
        sqlx::query(super::sql::INSERT_FIRST_EVENT)
            .bind(tx.id.as_str())
            .bind(tx.created_at.as_str())
            .execute(&mut *db)
            .await?;
        db.commit().await
    }

    async fn transaction(&self, id: &str) -> Result<Option<(String, ramp_api::TransactionView)>, sqlx::Error> {
        let row: Option<super::TxRow> =
            sqlx::query_as(super::sql::SELECT_TX).bind(id).fetch_optional(&self.pool).await?;
        row.map(super::TxRow::into_owned_view).transpose()
    }

    async fn transactions_of(
        &self,
        owner: &str,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<ramp_api::TransactionView>, sqlx::Error> {
        let query = match before {
            None => sqlx::query_as(DB::DIALECT.transactions_of).bind(owner),
            Some(id) => sqlx::query_as(DB::DIALECT.transactions_before).bind(owner).bind(id),
        };
        let rows: Vec<super::TxRow> = query.bind(i64::from(limit)).fetch_all(&self.pool).await?;
        rows.into_iter().map(|r| r.into_owned_view().map(|(_, v)| v)).collect()
    }

    async fn apply_status(
        &self,
        id: &str,
        change: &super::StatusChange,
    ) -> Result<Option<ramp_api::StatusEvent>, sqlx::Error> {
        if matches!(change.status, proof_api::TxStatus::Unknown(_)) {
            return Ok(None);
        }
        let crypto = change.crypto_amount.as_ref().map(proof_api::Amount::as_str);
        let fiat = change.fiat_amount.as_ref().map(proof_api::Amount::as_str);
        let mut db = self.pool.begin().await?;
        let Some(seq) = sqlx::query_scalar::<_, i64>(super::sql::ADVANCE)
            .bind(change.status.as_str())
            .bind(crypto)
            .bind(fiat)
            .bind(change.fiat_currency.as_deref())
            .bind(change.occurred_at.as_str())
            .bind(id)
            .bind(i64::from(super::rank(&change.status)))
            .bind(super::open_flag(&change.status))
            .fetch_optional(&mut *db)
            .await?
        else {
            return Ok(None);
        };
        sqlx::query(super::sql::INSERT_EVENT)
            .bind(id)
            .bind(seq)
            .bind(change.status.as_str())
            .bind(crypto)
            .bind(fiat)
            .bind(change.occurred_at.as_str())
            .execute(&mut *db)
            .await?;
        let event = ramp_api::StatusEvent {
            seq: u64::try_from(seq).unwrap_or_default(),
            merchant_transaction_id: id.to_owned(),
            status: change.status.clone(),
            crypto_amount: change.crypto_amount.clone(),
            fiat_amount: change.fiat_amount.clone(),
            occurred_at: change.occurred_at.clone(),
        };
        DB::announce(&mut db, &event).await?;
        db.commit().await?;
        Ok(Some(event))
    }

    async fn events_after(&self, id: &str, after_seq: u64) -> Result<Vec<ramp_api::StatusEvent>, sqlx::Error> {
        let rows: Vec<super::EventRow> = sqlx::query_as(super::sql::EVENTS_AFTER)
            .bind(id)
            .bind(super::clamp_i64(after_seq))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| r.into_event(id)).collect())
    }

    async fn insert_link(
        &self,
        token_hash: &str,
        tx_id: &str,
        session_json: &str,
        expires_at: u64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(super::sql::INSERT_LINK)
            .bind(token_hash)
            .bind(tx_id)
            .bind(session_json)
            .bind(super::clamp_i64(expires_at))
            .execute(&self.pool)
            .await?;
        // A wake-up only: a page held for the link also looks it up by itself.
        if let Err(e) = DB::announce_link(&self.pool).await {
            tracing::warn!("could not announce a new widget link: {e}");
        }
        Ok(())
    }

    async fn keep_session(&self, tx_id: &str, session_json: &str, until: u64) -> Result<(), sqlx::Error> {
        sqlx::query(super::sql::KEEP_SESSION)
            .bind(tx_id)
            .bind(session_json)
            .bind(super::clamp_i64(until))
            .execute(&self.pool)
            .await
            .map(drop)
    }

    async fn resumable_session(&self, tx_id: &str, now: u64) -> Result<Option<String>, sqlx::Error> {
        let found: Option<Option<String>> = sqlx::query_scalar(super::sql::RESUMABLE_SESSION)
            .bind(tx_id)
            .bind(super::clamp_i64(now))
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.flatten())
    }

    async fn open_link(&self, token_hash: &str, now: u64) -> Result<super::LinkOpen, sqlx::Error> {
        let now = super::clamp_i64(now);
        let row: Option<super::LinkRow> =
            sqlx::query_as(super::sql::SELECT_LINK).bind(token_hash).fetch_optional(&self.pool).await?;
        let Some(row) = row else {
            return Ok(super::LinkOpen::Unknown);
        };
        if let Some(refused) = row.refusal(now) {
            return Ok(refused);
        }
        let claimed =
            sqlx::query(super::sql::CLAIM_LINK).bind(now).bind(token_hash).execute(&self.pool).await?.affected() == 1;
        Ok(row.claimed(claimed))
    }

    async fn record_webhook(&self, tx_id: &str, status: &str, received_at: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(super::sql::RECORD_WEBHOOK)
            .bind(tx_id)
            .bind(status)
            .bind(received_at)
            .execute(&self.pool)
            .await?;
        Ok(done.affected() == 1)
    }

    async fn start_app_session(
        &self,
        session_id: &str,
        user_id: &str,
        email: &str,
        refresh_hash: &str,
        refresh_expires: u64,
        now: u64,
    ) -> Result<(), sqlx::Error> {
        let mut db = self.pool.begin().await?;
        sqlx::query(super::sql::START_APP_SESSION)
            .bind(session_id)
            .bind(user_id)
            .bind(email)
            .bind(super::clamp_i64(now))
            .execute(&mut *db)
            .await?;
        sqlx::query(super::sql::INSERT_REFRESH)
            .bind(refresh_hash)
            .bind(session_id)
            .bind(super::clamp_i64(refresh_expires))
            .execute(&mut *db)
            .await?;
        db.commit().await
    }

    async fn rotate_refresh(&self, rotation: super::Rotation<'_>) -> Result<super::Refresh, sqlx::Error> {
        let now = super::clamp_i64(rotation.now);
        let mut db = self.pool.begin().await?;
        let used: Option<String> = sqlx::query_scalar(super::sql::USE_REFRESH)
            .bind(now)
            .bind(rotation.old_hash)
            .fetch_optional(&mut *db)
            .await?;
        let row: Option<(String, String, String, Option<i64>, Option<i64>)> =
            sqlx::query_as(super::sql::REFRESH_SESSION).bind(rotation.old_hash).fetch_optional(&mut *db).await?;
        let Some((session_id, user_id, email, revoked_at, used_at)) = row else {
            return Ok(super::Refresh::Invalid);
        };
        if revoked_at.is_some() {
            return Ok(super::Refresh::Invalid);
        }
        if used.is_none() {
            let Some(used_at) = used_at else {
                return Ok(super::Refresh::Invalid); // expired unused
            };
            // Used before. Within the grace window, with its successor still unused, the
            // answer was lost (or is being given to a concurrent call): give it again.
            let within_grace = now.saturating_sub(used_at) <= super::clamp_i64(rotation.grace);
            let successor_unused: i64 =
                sqlx::query_scalar(super::sql::SUCCESSOR_UNUSED).bind(rotation.new_hash).fetch_one(&mut *db).await?;
            if within_grace && successor_unused > 0 {
                return Ok(super::Refresh::Rotated { session_id, user_id, email });
            }
            // Otherwise a copy exists.
            sqlx::query(super::sql::REVOKE_SESSION).bind(now).bind(session_id.as_str()).execute(&mut *db).await?;
            db.commit().await?;
            return Ok(super::Refresh::Reused);
        }
        sqlx::query(super::sql::INSERT_REFRESH)
            .bind(rotation.new_hash)
            .bind(session_id.as_str())
            .bind(super::clamp_i64(rotation.new_expires))
            .execute(&mut *db)
            .await?;
        db.commit().await?;
        Ok(super::Refresh::Rotated { session_id, user_id, email })
    }

    async fn revoke_session_of(&self, refresh_hash: &str, now: u64) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(super::sql::REVOKE_SESSION_OF)
            .bind(super::clamp_i64(now))
            .bind(refresh_hash)
            .execute(&self.pool)
            .await?;
        Ok(done.affected() > 0)
    }

    async fn revoke_user_sessions(&self, user_id: &str, now: u64) -> Result<u64, sqlx::Error> {
        let done =
            sqlx::query(super::sql::REVOKE_USER).bind(super::clamp_i64(now)).bind(user_id).execute(&self.pool).await?;
        Ok(done.affected())
    }

    async fn app_session_active(&self, session_id: &str) -> Result<bool, sqlx::Error> {
        let n: i64 = sqlx::query_scalar(super::sql::SESSION_ACTIVE).bind(session_id).fetch_one(&self.pool).await?;
        Ok(n > 0)
    }

    async fn webhook_seen(&self, tx_id: &str, status: &str) -> Result<bool, sqlx::Error> {
        let n: i64 =
            sqlx::query_scalar(super::sql::WEBHOOK_SEEN).bind(tx_id).bind(status).fetch_one(&self.pool).await?;
        Ok(n > 0)
    }

    async fn reachable_until(&self, tx_id: &str) -> Result<Option<super::Reach>, sqlx::Error> {
        let row: Option<(i64, String, Option<i64>, Option<i64>)> =
            sqlx::query_as(super::sql::REACH).bind(tx_id).fetch_optional(&self.pool).await?;
        Ok(row.map(|(rank, tx_type, resume_until, links_until)| super::Reach {
            abandonable: rank == i64::from(super::rank(&proof_api::TxStatus::Pending))
                && tx_type == proof_api::TxType::Buy.as_str(),
            until: u64::try_from(resume_until.unwrap_or(0).max(links_until.unwrap_or(0))).unwrap_or(0),
        }))
    }

    async fn take_abandoned(
        &self,
        lease: super::Lease<'_>,
        grace_secs: u64,
        now_secs: u64,
        limit: u32,
    ) -> Result<Vec<String>, sqlx::Error> {
        let candidates: Vec<String> = sqlx::query_scalar(super::sql::ABANDONED)
            .bind(i64::from(super::rank(&proof_api::TxStatus::Pending)))
            .bind(super::GIVEN_UP)
            .bind(super::clamp_i64(grace_secs))
            .bind(super::clamp_i64(now_secs))
            .bind(i64::from(limit))
            .bind(proof_api::TxType::Buy.as_str())
            .fetch_all(&self.pool)
            .await?;
        let mut taken = Vec::new();
        for id in candidates {
            let done = sqlx::query(super::sql::TAKE_GIVEN_UP)
                .bind(lease.holder)
                .bind(lease.until_ms)
                .bind(id.as_str())
                .bind(super::GIVEN_UP)
                .execute(&self.pool)
                .await?;
            if done.affected() == 1 {
                taken.push(id);
            }
        }
        Ok(taken)
    }

    async fn unopened_until(&self, tx_id: &str) -> Result<Option<u64>, sqlx::Error> {
        let (latest, opened): (Option<i64>, Option<i64>) =
            sqlx::query_as(super::sql::LINKS_OF).bind(tx_id).fetch_one(&self.pool).await?;
        Ok(match (latest, opened) {
            (Some(latest), Some(0)) => Some(u64::try_from(latest).unwrap_or_default()),
            _ => None,
        })
    }

    async fn purge_expired_links(&self, now: u64) -> Result<u64, sqlx::Error> {
        let now = super::clamp_i64(now);
        let links = sqlx::query(super::sql::PURGE_EXPIRED_LINKS).bind(now).execute(&self.pool).await?;
        let kept = sqlx::query(super::sql::PURGE_RESUME).bind(now).execute(&self.pool).await?;
        Ok(links.affected() + kept.affected())
    }

    async fn take_lease(&self, id: &str, lease: super::Lease<'_>) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(super::sql::TAKE_LEASE)
            .bind(lease.holder)
            .bind(lease.until_ms)
            .bind(id)
            .bind(lease.now_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.affected() == 1)
    }

    async fn renew_lease(&self, id: &str, lease: super::Lease<'_>) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(super::sql::RENEW_LEASE)
            .bind(lease.holder)
            .bind(lease.until_ms)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.affected() == 1)
    }

    async fn take_orphans(&self, lease: super::Lease<'_>, limit: u32) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(DB::DIALECT.take_orphans)
            .bind(lease.holder)
            .bind(lease.until_ms)
            .bind(lease.now_ms)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
    }

    async fn release_lease(&self, id: &str, holder: &str) -> Result<(), sqlx::Error> {
        sqlx::query(super::sql::RELEASE_LEASE).bind(holder).bind(id).execute(&self.pool).await.map(drop)
    }

    async fn release_all(&self, holder: &str) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(super::sql::RELEASE_ALL).bind(holder).execute(&self.pool).await?;
        Ok(done.affected())
    }

    async fn give_up_lease(&self, id: &str, holder: &str) -> Result<(), sqlx::Error> {
        sqlx::query(super::sql::GIVE_UP_LEASE)
            .bind(holder)
            .bind(id)
            .bind(super::GIVEN_UP)
            .execute(&self.pool)
            .await
            .map(drop)
    }

    async fn take_rate(&self, key: &str, now_ms: i64, burst: u32, period_ms: i64) -> Result<Option<i64>, sqlx::Error> {
        let (interval, tolerance) = super::gcra(burst, period_ms);
        let allowed: Option<i64> = sqlx::query_scalar(DB::DIALECT.take_rate)
            .bind(key)
            .bind(now_ms)
            .bind(interval)
            .bind(tolerance)
            .fetch_optional(&self.pool)
            .await?;
        if allowed.is_some() {
            return Ok(None);
        }
        let tat: Option<i64> = sqlx::query_scalar(super::sql::RATE_TAT).bind(key).fetch_optional(&self.pool).await?;
        Ok(Some(tat.map_or(interval, |tat| (tat - tolerance - now_ms).max(1))))
    }

    async fn prune_rates(&self, now_ms: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(super::sql::PRUNE_RATES).bind(now_ms).execute(&self.pool).await?;
        Ok(done.affected())
    }
}
