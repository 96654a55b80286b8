//! Persistence behind the [`Store`] trait, on SQLite ([`SqliteStore`], the embedded default for
//! development and a single instance) or PostgreSQL ([`PgStore`], for several instances on one
//! database). [`open`] picks one from the `DATABASE_URL` scheme and runs its migrations.
//!
//! Everything the backend must not lose lives here: transactions and owners, status history,
//! widget links and webhook receipts. So does what several instances must agree on: which
//! instance watches a transaction upstream (a lease, renewed while watching), and the rate limits
//! shared across instances. On PostgreSQL every recorded status change is also announced with
//! `NOTIFY`, so SSE streams open on any instance see it ([`Store::listen`]).
//!
//! One implementation serves both ([`SqlStore`], generic over the database): it runs the same
//! statements (written once, below, with `$N` placeholders, which sqlx accepts on SQLite too);
//! each database's [`Engine`] brings the few that differ ([`Dialect`]) and what only it can do.

pub mod copy;
mod postgres;
mod sql_store;
mod sqlite;

use async_trait::async_trait;
use proof_api::{Amount, TxStatus, TxType};
use ramp_api::{StatusEvent, TransactionView};
use tokio::sync::mpsc;

pub use postgres::PgStore;
pub use sql_store::{Affected, Engine, SqlStore};
pub use sqlite::SqliteStore;

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

/// What trading a refresh token found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refresh {
    /// The token was good: it is used up now, and the new one is stored.
    Rotated {
        /// The app session it belongs to.
        session_id: String,
        /// The user's id.
        user_id: String,
        /// The user's email.
        email: String,
    },
    /// The token had been used before: someone else holds a copy. The session is revoked.
    Reused,
    /// Unknown, expired, or its session was revoked.
    Invalid,
}

/// One use of a refresh token, for [`Store::rotate_refresh`].
#[derive(Clone, Copy, Debug)]
pub struct Rotation<'a> {
    /// Hash of the token presented.
    pub old_hash: &'a str,
    /// Hash of its successor (always the same for the same token).
    pub new_hash: &'a str,
    /// When the successor expires, unix seconds.
    pub new_expires: u64,
    /// Now, unix seconds.
    pub now: u64,
    /// Seconds after a use during which the same token gives its (still unused) successor again.
    pub grace: u64,
}

/// A watcher lease: who holds it and until when (unix milliseconds).
#[derive(Clone, Copy, Debug)]
pub struct Lease<'a> {
    /// The instance taking or holding the lease.
    pub holder: &'a str,
    /// Now, unix milliseconds (the holder's clock; keep instances' clocks in sync).
    pub now_ms: i64,
    /// End of the lease, unix milliseconds.
    pub until_ms: i64,
}

/// What [`Store::listen`] delivers. Notices are wake-ups, never data: any role that can connect
/// to the database can send one, so what changed is always read back from the tables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Some instance (this one included) says this transaction's status changed.
    Changed(String),
    /// Some instance says app sessions were revoked.
    Revoked,
    /// Some instance recorded a widget link (a payment window may be waiting for it).
    LinkAdded,
    /// The connection to the database was lost and is back: notices may have been missed, so
    /// read what matters again from the store.
    Resync,
    /// The connection that listens was lost: until it is back and [`Notice::Current`] again,
    /// notices may be missed.
    Lost,
    /// Every notification committed before this instant has been delivered (a heartbeat this
    /// instance sent itself came back; PostgreSQL delivers notifications in commit order).
    Current(std::time::Instant),
}

/// Which kind of database a [`Store`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    /// SQLite: one file, one instance.
    Sqlite,
    /// PostgreSQL: shared by any number of instances.
    Postgres,
}

impl StoreKind {
    /// `sqlite` or `postgres`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    /// The kind a `DATABASE_URL` names, from its scheme.
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0;
        match scheme {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }
}

