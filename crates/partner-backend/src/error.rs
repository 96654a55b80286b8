//! `AppError`: every failure toward the app, as one JSON shape with a status.
//!
//! 5xx bodies stay generic; the detail goes to the log with the request id. Proof's errors are
//! mapped here once: `502`s (after the client's retries) become `503 provider_unavailable`,
//! `currency_not_allowed`/`wallet_not_supported` a `422 pair_unavailable` plus an operator log
//! line, and `401`/`403` from Proof a configuration error in the log and a generic `500`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use ramp_api::i18n::Lang;
use ramp_api::{ApiErrorBody, ErrorEnvelope, codes};

use crate::i18n::Msg;

/// `Retry-After` on `503 provider_unavailable`: long enough for a blip at Proof to pass.
const PROVIDER_RETRY_AFTER_SECS: u64 = 5;
/// `Retry-After` on `503 unavailable` (the database): a failover or restart takes seconds.
const STORE_RETRY_AFTER_SECS: u64 = 5;

/// An error answer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// 401: no valid app token.
    #[error("sign in again: {0}")]
    Unauthenticated(&'static str),
    /// 400/422: a field is wrong.
    #[error("{}", message.text(Lang::EN))]
    Invalid {
        /// The field at fault.
        field: &'static str,
        /// What to do.
        message: Msg,
    },
    /// 409: the transaction cannot be continued (it ended, or its Proof session expired).
    #[error("{}", .0.text(Lang::EN))]
    NotResumable(Msg),
    /// 422: the (currency, network) pair was refused by Proof; an operator must act.
    #[error("{currency} on {network} is not available right now")]
    PairUnavailable {
        /// Currency.
        currency: String,
        /// Network.
        network: String,
    },
    /// 404.
    #[error("not found")]
    NotFound,
    /// 413: the body is larger than the API accepts.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 429.
    #[error("too many requests")]
    RateLimited {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// 429: the user has as many status streams open as allowed.
    #[error("too many status streams")]
    TooManyStreams {
        /// Seconds to wait.
        retry_after: u64,
    },
    /// 503: Proof is unreachable or failing after retries.
    #[error("the ramp provider is unavailable")]
    ProviderUnavailable,
    /// 503: the database does not answer (an outage, a full pool). Nothing was changed; the app
    /// tries again after `Retry-After`, and nobody is signed out for it.
    #[error("the database is unavailable")]
    StoreUnavailable,
    /// 500: anything else; the detail is logged (once, when answered), never sent.
    #[error("internal error: {0}")]
    Internal(String),
    /// 500 for a failure already logged where it happened (with Proof's request id), so the
    /// answer does not log it a second time.
    #[error("internal error (logged)")]
    Reported,
}

impl AppError {
    pub(crate) fn invalid(field: &'static str, message: Msg) -> Self {
        Self::Invalid { field, message }
    }

    /// Map a Proof client error, logging what an operator must see.
    pub(crate) fn from_proof(e: proof_api::Error, currency: Option<(&str, &str)>) -> Self {
        let request_id = e.request_id().unwrap_or("-").to_owned();
        match e {
            proof_api::Error::CurrencyNotAllowed(_) | proof_api::Error::WalletNotSupported(_) => {
                let (currency, network) = currency.unwrap_or(("?", "?"));
                tracing::error!(
                    operator_action = true,
                    proof_request_id = %request_id,
                    currency, network,
                    "Proof refused the pair; ask Proof to enable the currency or provision a wallet: {e}"
                );
                Self::PairUnavailable { currency: currency.to_owned(), network: network.to_owned() }
            }
            proof_api::Error::Upstream(_) | proof_api::Error::Transport(_) | proof_api::Error::RateLimited(_) => {
                tracing::warn!(proof_request_id = %request_id, "Proof unavailable after retries: {e}");
                Self::ProviderUnavailable
            }
            proof_api::Error::ProofFault(_) => {
                tracing::error!(proof_request_id = %request_id, "Proof internal error; contact Proof support with the request id: {e}");
                Self::ProviderUnavailable
            }
            // Proof answered, but not as its contract says (garbled or incomplete body, a value
            // we cannot read, an oversized body, an undocumented 5xx): Proof's fault, not ours.
            proof_api::Error::InvalidResponse { .. } | proof_api::Error::ResponseTooLarge { .. } => {
                tracing::error!(proof_request_id = %request_id, "Proof broke its contract; contact Proof support with the request id: {e}");
                Self::ProviderUnavailable
            }
            proof_api::Error::Unexpected(ref api) if api.status >= 500 => {
                tracing::error!(proof_request_id = %request_id, "Proof failed with an undocumented answer: {e}");
                Self::ProviderUnavailable
            }
            proof_api::Error::NotFound(_) => Self::NotFound,
            // Something else answers for Proof: nothing it says is believed, and the app may
            // try again once an operator fixed the route.
            proof_api::Error::Redirected(_) => {
                tracing::error!(
                    operator_action = true,
                    proof_request_id = %request_id,
                    "CONFIGURATION ERROR: {e}"
                );
                Self::ProviderUnavailable
            }
            e if e.is_configuration() => {
                tracing::error!(
                    operator_action = true,
                    proof_request_id = %request_id,
                    "CONFIGURATION ERROR: Proof refused this backend (token, egress IP or origin): {e}"
                );
                Self::Reported
            }
            e => {
                tracing::error!(proof_request_id = %request_id, "unexpected Proof error: {e}");
                Self::Reported
            }
        }
    }

    fn parts(&self) -> (StatusCode, &'static str, Msg, Option<&'static str>) {
        let key = Msg::key;
        match self {
            Self::Unauthenticated(why) => {
                let sentence = if why.contains("expired") { "error.session_expired" } else { "error.unauthenticated" };
                (StatusCode::UNAUTHORIZED, codes::UNAUTHENTICATED, key(sentence), None)
            }
            Self::Invalid { field, message } => {
                (StatusCode::UNPROCESSABLE_ENTITY, codes::INVALID_REQUEST, message.clone(), Some(field))
            }
            Self::NotResumable(message) => (StatusCode::CONFLICT, codes::NOT_RESUMABLE, message.clone(), None),
            Self::PairUnavailable { currency, network } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                codes::PAIR_UNAVAILABLE,
                key("error.pair_unavailable").with("currency", currency).with("network", network),
                None,
            ),
            Self::NotFound => (StatusCode::NOT_FOUND, codes::NOT_FOUND, key("error.not_found"), None),
            Self::PayloadTooLarge => {
                (StatusCode::PAYLOAD_TOO_LARGE, codes::PAYLOAD_TOO_LARGE, key("error.payload_too_large"), Some("body"))
            }
            Self::RateLimited { retry_after } => (
                StatusCode::TOO_MANY_REQUESTS,
                codes::RATE_LIMITED,
                key("error.rate_limited").with("seconds", retry_after.to_string()),
                None,
            ),
            Self::TooManyStreams { .. } => {
                (StatusCode::TOO_MANY_REQUESTS, codes::RATE_LIMITED, key("error.too_many_streams"), None)
            }
            Self::ProviderUnavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, codes::PROVIDER_UNAVAILABLE, key("error.provider_unavailable"), None)
            }
            Self::StoreUnavailable => {
                (StatusCode::SERVICE_UNAVAILABLE, codes::UNAVAILABLE, key("error.unavailable"), None)
            }
            Self::Internal(_) | Self::Reported => {
                (StatusCode::INTERNAL_SERVER_ERROR, codes::INTERNAL, key("error.internal"), None)
            }
        }
    }
}

