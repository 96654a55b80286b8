//! The JSON contract between the Proof Ramp app and the partner backend, version 1 (`/v1`).
//!
//! Both sides compile against these types, so a field renamed on one side breaks the other's
//! build rather than a user's session. Statuses are Proof's own ([`TxStatus`], [`KycStatus`]),
//! re-exported from `proof-api` without its network client. Field names are `snake_case`.
//!
//! ```
//! use ramp_api::address::{self, AddressError};
//!
//! // A scanned payment link is read for the network the user chose, and refused for another.
//! let link = "bitcoin:bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4?amount=0.01";
//! let scanned = address::parse(link, "BITCOIN").expect("a Bitcoin address");
//! assert_eq!(scanned.address, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
//! assert_eq!((scanned.amount.as_deref(), scanned.amount_unit.as_deref()), (Some("0.01"), Some("BTC")));
//! assert!(matches!(address::parse(link, "TRC20"), Err(AddressError::WrongNetwork { .. })));
//! ```

pub mod address;
pub mod deposit;
pub mod i18n;
pub mod link;
pub mod plugin;
mod widget_event;

pub use proof_api::{Amount, KycStatus, TxStatus, TxType};
use serde::{Deserialize, Serialize};
pub use widget_event::{EVENT_PATH, WidgetEvent, WidgetEventUrl};

/// Every payment window's label in the app starts with this, followed by its number (a new one
/// for every window): the app names its windows so, and the capability checks (`ramp-mobile`)
/// make sure no capability matches one.
pub const PAYMENT_WINDOW_PREFIX: &str = "widget-";

/// Path prefix of every app-facing endpoint.
pub const API_PREFIX: &str = "/v1";

/// Every error from the backend: `{"error": {"code", "message", "request_id"}}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEnvelope {
    /// The error.
    pub error: ApiErrorBody,
}

/// What went wrong, for a person and for code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// Stable machine code; see [`codes`].
    pub code: String,
    /// A sentence a person can act on; safe to show in the UI.
    pub message: String,
    /// Quote it when reporting a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The request field at fault, for validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// The error codes the backend sends.
pub mod codes {
    /// 401: no token, or it is invalid or expired; sign in again.
    pub const UNAUTHENTICATED: &str = "unauthenticated";
    /// 400/422: a request field is wrong; `field` names it.
    pub const INVALID_REQUEST: &str = "invalid_request";
    /// 422: the currency/network pair cannot be used right now (an operator was alerted).
    pub const PAIR_UNAVAILABLE: &str = "pair_unavailable";
    /// 404: no such resource for this user.
    pub const NOT_FOUND: &str = "not_found";
    /// 429: too many requests; wait for `Retry-After` seconds.
    pub const RATE_LIMITED: &str = "rate_limited";
    /// 503: the ramp provider is unreachable; retry shortly.
    pub const PROVIDER_UNAVAILABLE: &str = "provider_unavailable";
    /// 503: the backend's own database is unreachable; nothing changed, retry after
    /// `Retry-After` (the sign-in stays valid).
    pub const UNAVAILABLE: &str = "unavailable";
    /// 413: the body is too large.
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    /// 500: something failed on the server; not the user's fault.
    pub const INTERNAL: &str = "internal";
    /// 409: the transaction cannot be continued (it ended, or Proof no longer accepts its session).
    pub const NOT_RESUMABLE: &str = "not_resumable";
}

/// `POST /v1/sandbox/login`: sign in as a sandbox persona (sandbox mode only).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SandboxLogin {
    /// A persona id from `GET /v1/sandbox/personas`.
    pub persona: String,
    /// Sign in as a brand-new user of that persona instead of its standing one.
    #[serde(default)]
    pub fresh: bool,
}

/// A sandbox persona the sign-in screen can offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Persona {
    /// Id to pass to [`SandboxLogin`].
    pub id: String,
    /// Short name, e.g. "First-time buyer".
    pub label: String,
    /// What happens in the widget.
    pub description: String,
}

/// A signed-in session of the app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Bearer token for every `/v1` call.
    pub token: String,
    /// Unix seconds after which the token is refused.
    pub expires_at: u64,
    /// Who signed in.
    pub user: User,
    /// Single-use token for `POST /v1/auth/refresh`, when the backend issues sessions; each use
    /// returns a new one. Keep it as secret as the bearer token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// `POST /v1/auth/refresh`: trade a refresh token for a new bearer token and refresh token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh.
    pub refresh_token: String,
}

/// The signed-in user as the backend knows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The partner's stable user id (Proof's `partner_user_id`).
    pub id: String,
    /// Email address.
    pub email: String,
}

/// `GET /v1/me/kyc`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KycView {
    /// Proof's status; a user Proof has never seen is `not_started`.
    pub status: KycStatus,
}

