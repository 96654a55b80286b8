//! Errors in Proof's documented shape, from one constructor each, with messages that say how to
//! fix the request.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use proof_api::{ErrorBody, ErrorCode, ErrorSlug};

/// An error answer: status plus Proof's error body. `X-Request-Id` is added by middleware.
#[derive(Debug, Clone)]
pub(crate) struct ApiFailure {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiFailure {
    fn new(status: StatusCode, error: ErrorSlug, code: ErrorCode, message: impl Into<String>) -> Self {
        Self { status, body: ErrorBody::new(error, code, message) }
    }

    pub(crate) fn missing_param(field: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorSlug::InvalidRequest,
            ErrorCode::MissingParam,
            format!("{field} is required"),
        )
    }

    pub(crate) fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorSlug::InvalidRequest, ErrorCode::ValidationError, message)
    }

    pub(crate) fn decode(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorSlug::InvalidRequest, ErrorCode::DecodeError, message)
    }

    pub(crate) fn currency_not_allowed(currency: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorSlug::InvalidRequest,
            ErrorCode::CurrencyNotAllowed,
            format!("currency {currency} is not enabled for this partner; ask Proof to enable it"),
        )
    }

    pub(crate) fn wallet_not_supported(currency: &str, network: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorSlug::WalletNotSupported,
            ErrorCode::WalletNotSupported,
            format!("no active wallet for {currency} on {network}; ask Proof to provision one"),
        )
    }

    pub(crate) fn missing_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorSlug::Unauthorised,
            ErrorCode::MissingToken,
            "send Authorization: Bearer <client_token>",
        )
    }

    pub(crate) fn invalid_token(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorSlug::Unauthorised, ErrorCode::InvalidToken, message)
    }

    pub(crate) fn forbidden_origin(origin: &str) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorSlug::Forbidden,
            ErrorCode::ForbiddenOrigin,
            format!("origin {origin} is not registered for this partner; register it with Proof"),
        )
    }

    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, ErrorSlug::NotFound, ErrorCode::NotFound, format!("{what} not found"))
    }

    pub(crate) fn provider_error() -> Self {
        Self::new(
            StatusCode::BAD_GATEWAY,
            ErrorSlug::UpstreamError,
            ErrorCode::ProviderError,
            "an external provider returned an error (injected by the sandbox); retry with backoff",
        )
    }

    /// A refused WebSocket handshake (fault injection): `404` as Proof's not-found, anything
    /// else as a provider error with that status.
    pub(crate) fn ws_refused(status: u16) -> Self {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        if status == StatusCode::NOT_FOUND {
            return Self::not_found("WebSocket endpoint (injected by the sandbox)");
        }
        Self::new(
            status,
            ErrorSlug::UpstreamError,
            ErrorCode::ProviderError,
            "the WebSocket endpoint is unavailable (injected by the sandbox); poll instead",
        )
    }

    pub(crate) fn session_used(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            ErrorSlug::SessionAlreadyUsed,
            ErrorCode::Unknown("session_already_used".into()),
            message,
        )
    }
}

impl IntoResponse for ApiFailure {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
