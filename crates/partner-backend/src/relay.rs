//! The status relay: one upstream watcher per open transaction, shared by every SSE subscriber.
//!
//! A watcher follows Proof's WebSocket (which reconnects with capped backoff and catches up by
//! polling once per connection); when the socket cannot be kept, it polls
//! `GET /widget/transactions/{id}` every `poll_interval`. It stops at a terminal status, or after
//! `watch_limit` for a transaction nobody finishes. Every change is written to the [`Store`]
//! first, then broadcast, so a subscriber that reconnects replays what it missed from the store.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use proof_api::{ProofClient, Transaction, TxUpdate, WsOptions};
use ramp_api::StatusEvent;
use tokio::sync::broadcast;

use crate::store::{StatusChange, Store};

/// Relay settings.
#[derive(Clone, Copy, Debug)]
pub struct RelayOptions {
    /// Polling interval when the WebSocket is unavailable.
    pub poll_interval: Duration,
    /// WebSocket reconnection.
    pub ws: WsOptions,
    /// Give up watching a transaction after this long.
    pub watch_limit: Duration,
}

struct Watch {
    events: broadcast::Sender<StatusEvent>,
}

/// Shared hub of watchers.
pub struct Relay {
    proof: ProofClient,
    store: Arc<dyn Store>,
    options: RelayOptions,
    watches: Mutex<HashMap<String, Arc<Watch>>>,
    upstream: AtomicUsize,
    stop: tokio::sync::watch::Sender<bool>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay").field("upstream", &self.upstream_watchers()).finish_non_exhaustive()
    }
}

impl Relay {
    /// A relay using `proof` for upstream status and `store` for history.
    pub fn new(proof: ProofClient, store: Arc<dyn Store>, options: RelayOptions) -> Arc<Self> {
        let (stop, _) = tokio::sync::watch::channel(false);
        Arc::new(Self { proof, store, options, watches: Mutex::default(), upstream: AtomicUsize::new(0), stop })
    }

    /// Stop every watcher (on shutdown). Open SSE streams then end.
    pub fn stop(&self) {
        self.stop.send_replace(true);
    }

    /// Number of running upstream watchers (one Proof WebSocket or poller each).
    pub fn upstream_watchers(&self) -> usize {
        self.upstream.load(Ordering::Relaxed)
    }

    fn watches(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Watch>>> {
        self.watches.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Make sure a watcher runs for `id` and subscribe to its live events.
    pub fn watch(self: &Arc<Self>, id: &str) -> broadcast::Receiver<StatusEvent> {
        let mut watches = self.watches();
        if let Some(w) = watches.get(id) {
            return w.events.subscribe();
        }
        let (events, rx) = broadcast::channel(32);
        let watch = Arc::new(Watch { events });
        watches.insert(id.to_owned(), watch.clone());
        drop(watches);
        let relay = self.clone();
        let id = id.to_owned();
        self.upstream.fetch_add(1, Ordering::Relaxed);
        let mut stopped = self.stop.subscribe();
        tokio::spawn(async move {
            let limit = relay.options.watch_limit;
            tokio::select! {
                outcome = tokio::time::timeout(limit, relay.follow(&id)) => {
                    if outcome.is_err() {
                        tracing::info!(tx_id = %id, "stopped watching a transaction that did not finish in time");
                    }
                }
                _ = stopped.wait_for(|s| *s) => {}
            }
            let mut watches = relay.watches();
            if watches.get(&id).is_some_and(|w| Arc::ptr_eq(w, &watch)) {
                watches.remove(&id);
            }
            relay.upstream.fetch_sub(1, Ordering::Relaxed);
        });
        rx
    }

    /// Resume watchers for every open transaction (after a restart).
    ///
    /// # Errors
    /// When the store cannot be read.
    pub async fn resume_open(self: &Arc<Self>) -> Result<usize, sqlx::Error> {
        let open = self.store.open_transactions().await?;
        for id in &open {
            drop(self.watch(id));
        }
        Ok(open.len())
    }

    /// Fetch the transaction from Proof and record what changed (a webhook is only a hint).
    pub async fn confirm(self: &Arc<Self>, id: &str) {
        match self.proof.transaction(id).await {
            Ok(tx) => {
                self.apply(id, from_transaction(tx)).await;
            }
            Err(e) => tracing::warn!(tx_id = %id, "could not confirm a webhook with Proof: {e}"),
        }
    }

    /// Store a change (retrying a busy database), then broadcast it if it moved the transaction
    /// forward. `false` when it could not be stored: the caller must not treat it as seen.
    async fn apply(&self, id: &str, change: StatusChange) -> bool {
        for attempt in 1..=5u32 {
            match self.store.apply_status(id, &change).await {
                Ok(Some(event)) => {
                    tracing::info!(tx_id = %id, status = event.status.as_str(), seq = event.seq, "transaction status changed");
                    if let Some(w) = self.watches().get(id) {
                        let _ = w.events.send(event);
                    }
                    return true;
                }
                Ok(None) => return true,
                Err(e) => {
                    tracing::warn!(tx_id = %id, attempt, "could not store a status change: {e}");
                    tokio::time::sleep(Duration::from_millis(100) * attempt).await;
                }
            }
        }
        tracing::error!(tx_id = %id, "gave up storing a status change; polling will retry it");
        false
    }

    /// Follow one transaction to its end: WebSocket first, polling after.
    async fn follow(&self, id: &str) {
        let mut sub = self.proof.subscribe(id, self.options.ws);
        while let Some(next) = sub.next().await {
            match next {
                Ok(update) => {
                    let terminal = update.status.is_terminal();
                    if !self.apply(id, from_update(update)).await {
                        break;
                    }
                    if terminal {
                        return;
                    }
                }
                Err(proof_api::Error::NotFound(_)) => {
                    tracing::warn!(tx_id = %id, "Proof does not know this transaction; not watching it");
                    return;
                }
                Err(e) => {
                    if e.is_configuration() {
                        tracing::error!(operator_action = true, tx_id = %id, "CONFIGURATION ERROR on the Proof WebSocket: {e}");
                    } else {
                        tracing::warn!(tx_id = %id, "Proof WebSocket unavailable, polling instead: {e}");
                    }
                    break;
                }
            }
        }
        loop {
            match self.proof.transaction(id).await {
                Ok(tx) => {
                    let terminal = tx.status.is_terminal();
                    if self.apply(id, from_transaction(tx)).await && terminal {
                        return;
                    }
                }
                Err(proof_api::Error::NotFound(_)) => return,
                Err(e) => tracing::warn!(tx_id = %id, "polling Proof failed: {e}"),
            }
            tokio::time::sleep(self.options.poll_interval).await;
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
