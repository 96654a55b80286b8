//! `POST /proof/webhook/{secret}`: Proof's outbound webhook.
//!
//! Unsigned and best effort, so it is only a hint: the receiver answers `204` at once, confirms by
//! fetching the transaction from Proof before anything changes, and only then records
//! (`merchant_transaction_id`, `status`), so later duplicates are no-ops while a redelivery of a
//! hint that could not be confirmed (Proof failing at that moment) is tried again. The unguessable path segment cuts noise; it is
//! not authentication. Its body arrives whole within `IDLE_TIMEOUT_SECS` or not at all
//! ([`crate::middleware::bounded_body`]), so slow unauthenticated bodies hold nothing.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;

use crate::clock::now_iso;
use crate::state::AppState;

/// Only the fields the receiver needs; the rest of the body is ignored.
#[derive(Deserialize)]
struct Hint {
    merchant_transaction_id: String,
    status: String,
}

pub(crate) async fn webhook_receive(State(s): State<AppState>, Path(secret): Path<String>, body: Bytes) -> StatusCode {
    let expected = s.config.webhook_path_secret.as_ref().map(|x| x.0.as_bytes());
    if expected.is_none_or(|e| !constant_time_eq(e, secret.as_bytes())) {
        return StatusCode::NOT_FOUND;
    }
    let Ok(hint) = serde_json::from_slice::<Hint>(&body) else {
        tracing::warn!("ignored a webhook whose body is not Proof's shape");
        return StatusCode::BAD_REQUEST;
    };
    match s.store.transaction(&hint.merchant_transaction_id).await {
        Ok(Some(_)) => {}
        Ok(None) => return StatusCode::NO_CONTENT, // not ours (or not yet recorded): nothing to do
        Err(e) => {
            tracing::error!("webhook: database: {e}");
            return StatusCode::SERVICE_UNAVAILABLE;
        }
    }
    match s.store.webhook_seen(&hint.merchant_transaction_id, &hint.status).await {
        Ok(true) => tracing::debug!(tx_id = %hint.merchant_transaction_id, "duplicate webhook ignored"),
        Ok(false) => {
            let (relay, store) = (s.relay.clone(), s.store.clone());
            tokio::spawn(async move {
                let Hint { merchant_transaction_id: id, status: told } = hint;
                // The receipt is for the status Proof confirmed, not the one the hint told: a
                // premature `completed` hint confirmed as `processing` must not make the
                // genuine `completed` hint look like a duplicate later.
                if let Some(confirmed) = relay.confirm(&id).await {
                    if confirmed.as_str() != told {
                        tracing::info!(tx_id = %id, told, confirmed = confirmed.as_str(), "a webhook told a status Proof did not confirm");
                    }
                    if let Err(e) = store.record_webhook(&id, confirmed.as_str(), &now_iso()).await {
                        tracing::warn!(tx_id = %id, "webhook: could not record the receipt: {e}");
                    }
                }
            });
        }
        Err(e) => {
            tracing::error!("webhook: database: {e}");
            return StatusCode::SERVICE_UNAVAILABLE;
        }
    }
    StatusCode::NO_CONTENT
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
