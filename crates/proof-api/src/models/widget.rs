//! Payloads of the widget's in-page callbacks (§6). Informational only: never authoritative.

use serde::{Deserialize, Serialize};

/// Argument of `onStatusChange`. Every field is a string.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WidgetStatusChange {
    /// Crypto amount.
    #[serde(default)]
    pub amount: String,
    /// Crypto currency.
    #[serde(default)]
    pub currency: String,
    /// Network.
    #[serde(default)]
    pub network: String,
    /// Fiat amount.
    #[serde(default)]
    pub fiat_amount: String,
    /// Fiat currency.
    #[serde(default)]
    pub fiat_currency: String,
    /// The widget's id for the transaction; its format may differ from the session's id.
    #[serde(default)]
    pub merchant_transaction_id: String,
    /// A widget-level status such as `paid`; not the API enum, treat as opaque.
    #[serde(default)]
    pub status: String,
    /// E.g. `card`.
    #[serde(default)]
    pub payment_method: String,
}

/// Argument of `onPaymentFinished`: payment and KYC are over, whatever the outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentFinished {
    /// E.g. `card`.
    #[serde(default)]
    pub payment_method: String,
}

/// Argument of `onSellTransferEnabled`: the deposit address is on screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SellTransferEnabled {
    /// Crypto amount to send.
    pub amount: String,
    /// Crypto currency.
    pub currency: String,
    /// Network.
    pub network: String,
    /// Deposit address.
    pub address: String,
    /// Transaction id.
    pub id: String,
    /// Always `payout`.
    pub flow_id: String,
}
