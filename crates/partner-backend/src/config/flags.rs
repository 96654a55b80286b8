//! Command-line flags, each also read from the environment variable named in its help. Secrets
//! are not among them: a flag's value shows in the process list, so `PROOF_CLIENT_TOKEN`,
//! `APP_AUTH_SIGNING_KEY` and `PROOF_WEBHOOK_PATH_SECRET` come from the environment or a file
//! (see [`super::Config::from_cli`]).

use std::net::SocketAddr;

use clap::Parser;

use super::defaults;

/// Command-line flags; each also reads the environment variable named in its help.
#[derive(Debug, Parser)]
#[command(name = "proof-ramp-backend", version, about = "The Proof Ramp partner backend")]
pub struct Cli {
    /// Run against an embedded Proof sandbox: a complete local stack with no credentials.
    #[arg(long, env = "RAMP_SANDBOX")]
    pub sandbox: bool,
    /// Address to listen on.
    #[arg(long, env = "LISTEN_ADDR", default_value = defaults::LISTEN)]
    pub listen: SocketAddr,
    /// Public https base URL of this backend (serves the widget page; register its origin with Proof).
    #[arg(long, env = "PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,
    /// Proof API base URL, from onboarding.
    #[arg(long, env = "PROOF_BASE_URL")]
    pub proof_base_url: Option<String>,
    /// URL of the widget script.
    #[arg(long, env = "PROOF_WIDGET_SCRIPT_URL")]
    pub widget_script_url: Option<String>,
    /// Enabled CURRENCY:NETWORK pairs, comma-separated.
    #[arg(long, env = "RAMP_PAIRS", value_delimiter = ',')]
    pub pairs: Vec<String>,
    /// Whether sell (off-ramp) is offered; Proof must have enabled it.
    #[arg(long, env = "RAMP_SELL_ENABLED")]
    pub sell_enabled: Option<bool>,
    /// Smallest crypto amount accepted.
    #[arg(long, env = "RAMP_MIN_AMOUNT", default_value = defaults::MIN_AMOUNT)]
    pub min_amount: String,
    /// Largest crypto amount accepted.
    #[arg(long, env = "RAMP_MAX_AMOUNT", default_value = defaults::MAX_AMOUNT)]
    pub max_amount: String,
    /// Accept a destination address from the user (only if Proof asked for addresses).
    #[arg(long, env = "RAMP_ACCEPT_USER_ADDRESS", default_value_t = false)]
    pub accept_user_address: bool,
    /// Origins of the verification/payment frames the widget opens, comma-separated.
    #[arg(
        long,
        env = "RAMP_WIDGET_FRAME_ORIGINS",
        value_delimiter = ',',
        default_value = defaults::FRAME_ORIGINS
    )]
    pub frame_origins: Vec<String>,
    /// Where the app shows the widget: `webview` (its own isolated webview) or `browser` (the
    /// system browser, returning through RAMP_APP_RETURN_URL).
    #[arg(long, env = "RAMP_WIDGET_MODE", default_value = defaults::WIDGET_MODE)]
    pub widget_mode: String,
    /// Browser mode's way back into the app: the app's registered link (custom scheme, or an
    /// App/Universal Link on https).
    #[arg(long, env = "RAMP_APP_RETURN_URL", default_value = defaults::RETURN_URL)]
    pub app_return_url: String,
    /// Where users reach your support: an https page or a mailto: address. The app offers it,
    /// with the transaction id, beside a failed or expired transaction.
    #[arg(long, env = "RAMP_SUPPORT_URL")]
    pub support_url: Option<String>,
    /// Android App Links: the app's package name (served in /.well-known/assetlinks.json).
    #[arg(long, env = "RAMP_ANDROID_PACKAGE")]
    pub android_package: Option<String>,
    /// Android App Links: SHA-256 fingerprints of the app's signing certificates, comma-separated.
    #[arg(long = "android-cert-sha256", env = "RAMP_ANDROID_CERT_SHA256", value_delimiter = ',')]
    pub android_cert_sha256: Vec<String>,
    /// iOS Universal Links: application identifiers (TEAMID.bundle.id), comma-separated
    /// (served in /.well-known/apple-app-site-association).
    #[arg(long = "ios-app-id", env = "RAMP_IOS_APP_IDS", value_delimiter = ',')]
    pub ios_app_ids: Vec<String>,
    /// Lifetime of an app bearer token, seconds.
    #[arg(long, env = "APP_TOKEN_TTL_SECS", default_value_t = defaults::APP_TOKEN_TTL_SECS)]
    pub app_token_ttl_secs: u64,
    /// Lifetime of an app refresh token, seconds (each use gives a new one).
    #[arg(long, env = "APP_REFRESH_TTL_SECS", default_value_t = defaults::APP_REFRESH_TTL_SECS)]
    pub app_refresh_ttl_secs: u64,
    /// Database URL: a SQLite file (sqlite://path/to/file.db) for one instance, or PostgreSQL
    /// (postgres://user:password@host/db) shared by several.
    #[arg(long, env = "DATABASE_URL", default_value = defaults::DATABASE_URL, hide_env_values = true)]
    pub database_url: super::Secret,
    /// Length of an instance's lease on watching a transaction, seconds: when an instance dies,
    /// another takes its transactions over within about this long.
    #[arg(long, env = "WATCH_LEASE_SECS", default_value_t = defaults::WATCH_LEASE_SECS)]
    pub watch_lease_secs: u64,
    /// Most transactions one instance watches at Proof at once; beyond it they wait for another
    /// instance or a later sweep (logged).
    #[arg(long, env = "MAX_UPSTREAM_WATCHERS", default_value_t = defaults::MAX_UPSTREAM_WATCHERS)]
    pub max_upstream_watchers: usize,
    /// Seconds after its widget link expired unopened that a transaction stops being watched.
    #[arg(long, env = "UNOPENED_WATCH_GRACE_SECS", default_value_t = defaults::UNOPENED_WATCH_GRACE_SECS)]
    pub unopened_watch_grace_secs: u64,
    /// This instance's name in watcher leases and logs; unique per running process (default:
    /// host name, process id and a random suffix).
    #[arg(long, env = "INSTANCE_ID")]
    pub instance_id: Option<String>,
    /// Proxies (CIDRs, comma-separated) whose X-Forwarded-For is trusted for the client IP.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    /// Lifetime of a widget link, seconds (at most 300).
    #[arg(long, env = "WIDGET_LINK_TTL_SECS", default_value_t = defaults::WIDGET_LINK_TTL_SECS)]
    pub widget_link_ttl_secs: u64,
    /// How long Proof accepts a session, seconds: an unfinished transaction can be continued
    /// with a fresh link until then (the init_token's own expiry wins when earlier).
    #[arg(long, env = "PROOF_SESSION_TTL_SECS", default_value_t = defaults::PROOF_SESSION_TTL_SECS)]
    pub proof_session_ttl_secs: u64,
    /// Requests one signed-in user may make per minute on /v1, per instance.
    #[arg(long, env = "API_RATE_PER_USER_PER_MINUTE", default_value_t = defaults::API_RATE_PER_USER_PER_MINUTE)]
    pub api_rate_per_user_per_minute: u32,
    /// Requests one client address may make per minute on /v1, per instance (mobile carriers
    /// put many users behind one address: keep it generous).
    #[arg(long, env = "API_RATE_PER_IP_PER_MINUTE", default_value_t = defaults::API_RATE_PER_IP_PER_MINUTE)]
    pub api_rate_per_ip_per_minute: u32,
    /// Status streams one user may have open at once, per instance.
    #[arg(long, env = "MAX_STREAMS_PER_USER", default_value_t = defaults::MAX_STREAMS_PER_USER)]
    pub max_streams_per_user: usize,
    /// Seconds a user's KYC status from Proof is reused (0: ask Proof every time).
    #[arg(long, env = "KYC_CACHE_SECS", default_value_t = defaults::KYC_CACHE_SECS)]
    pub kyc_cache_secs: u64,
    /// Sessions a user may create per minute.
    #[arg(long, env = "SESSION_RATE_PER_MINUTE", default_value_t = defaults::SESSION_RATE_PER_MINUTE)]
    pub session_rate_per_minute: u32,
    /// Seconds a connection may take to send a request's headers, or stay idle between requests.
    #[arg(long, env = "IDLE_TIMEOUT_SECS", default_value_t = defaults::IDLE_TIMEOUT_SECS)]
    pub idle_timeout_secs: u64,
    /// Longest an app request waits for Proof, retries and body included, milliseconds; past it
    /// the app gets 503 provider_unavailable with Retry-After.
    #[arg(long, env = "REQUEST_DEADLINE_MS", default_value_t = defaults::REQUEST_DEADLINE_MS)]
    pub request_deadline_ms: u64,
    /// Poll interval when the Proof WebSocket is unavailable, milliseconds (5000–10000 advised).
    #[arg(long, env = "PROOF_POLL_INTERVAL_MS", default_value_t = defaults::POLL_INTERVAL_MS)]
    pub poll_interval_ms: u64,
}
