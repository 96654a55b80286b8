//! A backend restarted mid-transaction loses nothing: its SQLite file carries transactions,
//! owners, links and history, and the new process resumes the status relay. Proof (the sandbox)
//! runs outside the backend here, so it lives on across the restart.

mod common;

use std::time::Duration;

use common::*;
use partner_backend::Backend;
use partner_backend::auth::AppUser;
use partner_backend::config::{Config, ProofTarget, Secret};
use proof_sandbox::Sandbox;
use ramp_api::TransactionList;
use serde_json::json;
use url::Url;

const KEY: &str = "restart-test-signing-key-0123456789";

fn remote_config(dir: &Scratch, sandbox: &Sandbox) -> Config {
    let mut c = test_config(dir.db_url());
    c.proof = ProofTarget::Remote {
        base_url: Url::parse(&sandbox.base_url()).expect("url"),
        client_token: Secret::new("restart-test-token"),
        widget_script_url: Url::parse(&sandbox.widget_script_url()).expect("url"),
    };
    c.auth_signing_key = Secret::new(KEY);
    c
}

#[tokio::test]
async fn restart_mid_transaction_loses_nothing() {
    let sandbox = Sandbox::start(proof_sandbox::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        client_tokens: vec!["restart-test-token".into()],
        settle_after: Duration::from_millis(300),
        ..proof_sandbox::Config::default()
    })
    .await
    .expect("sandbox");
    let dir = Scratch::new("restart");
    let user = AppUser { id: "verified-restart".into(), email: "restart@example.com".into() };
    let token = app_token(&dir.db_url(), KEY, &user).await;

    let a = Backend::start(remote_config(&dir, &sandbox)).await.expect("first start");
    let api_a = Api::new(&a);
    let paid = api_a.buy(&token).await;
    let unopened = api_a.buy(&token).await;
    let widget = Widget::open(&api_a, &paid.widget_url, &sandbox.base_url()).await;
    a.shutdown().await;

    // While the backend is down, the user pays and Proof completes the transaction.
    widget.step("action", json!({"action": "pay"})).await;
    tokio::time::sleep(Duration::from_millis(600)).await;

    let b = Backend::start(remote_config(&dir, &sandbox)).await.expect("second start");
    let api_b = Api::new(&b);
    let events = api_b.events(&token, &paid.merchant_transaction_id, None).await;
    assert_eq!(statuses(&events).first(), Some(&"pending"));
    assert_eq!(statuses(&events).last(), Some(&"completed"), "the relay resumed: {events:?}");

    let list: TransactionList = api_b.get(&token, "/v1/transactions").await.json().await.expect("list");
    assert_eq!(list.transactions.len(), 2);
    assert!(list.transactions.iter().any(|t| t.id == paid.merchant_transaction_id && t.status.as_str() == "completed"));

    // A link issued before the restart still opens once, and the used one stays used.
    let page = api_b
        .http
        .get(unopened.widget_url.replace(api_a.base.as_str(), api_b.base.as_str()))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let used =
        api_b.http.get(paid.widget_url.replace(api_a.base.as_str(), api_b.base.as_str())).send().await.expect("page");
    assert_eq!(used.status(), 410);
    assert_eq!(b.upstream_watchers(), 1, "the open transaction, and only it, is watched again");
    b.shutdown().await;
}

#[tokio::test]
async fn sandbox_mode_restarts_on_the_same_port_and_database() {
    let dir = Scratch::new("same-port");
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let config = || {
        let mut c = test_config(dir.db_url());
        c.listen = format!("127.0.0.1:{port}").parse().expect("addr");
        c.auth_signing_key = Secret::new(KEY);
        c
    };
    let a = Backend::start(config()).await.expect("first start");
    let api = Api::new(&a);
    let token = api.login("verified").await;
    let created = api.buy(&token).await;
    // An SSE stream is open when the backend stops, as an app's would be.
    let streaming = {
        let api = api.clone();
        let (token, id) = (token.clone(), created.merchant_transaction_id.clone());
        tokio::spawn(async move {
            api.http.get(format!("{}/v1/transactions/{id}/events", api.base)).bearer_auth(token).send().await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    tokio::time::timeout(Duration::from_secs(10), a.shutdown()).await.expect("shutdown ends");
    let b = tokio::time::timeout(Duration::from_secs(10), Backend::start(config()))
        .await
        .expect("restart in time")
        .expect("restarts");
    let list: TransactionList = api.get(&token, "/v1/transactions").await.json().await.expect("list");
    assert_eq!(list.transactions.len(), 1, "the app's token and data survive the restart");
    streaming.abort();
    b.shutdown().await;
}
