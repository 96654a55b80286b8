//! The status relay: one upstream watcher per open transaction across every instance sharing
//! the database, and a live channel per transaction for this instance's SSE streams.
//!
//! **Watching.** Before it follows a transaction, an instance takes the transaction's lease in
//! the [`Store`] and renews it every third of `lease`; another instance that wants to watch the
//! same transaction finds the lease taken and leaves it. Every instance sweeps for leases that
//! ran out every third of `lease` and takes them over. On PostgreSQL each instance also checks
//! every second for instances whose process is gone (PostgreSQL closes a dead process's
//! connections at once) and lets their leases go for an immediate sweep: a killed instance's
//! watches resume elsewhere within about two seconds; one cut off with its connections still
//! open, within about `lease` plus a sweep. A watcher follows Proof's
//! WebSocket (which reconnects with capped backoff and catches up by polling once per
//! connection), and polls `GET /widget/transactions/{id}` every `poll_interval` whenever the
//! socket is not connected. It stops at a terminal status (and releases the lease), or gives
//! up after `watch_limit` for a transaction nobody finishes.
//!
//! **Ending.** Two kinds of transaction would otherwise stay open, and be watched, forever:
//! one Proof answers `404` for several times in a row (a purged session, a copied database,
//! another partner's token), and a purchase still `pending` once nobody can open its widget any
//! more
//! (every link expired and it can no longer be continued, plus `unopened_grace`), asked of
//! Proof one last time. Both are recorded as `expired`, the backend's own end: no instance
//! watches it again, after restarts too, its streams end, and only Proof's own later word (a
//! confirmed webhook) can still move it. Sweeps also take over transactions given up on while
//! pending, to end them once that time comes.
//!
//! **Delivering.** Every change is written to the store first (forward-only, so concurrent
//! writers never apply a status twice), then published to this instance's channel for the
//! transaction. On PostgreSQL the store also announces it to every instance
//! ([`Store::listen`]), and each publishes it to its own channels; channels drop what they
//! already delivered (by `seq`), and a stream that sees a gap reads it back from the store.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proof_api::{ProofClient, Transaction, TxUpdate, WsOptions};
use ramp_api::StatusEvent;
use tokio::sync::{broadcast, mpsc};

use crate::clock::{now_iso, now_ms, now_unix};
use crate::session_cache::SessionCache;
use crate::store::{Lease, Notice, StatusChange, Store};

/// Relay settings.
#[derive(Clone, Debug)]
pub struct RelayOptions {
    /// Polling interval when the WebSocket is unavailable.
    pub poll_interval: Duration,
    /// WebSocket reconnection.
    pub ws: WsOptions,
    /// Give up watching a transaction after this long.
    pub watch_limit: Duration,
    /// Length of a watcher lease; renewed and swept every third of it.
    pub lease: Duration,
    /// A transaction whose widget link was never opened stops being watched this long after
    /// its last link expired (nobody can reach the widget, so nothing can happen).
    pub unopened_grace: Duration,
    /// Most transactions this instance watches at once; beyond it, transactions wait for
    /// another instance or a later sweep.
    pub max_watchers: usize,
    /// This instance's name in leases and logs (unique per running process).
    pub instance: String,
}

/// Proof's `404`s in a row on a transaction before its watch ends.
const NOT_FOUND_CONFIRMATIONS: u32 = 3;

/// Longest wait between two tries to store a change while the database is away.
const MAX_STORE_RETRY: Duration = Duration::from_secs(2);

/// How often an instance checks whether another one's process is gone.
const LIVENESS_CHECK: Duration = Duration::from_secs(1);

/// Most orphaned transactions one sweep takes over (the next sweep takes more).
const SWEEP_BATCH: u32 = 100;

/// This instance's live channel for one transaction.
struct Channel {
    events: broadcast::Sender<StatusEvent>,
    /// Highest `seq` sent; older or repeated events are dropped.
    last_seq: u64,
}

