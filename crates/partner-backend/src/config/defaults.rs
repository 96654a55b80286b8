//! Every default setting, written once: the flags show them in `--help` and
//! [`super::Config::sandbox`] starts from them.

/// `LISTEN_ADDR`.
pub const LISTEN: &str = "127.0.0.1:8080";
/// `DATABASE_URL`.
pub const DATABASE_URL: &str = "sqlite://proof-ramp.db";
/// `RAMP_MIN_AMOUNT`.
pub const MIN_AMOUNT: &str = "1";
/// `RAMP_MAX_AMOUNT`.
pub const MAX_AMOUNT: &str = "10000";
/// `RAMP_WIDGET_FRAME_ORIGINS`: Sumsub's, where the widget runs identity verification.
pub const FRAME_ORIGINS: &str = "https://api.sumsub.com,https://in.sumsub.com";
/// `RAMP_WIDGET_MODE`.
pub const WIDGET_MODE: &str = "webview";
/// `RAMP_APP_RETURN_URL`: the app's link (`plugins.deep-link` in the app's `tauri.conf.json`).
pub const RETURN_URL: &str = "prooframp://return";
/// `APP_TOKEN_TTL_SECS`.
pub const APP_TOKEN_TTL_SECS: u64 = 900;
/// `APP_REFRESH_TTL_SECS`: 30 days.
pub const APP_REFRESH_TTL_SECS: u64 = 30 * 86_400;
/// `WATCH_LEASE_SECS`.
pub const WATCH_LEASE_SECS: u64 = 10;
/// `MAX_UPSTREAM_WATCHERS`.
pub const MAX_UPSTREAM_WATCHERS: usize = 10_000;
/// `UNOPENED_WATCH_GRACE_SECS`.
pub const UNOPENED_WATCH_GRACE_SECS: u64 = 300;
/// `WIDGET_LINK_TTL_SECS`, also the longest allowed.
pub const WIDGET_LINK_TTL_SECS: u64 = 300;
/// `PROOF_SESSION_TTL_SECS`.
pub const PROOF_SESSION_TTL_SECS: u64 = 3600;
/// `SESSION_RATE_PER_MINUTE`.
pub const SESSION_RATE_PER_MINUTE: u32 = 10;
/// `API_RATE_PER_USER_PER_MINUTE`.
pub const API_RATE_PER_USER_PER_MINUTE: u32 = 300;
/// `API_RATE_PER_IP_PER_MINUTE`.
pub const API_RATE_PER_IP_PER_MINUTE: u32 = 1200;
/// `MAX_STREAMS_PER_USER`.
pub const MAX_STREAMS_PER_USER: usize = 4;
/// `KYC_CACHE_SECS`.
pub const KYC_CACHE_SECS: u64 = 5;
/// `IDLE_TIMEOUT_SECS`.
pub const IDLE_TIMEOUT_SECS: u64 = 30;
/// `REQUEST_DEADLINE_MS`.
pub const REQUEST_DEADLINE_MS: u64 = 10_000;
/// `PROOF_POLL_INTERVAL_MS`.
pub const POLL_INTERVAL_MS: u64 = 5000;
