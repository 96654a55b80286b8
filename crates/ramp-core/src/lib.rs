//! The Proof Ramp app's logic, without Tauri, so it builds and tests fast on any machine.
//!
//! - [`app`]: the app itself (sign-in, purchases, the payment window's life), on a shell
//!   that does only what needs the platform.
//! - [`BackendClient`]: the typed client of the partner backend (`ramp-api` types).
//! - [`tokens`]: the sign-in between launches, behind [`TokenStore`].
//! - [`flow`]: screens as a state machine.
//! - [`stream`]: a transaction's live status over SSE, reconnecting and resuming.
//! - [`nav`]: the widget webview's navigation policy and the widget event URL.
//! - [`log`]: the diagnostics event log with redacted export.
//!
//! The app never holds a Proof credential: only its own short-lived backend token.

pub mod app;
mod client;
mod error;
pub mod flow;
pub mod log;
pub mod nav;
pub mod qr;

/// The wallet-address reader, shared with the backend (it lives in `ramp-api` so both sides read
/// addresses the same way).
pub use ramp_api::address;
pub mod stream;
pub mod tokens;

pub use client::{BackendClient, Build};
pub use error::{CoreError, ErrorKind, Result};
pub use tokens::{FileTokenStore, MemoryTokenStore, StoredSession, TokenStore};
