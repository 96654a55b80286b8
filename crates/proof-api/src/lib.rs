//! The Proof On/Off Ramp API: its wire contract and an async client for the partner backend.
//!
//! - [`models`]: serde types for every documented payload (session, transaction, KYC status,
//!   WebSocket `tx.update`, webhook body, widget callbacks, error body).
//! - [`ProofClient`]: `POST /widget/session`, `GET /widget/transactions/{id}`,
//!   `GET /widget/users/{id}/kyc-status`, with bearer auth, timeouts and retries.
//! - [`ProofClient::subscribe`]: the `/ws?tx_id=` WebSocket with reconnection.
//!
//! The client holds the secret `client_token`: use it only on a server, never in an app.
//! TLS is rustls with the ring provider; there is no OpenSSL dependency.

//!
//! With `default-features = false` only [`models`] remain, without any network dependency.

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod error;
pub mod models;
#[cfg(feature = "client")]
mod ws;

#[cfg(feature = "client")]
pub use client::{ClientBuilder, ClientToken, MAX_RESPONSE_BYTES, ProofClient, RetryPolicy};
#[cfg(feature = "client")]
pub use error::{ApiError, Error, Result};
pub use models::*;
#[cfg(feature = "client")]
pub use ws::{TxSubscription, WsOptions};
