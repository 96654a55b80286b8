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
//!
//! ```
//! use ramp_core::nav::{NavDecision, NavPolicy};
//!
//! // The backend's `GET /v1/config` decides where the payment window may go.
//! let config: ramp_api::RampConfig = serde_json::from_value(serde_json::json!({
//!     "environment": "sandbox",
//!     "assets": [],
//!     "sell_enabled": true,
//!     "min_amount": "1",
//!     "max_amount": "10000",
//!     "accepts_user_address": false,
//!     "navigation_allowlist": ["https://ramp.partner.example", "https://*.sumsub.com"],
//!     "widget_event_url": "https://ramp.partner.example/app/widget-event"
//! }))
//! .expect("a configuration");
//! let policy = NavPolicy::new(&config).expect("valid rules");
//! let decide = |u: &str| policy.decide(&url::Url::parse(u).expect("a URL"));
//! assert_eq!(decide("https://api.sumsub.com/idensic"), NavDecision::Allow);
//! assert_eq!(decide("https://bank.example/terms"), NavDecision::OpenExternally);
//! assert_eq!(decide("intent://scan#Intent;end"), NavDecision::Block);
//! ```

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
