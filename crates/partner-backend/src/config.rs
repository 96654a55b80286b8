//! Configuration, read once at start-up from flags and environment and validated; every error
//! names the variable to fix. Secrets (`PROOF_CLIENT_TOKEN`, `APP_AUTH_SIGNING_KEY`) are never
//! printed, not even by `Debug`.

use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use clap::Parser;
use ipnet::IpNet;
use proof_api::{Amount, ClientToken};
use ramp_api::WidgetMode;
use rust_decimal::Decimal;
use url::Url;

/// The real widget script; the default outside sandbox mode.
pub const PROOF_WIDGET_SCRIPT: &str = "https://widget.proof.community/widget.2.0.js";
/// Longest allowed lifetime of a widget link.
pub const MAX_LINK_TTL: Duration = Duration::from_secs(300);

/// Command-line flags; each also reads the environment variable named in its help.
#[derive(Debug, Parser)]
#[command(name = "proof-ramp-backend", version, about = "The Proof Ramp partner backend")]
pub struct Cli {
    /// Run against an embedded Proof sandbox: a complete local stack with no credentials.
    #[arg(long, env = "RAMP_SANDBOX")]
    pub sandbox: bool,
    /// Address to listen on.
    #[arg(long, env = "LISTEN_ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Public https base URL of this backend (serves the widget page; register its origin with Proof).
    #[arg(long, env = "PUBLIC_BASE_URL")]
    pub public_base_url: Option<String>,
    /// Proof API base URL, from onboarding.
    #[arg(long, env = "PROOF_BASE_URL")]
    pub proof_base_url: Option<String>,
    /// Proof client token, from onboarding. Secret.
    #[arg(long, env = "PROOF_CLIENT_TOKEN", hide_env_values = true)]
    pub proof_client_token: Option<String>,
    /// URL of the widget script.
    #[arg(long, env = "PROOF_WIDGET_SCRIPT_URL")]
    pub widget_script_url: Option<String>,
    /// Unguessable path segment of the webhook URL given to Proof; unset disables the webhook.
    #[arg(long, env = "PROOF_WEBHOOK_PATH_SECRET", hide_env_values = true)]
    pub webhook_path_secret: Option<String>,
    /// Enabled CURRENCY:NETWORK pairs, comma-separated.
    #[arg(long, env = "RAMP_PAIRS", value_delimiter = ',')]
    pub pairs: Vec<String>,
    /// Whether sell (off-ramp) is offered; Proof must have enabled it.
    #[arg(long, env = "RAMP_SELL_ENABLED")]
    pub sell_enabled: Option<bool>,
    /// Smallest crypto amount accepted.
    #[arg(long, env = "RAMP_MIN_AMOUNT", default_value = "1")]
    pub min_amount: String,
    /// Largest crypto amount accepted.
    #[arg(long, env = "RAMP_MAX_AMOUNT", default_value = "10000")]
    pub max_amount: String,
    /// Accept a destination address from the user (only if Proof asked for addresses).
    #[arg(long, env = "RAMP_ACCEPT_USER_ADDRESS", default_value_t = false)]
    pub accept_user_address: bool,
    /// Origins of the verification/payment frames the widget opens, comma-separated.
    #[arg(
        long,
        env = "RAMP_WIDGET_FRAME_ORIGINS",
        value_delimiter = ',',
        default_value = "https://api.sumsub.com,https://in.sumsub.com"
    )]
    pub frame_origins: Vec<String>,
    /// Where the app shows the widget: `webview` (its own isolated webview) or `browser` (the
    /// system browser, returning through RAMP_APP_RETURN_URL).
    #[arg(long, env = "RAMP_WIDGET_MODE", default_value = "webview")]
    pub widget_mode: String,
    /// Browser mode's way back into the app: the app's registered link (custom scheme, or an
    /// App/Universal Link on https).
    #[arg(long, env = "RAMP_APP_RETURN_URL", default_value = "prooframp://return")]
    pub app_return_url: String,
    /// Key signing the app's bearer tokens (at least 32 characters). Secret.
    #[arg(long, env = "APP_AUTH_SIGNING_KEY", hide_env_values = true)]
    pub auth_signing_key: Option<String>,
    /// Lifetime of an app bearer token, seconds.
    #[arg(long, env = "APP_TOKEN_TTL_SECS", default_value_t = 900)]
    pub app_token_ttl_secs: u64,
    /// Database URL: a SQLite file (sqlite://path/to/file.db) for one instance, or PostgreSQL
    /// (postgres://user:password@host/db) shared by several.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://proof-ramp.db", hide_env_values = true)]
    pub database_url: String,
    /// Length of an instance's lease on watching a transaction, seconds: when an instance dies,
    /// another takes its transactions over within about this long.
    #[arg(long, env = "WATCH_LEASE_SECS", default_value_t = 10)]
    pub watch_lease_secs: u64,
    /// This instance's name in watcher leases and logs; unique per running process (default:
    /// host name, process id and a random suffix).
    #[arg(long, env = "INSTANCE_ID")]
    pub instance_id: Option<String>,
    /// Proxies (CIDRs, comma-separated) whose X-Forwarded-For is trusted for the client IP.
    #[arg(long, env = "TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    /// Lifetime of a widget link, seconds (at most 300).
    #[arg(long, env = "WIDGET_LINK_TTL_SECS", default_value_t = 300)]
    pub widget_link_ttl_secs: u64,
    /// Sessions a user may create per minute.
    #[arg(long, env = "SESSION_RATE_PER_MINUTE", default_value_t = 10)]
    pub session_rate_per_minute: u32,
    /// Longest an app request waits for Proof, retries and body included, milliseconds; past it
    /// the app gets 503 provider_unavailable with Retry-After.
    #[arg(long, env = "REQUEST_DEADLINE_MS", default_value_t = 10_000)]
    pub request_deadline_ms: u64,
    /// Poll interval when the Proof WebSocket is unavailable, milliseconds (5000–10000 advised).
    #[arg(long, env = "PROOF_POLL_INTERVAL_MS", default_value_t = 5000)]
    pub poll_interval_ms: u64,
}

