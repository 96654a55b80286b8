//! `POST /widget/session` request and response (§5.1).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Amount, TxType};

/// Body of `POST /widget/session`, sent by the partner backend only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSession {
    /// The partner's stable user id; Proof maps KYC to it.
    pub partner_user_id: String,
    /// Used by Proof to find or create the user's identity.
    pub user_email: String,
    /// Chain of the crypto leg, e.g. `TRC20`.
    pub network: String,
    /// Crypto currency, e.g. `USDT`; must be enabled for the partner.
    pub currency: String,
    /// Crypto amount.
    pub amount: Amount,
    /// `buy` or `sell`; when absent Proof uses the partner default.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub tx_type: Option<TxType>,
    /// Overrides the partner's default redirect for this session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// The end user's IP as the backend sees it; mixed into the signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// Destination wallet; only when Proof asked for it at onboarding.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// Response of `POST /widget/session`: every field is for `proofWidget.run`, unmodified.
///
/// Fields the quickstart example omits are optional. Fields this crate does not know are kept in
/// [`Session::extra`] so that passing the session through loses nothing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Stable id of the transaction; every status channel keys on it.
    pub merchant_transaction_id: String,
    /// → `widgetId`.
    pub widget_id: String,
    /// Destination (buy) or deposit (sell) wallet → `address`.
    pub address: String,
    /// `v2:` followed by 128 hex characters → `signature`.
    pub signature: String,
    /// JWT-like token → `initToken`. Create it right before opening the widget; never reuse it.
    pub init_token: String,
    /// → `initTokenType`, e.g. `sdk_partner_authorization`.
    pub init_token_type: String,
    /// The requested currency, locked.
    pub currency: String,
    /// From the partner's widget configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currencies: Option<Vec<String>>,
    /// Always `true`.
    pub fix_currency: bool,
    /// The requested network.
    pub network: String,
    /// From the partner's widget configuration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<Vec<String>>,
    /// `[network]`: the network is locked.
    pub fix_network: Vec<String>,
    /// The requested amount.
    pub amount: Amount,
    /// Always `true`.
    pub fix_amount: bool,
    /// Default fiat currency, e.g. `EUR`.
    pub fiat_currency: String,
    /// Fiat currencies the user may pick.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiat_currencies: Option<Vec<String>>,
    /// `false`: the user may change fiat in the widget.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_fiat_currency: Option<bool>,
    /// `true` per the docs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix_fiat_amount: Option<bool>,
    /// `buy` or `sell`.
    #[serde(rename = "type")]
    pub tx_type: TxType,
    /// Widget language.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    /// Widget theme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<String>,
    /// Where the widget sends the user at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_url: Option<String>,
    /// Fields not listed in the reference, kept for pass-through.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
