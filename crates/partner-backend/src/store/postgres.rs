//! PostgreSQL: one database shared by any number of backend instances.
//!
//! Every recorded status change is announced with `NOTIFY` inside the transaction that records
//! it, so it reaches listeners exactly when it commits; [`PgStore::listen`] turns those
//! notifications into [`Notice`]s on a dedicated connection (`LISTEN`), and says when the
//! connection was lost so the relay can read what it may have missed from the tables. A
//! notification carries only the transaction's id: any role that can connect may `NOTIFY`, so
//! listeners read the change itself from the tables.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{PgPool, Postgres, Transaction};
use tokio::sync::mpsc;

use super::{Dialect, Engine, HEARTBEAT, LINKS_CHANNEL, Notice, REVOKED_CHANNEL, STATUS_CHANNEL, SqlStore, StoreKind};

const DIALECT: Dialect = Dialect {
    transactions_of: "SELECT * FROM transactions WHERE owner = $1 ORDER BY created_at DESC, ord DESC LIMIT $2",
    transactions_before: "SELECT * FROM transactions WHERE owner = $1
          AND (created_at, ord) < (SELECT created_at, ord FROM transactions WHERE id = $2 AND owner = $1)
        ORDER BY created_at DESC, ord DESC LIMIT $3",
    // SKIP LOCKED: instances sweeping at the same moment divide the orphans instead of queueing.
    take_orphans: "UPDATE transactions SET watch_holder = $1, watch_until = $2
        WHERE id IN (SELECT id FROM transactions WHERE is_open = 1
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
pub type PgStore = SqlStore<Postgres>;

impl SqlStore<Postgres> {
    /// Connect to the database at `url` and run migrations (concurrent starts are safe:
    /// sqlx serialises migrations with `pg_advisory_lock`, sqlx-postgres 0.8.6 `src/migrate.rs`
    /// line 182, on by default). Connections carry
    /// `application_name = proof-ramp-backend/<instance>`, so `pg_stat_activity` tells the
    /// instances apart.
    ///
    /// # Errors
    /// When the database cannot be reached or a migration fails.
    pub async fn open(url: &str, instance: &str) -> Result<Self, sqlx::Error> {
        let options = url.parse::<PgConnectOptions>()?.application_name(&format!("proof-ramp-backend/{instance}"));
        let pool = PgPoolOptions::new()
            .max_connections(16)
            // Always one connection: it is how the other instances see this one alive
            // (`release_dead_instances`), besides the listener's.
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await.map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
        Ok(Self { pool })
    }
}

/// A connection listening on the status and revocation channels and on this process's own
/// heartbeat channel. It does not reconnect by itself: a lost connection ends [`forward`]'s
/// inner loop, which listens anew and then asks for a resync.
async fn listener(pool: &PgPool, beats: &Heartbeats) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.eager_reconnect(false);
    listener.listen_all([STATUS_CHANNEL, REVOKED_CHANNEL, LINKS_CHANNEL, beats.channel.as_str()]).await?;
    Ok(listener)
}

/// Heartbeats this process sends itself through PostgreSQL, to prove its listener current.
/// The channel is this process's alone (a random name), so no other instance hears them.
struct Heartbeats {
    channel: String,
    /// Heartbeats sent and not yet heard: sequence number and when it was sent.
    in_flight: std::sync::Mutex<std::collections::VecDeque<(u64, Instant)>>,
}

/// Heartbeats kept waiting to be heard; older ones are forgotten (and so never trusted).
const BEATS_IN_FLIGHT: usize = 32;

impl Heartbeats {
    fn new() -> Self {
        Self {
            channel: format!("proof_ramp_alive_{}", uuid::Uuid::new_v4().simple()),
            in_flight: std::sync::Mutex::default(),
        }
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, std::collections::VecDeque<(u64, Instant)>> {
        self.in_flight.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Send one heartbeat every [`HEARTBEAT`] until `out` closes.
    async fn send(self: Arc<Self>, pool: PgPool, out: mpsc::Sender<Notice>) {
        let mut every = tokio::time::interval(HEARTBEAT);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut seq = 0u64;
        while !out.is_closed() {
            every.tick().await;
            seq += 1;
            {
                let mut in_flight = self.in_flight();
                if in_flight.len() >= BEATS_IN_FLIGHT {
                    in_flight.pop_front();
                }
                in_flight.push_back((seq, Instant::now()));
            }
            let sent =
                sqlx::query("SELECT pg_notify($1, $2)").bind(&self.channel).bind(seq.to_string()).execute(&pool).await;
            if let Err(e) = sent {
                tracing::debug!("could not send a heartbeat to this instance's listener: {e}");
            }
        }
    }

    /// When heartbeat `payload` was sent, if it is one of ours still waiting; it and every
    /// older one are settled.
    fn heard(&self, payload: &str) -> Option<Instant> {
        let seq: u64 = payload.parse().ok()?;
        let mut in_flight = self.in_flight();
        let sent = in_flight.iter().find(|(s, _)| *s == seq).map(|(_, at)| *at)?;
        in_flight.retain(|(s, _)| *s > seq);
        Some(sent)
    }
}

/// Forward notifications until the receiver goes away, and heartbeats as [`Notice::Current`].
/// A lost connection is told at once ([`Notice::Lost`]); then the listener listens again first
/// and only then sends `Resync`: whatever committed before the new `LISTEN` is then read from
/// the tables, whatever commits after it arrives as a notification.
async fn forward(pool: PgPool, beats: Arc<Heartbeats>, mut listening: PgListener, out: mpsc::Sender<Notice>) {
    loop {
        loop {
            let notice = match listening.try_recv().await {
                Ok(Some(n)) if n.channel() == REVOKED_CHANNEL => Notice::Revoked,
                Ok(Some(n)) if n.channel() == LINKS_CHANNEL => Notice::LinkAdded,
                Ok(Some(n)) if n.channel() == beats.channel => match beats.heard(n.payload()) {
                    Some(sent) => Notice::Current(sent),
                    None => continue,
                },
                Ok(Some(n)) => match tx_id_of(n.payload()) {
                    Some(id) => Notice::Changed(id),
                    None => {
                        tracing::warn!("ignored a status notification that names no transaction");
                        continue;
                    }
                },
                Ok(None) => break,
                Err(e) => {
                    tracing::debug!("the status listener failed: {e}");
                    break;
                }
            };
            if out.send(notice).await.is_err() {
                return;
            }
        }
        tracing::warn!("lost the database connection that listens for status changes; reconnecting");
        if out.send(Notice::Lost).await.is_err() {
            return;
        }
        listening = loop {
            if out.is_closed() {
                return;
            }
            tokio::time::sleep(RELISTEN_DELAY).await;
            match listener(&pool, &beats).await {
                Ok(l) => break l,
                Err(e) => tracing::warn!("could not listen for status changes again yet: {e}"),
            }
        };
        tracing::info!("listening for status changes again; catching up from the database");
        if out.send(Notice::Resync).await.is_err() {
            return;
        }
    }
}

/// The transaction a status notification names: its payload, or the id inside the whole event
/// that instances of earlier versions sent (during a rolling upgrade). Only the id is taken.
fn tx_id_of(payload: &str) -> Option<String> {
    let id = if payload.starts_with('{') {
        serde_json::from_str::<serde_json::Value>(payload).ok()?.get("merchant_transaction_id")?.as_str()?.to_owned()
    } else {
        payload.to_owned()
    };
    (!id.is_empty() && id.len() <= 128).then_some(id)
}

#[async_trait::async_trait]
impl Engine for Postgres {
    const KIND: StoreKind = StoreKind::Postgres;
    const DIALECT: Dialect = DIALECT;

    /// `NOTIFY` the transaction's id; PostgreSQL delivers it when (and only if) the transaction
    /// commits.
    async fn announce(db: &mut Transaction<'_, Postgres>, event: &ramp_api::StatusEvent) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(STATUS_CHANNEL)
            .bind(&event.merchant_transaction_id)
            .execute(&mut **db)
            .await
            .map(drop)
    }

    async fn register_instance(pool: &PgPool, name: &str, now: u64) -> Result<(), sqlx::Error> {
        // The name PostgreSQL shows for this pool's connections (it may shorten a long one).
        sqlx::query(
            "INSERT INTO instances (name, app_name, started_at) VALUES ($1, current_setting('application_name'), $2)
             ON CONFLICT (name) DO UPDATE SET app_name = EXCLUDED.app_name, started_at = EXCLUDED.started_at",
        )
        .bind(name)
        .bind(i64::try_from(now).unwrap_or(i64::MAX))
        .execute(pool)
        .await
        .map(drop)
    }

    async fn unregister_instance(pool: &PgPool, name: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM instances WHERE name = $1").bind(name).execute(pool).await.map(drop)
    }

    async fn release_dead_instances(pool: &PgPool) -> Result<Vec<String>, sqlx::Error> {
        // One small query a second per instance, whatever the number of transactions; the
        // leases of a dead one are let go in one statement, by its holder index.
        let dead: Vec<String> = sqlx::query_scalar(
            "DELETE FROM instances i
             WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = i.app_name)
             RETURNING name",
        )
        .fetch_all(pool)
        .await?;
        for name in &dead {
            sqlx::query(super::sql::RELEASE_ALL).bind(name).execute(pool).await?;
        }
        Ok(dead)
    }

    async fn announce_revocation(pool: &PgPool) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_notify($1, '')").bind(REVOKED_CHANNEL).execute(pool).await.map(drop)
    }

    async fn announce_link(pool: &PgPool) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT pg_notify($1, '')").bind(LINKS_CHANNEL).execute(pool).await.map(drop)
    }

    async fn listen(pool: &PgPool) -> Result<Option<mpsc::Receiver<Notice>>, sqlx::Error> {
        let beats = Arc::new(Heartbeats::new());
        let listening = listener(pool, &beats).await?;
        let (tx, rx) = mpsc::channel(1024);
        tokio::spawn(beats.clone().send(pool.clone(), tx.clone()));
        tokio::spawn(forward(pool.clone(), beats, listening, tx));
        Ok(Some(rx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The migration's trigger announces on the channel the listeners hear: the channel's name
    /// is written twice (SQL cannot read the constant), so this holds them together.
    #[test]
    fn the_revocation_trigger_notifies_the_channel_listened_to() {
        let migration = include_str!("../../migrations/postgres/0007_revocation_notify.sql");
        assert!(migration.contains(&format!("pg_notify('{REVOKED_CHANNEL}', '')")), "{migration}");
    }

    /// Only heartbeats this process sent, still waiting, are believed; each settles the older.
    #[test]
    fn only_a_heartbeat_sent_and_waiting_is_heard() {
        let beats = Heartbeats::new();
        let sent = Instant::now();
        beats.in_flight().extend([(1, sent), (2, sent + Duration::from_millis(200))]);
        assert_eq!(beats.heard("7"), None, "never sent");
        assert_eq!(beats.heard("not a number"), None);
        assert_eq!(beats.heard("2"), Some(sent + Duration::from_millis(200)));
        assert_eq!(beats.heard("1"), None, "settled by the later one");
    }
}