/// The sentence of an error answer, for the request-context middleware to put in the language
/// the request asked for (the body carries English until then).
#[derive(Clone, Debug)]
pub(crate) struct Localize(pub(crate) Msg);

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, code, message, field) = self.parts();
        if let Self::Internal(detail) = &self {
            tracing::error!("internal error: {detail}");
        }
        let body = ErrorEnvelope {
            error: ApiErrorBody {
                code: code.to_owned(),
                message: message.text(Lang::EN),
                request_id: None,
                field: field.map(str::to_owned),
            },
        };
        let mut resp = (status, Json(body)).into_response();
        resp.extensions_mut().insert(Localize(message));
        let retry_after = match self {
            Self::RateLimited { retry_after } | Self::TooManyStreams { retry_after } => Some(retry_after),
            Self::ProviderUnavailable => Some(PROVIDER_RETRY_AFTER_SECS),
            Self::StoreUnavailable => Some(STORE_RETRY_AFTER_SECS),
            _ => None,
        };
        if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        if crate::store::is_outage(&e) {
            tracing::error!("database unavailable (answering 503): {e}");
            return Self::StoreUnavailable;
        }
        Self::Internal(format!("database: {e}"))
    }
}

/// Handler result.
pub(crate) type AppResult<T> = Result<T, AppError>;