/// `GET /v1/config`: what the app may offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RampConfig {
    /// `sandbox` or `production`.
    pub environment: String,
    /// Currencies with their enabled networks.
    pub assets: Vec<Asset>,
    /// Whether sell (off-ramp) may be offered.
    pub sell_enabled: bool,
    /// Smallest crypto amount accepted.
    pub min_amount: Amount,
    /// Largest crypto amount accepted.
    pub max_amount: Amount,
    /// Whether a user-supplied destination address is accepted.
    pub accepts_user_address: bool,
    /// Origins and host patterns (`*.example.com`) the widget webview may navigate to.
    pub navigation_allowlist: Vec<String>,
    /// Where the host page sends widget events; the app intercepts navigations to it.
    pub widget_event_url: String,
    /// Where the widget runs: the app's own webview (default) or the system browser.
    #[serde(default)]
    pub widget_mode: WidgetMode,
    /// Browser mode: the link the host page opens to bring the user back to the app when the
    /// payment finishes or the widget closes (`<scheme>://return`, or an App/Universal Link);
    /// it carries the same query as a widget event URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// Where users reach the partner's support (`https://…` or `mailto:…`), when configured
    /// (`RAMP_SUPPORT_URL`): the app offers it beside a failed or expired transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_url: Option<String>,
}

/// Where the widget's host page opens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WidgetMode {
    /// In the app's dedicated, capability-less webview; events are intercepted in the app.
    #[default]
    Webview,
    /// In the system browser (Custom Tabs on Android); the user comes back through the return link.
    Browser,
}

/// A currency and the networks it can be bought or sold on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    /// E.g. `USDT`.
    pub currency: String,
    /// E.g. `["TRC20", "ERC20"]`.
    pub networks: Vec<String>,
}

/// `POST /v1/sessions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateSession {
    /// `buy` or `sell`.
    #[serde(rename = "type")]
    pub tx_type: TxType,
    /// Crypto currency.
    pub currency: String,
    /// Network.
    pub network: String,
    /// Crypto amount, a decimal string.
    pub amount: Amount,
    /// Destination wallet, only when the config accepts one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The host page link the app already opened its payment window on ([`link`]); the backend
    /// makes one itself when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// The body of `POST /v1/transactions/{id}/resume` (may be empty).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumeSession {
    /// As [`CreateSession::link`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// The answer to `POST /v1/sessions`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionCreated {
    /// The transaction's id; every status channel keys on it.
    pub merchant_transaction_id: String,
    /// Single-use host-page link that runs the widget. Open it once, soon.
    pub widget_url: String,
    /// Unix seconds after which `widget_url` no longer opens.
    pub widget_url_expires_at: u64,
}

/// A transaction as the app shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionView {
    /// Proof's `merchant_transaction_id`.
    pub id: String,
    /// `buy` or `sell`.
    #[serde(rename = "type")]
    pub tx_type: TxType,
    /// Last status the backend confirmed with Proof.
    pub status: TxStatus,
    /// Crypto currency.
    pub currency: String,
    /// Network.
    pub network: String,
    /// Requested crypto amount.
    pub amount: Amount,
    /// Final crypto amount, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_amount: Option<Amount>,
    /// Final fiat amount, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiat_amount: Option<Amount>,
    /// Fiat currency, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiat_currency: Option<String>,
    /// ISO 8601 UTC.
    pub created_at: String,
    /// ISO 8601 UTC of the last status change.
    pub updated_at: String,
    /// Whether the app may offer to continue it: not ended, and its Proof session still
    /// accepted (`POST /v1/transactions/{id}/resume` issues a fresh link to it).
    #[serde(default)]
    pub resumable: bool,
}

/// `GET /v1/transactions`: one page of the user's transactions, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionList {
    /// The user's transactions.
    pub transactions: Vec<TransactionView>,
    /// Where the next page starts (send it as `before`); absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

impl TransactionList {
    /// Page size when the request names none.
    pub const DEFAULT_LIMIT: u32 = 50;
    /// Largest page; a larger `limit` is brought down to it (and `0` up to 1).
    pub const MAX_LIMIT: u32 = 100;
}

/// The query of `GET /v1/transactions`: `?limit=20&before=<next of the previous page>`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransactionsQuery {
    /// Page size, 1 to [`TransactionList::MAX_LIMIT`] (default [`TransactionList::DEFAULT_LIMIT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// Start after this transaction (the previous page's [`TransactionList::next`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

/// One event of `GET /v1/transactions/{id}/events` (Server-Sent Events, `event: status`).
///
/// The SSE `id` is [`StatusEvent::seq`]; send it back as `Last-Event-ID` to resume.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEvent {
    /// Position in the transaction's status history, from 1.
    pub seq: u64,
    /// The transaction.
    pub merchant_transaction_id: String,
    /// The new status.
    pub status: TxStatus,
    /// Final crypto amount, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crypto_amount: Option<Amount>,
    /// Final fiat amount, once known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fiat_amount: Option<Amount>,
    /// ISO 8601 UTC.
    pub occurred_at: String,
}

/// The SSE event name of [`StatusEvent`]s.
pub const STATUS_EVENT: &str = "status";
