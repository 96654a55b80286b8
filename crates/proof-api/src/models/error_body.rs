//! The error body every Proof endpoint returns (§4.2) and its open enums (§4.3, §4.4).

use serde::{Deserialize, Serialize};

/// `{ "error": "<slug>", "code": "<code>", "message": "..." }`.
///
/// Branch on the HTTP status, [`ErrorSlug`] and [`ErrorCode`]; `message` is for logs and may
/// change. Older bodies carry `request_id` and no `code`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Error family.
    pub error: ErrorSlug,
    /// Precise cause; absent in older bodies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// Human-readable description, for logs only.
    #[serde(default)]
    pub message: String,
    /// Request id in older bodies; current ones send it as the `X-Request-Id` header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The `error` field.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorSlug {
    /// 400: bad body, missing field or currency not enabled.
    InvalidRequest,
    /// 400: no active wallet for the `(currency, network)` pair.
    WalletNotSupported,
    /// 401: token missing or not accepted. Older deployments spell it `unauthorized`.
    #[serde(alias = "unauthorized")]
    Unauthorised,
    /// 403: request IP or `Origin` not registered.
    Forbidden,
    /// 404: unknown id, or it belongs to another partner.
    NotFound,
    /// 409 (older): the session was already consumed.
    SessionAlreadyUsed,
    /// 422 (older): KYC needed; open the widget anyway.
    KycRequired,
    /// 429 (older): slow down.
    RateLimitExceeded,
    /// 500: fault on Proof's side.
    InternalError,
    /// 500: a lifecycle event could not be published (webhook path).
    PublishFailed,
    /// 502: an external provider returned an error.
    UpstreamError,
    /// 502: an external provider was unreachable or returned garbage.
    UpstreamUnavailable,
    /// A value this crate does not know, kept verbatim.
    #[serde(untagged)]
    Unknown(String),
}

/// The `code` field.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A field has the wrong type or value.
    ValidationError,
    /// The body is not valid JSON.
    DecodeError,
    /// A required field is missing.
    MissingParam,
    /// `currency` is not enabled for the partner.
    CurrencyNotAllowed,
    /// No active wallet for `(currency, network)`; upper case on the wire.
    #[serde(rename = "WALLET_NOT_SUPPORTED")]
    WalletNotSupported,
    /// No `Authorization` header.
    MissingToken,
    /// Token unknown or inactive.
    InvalidToken,
    /// Request IP or `Origin` not on the allowlist.
    ForbiddenOrigin,
    /// Resource missing or not the partner's.
    NotFound,
    /// Database fault at Proof.
    DbError,
    /// Token subsystem fault at Proof.
    TokenError,
    /// Event bus unavailable at Proof.
    KafkaUnavailable,
    /// An external provider returned an error.
    ProviderError,
    /// An external provider was unreachable.
    UpstreamUnavailable,
    /// An external provider returned garbage.
    UpstreamInvalidResponse,
    /// A value this crate does not know, kept verbatim.
    #[serde(untagged)]
    Unknown(String),
}

impl ErrorBody {
    /// Build a body with a code and message.
    pub fn new(error: ErrorSlug, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { error, code: Some(code), message: message.into(), request_id: None }
    }
}
