//! The sandbox's settings: a plain struct with defaults a newcomer can run as is.
//!
//! `main.rs` fills it from flags and environment; tests and the partner backend's embedded mode
//! build it in code. Nothing here reads the environment.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Port the binary listens on by default.
pub const DEFAULT_PORT: u16 = 8787;
/// The client token accepted when none is configured. Not a secret: it only opens the sandbox.
pub const DEFAULT_CLIENT_TOKEN: &str = "sandbox-client-token";
/// The `widget_id` returned by default.
pub const DEFAULT_WIDGET_ID: &str = "fb359d09-fff6-4b1f-906c-b9062b135065";

/// A `(currency, network)` pair for which the sandbox has a deposit wallet.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WalletPair {
    /// E.g. `USDT`.
    pub currency: String,
    /// E.g. `TRC20`.
    pub network: String,
}

impl FromStr for WalletPair {
    type Err = String;

    /// Parse `CURRENCY:NETWORK`, e.g. `USDT:TRC20`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some((c, n)) if !c.trim().is_empty() && !n.trim().is_empty() => {
                Ok(Self { currency: c.trim().to_owned(), network: n.trim().to_owned() })
            }
            _ => Err(format!("{s:?} is not CURRENCY:NETWORK (for example USDT:TRC20)")),
        }
    }
}

/// Faults injected into the Proof API endpoints (`/widget/*`, `/ws`), changeable at run time
/// through `PUT /_sandbox/faults`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every API answer, in milliseconds.
    pub latency_ms: u64,
    /// Share of API calls, from 0 to 1, answered `502 upstream_error/provider_error`.
    pub error_502_rate: f64,
    /// Close every WebSocket abruptly this many milliseconds after it opens.
    pub ws_drop_after_ms: Option<u64>,
    /// Refuse every WebSocket handshake with this HTTP status (and Proof's error body), as a
    /// Proof whose WebSocket endpoint is down (`503`) or misrouted (`404`) would.
    pub ws_handshake_status: Option<u16>,
}

impl Faults {
    /// Check the values are usable.
    ///
    /// # Errors
    /// A message naming the bad field.
    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.error_502_rate) {
            return Err(format!("error_502_rate must be between 0 and 1, got {}", self.error_502_rate));
        }
        if self.ws_handshake_status.is_some_and(|s| !(400..=599).contains(&s)) {
            return Err("ws_handshake_status must be an HTTP error status (400 to 599)".into());
        }
        Ok(())
    }
}

/// Everything the sandbox can be told.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address to bind; port 0 picks a free one.
    pub listen: SocketAddr,
    /// Accepted client tokens; each one is a separate partner.
    pub client_tokens: Vec<String>,
    /// Registered origins. When empty the `Origin` check is off.
    pub origins: Vec<String>,
    /// Currencies enabled for the partner.
    pub currencies: Vec<String>,
    /// Wallets by `(currency, network)`.
    pub wallets: Vec<WalletPair>,
    /// Whether `type: "sell"` is accepted (Proof disables it by default; the sandbox enables it).
    pub sell_enabled: bool,
    /// Where status-change webhooks are POSTed.
    pub webhook_url: Option<url::Url>,
    /// Share of webhook deliveries, 0 to 1, sent twice (Proof may duplicate).
    pub webhook_duplicate_rate: f64,
    /// `widget_id` returned in sessions.
    pub widget_id: String,
    /// Default fiat currency.
    pub fiat_currency: String,
    /// Fiat currencies offered.
    pub fiat_currencies: Vec<String>,
    /// Widget language.
    pub lang: String,
    /// Widget theme.
    pub theme: String,
    /// Partner default `redirect_url`.
    pub redirect_url: Option<String>,
    /// How long a payment or deposit stays `processing` before it settles.
    pub settle_after: Duration,
    /// Lifetime of an `init_token`.
    pub init_token_ttl: Duration,
    /// Faults at start-up.
    pub faults: Faults,
    /// Seed for the fault and duplicate dice; random when absent.
    pub seed: Option<u64>,
}

impl Default for Config {
    fn default() -> Self {
        let wallets = ["USDT:TRC20", "USDT:ERC20", "USDT:BEP20", "USDC:ERC20", "ETH:ERC20", "BTC:BITCOIN"];
        Self {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DEFAULT_PORT),
            client_tokens: vec![DEFAULT_CLIENT_TOKEN.to_owned()],
            origins: Vec::new(),
            currencies: ["USDT", "USDC", "ETH", "BTC", "DAI"].map(String::from).to_vec(),
            wallets: wallets.iter().filter_map(|w| w.parse().ok()).collect(),
            sell_enabled: true,
            webhook_url: None,
            webhook_duplicate_rate: 0.0,
            widget_id: DEFAULT_WIDGET_ID.to_owned(),
            fiat_currency: "EUR".to_owned(),
            fiat_currencies: ["EUR", "USD", "GBP"].map(String::from).to_vec(),
            lang: "en".to_owned(),
            theme: "light".to_owned(),
            redirect_url: None,
            settle_after: Duration::from_millis(1500),
            init_token_ttl: Duration::from_secs(3600),
            faults: Faults::default(),
            seed: None,
        }
    }
}

impl Config {
    /// Check the settings before serving.
    ///
    /// # Errors
    /// A message naming the setting and what to do.
    pub fn validate(&self) -> Result<(), String> {
        if self.client_tokens.iter().all(|t| t.trim().is_empty()) {
            return Err("at least one client token is needed (--client-token)".into());
        }
        if let Some(o) = self
            .origins
            .iter()
            .find(|o| url::Url::parse(o).map(|u| u.origin().ascii_serialization() != **o).unwrap_or(true))
        {
            return Err(format!("origin {o:?} is not scheme://host[:port] with no path (--origin)"));
        }
        if !(0.0..=1.0).contains(&self.webhook_duplicate_rate) {
            return Err("the webhook duplicate rate must be between 0 and 1".into());
        }
        self.faults.validate()
    }
}
