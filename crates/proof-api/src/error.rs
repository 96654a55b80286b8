//! Errors of the Proof client, one variant per row family of the error matrix (§4.3, §4.4).

use std::fmt;

use crate::models::{ErrorBody, ErrorCode, ErrorSlug};

/// Result of a Proof call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What Proof said when it refused a request: status, body and request id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The error body; for a body that was not Proof's JSON shape, `error` is
    /// [`ErrorSlug::Unknown`] and `message` holds the start of the raw body.
    pub body: ErrorBody,
    /// `X-Request-Id` (or the older body's `request_id`): quote it to Proof support.
    pub request_id: Option<String>,
}

impl ApiError {
    /// Build from a status, raw body and the `X-Request-Id` header.
    pub(crate) fn from_response(status: u16, raw: &[u8], header_id: Option<String>) -> Self {
        let body = serde_json::from_slice::<ErrorBody>(raw).unwrap_or_else(|_| {
            let text = String::from_utf8_lossy(raw);
            let snippet: String = text.chars().take(200).collect();
            ErrorBody { error: ErrorSlug::Unknown(String::new()), code: None, message: snippet, request_id: None }
        });
        let request_id = header_id.or_else(|| body.request_id.clone());
        Self { status, body, request_id }
    }

    /// Whether the code is `c`.
    pub fn has_code(&self, c: &ErrorCode) -> bool {
        self.body.code.as_ref() == Some(c)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slug = serde_json::to_value(&self.body.error).ok();
        let slug = slug.as_ref().and_then(|v| v.as_str()).unwrap_or("?");
        write!(f, "HTTP {} {slug}", self.status)?;
        if let Some(code) = serde_json::to_value(&self.body.code).ok().as_ref().and_then(|v| v.as_str()) {
            write!(f, "/{code}")?;
        }
        if !self.body.message.is_empty() {
            write!(f, ": {}", self.body.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// Everything that can go wrong talking to Proof.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 400 `invalid_request` (`validation_error`, `decode_error`, `missing_param`): the request is
    /// wrong. Not retried; fix it.
    #[error("Proof rejected the request: {0}")]
    InvalidRequest(Box<ApiError>),
    /// 400 `invalid_request/currency_not_allowed`: the currency is not enabled for this partner.
    /// An operator must ask Proof to enable it.
    #[error("the currency is not enabled for this integration; ask Proof to enable it: {0}")]
    CurrencyNotAllowed(Box<ApiError>),
    /// 400 `wallet_not_supported`: Proof has no wallet for the (currency, network) pair. An
    /// operator must ask Proof to provision it.
    #[error("Proof has no wallet for this currency and network; ask Proof to provision it: {0}")]
    WalletNotSupported(Box<ApiError>),
    /// 401 `unauthorised` or 403 `forbidden_origin`: the client token, egress IP or `Origin` is
    /// not accepted. A configuration bug, never retried.
    #[error(
        "Proof refused this integration's credentials, IP or origin; check the client token and the IPs and origins registered with Proof: {0}"
    )]
    Misconfigured(Box<ApiError>),
    /// 404 `not_found`: unknown id, or it belongs to another partner.
    #[error("not found at Proof: {0}")]
    NotFound(Box<ApiError>),
    /// 409 `session_already_used` (older deployments): create a new session.
    #[error("the session was already used; create a new one: {0}")]
    SessionAlreadyUsed(Box<ApiError>),
    /// 422 `kyc_required` (older deployments): open the widget anyway; it runs KYC.
    #[error("identity verification required; the widget runs it: {0}")]
    KycRequired(Box<ApiError>),
    /// 429 after the retries ran out.
    #[error("Proof is rate limiting this integration: {0}")]
    RateLimited(Box<ApiError>),
    /// 500 (`internal_error`, `publish_failed`) after the retry: contact Proof with the request id.
    #[error("Proof had an internal fault: {0}")]
    ProofFault(Box<ApiError>),
    /// 502 (`upstream_error`, `upstream_unavailable`) after the retries ran out.
    #[error("a provider behind Proof failed; try again shortly: {0}")]
    Upstream(Box<ApiError>),
    /// A 3xx answer. Proof's API never redirects, so the client follows none: a redirect means
    /// something between this backend and Proof (a proxy, a wrong `PROOF_BASE_URL`) answers
    /// instead of Proof, and what another host says must not be believed.
    #[error(
        "Proof answered with a redirect, which its API never does; nothing was followed. Check PROOF_BASE_URL and any proxy in between: {0}"
    )]
    Redirected(Box<ApiError>),
    /// Any other status or slug: handle by status class.
    #[error("unexpected answer from Proof: {0}")]
    Unexpected(Box<ApiError>),
    /// No answer: connection refused, reset, or timed out (after the retries ran out).
    #[error("could not reach Proof: {0}")]
    Transport(#[source] reqwest::Error),
    /// A 2xx answer whose body does not match the contract.
    #[error("Proof answered HTTP {status} with a body that does not match the contract{}: {source}", request_id.as_deref().map(|id| format!(" (request id {id})")).unwrap_or_default())]
    InvalidResponse {
        /// HTTP status.
        status: u16,
        /// `X-Request-Id`, when sent.
        request_id: Option<String>,
        /// The decoding failure.
        #[source]
        source: serde_json::Error,
    },
    /// The answer's body was larger than the client accepts (a Proof answer is a few KiB).
    #[error("Proof answered HTTP {status} with a body over {limit} bytes{}; refused", request_id.as_deref().map(|id| format!(" (request id {id})")).unwrap_or_default())]
    ResponseTooLarge {
        /// HTTP status.
        status: u16,
        /// `X-Request-Id`, when sent.
        request_id: Option<String>,
        /// The limit, bytes.
        limit: usize,
    },
    /// The WebSocket could not be (re)established within the allowed attempts; fall back to
    /// polling.
    #[error("the Proof WebSocket is unavailable after {attempts} attempts: {last}")]
    WebSocketUnavailable {
        /// Consecutive failed attempts.
        attempts: u32,
        /// The last failure.
        last: String,
    },
    /// The client was built with a bad setting.
    #[error("invalid Proof client configuration: {0}")]
    Config(String),
}

