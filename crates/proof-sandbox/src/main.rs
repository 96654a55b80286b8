//! `proof-sandbox`: run the Proof API emulator from the command line.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::Context;
use clap::{ArgAction, Parser};
use proof_sandbox::{Config, DEFAULT_CLIENT_TOKEN, DEFAULT_PORT, Faults, Sandbox, WalletPair};
use tracing_subscriber::EnvFilter;

/// A local emulator of the Proof On/Off Ramp API and widget. State is in memory only.
#[derive(Debug, Parser)]
#[command(name = "proof-sandbox", version, about, long_about = None)]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "PROOF_SANDBOX_HOST", default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to listen on; 0 picks a free one (the chosen address is printed).
    #[arg(long, env = "PROOF_SANDBOX_PORT", default_value_t = DEFAULT_PORT)]
    port: u16,
    /// Accepted client tokens, comma-separated; each is a separate partner.
    #[arg(long = "client-token", env = "PROOF_SANDBOX_CLIENT_TOKENS", value_delimiter = ',', default_value = DEFAULT_CLIENT_TOKEN, hide_env_values = true)]
    client_tokens: Vec<String>,
    /// Registered origins (scheme://host[:port]), comma-separated; empty turns the Origin check off.
    #[arg(long = "origin", env = "PROOF_SANDBOX_ORIGINS", value_delimiter = ',')]
    origins: Vec<String>,
    /// Enabled currencies, comma-separated.
    #[arg(
        long = "currency",
        env = "PROOF_SANDBOX_CURRENCIES",
        value_delimiter = ',',
        default_value = "USDT,USDC,ETH,BTC,DAI"
    )]
    currencies: Vec<String>,
    /// Wallets as CURRENCY:NETWORK, comma-separated.
    #[arg(
        long = "wallet",
        env = "PROOF_SANDBOX_WALLETS",
        value_delimiter = ',',
        default_value = "USDT:TRC20,USDT:ERC20,USDT:BEP20,USDC:ERC20,ETH:ERC20,BTC:BITCOIN"
    )]
    wallets: Vec<WalletPair>,
    /// Whether sell (off-ramp) sessions are accepted.
    #[arg(long, env = "PROOF_SANDBOX_SELL", default_value_t = true, action = ArgAction::Set)]
    sell: bool,
    /// URL that receives status-change webhooks.
    #[arg(long, env = "PROOF_SANDBOX_WEBHOOK_URL")]
    webhook_url: Option<url::Url>,
    /// Share of webhook deliveries (0 to 1) sent twice.
    #[arg(long, env = "PROOF_SANDBOX_WEBHOOK_DUPLICATE_RATE", default_value_t = 0.0)]
    webhook_duplicate_rate: f64,
    /// Default fiat currency.
    #[arg(long, env = "PROOF_SANDBOX_FIAT", default_value = "EUR")]
    fiat_currency: String,
    /// Partner default redirect_url.
    #[arg(long, env = "PROOF_SANDBOX_REDIRECT_URL")]
    redirect_url: Option<String>,
    /// Milliseconds a payment or deposit stays `processing`.
    #[arg(long, env = "PROOF_SANDBOX_SETTLE_MS", default_value_t = 1500)]
    settle_ms: u64,
    /// Lifetime of an init_token in seconds.
    #[arg(long, env = "PROOF_SANDBOX_INIT_TOKEN_TTL", default_value_t = 3600)]
    init_token_ttl_secs: u64,
    /// Fault: milliseconds added to every API answer.
    #[arg(long, env = "PROOF_SANDBOX_LATENCY_MS", default_value_t = 0)]
    latency_ms: u64,
    /// Fault: share (0 to 1) of API calls answered 502 upstream_error.
    #[arg(long, env = "PROOF_SANDBOX_502_RATE", default_value_t = 0.0)]
    error_502_rate: f64,
    /// Fault: drop every WebSocket this many milliseconds after it opens.
    #[arg(long, env = "PROOF_SANDBOX_WS_DROP_AFTER_MS")]
    ws_drop_after_ms: Option<u64>,
    /// Fault: refuse every WebSocket handshake with this HTTP status (e.g. 503 or 404).
    #[arg(long, env = "PROOF_SANDBOX_WS_HANDSHAKE_STATUS")]
    ws_handshake_status: Option<u16>,
    /// Seed for fault and duplicate dice, for repeatable runs.
    #[arg(long, env = "PROOF_SANDBOX_SEED")]
    seed: Option<u64>,
}

impl Cli {
    fn into_config(self) -> Config {
        Config {
            listen: SocketAddr::new(self.host, self.port),
            client_tokens: self.client_tokens,
            origins: self.origins,
            currencies: self.currencies,
            wallets: self.wallets,
            sell_enabled: self.sell,
            webhook_url: self.webhook_url,
            webhook_duplicate_rate: self.webhook_duplicate_rate,
            fiat_currency: self.fiat_currency,
            redirect_url: self.redirect_url,
            settle_after: Duration::from_millis(self.settle_ms),
            init_token_ttl: Duration::from_secs(self.init_token_ttl_secs),
            faults: Faults {
                latency_ms: self.latency_ms,
                error_502_rate: self.error_502_rate,
                ws_drop_after_ms: self.ws_drop_after_ms,
                ws_handshake_status: self.ws_handshake_status,
            },
            seed: self.seed,
            ..Config::default()
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let config = Cli::parse().into_config();
    let origin_check = if config.origins.is_empty() { "off" } else { "on" };
    let sandbox = Sandbox::start(config).await.context("the Proof sandbox could not start")?;
    tracing::info!(
        origin_check,
        "Proof sandbox listening on {} (widget: {})",
        sandbox.base_url(),
        sandbox.widget_script_url()
    );
    tokio::signal::ctrl_c().await.context("could not wait for Ctrl-C")?;
    tracing::info!("shutting down");
    sandbox.shutdown().await;
    Ok(())
}