/// How a watch ended.
enum End {
    /// Terminal status seen, Proof does not know the transaction, or shutdown: let go.
    Done,
    /// Another instance holds the lease now: nothing to let go.
    LeaseLost,
    /// `watch_limit` passed: give the lease up for good.
    TimedOut,
    /// Nobody opened the widget link before it expired (plus the grace): give the lease up.
    Unopened,
    /// Still pending, and nobody can open its widget any more (plus the grace).
    Abandoned,
    /// Proof does not know the transaction: record it expired.
    Unknown,
}

/// What following a transaction came to.
enum Followed {
    /// A terminal status is recorded.
    Ended,
    /// Proof answered `404` [`NOT_FOUND_CONFIRMATIONS`] times in a row.
    Unknown,
}

/// Shared hub of watchers and channels.
pub struct Relay {
    proof: ProofClient,
    store: Arc<dyn Store>,
    options: RelayOptions,
    channels: Mutex<HashMap<String, Channel>>,
    /// Transactions this instance watches upstream, or is taking the lease of.
    watching: Mutex<HashSet<String>>,
    upstream: AtomicUsize,
    stop: tokio::sync::watch::Sender<bool>,
    /// Bumped whenever app sessions were revoked, here or on another instance: open status
    /// streams then check their token again.
    revocations: tokio::sync::watch::Sender<u64>,
    /// App sessions as last read from the store, dropped on every revocation notice.
    sessions: Arc<SessionCache>,
    /// Told when a widget link was recorded, here or on another instance, so a payment page
    /// held for it (`routes/host_page.rs`) looks again at once.
    pub(crate) links_added: tokio::sync::Notify,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("instance", &self.options.instance)
            .field("upstream", &self.upstream_watchers())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Relay {
    /// A relay using `proof` for upstream status and `store` for history and leases.
    pub fn new(proof: ProofClient, store: Arc<dyn Store>, options: RelayOptions) -> Arc<Self> {
        let (stop, _) = tokio::sync::watch::channel(false);
        Arc::new(Self {
            proof,
            store,
            options,
            channels: Mutex::default(),
            watching: Mutex::default(),
            upstream: AtomicUsize::new(0),
            stop,
            revocations: tokio::sync::watch::channel(0).0,
            sessions: Arc::default(),
            links_added: tokio::sync::Notify::new(),
        })
    }

    /// This instance's name in leases.
    pub fn instance(&self) -> &str {
        &self.options.instance
    }

    /// Start the background work: take over open transactions nobody watches (all of them
    /// after a restart of a single instance), keep sweeping for orphans, and follow other
    /// instances' changes where the store announces them.
    ///
    /// # Errors
    /// When the store cannot be read or listened to.
    pub async fn start(self: &Arc<Self>) -> Result<usize, sqlx::Error> {
        self.store.register_instance(&self.options.instance, now_unix()).await?;
        match self.store.listen().await? {
            Some(notices) => {
                tokio::spawn(self.clone().follow_store(notices));
            }
            // No other instance: every revocation is made, and acted on, here.
            None => self.sessions.local(),
        }
        let resumed = self.sweep().await?;
        tokio::spawn(self.clone().keep_sweeping());
        Ok(resumed)
    }

    /// Stop every watcher and the background work (on shutdown); open SSE streams then end.
    /// Leases are released by [`Relay::release_all`].
    pub fn stop(&self) {
        self.stop.send_replace(true);
        lock(&self.channels).clear();
    }

    /// Let every lease this instance holds go, so other instances take over at once.
    ///
    /// # Errors
    /// When the store cannot be written.
    pub async fn release_all(&self) -> Result<u64, sqlx::Error> {
        let released = self.store.release_all(&self.options.instance).await?;
        self.store.unregister_instance(&self.options.instance).await?;
        Ok(released)
    }

    /// App sessions were revoked on this instance, outside the store's `app_sessions` (a
    /// partner's own `AppAuth`): wake this instance's status streams and tell the other
    /// instances to wake theirs.
    pub async fn sessions_revoked(&self) {
        self.revoked();
        if let Err(e) = self.store.announce_revocation().await {
            tracing::warn!("could not tell the other instances that sessions were revoked: {e}");
        }
    }

    /// App sessions were revoked in the store's `app_sessions` by this instance: act on it here
    /// at once (the answer to the request that revoked them must already hold). The other
    /// instances hear it from the store itself (PostgreSQL's trigger, migration 0007), so no
    /// second notice is sent.
    pub(crate) fn revoked_in_store(&self) {
        self.revoked();
    }

    /// Sessions were revoked (or may have been): drop what the cache knows of them, then wake
    /// the status streams to check their tokens again (which reads the store anew).
    fn revoked(&self) {
        self.sessions.invalidate();
        self.revocations.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The app sessions cache this relay keeps current ([`crate::auth::SignedTokens`] reads it).
    pub(crate) fn session_cache(&self) -> Arc<SessionCache> {
        self.sessions.clone()
    }

    /// Becomes `true` when the relay (and with it the backend) stops.
    pub(crate) fn stopped(&self) -> tokio::sync::watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// Changes whenever app sessions were revoked anywhere.
    pub(crate) fn revocations(&self) -> tokio::sync::watch::Receiver<u64> {
        self.revocations.subscribe()
    }

    /// Transactions with a live channel (open status streams) on this instance.
    pub fn channels(&self) -> usize {
        lock(&self.channels).len()
    }

    /// Number of upstream watchers this instance runs (one Proof WebSocket or poller each).
    pub fn upstream_watchers(&self) -> usize {
        self.upstream.load(Ordering::Relaxed)
    }

    /// Subscribe to a transaction's live events on this instance, and make sure some instance
    /// watches it upstream.
    pub fn subscribe(self: &Arc<Self>, id: &str) -> broadcast::Receiver<StatusEvent> {
        let rx = {
            let mut channels = lock(&self.channels);
            let channel = channels
                .entry(id.to_owned())
                .or_insert_with(|| Channel { events: broadcast::channel(32).0, last_seq: 0 });
            channel.events.subscribe()
        };
        self.ensure_watched(id);
        rx
    }

    /// Watch a transaction this instance just created, holding its lease
    /// ([`Store::insert_transaction`] took it).
    pub(crate) fn watch_created(self: &Arc<Self>, id: &str) {
        if !*self.stop.borrow() && lock(&self.watching).insert(id.to_owned()) {
            tokio::spawn(self.clone().run_watch(id.to_owned()));
        }
    }

    /// Watch `id` upstream from this instance, unless this or another instance already does.
    pub fn ensure_watched(self: &Arc<Self>, id: &str) {
        if *self.stop.borrow() || !lock(&self.watching).insert(id.to_owned()) {
            return;
        }
        let relay = self.clone();
        let id = id.to_owned();
        tokio::spawn(async move {
            match relay.store.take_lease(&id, relay.lease()).await {
                Ok(true) => relay.run_watch(id).await,
                Ok(false) => {
                    tracing::debug!(tx_id = %id, "another instance watches this transaction");
                    lock(&relay.watching).remove(&id);
                }
                Err(e) => {
                    tracing::warn!(tx_id = %id, "could not take the watcher lease ({e}); the next sweep retries");
                    lock(&relay.watching).remove(&id);
                }
            }
        });
    }

    /// A lease for this instance from now; also the one a new transaction is created with.
    pub(crate) fn lease(&self) -> Lease<'_> {
        let now = now_ms();
        let length = i64::try_from(self.options.lease.as_millis()).unwrap_or(i64::MAX);
        Lease { holder: &self.options.instance, now_ms: now, until_ms: now.saturating_add(length) }
    }

    /// Take over open transactions whose lease is free or ran out, as many as the watcher cap
    /// leaves room for; returns how many.
    async fn sweep(self: &Arc<Self>) -> Result<usize, sqlx::Error> {
        let mut taken = 0;
        loop {
            let room = self.options.max_watchers.saturating_sub(lock(&self.watching).len());
            let batch = u32::try_from(room).unwrap_or(u32::MAX).min(SWEEP_BATCH);
            if batch == 0 {
                return Ok(taken);
            }
            let ids = self.store.take_orphans(self.lease(), batch).await?;
            let n = ids.len();
            for id in ids {
                if lock(&self.watching).insert(id.clone()) {
                    tracing::info!(tx_id = %id, instance = %self.options.instance, "took over watching a transaction");
                    tokio::spawn(self.clone().run_watch(id));
                    taken += 1;
                }
            }
            if n < batch as usize {
                break;
            }
        }
        // Transactions given up on while pending, once nobody can open their widget: watched
        // again just long enough to be ended.
        let room = self.options.max_watchers.saturating_sub(lock(&self.watching).len());
        let batch = u32::try_from(room).unwrap_or(u32::MAX).min(SWEEP_BATCH);
        if batch > 0 {
            let grace = self.options.unopened_grace.as_secs();
            for id in self.store.take_abandoned(self.lease(), grace, now_unix(), batch).await? {
                if lock(&self.watching).insert(id.clone()) {
                    tokio::spawn(self.clone().run_watch(id));
                    taken += 1;
                }
            }
        }
        Ok(taken)
    }

    /// Every [`LIVENESS_CHECK`], let go of the leases of instances whose process is gone (on
    /// PostgreSQL, which sees their connections close) and sweep at once if there were any;
    /// every third of the lease, sweep anyway (an instance cut off without its connections
    /// closing: its leases run out) and tidy up.
    async fn keep_sweeping(self: Arc<Self>) {
        let mut stopped = self.stop.subscribe();
        let every = self.options.lease / 3;
        let mut next_sweep = tokio::time::Instant::now() + every;
        loop {
            tokio::select! {
                () = tokio::time::sleep(LIVENESS_CHECK) => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
            let dead = match self.store.release_dead_instances().await {
                Ok(dead) => dead,
                Err(e) => {
                    tracing::warn!("could not check which instances are alive: {e}");
                    Vec::new()
                }
            };
            for name in &dead {
                tracing::warn!(instance = %name, "an instance is gone (no database connection left); taking its watches over");
            }
            if dead.is_empty() && tokio::time::Instant::now() < next_sweep {
                continue;
            }
            next_sweep = tokio::time::Instant::now() + every;
            // Registered again: an instance whose connections all dropped for a moment was taken
            // for dead by the others (its watches moved, which is harmless); now it is seen again.
            if let Err(e) = self.store.register_instance(&self.options.instance, now_unix()).await {
                tracing::warn!("could not register this instance again: {e}");
            }
            if let Err(e) = self.sweep().await {
                tracing::warn!("could not sweep for unwatched transactions: {e}");
            }
            if let Err(e) = self.store.prune_rates(now_ms()).await {
                tracing::warn!("could not prune rate limits: {e}");
            }
            match self.store.purge_expired_links(now_unix()).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(purged = n, "erased the sessions of expired, unopened widget links"),
                Err(e) => tracing::warn!("could not purge expired widget links: {e}"),
            }
            lock(&self.channels).retain(|_, c| c.events.receiver_count() > 0);
        }
    }

    /// Watch a transaction whose lease this instance holds, to its end.
    async fn run_watch(self: Arc<Self>, id: String) {
        let holder = &self.options.instance;
        let running = self.upstream.fetch_add(1, Ordering::Relaxed);
        if running >= self.options.max_watchers {
            self.upstream.fetch_sub(1, Ordering::Relaxed);
            tracing::warn!(
                operator_action = true,
                tx_id = %id,
                watchers = running,
                "watcher cap reached (MAX_UPSTREAM_WATCHERS): this transaction waits for another instance or a later sweep"
            );
            if let Err(e) = self.store.release_lease(&id, holder).await {
                tracing::warn!(tx_id = %id, "could not let go of the watcher lease ({e}); it runs out by itself");
            }
            lock(&self.watching).remove(&id);
            return;
        }
        let mut stopped = self.stop.subscribe();
        let end = tokio::select! {
            outcome = tokio::time::timeout(self.options.watch_limit, self.follow(&id)) => match outcome {
                Err(_) => End::TimedOut,
                Ok(Followed::Ended) => End::Done,
                Ok(Followed::Unknown) => End::Unknown,
            },
            () = self.keep_lease(&id) => End::LeaseLost,
            () = self.unopened(&id) => End::Unopened,
            () = self.abandoned(&id) => End::Abandoned,
            _ = stopped.wait_for(|s| *s) => End::Done,
        };
        // Links that expired unopened on a transaction that can no longer be continued: that
        // is the abandoned end, not a pause.
        let end = match end {
            End::Unopened if self.abandoned_now(&id).await => End::Abandoned,
            other => other,
        };
        let let_go = match end {
            End::Done => self.store.release_lease(&id, holder).await,
            End::TimedOut => {
                tracing::info!(tx_id = %id, "stopped watching a transaction that did not finish in time");
                lock(&self.channels).remove(&id);
                self.store.give_up_lease(&id, holder).await
            }
            End::Unopened => {
                tracing::info!(tx_id = %id, "stopped watching a session whose widget link was never opened and has expired");
                lock(&self.channels).remove(&id);
                self.store.give_up_lease(&id, holder).await
            }
            End::Unknown => {
                tracing::warn!(
                    operator_action = true, tx_id = %id,
                    "Proof does not know this transaction ({NOT_FOUND_CONFIRMATIONS} answers in a row); recorded as expired, not watched again"
                );
                self.expire(&id).await;
                self.store.release_lease(&id, holder).await
            }
            End::Abandoned => {
                self.end_abandoned(&id).await;
                self.store.release_lease(&id, holder).await
            }
            End::LeaseLost => {
                tracing::warn!(tx_id = %id, "lost the watcher lease to another instance; it watches now");
                Ok(())
            }
        };
        if let Err(e) = let_go {
            tracing::warn!(tx_id = %id, "could not let go of the watcher lease ({e}); it runs out by itself");
        }
        lock(&self.watching).remove(&id);
        self.upstream.fetch_sub(1, Ordering::Relaxed);
    }

    /// Returns once every widget link of the transaction expired unopened more than
    /// `unopened_grace` ago; never while a link is live or after one was opened. Checked again
    /// at each deadline, so a link issued meanwhile (or an open) keeps the watch.
    async fn unopened(&self, id: &str) {
        loop {
            match self.store.unopened_until(id).await {
                Ok(Some(expiry)) => {
                    let end = expiry.saturating_add(self.options.unopened_grace.as_secs());
                    let now = now_unix();
                    if now >= end {
                        return;
                    }
                    tokio::time::sleep(Duration::from_secs(end - now)).await;
                }
                Ok(None) => std::future::pending::<()>().await,
                Err(e) => {
                    tracing::warn!(tx_id = %id, "could not read the transaction's widget links: {e}");
                    tokio::time::sleep(self.options.lease).await;
                }
            }
        }
    }

    /// Returns once the transaction is a purchase still pending and nobody could open its widget for
    /// `unopened_grace`: every link expired and it can no longer be continued. Checked again at
    /// each deadline (a link issued meanwhile moves it); never once something was paid.
    async fn abandoned(&self, id: &str) {
        loop {
            match self.store.reachable_until(id).await {
                Ok(Some(reach)) if reach.abandonable => {
                    let end = reach.until.saturating_add(self.options.unopened_grace.as_secs());
                    let now = now_unix();
                    if now >= end {
                        return;
                    }
                    tokio::time::sleep(Duration::from_secs(end - now)).await;
                }
                Ok(_) => std::future::pending::<()>().await,
                Err(e) => {
                    tracing::warn!(tx_id = %id, "could not read when the transaction's widget can be opened: {e}");
                    tokio::time::sleep(self.options.lease).await;
                }
            }
        }
    }

    /// Whether [`Relay::abandoned`] would return now.
    async fn abandoned_now(&self, id: &str) -> bool {
        let grace = self.options.unopened_grace.as_secs();
        matches!(self.store.reachable_until(id).await,
            Ok(Some(r)) if r.abandonable && now_unix() >= r.until.saturating_add(grace))
    }

    /// Ask Proof one last time about a transaction nobody can take further: still pending (or
    /// unknown to Proof) is the end, recorded as expired; anything else is recorded as Proof
    /// says (and the next sweep watches it on). Proof not answering leaves it for a later try.
    async fn end_abandoned(&self, id: &str) {
        match self.proof.transaction(id).await {
            Ok(tx) if crate::store::rank(&tx.status) == crate::store::rank(&proof_api::TxStatus::Pending) => {
                tracing::info!(tx_id = %id, "nobody can open this transaction's widget any more and Proof still has it pending; recorded as expired");
                self.expire(id).await;
            }
            Ok(tx) => {
                self.apply(id, from_transaction(tx)).await;
            }
            Err(proof_api::Error::NotFound(_)) => {
                tracing::info!(tx_id = %id, "an abandoned transaction is unknown to Proof; recorded as expired");
                self.expire(id).await;
            }
            Err(e) => {
                tracing::warn!(tx_id = %id, "could not ask Proof about an abandoned transaction (tried again later): {e}")
            }
        }
    }

    /// Record the backend's own end for a transaction.
    async fn expire(&self, id: &str) {
        let change = StatusChange {
            status: proof_api::TxStatus::Expired,
            crypto_amount: None,
            fiat_amount: None,
            fiat_currency: None,
            occurred_at: now_iso(),
        };
        self.apply(id, change).await;
    }

    /// Renew the lease every third of its length; returns when another instance has it.
    /// A renewal that fails on a database error is retried; the lease may run out meanwhile,
    /// and then the forward-only store keeps two watchers from applying anything twice.
    async fn keep_lease(&self, id: &str) {
        loop {
            tokio::time::sleep(self.options.lease / 3).await;
            match self.store.renew_lease(id, self.lease()).await {
                Ok(true) => {}
                Ok(false) => return,
                Err(e) => tracing::warn!(tx_id = %id, "could not renew the watcher lease: {e}"),
            }
        }
    }

    /// Publish an event to this instance's channel for its transaction, once and in order.
    fn publish(&self, event: StatusEvent) {
        let mut channels = lock(&self.channels);
        let id = event.merchant_transaction_id.clone();
        let Some(channel) = channels.get_mut(&id) else { return };
        if event.seq <= channel.last_seq {
            return;
        }
        channel.last_seq = event.seq;
        let terminal = event.status.is_terminal();
        let _ = channel.events.send(event);
        if terminal {
            // Streams still read what is buffered, then end.
            channels.remove(&id);
        }
    }

    /// Publish what other instances recorded; after a lost connection, read back from the
    /// store what this instance's channels may have missed.
    async fn follow_store(self: Arc<Self>, mut notices: mpsc::Receiver<Notice>) {
        let mut stopped = self.stop.subscribe();
        loop {
            let notice = tokio::select! {
                n = notices.recv() => n,
                _ = stopped.wait_for(|s| *s) => return,
            };
            match notice {
                // A wake-up only: what changed is read from the store, never from the notice.
                Some(Notice::Changed(id)) => self.catch_up(&id).await,
                Some(Notice::Revoked) => self.revoked(),
                Some(Notice::LinkAdded) => self.links_added.notify_waiters(),
                Some(Notice::Current(sent)) => self.sessions.heard(sent),
                Some(Notice::Lost) => self.sessions.unproven(),
                Some(Notice::Resync) => {
                    // A revocation or a new link may have been missed too.
                    self.revoked();
                    self.links_added.notify_waiters();
                    let open: Vec<String> = lock(&self.channels).keys().cloned().collect();
                    for id in open {
                        self.catch_up(&id).await;
                    }
                }
                None => return,
            }
        }
    }

    /// Publish what the store holds for `id` beyond what this instance's channel sent; nothing
    /// when no stream here follows it.
    async fn catch_up(&self, id: &str) {
        let Some(last) = lock(&self.channels).get(id).map(|c| c.last_seq) else { return };
        match self.store.events_after(id, last).await {
            Ok(events) => events.into_iter().for_each(|e| self.publish(e)),
            Err(e) => tracing::warn!(tx_id = %id, "could not read a transaction's new statuses: {e}"),
        }
    }

    /// Fetch the transaction from Proof and record what changed (a webhook is only a hint).
    /// Returns the status Proof confirmed once it is stored; `None` when Proof did not answer
    /// or the change could not be stored.
    pub async fn confirm(self: &Arc<Self>, id: &str) -> Option<proof_api::TxStatus> {
        match self.proof.transaction(id).await {
            Ok(tx) => {
                let status = tx.status.clone();
                self.apply(id, from_transaction(tx)).await.then_some(status)
            }
            Err(e) => {
                tracing::warn!(tx_id = %id, "could not confirm a webhook with Proof (a redelivery will try again): {e}");
                None
            }
        }
    }

    /// Store a change (retrying a busy database briefly), then publish it if it moved the
    /// transaction forward. `false` when it could not be stored: the caller must not treat it
    /// as seen. For a webhook's confirmation, whose redelivery tries again.
    async fn apply(&self, id: &str, change: StatusChange) -> bool {
        self.store_change(id, &change, Some(5)).await
    }

    /// The watcher's way to store a change: through a database outage too, however long (the
    /// change Proof pushed may be seen nowhere else: a later poll shows only the latest
    /// status), retrying with a capped backoff; other database errors are tried five times.
    async fn apply_until_stored(&self, id: &str, change: StatusChange) -> bool {
        self.store_change(id, &change, None).await
    }

    async fn store_change(&self, id: &str, change: &StatusChange, attempts: Option<u32>) -> bool {
        let mut attempt = 0u32;
        loop {
            attempt = attempt.saturating_add(1);
            match self.store.apply_status(id, change).await {
                Ok(Some(event)) => {
                    tracing::info!(tx_id = %id, status = event.status.as_str(), seq = event.seq, "transaction status changed");
                    self.publish(event);
                    return true;
                }
                Ok(None) => return true,
                Err(e) => {
                    let outage = crate::store::is_outage(&e);
                    let limit = if outage { attempts } else { Some(attempts.unwrap_or(5).min(5)) };
                    if limit.is_some_and(|n| attempt >= n) {
                        tracing::error!(tx_id = %id, "gave up storing a status change ({e}); polling will retry it");
                        return false;
                    }
                    tracing::warn!(tx_id = %id, attempt, "could not store a status change (trying again): {e}");
                    tokio::time::sleep((Duration::from_millis(100) * attempt).min(MAX_STORE_RETRY)).await;
                }
            }
        }
    }

    /// Follow one transaction to its end. Proof's WebSocket pushes changes while it is
    /// connected (with a catch-up poll per connection); whenever it is not — never connected
    /// yet, lost, refused at the handshake for whatever reason — the transaction is polled every
    /// `poll_interval`, so a change shows within one interval whatever the socket does. A
    /// subscription that gives up is started again after `ws.max_delay`. Only Proof's `404` on
    /// the transaction itself, [`NOT_FOUND_CONFIRMATIONS`] polls in a row, ends the watch early.
    async fn follow(&self, id: &str) -> Followed {
        let mut sub = Some(self.proof.subscribe(id, self.options.ws));
        let mut connection = sub.as_ref().map(proof_api::TxSubscription::connection);
        let mut resubscribe_at = tokio::time::Instant::now();
        let mut next_poll = tokio::time::Instant::now() + self.options.poll_interval;
        let mut not_found = 0u32;
        loop {
            let socket_up = sub.as_ref().is_some_and(proof_api::TxSubscription::is_connected);
            let unsubscribed = sub.is_none();
            // Wakes the loop when the socket connects or is lost, so polling starts at once.
            let socket_changed = async {
                if let Some(c) = connection.as_mut() {
                    if c.changed().await.is_ok() {
                        return;
                    }
                }
                std::future::pending::<()>().await;
            };
            let pushed = async {
                match sub.as_mut() {
                    Some(s) => s.next().await,
                    None => std::future::pending().await,
                }
            };
            // In this order: updates the socket already delivered come first. Once the socket
            // has closed (after a terminal update, say) polling is due too, and a poll shows only
            // the latest status: were it chosen while `processing` still waited here (the loop
            // busy storing an earlier change through a database outage), that status would be
            // skipped for good.
            tokio::select! {
                biased;
                next = pushed => match next {
                    Some(Ok(update)) => {
                        let terminal = update.status.is_terminal();
                        if self.apply_until_stored(id, from_update(update)).await && terminal {
                            return Followed::Ended;
                        }
                    }
                    ended => {
                        match ended {
                            Some(Err(e)) if e.is_configuration() => tracing::error!(
                                operator_action = true, tx_id = %id,
                                "CONFIGURATION ERROR on the Proof WebSocket (polling meanwhile): {e}"
                            ),
                            Some(Err(e)) => tracing::warn!(tx_id = %id, "Proof WebSocket unavailable, polling meanwhile: {e}"),
                            _ => {}
                        }
                        sub = None;
                        connection = None;
                        resubscribe_at = tokio::time::Instant::now() + self.options.ws.max_delay;
                    }
                },
                () = tokio::time::sleep_until(next_poll), if !socket_up => {
                    next_poll = tokio::time::Instant::now() + self.options.poll_interval;
                    match self.proof.transaction(id).await {
                        Ok(tx) => {
                            not_found = 0;
                            let terminal = tx.status.is_terminal();
                            if self.apply_until_stored(id, from_transaction(tx)).await && terminal {
                                return Followed::Ended;
                            }
                        }
                        Err(proof_api::Error::NotFound(_)) => {
                            not_found += 1;
                            if not_found >= NOT_FOUND_CONFIRMATIONS {
                                return Followed::Unknown;
                            }
                        }
                        Err(e) if e.is_configuration() => tracing::error!(
                            operator_action = true, tx_id = %id, "CONFIGURATION ERROR polling Proof: {e}"
                        ),
                        Err(e) => tracing::warn!(tx_id = %id, "polling Proof failed: {e}"),
                    }
                }
                () = tokio::time::sleep_until(resubscribe_at), if unsubscribed => {
                    sub = Some(self.proof.subscribe(id, self.options.ws));
                    connection = sub.as_ref().map(proof_api::TxSubscription::connection);
                }
                () = socket_changed => {}
            }
        }
    }
}

fn from_update(u: TxUpdate) -> StatusChange {
    StatusChange {
        status: u.status,
        crypto_amount: u.crypto_amount,
        fiat_amount: u.fiat_amount,
        fiat_currency: Some(u.fiat_currency).filter(|c| !c.is_empty()),
        occurred_at: u.occurred_at,
    }
}

fn from_transaction(t: Transaction) -> StatusChange {
    StatusChange {
        status: t.status,
        crypto_amount: t.crypto_amount,
        fiat_amount: t.fiat_amount,
        fiat_currency: Some(t.fiat_currency).filter(|c| !c.is_empty()),
        occurred_at: t.updated_at,
    }
}