/// How the retry loop treats an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RetryClass {
    /// Retry with capped exponential backoff.
    Backoff,
    /// Retry exactly once.
    Once,
    /// Never retry.
    No,
}

impl Error {
    /// Classify a non-2xx answer.
    pub(crate) fn from_api(e: ApiError) -> Self {
        let e = Box::new(e);
        match (e.status, &e.body.error) {
            (_, ErrorSlug::WalletNotSupported) => Self::WalletNotSupported(e),
            (400, _) if e.has_code(&ErrorCode::CurrencyNotAllowed) => Self::CurrencyNotAllowed(e),
            (400, _) => Self::InvalidRequest(e),
            (401 | 403, _) => Self::Misconfigured(e),
            (404, _) => Self::NotFound(e),
            (409, _) => Self::SessionAlreadyUsed(e),
            (422, _) => Self::KycRequired(e),
            (429, _) => Self::RateLimited(e),
            (500, _) => Self::ProofFault(e),
            (502, _) => Self::Upstream(e),
            (300..=399, _) => Self::Redirected(e),
            _ => Self::Unexpected(e),
        }
    }

    /// The Proof answer behind this error, if there was one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Self::InvalidRequest(e)
            | Self::CurrencyNotAllowed(e)
            | Self::WalletNotSupported(e)
            | Self::Misconfigured(e)
            | Self::NotFound(e)
            | Self::SessionAlreadyUsed(e)
            | Self::KycRequired(e)
            | Self::RateLimited(e)
            | Self::ProofFault(e)
            | Self::Upstream(e)
            | Self::Redirected(e)
            | Self::Unexpected(e) => Some(e),
            _ => None,
        }
    }

    /// The request id to quote to Proof support, when Proof sent one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::InvalidResponse { request_id, .. } | Self::ResponseTooLarge { request_id, .. } => {
                request_id.as_deref()
            }
            _ => self.api().and_then(|e| e.request_id.as_deref()),
        }
    }

    /// Whether the integration itself is misconfigured (token, IP or origin): an operator must
    /// act, and retrying cannot help.
    pub fn is_configuration(&self) -> bool {
        matches!(self, Self::Misconfigured(_) | Self::Config(_) | Self::Redirected(_))
    }

    /// Whether an operator must ask Proof to enable something (currency or wallet).
    pub fn needs_operator(&self) -> bool {
        matches!(self, Self::CurrencyNotAllowed(_) | Self::WalletNotSupported(_)) || self.is_configuration()
    }

    pub(crate) fn retry_class(&self) -> RetryClass {
        match self {
            Self::Transport(_) | Self::Upstream(_) | Self::RateLimited(_) => RetryClass::Backoff,
            Self::ProofFault(e) if e.body.error == ErrorSlug::InternalError => RetryClass::Once,
            Self::Unexpected(e) if e.status >= 500 => RetryClass::Backoff,
            _ => RetryClass::No,
        }
    }
}