/// A configuration problem, naming the variable.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {message}")]
pub struct ConfigError {
    /// The environment variable (or flag) at fault.
    pub var: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

fn bad(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { var, message: message.into() }
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
    /// App token signing key.
    pub auth_signing_key: Secret,
    /// App token lifetime.
    pub app_token_ttl: Duration,
    /// Database URL (`sqlite:` or `postgres:`); a secret, as it may carry a password.
    pub database_url: Secret,
    /// Watcher lease length.
    pub watch_lease: Duration,
    /// This instance's name in leases and logs.
    pub instance_id: String,
    /// Trusted proxies.
    pub trusted_proxies: Vec<IpNet>,
    /// Widget link lifetime.
    pub widget_link_ttl: Duration,
    /// Session creations per user per minute.
    pub session_rate_per_minute: u32,
    /// Polling interval without a WebSocket.
    pub poll_interval: Duration,
    /// Longest an app request waits for Proof.
    pub request_deadline: Duration,
    /// First WebSocket reconnection delay.
    pub ws_min_delay: Duration,
    /// Cap on WebSocket reconnection delays.
    pub ws_max_delay: Duration,
}

/// The app's return link by default (`plugins.deep-link` in the app's `tauri.conf.json`).
pub const DEFAULT_RETURN_URL: &str = "prooframp://return";

/// The app's return link: a custom scheme (`prooframp://return`) or an https App/Universal
/// Link; never a scheme a browser would run (`javascript:`, `data:`, `file:`).
fn parse_return_url(text: &str) -> Result<String, ConfigError> {
    let url = Url::parse(text.trim()).map_err(|_| {
        bad("RAMP_APP_RETURN_URL", format!("{text:?} is not a URL; use the app's link, e.g. prooframp://return"))
    })?;
    let scheme = url.scheme();
    let runs_code = ["javascript", "data", "file", "blob", "about", "vbscript"].contains(&scheme);
    let plain_http = scheme == "http" && !url.host_str().is_some_and(|h| h == "127.0.0.1" || h == "localhost");
    if runs_code || plain_http || url.query().is_some() || url.fragment().is_some() {
        return Err(bad(
            "RAMP_APP_RETURN_URL",
            format!("{text:?} must be the app's custom-scheme link or an https App Link, without query or fragment"),
        ));
    }
    Ok(url.to_string())
}

const SANDBOX_PAIRS: &str = "USDT:TRC20,USDT:ERC20,USDT:BEP20,USDC:ERC20,ETH:ERC20,BTC:BITCOIN";

impl Config {
    /// A sandbox-mode configuration with defaults, storing data at `database_url`.
    pub fn sandbox(database_url: impl Into<String>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_base_url: None,
            proof: ProofTarget::Sandbox,
            webhook_path_secret: Some(Secret(random_token())),
            pairs: parse_pairs(SANDBOX_PAIRS.split(',').map(str::to_owned)).unwrap_or_default(),
            sell_enabled: true,
            min_amount: literal_amount("1"),
            max_amount: literal_amount("10000"),
            accept_user_address: false,
            frame_origins: vec!["https://api.sumsub.com".into(), "https://in.sumsub.com".into()],
            widget_mode: WidgetMode::Webview,
            app_return_url: DEFAULT_RETURN_URL.to_owned(),
            auth_signing_key: Secret(random_token()),
            app_token_ttl: Duration::from_secs(900),
            database_url: Secret(database_url.into()),
            watch_lease: Duration::from_secs(10),
            instance_id: default_instance_id(),
            trusted_proxies: Vec::new(),
            widget_link_ttl: MAX_LINK_TTL,
            session_rate_per_minute: 10,
            poll_interval: Duration::from_secs(5),
            request_deadline: Duration::from_secs(10),
            ws_min_delay: Duration::from_secs(1),
            ws_max_delay: Duration::from_secs(30),
        }
    }

