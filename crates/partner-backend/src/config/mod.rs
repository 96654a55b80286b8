//! Configuration, read once at start-up from flags and environment and validated; every error
//! names the variable to fix. Split by job: [`flags`] (what can be passed), `validate` (flags
//! and secrets into a [`Config`]), `helpers` (small shared pieces). Secrets
//! (`PROOF_CLIENT_TOKEN`, `APP_AUTH_SIGNING_KEY`, `PROOF_WEBHOOK_PATH_SECRET`, `DATABASE_URL`)
//! come from the environment or a file, are never flags, and are never printed, not even by
//! `Debug`.

pub mod defaults;
mod flags;
mod helpers;
mod validate;

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use ipnet::IpNet;
use proof_api::Amount;
use ramp_api::WidgetMode;
use url::Url;

use crate::secret::random_token;
pub use flags::Cli;
pub(crate) use helpers::{decimal, valid_symbol};
use helpers::{default_instance_id, literal_amount};

/// The real widget script; the default outside sandbox mode.
pub const PROOF_WIDGET_SCRIPT: &str = "https://widget.proof.community/widget.2.0.js";
/// Longest allowed lifetime of a widget link.
pub const MAX_LINK_TTL: Duration = Duration::from_secs(defaults::WIDGET_LINK_TTL_SECS);

/// A configuration problem, naming the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    /// The environment variable (or flag) at fault.
    pub var: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

/// Where Proof is.
#[derive(Clone, Debug)]
pub enum ProofTarget {
    /// Start an embedded sandbox at launch.
    Sandbox,
    /// The real (or an external) Proof.
    Remote {
        /// API base URL.
        base_url: Url,
        /// The secret token (checked usable as a header).
        client_token: Secret,
        /// Widget script.
        widget_script_url: Url,
    },
}

/// A secret string whose `Debug` hides it.
#[derive(Clone)]
pub struct Secret(pub(crate) String);

impl Secret {
    /// Wrap a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
}

impl std::str::FromStr for Secret {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_owned()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// Where to listen (port 0 picks one).
    pub listen: SocketAddr,
    /// Public base URL; `None` in sandbox mode means `http://<bound address>`.
    pub public_base_url: Option<Url>,
    /// Proof.
    pub proof: ProofTarget,
    /// Webhook path secret; `None` disables the webhook receiver (random in sandbox mode).
    pub webhook_path_secret: Option<Secret>,
    /// Enabled (currency, network) pairs.
    pub pairs: Vec<(String, String)>,
    /// Sell on/off.
    pub sell_enabled: bool,
    /// Amount limits.
    pub min_amount: Amount,
    /// Amount limits.
    pub max_amount: Amount,
    /// Accept user addresses.
    pub accept_user_address: bool,
    /// Verification/payment frame origins (camera policy and navigation allowlist).
    pub frame_origins: Vec<String>,
    /// Webview or browser.
    pub widget_mode: WidgetMode,
    /// The app's return link (browser mode), validated.
    pub app_return_url: String,
    /// The apps this backend's origin vouches for (App Links, Universal Links).
    pub app_links: AppLinks,
    /// The partner's support page or address (`https:` or `mailto:`), validated.
    pub support_url: Option<String>,
    /// App token signing key.
    pub auth_signing_key: Secret,
    /// App token lifetime.
    pub app_token_ttl: Duration,
    /// App refresh token lifetime.
    pub app_refresh_ttl: Duration,
    /// Database URL (`sqlite:` or `postgres:`); a secret, as it may carry a password.
    pub database_url: Secret,
    /// Watcher lease length.
    pub watch_lease: Duration,
    /// This instance's name in leases and logs.
    pub instance_id: String,
    /// Most transactions this instance watches at once.
    pub max_upstream_watchers: usize,
    /// How long after its link expired unopened a transaction is still watched.
    pub unopened_watch_grace: Duration,
    /// Trusted proxies.
    pub trusted_proxies: Vec<IpNet>,
    /// Widget link lifetime.
    pub widget_link_ttl: Duration,
    /// How long Proof accepts a session after it was created (its `init_token`); an unfinished
    /// transaction can be continued until then. The token's own `exp` claim wins when earlier.
    pub proof_session_ttl: Duration,
    /// Session creations per user per minute.
    pub session_rate_per_minute: u32,
    /// /v1 requests per user per minute (per instance).
    pub api_rate_per_user_per_minute: u32,
    /// /v1 requests per client address per minute (per instance).
    pub api_rate_per_ip_per_minute: u32,
    /// Open status streams per user (per instance).
    pub max_streams_per_user: usize,
    /// How long a KYC status from Proof is reused.
    pub kyc_cache_ttl: Duration,
    /// Polling interval without a WebSocket.
    pub poll_interval: Duration,
    /// Longest an app request waits for Proof.
    pub request_deadline: Duration,
    /// Longest a connection may take to send request headers or stay idle.
    pub idle_timeout: Duration,
    /// First WebSocket reconnection delay.
    pub ws_min_delay: Duration,
    /// Cap on WebSocket reconnection delays.
    pub ws_max_delay: Duration,
    /// Longest a payment window's page is held for a link not recorded yet
    /// ([`ramp_api::link::WAIT`]).
    pub link_wait: Duration,
    /// How often a held page looks its link up besides the wake-ups (this instance's new links,
    /// and on PostgreSQL every instance's): the most a missed notice delays a payment window.
    pub link_poll: Duration,
}