/// Storage operations. Implementations must be safe to share between instances of the backend
/// (every state change is one guarded statement or one transaction).
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// SQLite or PostgreSQL.
    fn kind(&self) -> StoreKind;
    /// Check the database answers.
    async fn ping(&self) -> Result<(), sqlx::Error>;
    /// Record a transaction in `pending`, with status event 1, its watcher lease already held
    /// by the instance that created it (so no sweep takes it in between).
    async fn insert_transaction(&self, tx: &NewTransaction, lease: Lease<'_>) -> Result<(), sqlx::Error>;
    /// One transaction with its owner.
    async fn transaction(&self, id: &str) -> Result<Option<(String, TransactionView)>, sqlx::Error>;
    /// The owner's transactions, newest first; with `before`, those that come after that
    /// transaction of the same owner in this order (none when `before` is not theirs).
    async fn transactions_of(
        &self,
        owner: &str,
        before: Option<&str>,
        limit: u32,
    ) -> Result<Vec<TransactionView>, sqlx::Error>;
    /// Apply a change if it moves the transaction forward; returns the event it recorded. Of
    /// concurrent writers (instances, webhook and watcher) at most one advances the status.
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
    /// Keep the transaction's Proof session until `until` (unix seconds), for continuing it.
    async fn keep_session(&self, tx_id: &str, session_json: &str, until: u64) -> Result<(), sqlx::Error>;
    /// The kept session of an unfinished transaction, while `now` is before its end.
    async fn resumable_session(&self, tx_id: &str, now: u64) -> Result<Option<String>, sqlx::Error>;
    /// Consume a link at `now` (unix seconds).
    async fn open_link(&self, token_hash: &str, now: u64) -> Result<LinkOpen, sqlx::Error>;
    /// Remember a webhook delivery whose change was confirmed with Proof; `true` the first time
    /// this (id, status) is recorded.
    async fn record_webhook(&self, tx_id: &str, status: &str, received_at: &str) -> Result<bool, sqlx::Error>;
    /// Whether a webhook for this (id, status) was already confirmed and recorded.
    async fn webhook_seen(&self, tx_id: &str, status: &str) -> Result<bool, sqlx::Error>;
    /// When the transaction's widget can last be opened (a link, or continuing it), and whether
    /// it can be abandoned; `None` for an unknown transaction.
    async fn reachable_until(&self, tx_id: &str) -> Result<Option<Reach>, sqlx::Error>;
    /// Take up to `limit` purchases given up on while still `pending` whose widget nobody
    /// can open any more (`reachable_until` plus `grace_secs` before `now_secs`), to end them.
    async fn take_abandoned(
        &self,
        lease: Lease<'_>,
        grace_secs: u64,
        now_secs: u64,
        limit: u32,
    ) -> Result<Vec<String>, sqlx::Error>;
    /// The latest expiry (unix seconds) of the transaction's widget links when none of them was
    /// opened; `None` when one was opened, or the transaction has no link.
    async fn unopened_until(&self, tx_id: &str) -> Result<Option<u64>, sqlx::Error>;
    /// Erase the session (Proof's `init_token` among it) of links that expired unopened before
    /// `now` (unix seconds), and the kept sessions of transactions that ended or can no longer
    /// be continued; returns how many.
    async fn purge_expired_links(&self, now: u64) -> Result<u64, sqlx::Error>;

    /// Take the watcher lease of an open transaction: `true` when it is free (never taken,
    /// released, given up or run out) or already this holder's. Renewing is taking again.
    async fn take_lease(&self, id: &str, lease: Lease<'_>) -> Result<bool, sqlx::Error>;
    /// Renew a lease this holder has; `false` when it lost it (it ran out and another took it).
    async fn renew_lease(&self, id: &str, lease: Lease<'_>) -> Result<bool, sqlx::Error>;
    /// Take up to `limit` open transactions whose lease is free or ran out; never those given up
    /// ([`Store::give_up_lease`]). Returns their ids.
    async fn take_orphans(&self, lease: Lease<'_>, limit: u32) -> Result<Vec<String>, sqlx::Error>;
    /// Let go of a lease (the watch ended), so any instance may take it at once.
    async fn release_lease(&self, id: &str, holder: &str) -> Result<(), sqlx::Error>;
    /// Record this running instance, so the others can tell when its process is gone
    /// ([`Store::release_dead_instances`]). Nothing on a single-instance store.
    async fn register_instance(&self, name: &str, now: u64) -> Result<(), sqlx::Error>;
    /// Forget this instance (a clean shutdown, after [`Store::release_all`]).
    async fn unregister_instance(&self, name: &str) -> Result<(), sqlx::Error>;
    /// Find registered instances with no connection to the database left (their process died)
    /// and let go of their leases at once, for the next sweep to take; returns their names.
    async fn release_dead_instances(&self) -> Result<Vec<String>, sqlx::Error>;
    /// Let go of every lease this holder has (on shutdown).
    async fn release_all(&self, holder: &str) -> Result<u64, sqlx::Error>;
    /// Stop watching a transaction for good (it did not finish in time): orphan sweeps skip it;
    /// only a new subscriber takes it again.
    async fn give_up_lease(&self, id: &str, holder: &str) -> Result<(), sqlx::Error>;

    /// Count one request against `key` (GCRA: `burst` requests per `period_ms`, replenished
    /// evenly). `Ok(None)` when allowed, `Ok(Some(ms))` when refused: retry after `ms`.
    async fn take_rate(&self, key: &str, now_ms: i64, burst: u32, period_ms: i64) -> Result<Option<i64>, sqlx::Error>;
    /// Forget rate-limit state that no longer limits anything (theoretical arrival in the past).
    async fn prune_rates(&self, now_ms: i64) -> Result<u64, sqlx::Error>;

    /// Start an app session for a user with its first refresh token (by hash).
    async fn start_app_session(
        &self,
        session_id: &str,
        user_id: &str,
        email: &str,
        refresh_hash: &str,
        refresh_expires: u64,
        now: u64,
    ) -> Result<(), sqlx::Error>;
    /// Use up a refresh token and store its successor, in one transaction. A token used a second
    /// time revokes its whole session ([`Refresh::Reused`]), unless it comes within the grace
    /// window of its first use while its successor is unused: then that successor is the answer
    /// again ([`Refresh::Rotated`]; the lost-answer and concurrent-renewal cases).
    async fn rotate_refresh(&self, rotation: Rotation<'_>) -> Result<Refresh, sqlx::Error>;
    /// Revoke the session a refresh token belongs to (signing out one device); `true` when a
    /// live session was revoked.
    async fn revoke_session_of(&self, refresh_hash: &str, now: u64) -> Result<bool, sqlx::Error>;
    /// Tell every instance sharing the database that sessions were revoked, so they end the
    /// status streams those sessions opened (a wake-up: each checks its streams' tokens again).
    async fn announce_revocation(&self) -> Result<(), sqlx::Error>;
    /// Revoke every session of a user (sign out everywhere); returns how many were live.
    async fn revoke_user_sessions(&self, user_id: &str, now: u64) -> Result<u64, sqlx::Error>;
    /// Whether an app session exists and is not revoked.
    async fn app_session_active(&self, session_id: &str) -> Result<bool, sqlx::Error>;

    /// Status changes recorded by every instance sharing this database, as they commit; `None`
    /// when the database has one instance only (SQLite), where the relay's own broadcast is all.
    async fn listen(&self) -> Result<Option<mpsc::Receiver<Notice>>, sqlx::Error>;
}

/// Open the store `url` names (`sqlite:` or `postgres:`/`postgresql:`) for the backend instance
/// `instance` (PostgreSQL connections carry its name), and run its migrations.
///
/// # Errors
/// When the scheme is neither, the database cannot be reached, or a migration fails.
pub async fn open(url: &str, instance: &str) -> Result<std::sync::Arc<dyn Store>, sqlx::Error> {
    Ok(match StoreKind::of_url(url) {
        Some(StoreKind::Sqlite) => std::sync::Arc::new(SqliteStore::open(url).await?),
        Some(StoreKind::Postgres) => std::sync::Arc::new(PgStore::open(url, instance).await?),
        None => {
            return Err(sqlx::Error::Configuration(
                "DATABASE_URL must start with sqlite: or postgres: (postgresql:)".into(),
            ));
        }
    })
}

/// Whether `e` means the database cannot be reached right now (connection refused or lost, no
/// pooled connection within the acquire timeout, the server shutting down), as opposed to a
/// statement that failed: an outage is `503` and tried again later, never a sign-out.
pub fn is_outage(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        // SQLSTATE class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect
        // now), and SQLite's BUSY (5) and LOCKED (6).
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|c| c.starts_with("08") || ["57P01", "57P02", "57P03", "5", "6"].contains(&c.as_ref())),
        _ => false,
    }
}

/// Rank of a status in a transaction's life; changes only move forward. Stored with every
/// change (`status_rank`, with `is_open` from [`TxStatus::is_terminal`]): the one place that
/// orders statuses. `expired` ranks below `processing`, so Proof's own later word (a confirmed
/// webhook) still moves a transaction the backend gave up on.
pub(crate) fn rank(s: &TxStatus) -> u8 {
    match s {
        TxStatus::Pending | TxStatus::Unknown(_) => 0,
        TxStatus::Expired => 1,
        TxStatus::Processing => 2,
        TxStatus::Completed | TxStatus::Failed | TxStatus::Cancelled => 3,
    }
}

/// `is_open` as stored: 1 until the status is terminal.
pub(crate) fn open_flag(s: &TxStatus) -> i64 {
    i64::from(!s.is_terminal())
}

/// When a transaction's widget could last be reached, as [`Store::reachable_until`] reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reach {
    /// Whether it can be abandoned: a purchase (`buy`) still `pending`, nothing paid. A sale
    /// waits for a deposit that may confirm on-chain long after its widget closed, and Proof
    /// ends it itself (`failed` when its deposit window closes), so it never is.
    pub abandonable: bool,
    /// Unix seconds: the latest of its links' expiries and the end of continuing it.
    pub until: u64,
}

/// The `NOTIFY` channel that carries status changes between instances (the transaction's id).
pub(crate) const STATUS_CHANNEL: &str = "proof_ramp_status";
/// How often a listening instance sends itself a heartbeat ([`Notice::Current`]).
pub(crate) const HEARTBEAT: std::time::Duration = std::time::Duration::from_millis(200);

/// The `NOTIFY` channel that says a widget link was recorded (no payload), for a page held for
/// it on another instance.
pub(crate) const LINKS_CHANNEL: &str = "proof_ramp_links";

/// The `NOTIFY` channel that says app sessions were revoked (no payload). The PostgreSQL
/// migration `0007_revocation_notify.sql` announces every revocation on it too.
pub(crate) const REVOKED_CHANNEL: &str = "proof_ramp_revoked";

/// `watch_until` of a lease given up: later than any clock, so it never runs out.
pub(crate) const GIVEN_UP: i64 = i64::MAX;

/// Statements that differ between SQLite and PostgreSQL (each [`Engine`] has its own).
#[derive(Debug)]
pub struct Dialect {
    /// The owner's transactions, newest first (ties broken by insertion order): `$1` owner,
    /// `$2` limit.
    transactions_of: &'static str,
    /// The same, after the owner's transaction `$2` in that order: `$1` owner, `$3` limit.
    transactions_before: &'static str,
    /// Take free or run-out leases, `$1` holder, `$2` until, `$3` now, `$4` limit.
    take_orphans: &'static str,
    /// GCRA step for one key: `$1` key, `$2` now, `$3` emission interval, `$4` tolerance.
    take_rate: &'static str,
}

/// Statements both databases run as written.
mod sql {
    pub(super) const INSERT_TX: &str = "INSERT INTO transactions
        (id, owner, tx_type, currency, network, amount, status, status_seq, created_at, updated_at,
         watch_holder, watch_until, status_rank, is_open)
        VALUES ($1, $2, $3, $4, $5, $6, 'pending', 1, $7, $7, $8, $9, $10, $11)";
    pub(super) const INSERT_FIRST_EVENT: &str =
        "INSERT INTO status_events (tx_id, seq, status, occurred_at) VALUES ($1, 1, 'pending', $2)";
    pub(super) const SELECT_TX: &str = "SELECT * FROM transactions WHERE id = $1";
    /// Writing first takes the row's write lock at once, and the rank guard lets only forward
    /// moves in: of two concurrent writers the second re-reads the row after the first commits
    /// (PostgreSQL) or waits for the database lock (SQLite), and no longer matches.
    pub(super) const ADVANCE: &str = "UPDATE transactions SET status = $1, status_seq = status_seq + 1,
            crypto_amount = COALESCE($2, crypto_amount), fiat_amount = COALESCE($3, fiat_amount),
            fiat_currency = COALESCE($4, fiat_currency), updated_at = $5, status_rank = $7, is_open = $8
        WHERE id = $6 AND status_rank < $7
        RETURNING status_seq";
    pub(super) const INSERT_EVENT: &str = "INSERT INTO status_events
        (tx_id, seq, status, crypto_amount, fiat_amount, occurred_at) VALUES ($1, $2, $3, $4, $5, $6)";
    pub(super) const EVENTS_AFTER: &str = "SELECT * FROM status_events WHERE tx_id = $1 AND seq > $2 ORDER BY seq";
    pub(super) const INSERT_LINK: &str =
        "INSERT INTO widget_links (token_hash, tx_id, session_json, expires_at) VALUES ($1, $2, $3, $4)";
    pub(super) const SELECT_LINK: &str =
        "SELECT tx_id, session_json, used_at, expires_at FROM widget_links WHERE token_hash = $1";
    /// The guard on used_at makes the claim atomic: of two concurrent opens, one updates the row.
    pub(super) const CLAIM_LINK: &str =
        "UPDATE widget_links SET used_at = $1, session_json = NULL WHERE token_hash = $2 AND used_at IS NULL";
    pub(super) const LINKS_OF: &str = "SELECT MAX(expires_at),
        SUM(CASE WHEN used_at IS NULL THEN 0 ELSE 1 END) FROM widget_links WHERE tx_id = $1";
    pub(super) const START_APP_SESSION: &str =
        "INSERT INTO app_sessions (id, user_id, email, created_at) VALUES ($1, $2, $3, $4)";
    pub(super) const INSERT_REFRESH: &str =
        "INSERT INTO refresh_tokens (token_hash, session_id, expires_at) VALUES ($1, $2, $3)";
    /// The guard on used_at makes a use atomic: of two concurrent uses, one updates the row.
    pub(super) const USE_REFRESH: &str = "UPDATE refresh_tokens SET used_at = $1
        WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING session_id";
    pub(super) const REFRESH_SESSION: &str = "SELECT s.id, s.user_id, s.email, s.revoked_at, r.used_at
        FROM refresh_tokens r JOIN app_sessions s ON s.id = r.session_id WHERE r.token_hash = $1";
    pub(super) const REVOKE_SESSION: &str =
        "UPDATE app_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL";
    pub(super) const REVOKE_SESSION_OF: &str = "UPDATE app_sessions SET revoked_at = $1
        WHERE id = (SELECT session_id FROM refresh_tokens WHERE token_hash = $2) AND revoked_at IS NULL";
    /// Whether a successor refresh token exists and is unused.
    pub(super) const SUCCESSOR_UNUSED: &str =
        "SELECT count(*) FROM refresh_tokens WHERE token_hash = $1 AND used_at IS NULL";
    pub(super) const REVOKE_USER: &str =
        "UPDATE app_sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL";
    pub(super) const SESSION_ACTIVE: &str = "SELECT count(*) FROM app_sessions WHERE id = $1 AND revoked_at IS NULL";
    pub(super) const WEBHOOK_SEEN: &str = "SELECT count(*) FROM webhook_receipts WHERE tx_id = $1 AND status = $2";
    pub(super) const PURGE_EXPIRED_LINKS: &str = "UPDATE widget_links SET session_json = NULL
        WHERE used_at IS NULL AND expires_at <= $1 AND session_json IS NOT NULL";
    pub(super) const PURGE_RESUME: &str = "UPDATE transactions SET resume_session = NULL, resume_until = NULL
        WHERE resume_session IS NOT NULL
          AND (resume_until <= $1 OR is_open = 0)";
    pub(super) const KEEP_SESSION: &str =
        "UPDATE transactions SET resume_session = $2, resume_until = $3 WHERE id = $1";
    pub(super) const RESUMABLE_SESSION: &str = "SELECT resume_session FROM transactions
        WHERE id = $1 AND resume_until > $2 AND is_open = 1";
    pub(super) const RECORD_WEBHOOK: &str = "INSERT INTO webhook_receipts (tx_id, status, received_at)
        VALUES ($1, $2, $3) ON CONFLICT (tx_id, status) DO NOTHING";
    /// Free: never taken or released (no holder), run out, or ours already.
    pub(super) const TAKE_LEASE: &str = "UPDATE transactions SET watch_holder = $1, watch_until = $2
        WHERE id = $3 AND is_open = 1
          AND (watch_holder IS NULL OR watch_holder = $1 OR watch_until < $4)";
    pub(super) const RENEW_LEASE: &str = "UPDATE transactions SET watch_until = $2 WHERE id = $3 AND watch_holder = $1";
    pub(super) const RELEASE_LEASE: &str =
        "UPDATE transactions SET watch_holder = NULL, watch_until = NULL WHERE id = $2 AND watch_holder = $1";
    pub(super) const RELEASE_ALL: &str =
        "UPDATE transactions SET watch_holder = NULL, watch_until = NULL WHERE watch_holder = $1";
    pub(super) const GIVE_UP_LEASE: &str =
        "UPDATE transactions SET watch_holder = NULL, watch_until = $3 WHERE id = $2 AND watch_holder = $1";
    /// `$1` the transaction: its rank, the end of continuing it, its links' latest expiry.
    /// (`status_rank` is 32 bits wide on PostgreSQL: widened to the 64 bits read.)
    pub(super) const REACH: &str = "SELECT CAST(t.status_rank AS BIGINT), t.tx_type, t.resume_until,
            (SELECT MAX(l.expires_at) FROM widget_links l WHERE l.tx_id = t.id)
        FROM transactions t WHERE t.id = $1";
    /// Given up (`$2`), still at rank `$1`, of type `$6`, unreachable `$3` seconds before `$4`;
    /// at most `$5`.
    pub(super) const ABANDONED: &str = "SELECT t.id FROM transactions t
        WHERE t.is_open = 1 AND t.status_rank = $1 AND t.watch_until = $2 AND t.tx_type = $6
          AND COALESCE(t.resume_until, 0) + $3 < $4
          AND COALESCE((SELECT MAX(l.expires_at) FROM widget_links l WHERE l.tx_id = t.id), 0) + $3 < $4
        LIMIT $5";
    /// Take a given-up lease (`$4`) of an open transaction; of concurrent takers one wins.
    pub(super) const TAKE_GIVEN_UP: &str = "UPDATE transactions SET watch_holder = $1, watch_until = $2 WHERE id = $3 AND watch_until = $4 AND is_open = 1";
    pub(super) const RATE_TAT: &str = "SELECT tat FROM rate_limits WHERE key = $1";
    pub(super) const PRUNE_RATES: &str = "DELETE FROM rate_limits WHERE tat < $1";
}

/// A `transactions` row as both databases return it.
#[derive(sqlx::FromRow)]
struct TxRow {
    id: String,
    owner: String,
    tx_type: String,
    status: String,
    currency: String,
    network: String,
    amount: String,
    crypto_amount: Option<String>,
    fiat_amount: Option<String>,
    fiat_currency: Option<String>,
    created_at: String,
    updated_at: String,
    resume_until: Option<i64>,
}

/// A `status_events` row.
#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    status: String,
    crypto_amount: Option<String>,
    fiat_amount: Option<String>,
    occurred_at: String,
}

