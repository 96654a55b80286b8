//! In-memory state of the sandbox: partners' transactions and users, and the status engine that
//! advances them and announces every change on the WebSocket and the webhook.
//!
//! Nothing is persisted: a restart forgets everything.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Instant, SystemTime};

use proof_api::{Amount, KycStatus, Transaction, TxStatus, TxType, TxUpdate, WebhookEvent};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use tokio::sync::{broadcast, mpsc};

use crate::config::{Config, Faults};
use crate::personas::Persona;
use crate::pricing;

/// Index of the partner a client token belongs to.
pub(crate) type PartnerId = usize;

/// One transaction and what the widget needs to drive it.
pub(crate) struct TxRecord {
    pub(crate) partner: PartnerId,
    pub(crate) tx: Transaction,
    pub(crate) persona: Persona,
    pub(crate) email: String,
    pub(crate) client_ip: Option<String>,
    pub(crate) amount: Amount,
    pub(crate) address: String,
    pub(crate) widget_id: String,
    pub(crate) signature: String,
    pub(crate) init_token: String,
    pub(crate) expires_at: Instant,
    pub(crate) payment_method: Option<String>,
    pub(crate) updates: broadcast::Sender<TxUpdate>,
}

/// A user as Proof knows them.
#[derive(Clone, Debug)]
pub(crate) struct UserRecord {
    pub(crate) persona: Persona,
    pub(crate) kyc: KycStatus,
    /// Documents were sent in the widget and the liveness check is next.
    pub(crate) liveness_due: bool,
}

#[derive(Default)]
pub(crate) struct Db {
    pub(crate) txs: HashMap<String, TxRecord>,
    pub(crate) users: HashMap<(PartnerId, String), UserRecord>,
}

impl Db {
    /// The user's record, created from the persona when Proof would know them.
    pub(crate) fn user(
        &mut self,
        partner: PartnerId,
        id: &str,
        email: Option<&str>,
        create: bool,
    ) -> Option<&mut UserRecord> {
        let key = (partner, id.to_owned());
        if !self.users.contains_key(&key) {
            let persona = Persona::detect(id, email);
            if !create && !persona.is_returning() {
                return None;
            }
            self.users.insert(key.clone(), UserRecord { persona, kyc: persona.initial_kyc(), liveness_due: false });
        }
        self.users.get_mut(&key)
    }
}

/// Shared state behind every handler.
#[derive(Clone)]
pub struct SandboxState {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for SandboxState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxState").field("listen", &self.inner.config.listen).finish_non_exhaustive()
    }
}

pub(crate) struct Inner {
    pub(crate) config: Config,
    pub(crate) faults: RwLock<Faults>,
    rng: Mutex<SmallRng>,
    db: Mutex<Db>,
    webhook: Option<mpsc::UnboundedSender<WebhookEvent>>,
    /// Key for signatures and init tokens, fresh at every start.
    pub(crate) secret: [u8; 32],
}

impl SandboxState {
    /// Build the state; starts the webhook sender when a webhook URL is configured, so it must
    /// be called inside a Tokio runtime.
    pub fn new(config: Config) -> Self {
        let mut rng = match config.seed {
            Some(seed) => SmallRng::seed_from_u64(seed),
            None => SmallRng::from_os_rng(),
        };
        let secret: [u8; 32] = rng.random();
        let webhook = config.webhook_url.clone().map(crate::webhook::spawn_sender);
        let faults = RwLock::new(config.faults.clone());
        Self { inner: Arc::new(Inner { config, faults, rng: Mutex::new(rng), db: Mutex::default(), webhook, secret }) }
    }

    pub(crate) fn config(&self) -> &Config {
        &self.inner.config
    }

    pub(crate) fn db(&self) -> MutexGuard<'_, Db> {
        self.inner.db.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Roll a die: `true` with probability `p`.
    pub(crate) fn chance(&self, p: f64) -> bool {
        p > 0.0 && self.inner.rng.lock().unwrap_or_else(|e| e.into_inner()).random_bool(p.min(1.0))
    }

    pub(crate) fn faults(&self) -> Faults {
        self.inner.faults.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub(crate) fn set_faults(&self, f: Faults) {
        *self.inner.faults.write().unwrap_or_else(|e| e.into_inner()) = f;
    }

    /// Move a transaction to `status` and announce it. Returns `false` (and changes nothing) when
    /// the transaction is unknown or already terminal.
    pub(crate) fn advance(&self, id: &str, status: TxStatus) -> bool {
        let (update, hook) = {
            let mut db = self.db();
            let Some(rec) = db.txs.get_mut(id) else { return false };
            if rec.tx.status.is_terminal() || rec.tx.status == status {
                return false;
            }
            rec.tx.status = status.clone();
            rec.tx.updated_at = now_iso();
            if matches!(status, TxStatus::Processing | TxStatus::Completed) && rec.tx.crypto_amount.is_none() {
                let quote = pricing::quote(&rec.tx.tx_type, &rec.tx.currency, &rec.amount);
                rec.tx.crypto_amount = Some(rec.amount.clone());
                rec.tx.fiat_amount = quote;
            }
            if status == TxStatus::Processing || rec.tx.tx_type == TxType::Buy {
                rec.payment_method.get_or_insert_with(|| "card".to_owned());
            }
            let mut update = TxUpdate::from(rec.tx.clone());
            update.payment_method = rec.payment_method.clone();
            let _ = rec.updates.send(update.clone());
            (update, webhook_event(&rec.tx))
        };
        tracing::info!(tx_id = %update.merchant_transaction_id, status = update.status.as_str(), "transaction status changed");
        if let Some(sender) = &self.inner.webhook {
            let copies = if self.chance(self.config().webhook_duplicate_rate) { 2 } else { 1 };
            for _ in 0..copies {
                let _ = sender.send(hook.clone());
            }
        }
        true
    }

    /// Settle a transaction in `processing` after the configured delay.
    pub(crate) fn settle_later(&self, id: String, outcome: TxStatus) {
        let state = self.clone();
        let delay = self.config().settle_after;
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            state.advance(&id, outcome);
        });
    }
}

fn webhook_event(tx: &Transaction) -> WebhookEvent {
    WebhookEvent {
        merchant_transaction_id: tx.merchant_transaction_id.clone(),
        tx_type: tx.tx_type.clone(),
        status: tx.status.clone(),
        currency: tx.currency.clone(),
        network: tx.network.clone(),
        crypto_amount: tx.crypto_amount.clone(),
        fiat_currency: tx.fiat_currency.clone(),
        fiat_amount: tx.fiat_amount.clone(),
        created_at: tx.created_at.clone(),
        updated_at: tx.updated_at.clone(),
    }
}

/// Now as ISO 8601 UTC with seconds, e.g. `2026-04-01T10:03:45Z`.
pub(crate) fn now_iso() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}