/// The app's return link by default (`plugins.deep-link` in the app's `tauri.conf.json`).
pub const DEFAULT_RETURN_URL: &str = defaults::RETURN_URL;

/// The pairs the sandbox enables.
const SANDBOX_PAIRS: &[(&str, &str)] =
    &[("USDT", "TRC20"), ("USDT", "ERC20"), ("USDT", "BEP20"), ("USDC", "ERC20"), ("ETH", "ERC20"), ("BTC", "BITCOIN")];

/// The apps this backend's origin vouches for, so that an https return link on it
/// (`RAMP_APP_RETURN_URL`) opens the app itself and no other: Android App Links
/// (`/.well-known/assetlinks.json`) and iOS Universal Links
/// (`/.well-known/apple-app-site-association`). Empty: neither file is served.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppLinks {
    /// The Android app's package name and its signing certificates' SHA-256 fingerprints
    /// (`AA:BB:…`, 32 bytes, upper case).
    pub android: Option<(String, Vec<String>)>,
    /// The iOS apps, as application identifiers: `TEAMID.bundle.id`.
    pub ios_app_ids: Vec<String>,
}

impl Config {
    /// A sandbox-mode configuration with defaults, storing data at `database_url`.
    pub fn sandbox(database_url: impl Into<String>) -> Self {
        Self {
            listen: defaults::LISTEN.parse().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080))),
            public_base_url: None,
            proof: ProofTarget::Sandbox,
            webhook_path_secret: Some(Secret(random_token())),
            pairs: SANDBOX_PAIRS.iter().map(|(c, n)| ((*c).to_owned(), (*n).to_owned())).collect(),
            sell_enabled: true,
            min_amount: literal_amount(defaults::MIN_AMOUNT),
            max_amount: literal_amount(defaults::MAX_AMOUNT),
            accept_user_address: false,
            frame_origins: defaults::FRAME_ORIGINS.split(',').map(str::to_owned).collect(),
            widget_mode: WidgetMode::Webview,
            app_return_url: DEFAULT_RETURN_URL.to_owned(),
            app_links: AppLinks::default(),
            support_url: None,
            auth_signing_key: Secret(random_token()),
            app_token_ttl: Duration::from_secs(defaults::APP_TOKEN_TTL_SECS),
            app_refresh_ttl: Duration::from_secs(defaults::APP_REFRESH_TTL_SECS),
            database_url: Secret(database_url.into()),
            watch_lease: Duration::from_secs(defaults::WATCH_LEASE_SECS),
            instance_id: default_instance_id(),
            max_upstream_watchers: defaults::MAX_UPSTREAM_WATCHERS,
            unopened_watch_grace: Duration::from_secs(defaults::UNOPENED_WATCH_GRACE_SECS),
            trusted_proxies: Vec::new(),
            widget_link_ttl: MAX_LINK_TTL,
            proof_session_ttl: Duration::from_secs(defaults::PROOF_SESSION_TTL_SECS),
            session_rate_per_minute: defaults::SESSION_RATE_PER_MINUTE,
            api_rate_per_user_per_minute: defaults::API_RATE_PER_USER_PER_MINUTE,
            api_rate_per_ip_per_minute: defaults::API_RATE_PER_IP_PER_MINUTE,
            max_streams_per_user: defaults::MAX_STREAMS_PER_USER,
            kyc_cache_ttl: Duration::from_secs(defaults::KYC_CACHE_SECS),
            poll_interval: Duration::from_millis(defaults::POLL_INTERVAL_MS),
            request_deadline: Duration::from_millis(defaults::REQUEST_DEADLINE_MS),
            idle_timeout: Duration::from_secs(defaults::IDLE_TIMEOUT_SECS),
            ws_min_delay: Duration::from_secs(1),
            ws_max_delay: Duration::from_secs(30),
            link_wait: ramp_api::link::WAIT,
            link_poll: Duration::from_secs(1),
        }
    }

    /// Whether an embedded sandbox is used.
    pub fn is_sandbox(&self) -> bool {
        matches!(self.proof, ProofTarget::Sandbox)
    }
}
