//! Pushed status: the WebSocket `tx.update` message (§7.3) and the webhook body (§7.4).

use serde::{Deserialize, Serialize};

use super::{Amount, Transaction, TxStatus, TxType, empty_as_none};

/// The `event` value of every WebSocket message documented today.
pub const TX_UPDATE_EVENT: &str = "tx.update";

/// A WebSocket `tx.update` message: one per status change of the watched transaction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxUpdate {
    /// Always `tx.update` today.
    pub event: String,
    /// The watched transaction.
    pub merchant_transaction_id: String,
    /// `buy` or `sell`.
    #[serde(rename = "type")]
    pub tx_type: TxType,
    /// New status.
    pub status: TxStatus,
    /// E.g. `card`; absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// Crypto currency.
    pub currency: String,
    /// Fiat currency.
    pub fiat_currency: String,
    /// Fiat amount; `None` (empty on the wire) until known.
    #[serde(default, with = "empty_as_none")]
    pub fiat_amount: Option<Amount>,
    /// Crypto amount; `None` (empty on the wire) before `processing`.
    #[serde(default, with = "empty_as_none")]
    pub crypto_amount: Option<Amount>,
    /// ISO 8601 UTC of the change.
    pub occurred_at: String,
}

impl From<Transaction> for TxUpdate {
    /// Describe a polled transaction as the update that would have announced its status.
    fn from(tx: Transaction) -> Self {
        Self {
            event: TX_UPDATE_EVENT.to_owned(),
            merchant_transaction_id: tx.merchant_transaction_id,
            tx_type: tx.tx_type,
            status: tx.status,
            payment_method: None,
            currency: tx.currency,
            fiat_currency: tx.fiat_currency,
            fiat_amount: tx.fiat_amount,
            crypto_amount: tx.crypto_amount,
            occurred_at: tx.updated_at,
        }
    }
}

/// Body of Proof's outbound webhook: unsigned, best effort, possibly duplicated.
///
/// Treat it as "something changed for this id" and confirm with
/// `ProofClient::transaction` before acting. Idempotency key:
/// (`merchant_transaction_id`, `status`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// The idempotency key, with `status`.
    pub merchant_transaction_id: String,
    /// `buy` or `sell`.
    #[serde(rename = "type")]
    pub tx_type: TxType,
    /// New status.
    pub status: TxStatus,
    /// Crypto currency.
    pub currency: String,
    /// Network of the crypto leg.
    pub network: String,
    /// Crypto amount; `None` (empty on the wire) before `processing`.
    #[serde(default, with = "empty_as_none")]
    pub crypto_amount: Option<Amount>,
    /// Fiat currency.
    pub fiat_currency: String,
    /// Fiat amount; `None` (empty on the wire) until known.
    #[serde(default, with = "empty_as_none")]
    pub fiat_amount: Option<Amount>,
    /// ISO 8601 UTC.
    pub created_at: String,
    /// ISO 8601 UTC of this status change.
    pub updated_at: String,
}