/// A `widget_links` row, as [`sql::SELECT_LINK`] reads it.
#[derive(sqlx::FromRow)]
struct LinkRow {
    tx_id: String,
    session_json: Option<String>,
    used_at: Option<i64>,
    expires_at: i64,
}

fn status_of(raw: String) -> TxStatus {
    serde_json::from_value(serde_json::Value::String(raw.clone())).unwrap_or(TxStatus::Unknown(raw))
}

fn amount_of(raw: Option<String>) -> Option<Amount> {
    raw.filter(|s| !s.is_empty()).and_then(|s| Amount::parse(&s).ok())
}

impl TxRow {
    fn into_owned_view(self) -> Result<(String, TransactionView), sqlx::Error> {
        let tx_type = serde_json::from_value(serde_json::Value::String(self.tx_type.clone()))
            .unwrap_or(TxType::Unknown(self.tx_type));
        let status = status_of(self.status);
        let now = clamp_i64(crate::clock::now_unix());
        let view = TransactionView {
            id: self.id,
            tx_type,
            resumable: !status.is_terminal() && self.resume_until.is_some_and(|until| until > now),
            status,
            currency: self.currency,
            network: self.network,
            amount: Amount::parse(&self.amount).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            crypto_amount: amount_of(self.crypto_amount),
            fiat_amount: amount_of(self.fiat_amount),
            fiat_currency: self.fiat_currency,
            created_at: self.created_at,
            updated_at: self.updated_at,
        };
        Ok((self.owner, view))
    }
}

