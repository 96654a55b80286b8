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
//!
//! ```
//! use proof_api::{Amount, TxStatus};
//!
//! // Amounts stay decimal strings end to end; statuses Proof may add later are kept, not lost.
//! let amount = Amount::parse("99.50").expect("a decimal");
//! assert_eq!(amount.as_str(), "99.50");
//! assert!(Amount::parse("1e3").is_err());
//! let status: TxStatus = serde_json::from_str("\"completed\"").expect("a status");
//! assert!(status.is_terminal());
//! let newer: TxStatus = serde_json::from_str("\"on_hold\"").expect("an unknown status");
//! assert_eq!(newer, TxStatus::Unknown("on_hold".into()));
//! assert!(!newer.is_terminal(), "a watcher keeps going on a status it does not know");
//! ```

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