    /// Validate flags and environment into a configuration.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first variable that is missing or wrong.
    pub fn from_cli(cli: Cli) -> Result<Self, ConfigError> {
        let sandbox = cli.sandbox;
        let signing_key = cli.auth_signing_key.clone();
        let mut c = Self::sandbox(cli.database_url.clone());
        c.listen = cli.listen;
        c.public_base_url = match cli.public_base_url.as_deref() {
            Some(u) => Some(parse_public_url(u)?),
            None if sandbox => None,
            None => return Err(bad("PUBLIC_BASE_URL", "is required: the https URL where this backend is reachable")),
        };
        if sandbox {
            if cli.proof_base_url.is_some() || cli.proof_client_token.is_some() {
                return Err(bad(
                    "RAMP_SANDBOX",
                    "sandbox mode starts its own Proof; unset PROOF_BASE_URL and PROOF_CLIENT_TOKEN",
                ));
            }
        } else {
            let base =
                cli.proof_base_url.ok_or_else(|| bad("PROOF_BASE_URL", "is required unless --sandbox is given"))?;
            let base_url = Url::parse(&base)
                .ok()
                .filter(|u| u.scheme() == "https" || is_local(u))
                .ok_or_else(|| bad("PROOF_BASE_URL", "must be an https:// URL (http:// only for localhost)"))?;
            let token = cli
                .proof_client_token
                .ok_or_else(|| bad("PROOF_CLIENT_TOKEN", "is required unless --sandbox is given"))?;
            ClientToken::new(token.clone()).map_err(|e| bad("PROOF_CLIENT_TOKEN", format!("is not usable: {e}")))?;
            let client_token = Secret(token);
            let script = cli.widget_script_url.unwrap_or_else(|| PROOF_WIDGET_SCRIPT.to_owned());
            let widget_script_url = Url::parse(&script)
                .ok()
                .filter(|u| u.scheme() == "https" || is_local(u))
                .ok_or_else(|| bad("PROOF_WIDGET_SCRIPT_URL", "must be an https:// URL"))?;
            c.proof = ProofTarget::Remote { base_url, client_token, widget_script_url };
            let key = signing_key
                .clone()
                .ok_or_else(|| bad("APP_AUTH_SIGNING_KEY", "is required unless --sandbox is given"))?;
            c.auth_signing_key = Secret(key);
            c.webhook_path_secret = cli.webhook_path_secret.map(Secret);
            c.sell_enabled = false;
        }
        if let Some(key) = signing_key.filter(|_| sandbox) {
            c.auth_signing_key = Secret(key);
        }
        if c.auth_signing_key.0.len() < 32 {
            return Err(bad("APP_AUTH_SIGNING_KEY", "must be at least 32 characters (e.g. `openssl rand -hex 32`)"));
        }
        if let Some(secret) = &c.webhook_path_secret {
            if secret.0.len() < 16 || !secret.0.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err(bad(
                    "PROOF_WEBHOOK_PATH_SECRET",
                    "must be at least 16 characters of A-Z, a-z, 0-9, - or _",
                ));
            }
        }
        if !cli.pairs.is_empty() {
            c.pairs = parse_pairs(cli.pairs)?;
        } else if !sandbox {
            return Err(bad("RAMP_PAIRS", "is required: the CURRENCY:NETWORK pairs Proof enabled, e.g. USDT:TRC20"));
        }
        if let Some(sell) = cli.sell_enabled {
            c.sell_enabled = sell;
        }
        c.min_amount = Amount::parse(&cli.min_amount).map_err(|e| bad("RAMP_MIN_AMOUNT", e.to_string()))?;
        c.max_amount = Amount::parse(&cli.max_amount).map_err(|e| bad("RAMP_MAX_AMOUNT", e.to_string()))?;
        if decimal(&c.min_amount) > decimal(&c.max_amount) || c.max_amount.is_zero() {
            return Err(bad("RAMP_MAX_AMOUNT", "must be greater than zero and not below RAMP_MIN_AMOUNT"));
        }
        c.accept_user_address = cli.accept_user_address;
        c.frame_origins = cli
            .frame_origins
            .iter()
            .filter(|o| !o.trim().is_empty())
            .map(|o| {
                Url::parse(o.trim())
                    .ok()
                    .filter(|u| u.origin().is_tuple())
                    .map(|u| u.origin().ascii_serialization())
                    .ok_or_else(|| {
                        bad(
                            "RAMP_WIDGET_FRAME_ORIGINS",
                            format!("{o:?} is not an origin such as https://api.example.com"),
                        )
                    })
            })
            .collect::<Result<_, _>>()?;
        c.widget_mode = match cli.widget_mode.trim() {
            "webview" => WidgetMode::Webview,
            "browser" => WidgetMode::Browser,
            other => return Err(bad("RAMP_WIDGET_MODE", format!("{other:?} must be webview or browser"))),
        };
        c.app_return_url = parse_return_url(&cli.app_return_url)?;
        c.app_token_ttl = Duration::from_secs(cli.app_token_ttl_secs);
        if !(60..=86_400).contains(&cli.app_token_ttl_secs) {
            return Err(bad("APP_TOKEN_TTL_SECS", "must be between 60 and 86400"));
        }
        if crate::store::StoreKind::of_url(&cli.database_url).is_none() {
            return Err(bad(
                "DATABASE_URL",
                "must be sqlite://path/to/file.db (one instance) or postgres://user:password@host/db (several)",
            ));
        }
        if !(3..=300).contains(&cli.watch_lease_secs) {
            return Err(bad("WATCH_LEASE_SECS", "must be between 3 and 300"));
        }
        c.watch_lease = Duration::from_secs(cli.watch_lease_secs);
        if let Some(id) = cli.instance_id {
            let ok = (1..=64).contains(&id.len())
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
            if !ok {
                return Err(bad("INSTANCE_ID", "must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '-' or '_'"));
            }
            c.instance_id = id;
        }
        c.trusted_proxies = cli
            .trusted_proxies
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                parse_net(p.trim()).ok_or_else(|| bad("TRUSTED_PROXIES", format!("{p:?} is not an IP address or CIDR")))
            })
            .collect::<Result<_, _>>()?;
        c.widget_link_ttl = Duration::from_secs(cli.widget_link_ttl_secs);
        if cli.widget_link_ttl_secs == 0 || c.widget_link_ttl > MAX_LINK_TTL {
            return Err(bad("WIDGET_LINK_TTL_SECS", "must be between 1 and 300"));
        }
        if cli.session_rate_per_minute == 0 {
            return Err(bad("SESSION_RATE_PER_MINUTE", "must be at least 1"));
        }
        c.session_rate_per_minute = cli.session_rate_per_minute;
        if !(1000..=60_000).contains(&cli.poll_interval_ms) {
            return Err(bad("PROOF_POLL_INTERVAL_MS", "must be between 1000 and 60000 (5000-10000 advised)"));
        }
        c.poll_interval = Duration::from_millis(cli.poll_interval_ms);
        if !(1000..=60_000).contains(&cli.request_deadline_ms) {
            return Err(bad("REQUEST_DEADLINE_MS", "must be between 1000 and 60000"));
        }
        c.request_deadline = Duration::from_millis(cli.request_deadline_ms);
        Ok(c)
    }

    /// Whether an embedded sandbox is used.
    pub fn is_sandbox(&self) -> bool {
        matches!(self.proof, ProofTarget::Sandbox)
    }
}

