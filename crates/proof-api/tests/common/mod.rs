//! Helpers shared by the integration tests: a sandbox on a free loopback port, a fast-retrying
//! client, and session requests.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use proof_api::{Amount, CreateSession, ProofClient, RetryPolicy, TxType};
use proof_sandbox::{Config, Sandbox};

pub const TOKEN: &str = "test-token-1";
pub const OTHER_TOKEN: &str = "test-token-2";

/// Sandbox settings for tests: free port, two partners, fast settlement, fixed seed.
pub fn config() -> Config {
    Config {
        listen: "127.0.0.1:0".parse().expect("an address"),
        client_tokens: vec![TOKEN.into(), OTHER_TOKEN.into()],
        settle_after: Duration::from_millis(150),
        seed: Some(7),
        ..Config::default()
    }
}

pub async fn sandbox(config: Config) -> Sandbox {
    Sandbox::start(config).await.expect("the sandbox starts")
}

/// Retries fast enough for tests.
pub fn fast_retry() -> RetryPolicy {
    RetryPolicy { min_delay: Duration::from_millis(5), max_delay: Duration::from_millis(40), max_retries: 4 }
}

pub fn client(base: &str, token: &str) -> ProofClient {
    ProofClient::builder(base, token)
        .retry(fast_retry())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client builds")
}

pub fn session_request(user: &str, email: &str, tx_type: TxType) -> CreateSession {
    CreateSession {
        partner_user_id: user.into(),
        user_email: email.into(),
        network: "TRC20".into(),
        currency: "USDT".into(),
        amount: Amount::parse("100").expect("decimal"),
        tx_type: Some(tx_type),
        redirect_url: None,
        client_ip: Some("203.0.113.42".into()),
        address: None,
    }
}