impl EventRow {
    fn into_event(self, tx_id: &str) -> StatusEvent {
        StatusEvent {
            seq: u64::try_from(self.seq).unwrap_or_default(),
            merchant_transaction_id: tx_id.to_owned(),
            status: status_of(self.status),
            crypto_amount: amount_of(self.crypto_amount),
            fiat_amount: amount_of(self.fiat_amount),
            occurred_at: self.occurred_at,
        }
    }
}

impl LinkRow {
    /// What opening this link at `now` finds before claiming it: `None` when it may be claimed.
    fn refusal(&self, now: i64) -> Option<LinkOpen> {
        if self.used_at.is_some() {
            Some(LinkOpen::Used)
        } else if self.expires_at <= now {
            Some(LinkOpen::Expired)
        } else {
            None
        }
    }

    /// What the open gets once this caller's claim did (or did not) update the row.
    fn claimed(self, claimed: bool) -> LinkOpen {
        match self.session_json {
            Some(session_json) if claimed => LinkOpen::Fresh { tx_id: self.tx_id, session_json },
            _ => LinkOpen::Used,
        }
    }
}

/// GCRA parameters in milliseconds: the emission interval and the tolerance.
fn gcra(burst: u32, period_ms: i64) -> (i64, i64) {
    let burst = i64::from(burst.max(1));
    let interval = (period_ms / burst).max(1);
    (interval, interval * (burst - 1))
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_kind_follows_the_url_scheme() {
        assert_eq!(StoreKind::of_url("sqlite://ramp.db"), Some(StoreKind::Sqlite));
        assert_eq!(StoreKind::of_url("postgres://u@h/db"), Some(StoreKind::Postgres));
        assert_eq!(StoreKind::of_url("postgresql://u@h/db"), Some(StoreKind::Postgres));
        assert_eq!(StoreKind::of_url("mysql://u@h/db"), None);
        assert_eq!(StoreKind::of_url("ramp.db"), None);
    }

    /// The order the forward-only guard enforces: a status may replace only one ranked lower,
    /// so a late `processing` can never undo `completed`.
    #[test]
    fn statuses_rank_in_the_order_of_a_transaction_s_life() {
        let pending = rank(&TxStatus::Pending);
        let processing = rank(&TxStatus::Processing);
        assert!(pending < processing, "processing follows pending");
        for end in [TxStatus::Completed, TxStatus::Failed, TxStatus::Cancelled] {
            assert!(processing < rank(&end), "{end:?} follows processing");
        }
        // The backend's own end comes after pending and before anything Proof reports.
        let expired = rank(&TxStatus::Expired);
        assert!(pending < expired && expired < processing, "expired lies between pending and processing");
        assert_eq!(open_flag(&TxStatus::Expired), 0, "expired is an end: nobody watches it");
        assert_eq!(open_flag(&TxStatus::Processing), 1);
        assert_eq!(rank(&TxStatus::Unknown("on_hold".into())), pending, "an unknown status moves nothing forward");
    }

    #[test]
    fn gcra_spreads_a_burst_over_the_period() {
        assert_eq!(gcra(10, 60_000), (6_000, 54_000));
        assert_eq!(gcra(1, 60_000), (60_000, 0));
        assert_eq!(gcra(0, 60_000), (60_000, 0), "a zero burst is treated as one");
    }
}
