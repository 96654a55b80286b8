//! `GET /widget/transactions/{merchant_transaction_id}` (§5.2).

use serde::{Deserialize, Serialize};

use super::{Amount, TxStatus, TxType, empty_as_none};

/// A transaction as polling returns it. Authoritative.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// Id from the session call.
    pub merchant_transaction_id: String,
    /// Echo of the session request.
    pub partner_user_id: String,
    /// `buy` or `sell`.
    #[serde(rename = "type")]
    pub tx_type: TxType,
    /// Current status.
    pub status: TxStatus,
    /// Crypto currency.
    pub currency: String,
    /// Network of the crypto leg.
    pub network: String,
    /// Final crypto amount; `None` (empty on the wire) before `processing`.
    #[serde(default, with = "empty_as_none")]
    pub crypto_amount: Option<Amount>,
    /// Fiat currency.
    pub fiat_currency: String,
    /// Final fiat amount; `None` (empty on the wire) until known.
    #[serde(default, with = "empty_as_none")]
    pub fiat_amount: Option<Amount>,
    /// ISO 8601 UTC.
    pub created_at: String,
    /// ISO 8601 UTC of the last status change.
    pub updated_at: String,
}