fn literal_amount(s: &str) -> Amount {
    Amount::parse(s).expect("a literal decimal")
}

/// An amount as a number for comparisons; unparsable amounts compare as zero.
pub(crate) fn decimal(a: &Amount) -> Decimal {
    Decimal::from_str(a.as_str()).unwrap_or_default()
}

fn parse_public_url(u: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(u).map_err(|e| bad("PUBLIC_BASE_URL", format!("{u:?} is not a URL: {e}")))?;
    if url.scheme() != "https" && !is_local(&url) {
        return Err(bad(
            "PUBLIC_BASE_URL",
            "must be https:// (Proof only accepts registered https origins); http:// is allowed for localhost",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("PUBLIC_BASE_URL", "must not have a query or fragment"));
    }
    Ok(url)
}

fn is_local(u: &Url) -> bool {
    matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

fn parse_pairs(raw: impl IntoIterator<Item = String>) -> Result<Vec<(String, String)>, ConfigError> {
    raw.into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.trim().split_once(':') {
            Some((c, n)) if valid_symbol(c) && valid_symbol(n) => Ok((c.to_owned(), n.to_owned())),
            _ => Err(bad("RAMP_PAIRS", format!("{p:?} is not CURRENCY:NETWORK in capitals, e.g. USDT:TRC20"))),
        })
        .collect()
}

/// Currency and network symbols: 2–16 capitals and digits.
pub(crate) fn valid_symbol(s: &str) -> bool {
    (2..=16).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn parse_net(s: &str) -> Option<IpNet> {
    s.parse::<IpNet>().ok().or_else(|| s.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}

/// The host's name, the process id and a random suffix: unique per running process, and
/// readable in logs and in the database's `watch_holder` column.
fn default_instance_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(40).collect::<String>())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "backend".to_owned());
    format!("{host}-{}-{:04x}", std::process::id(), rand::random::<u16>())
}

