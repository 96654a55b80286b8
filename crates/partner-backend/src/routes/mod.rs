//! The HTTP surface, by resource. Every `/v1` route except the sandbox login needs an app token.

pub(crate) mod auth;
pub(crate) mod config;
pub(crate) mod health;
pub(crate) mod host_page;
pub(crate) mod kyc;
#[cfg(feature = "sandbox")]
pub(crate) mod sandbox;
pub(crate) mod sessions;
pub(crate) mod transactions;
pub(crate) mod webhook;
pub(crate) mod well_known;

use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;

use crate::error::AppError;

/// `Json` whose rejections come out in the API's error shape.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub(crate) struct AppJson<T>(pub(crate) T);

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> Self {
        if r.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            return AppError::PayloadTooLarge;
        }
        AppError::invalid("body", crate::i18n::Msg::key("invalid.body").with("detail", r.body_text()))
    }
}

/// Run a Proof call within the app request's deadline (`REQUEST_DEADLINE_MS`), retries and
/// body reading included. Past it the call is dropped (nothing was stored yet: every handler
/// calls Proof before writing) and the app gets `503 provider_unavailable` with `Retry-After`.
pub(crate) async fn within_deadline<T>(
    deadline: std::time::Duration,
    call: impl std::future::Future<Output = Result<T, proof_api::Error>>,
) -> Result<Result<T, proof_api::Error>, crate::error::AppError> {
    tokio::time::timeout(deadline, call).await.map_err(|_| {
        tracing::warn!(?deadline, "Proof did not answer within the request deadline");
        crate::error::AppError::ProviderUnavailable
    })
}