/// 32 random bytes, base64url.
pub(crate) fn random_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["proof-ramp-backend"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).expect("flags parse")
    }

    const PROD: &[&str] = &[
        "--public-base-url=https://ramp.partner.example",
        "--proof-base-url=https://proof.example",
        "--proof-client-token=tok",
        "--auth-signing-key=0123456789abcdef0123456789abcdef",
        "--pairs=USDT:TRC20",
    ];

    #[test]
    fn sandbox_needs_nothing() {
        let c = Config::from_cli(cli(&["--sandbox"])).expect("valid");
        assert!(c.is_sandbox() && c.sell_enabled && !c.pairs.is_empty());
    }

    #[test]
    fn production_names_each_missing_variable() {
        for (i, var) in
            ["PUBLIC_BASE_URL", "PROOF_BASE_URL", "PROOF_CLIENT_TOKEN", "APP_AUTH_SIGNING_KEY", "RAMP_PAIRS"]
                .iter()
                .enumerate()
        {
            let args: Vec<&str> = PROD.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, a)| *a).collect();
            let err = Config::from_cli(cli(&args)).expect_err("incomplete");
            assert_eq!(err.var, *var, "{err}");
        }
        assert!(Config::from_cli(cli(PROD)).is_ok());
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases: &[(&str, &str)] = &[
            ("--public-base-url=http://ramp.partner.example", "PUBLIC_BASE_URL"),
            ("--auth-signing-key=short", "APP_AUTH_SIGNING_KEY"),
            ("--pairs=usdt-trc20", "RAMP_PAIRS"),
            ("--min-amount=-1", "RAMP_MIN_AMOUNT"),
            ("--max-amount=0", "RAMP_MAX_AMOUNT"),
            ("--trusted-proxies=10.0.0.0/99", "TRUSTED_PROXIES"),
            ("--widget-link-ttl-secs=900", "WIDGET_LINK_TTL_SECS"),
            ("--database-url=mysql://x", "DATABASE_URL"),
            ("--watch-lease-secs=1", "WATCH_LEASE_SECS"),
            ("--request-deadline-ms=100", "REQUEST_DEADLINE_MS"),
            ("--instance-id=a b", "INSTANCE_ID"),
            ("--frame-origins=not a url", "RAMP_WIDGET_FRAME_ORIGINS"),
            ("--webhook-path-secret=short", "PROOF_WEBHOOK_PATH_SECRET"),
            ("--widget-mode=popup", "RAMP_WIDGET_MODE"),
            ("--app-return-url=javascript:alert(1)", "RAMP_APP_RETURN_URL"),
            ("--app-return-url=http://partner.example/return", "RAMP_APP_RETURN_URL"),
            ("--app-return-url=prooframp://return?x=1", "RAMP_APP_RETURN_URL"),
            ("--app-return-url=not a url", "RAMP_APP_RETURN_URL"),
        ];
        for (arg, var) in cases {
            let flag = arg.split('=').next().unwrap_or(arg);
            let mut args: Vec<&str> = PROD.iter().copied().filter(|a| !a.starts_with(flag)).collect();
            args.push(arg);
            let err = Config::from_cli(cli(&args)).expect_err(arg);
            assert_eq!(err.var, *var, "{arg}: {err}");
        }
    }

    #[test]
    fn browser_mode_and_return_links() {
        let mut args = PROD.to_vec();
        args.extend(["--widget-mode=browser", "--app-return-url=https://partner.example/app/return"]);
        let c = Config::from_cli(cli(&args)).expect("valid");
        assert_eq!(c.widget_mode, WidgetMode::Browser);
        assert_eq!(c.app_return_url, "https://partner.example/app/return");
        let c = Config::from_cli(cli(PROD)).expect("valid");
        assert_eq!((c.widget_mode, c.app_return_url.as_str()), (WidgetMode::Webview, DEFAULT_RETURN_URL));
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let mut args = PROD.to_vec();
        args.push("--database-url=postgres://ramp:hunter2-db-password@db.internal/ramp");
        let c = Config::from_cli(cli(&args)).expect("valid");
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("0123456789abcdef") && !dbg.contains("\"tok\""), "{dbg}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
    }
}
