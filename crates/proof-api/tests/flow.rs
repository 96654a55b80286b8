//! Whole transactions against the sandbox, observed the three server-side ways: the WebSocket
//! subscriber, polling, and a local webhook receiver. The widget's steps are driven over HTTP
//! exactly as the stand-in widget script sends them.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::routing::post;
use common::*;
use proof_api::{Error, KycStatus, ProofClient, Session, TxStatus, TxType, WebhookEvent, WsOptions};
use proof_sandbox::{Config, Faults};
use serde_json::{Value, json};

/// Receives webhooks on a loopback port and keeps them.
async fn webhook_receiver() -> (url::Url, Arc<Mutex<Vec<WebhookEvent>>>) {
    let seen: Arc<Mutex<Vec<WebhookEvent>>> = Arc::default();
    let store = seen.clone();
    let app = Router::new().route(
        "/hooks/proof",
        post(move |Json(e): Json<WebhookEvent>| {
            let store = store.clone();
            async move { store.lock().expect("lock").push(e) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/hooks/proof").parse().expect("url"), seen)
}

/// The stand-in widget's calls, made from Rust.
struct Widget {
    http: reqwest::Client,
    base: String,
    auth: Value,
}

impl Widget {
    fn new(base: &str, s: &Session) -> Self {
        let auth = json!({
            "init_token": s.init_token, "widget_id": s.widget_id,
            "signature": s.signature, "merchant_transaction_id": s.merchant_transaction_id,
        });
        Self { http: reqwest::Client::new(), base: base.to_owned(), auth }
    }

    async fn call(&self, path: &str, extra: Value) -> (u16, Value) {
        let mut body = self.auth.clone();
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        let r = self
            .http
            .post(format!("{}/_sandbox/widget/{path}", self.base))
            .json(&body)
            .send()
            .await
            .expect("sandbox answers");
        let status = r.status().as_u16();
        (status, r.json().await.expect("JSON"))
    }

    async fn step(&self, path: &str, extra: Value) -> Value {
        let (status, body) = self.call(path, extra).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }
}

fn ws_options() -> WsOptions {
    WsOptions { min_delay: Duration::from_millis(20), max_delay: Duration::from_millis(200), max_failures: 5 }
}

async fn poll_until_terminal(proof: &ProofClient, id: &str) -> TxStatus {
    for _ in 0..100 {
        let tx = proof.transaction(id).await.expect("poll");
        if tx.status.is_terminal() {
            return tx.status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("transaction {id} never ended");
}

async fn collect(mut sub: proof_api::TxSubscription) -> Vec<TxStatus> {
    let mut seen = Vec::new();
    while let Some(u) = tokio::time::timeout(Duration::from_secs(10), sub.next()).await.expect("no stall") {
        seen.push(u.expect("update").status);
    }
    seen
}

async fn wait_for_hooks(hooks: &Mutex<Vec<WebhookEvent>>, status: TxStatus) {
    for _ in 0..100 {
        if hooks.lock().expect("lock").iter().any(|h| h.status == status) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no {status:?} webhook arrived");
}

#[tokio::test]
async fn first_time_buyer_completes_on_every_channel_and_ends_verified() {
    let (hook_url, hooks) = webhook_receiver().await;
    let sb = sandbox(Config { webhook_url: Some(hook_url), ..config() }).await;
    let proof = client(&sb.base_url(), TOKEN);
    let s = proof.create_session(&session_request("user-123", "user@example.com", TxType::Buy)).await.expect("session");
    let id = s.merchant_transaction_id.clone();
    let ws = tokio::spawn(collect(proof.subscribe(&id, ws_options())));
    tokio::time::sleep(Duration::from_millis(100)).await;

    let w = Widget::new(&sb.base_url(), &s);
    assert_eq!(w.step("state", json!({})).await["next_step"], "documents");
    assert_eq!(w.step("kyc", json!({"step": "documents"})).await["next_step"], "liveness");
    assert_eq!(proof.kyc_status("user-123").await.expect("kyc").status, KycStatus::Pending);
    let after = w.step("kyc", json!({"step": "liveness"})).await;
    assert_eq!((after["kyc_status"].as_str(), after["next_step"].as_str()), (Some("verified"), Some("payment")));
    assert_eq!(w.step("action", json!({"action": "pay"})).await["status"], "processing");

    assert_eq!(poll_until_terminal(&proof, &id).await, TxStatus::Completed);
    let ws_seen = ws.await.expect("joins");
    assert_eq!(ws_seen, vec![TxStatus::Pending, TxStatus::Processing, TxStatus::Completed]);
    wait_for_hooks(&hooks, TxStatus::Completed).await;
    let statuses: Vec<TxStatus> = hooks.lock().expect("lock").iter().map(|h| h.status.clone()).collect();
    assert_eq!(statuses, vec![TxStatus::Processing, TxStatus::Completed]);

    let tx = proof.transaction(&id).await.expect("tx");
    assert_eq!(tx.crypto_amount.as_ref().map(|a| a.as_str()), Some("100"));
    assert_eq!(tx.fiat_amount.as_ref().map(|a| a.as_str()), Some("93.38"));
    assert_eq!(proof.kyc_status("user-123").await.expect("kyc").status, KycStatus::Verified);

    // The session is spent: the widget cannot pay twice.
    assert_eq!(w.call("action", json!({"action": "pay"})).await.0, 409);
}

#[tokio::test]
async fn returning_verified_user_skips_kyc() {
    let sb = sandbox(config()).await;
    let proof = client(&sb.base_url(), TOKEN);
    let s = proof.create_session(&session_request("u-9", "verified@example.com", TxType::Buy)).await.expect("session");
    let w = Widget::new(&sb.base_url(), &s);
    assert_eq!(w.step("state", json!({})).await["next_step"], "payment");
    assert_eq!(w.call("kyc", json!({"step": "documents"})).await.0, 400, "no KYC step for a verified user");
    w.step("action", json!({"action": "pay"})).await;
    assert_eq!(poll_until_terminal(&proof, &s.merchant_transaction_id).await, TxStatus::Completed);
}

#[tokio::test]
async fn personas_end_where_they_say() {
    let sb = sandbox(config()).await;
    let proof = client(&sb.base_url(), TOKEN);

    let s = proof.create_session(&session_request("declined-1", "d@example.com", TxType::Buy)).await.expect("session");
    Widget::new(&sb.base_url(), &s).step("action", json!({"action": "pay"})).await;
    assert_eq!(poll_until_terminal(&proof, &s.merchant_transaction_id).await, TxStatus::Failed);

    let s = proof.create_session(&session_request("cancel-1", "c@example.com", TxType::Buy)).await.expect("session");
    Widget::new(&sb.base_url(), &s).step("action", json!({"action": "pay"})).await;
    assert_eq!(poll_until_terminal(&proof, &s.merchant_transaction_id).await, TxStatus::Cancelled);

    let s = proof.create_session(&session_request("u-kf", "kycfail@example.com", TxType::Buy)).await.expect("session");
    let w = Widget::new(&sb.base_url(), &s);
    w.step("kyc", json!({"step": "documents"})).await;
    assert_eq!(w.step("kyc", json!({"step": "liveness"})).await["kyc_status"], "failed");
    assert_eq!(poll_until_terminal(&proof, &s.merchant_transaction_id).await, TxStatus::Failed);
    assert_eq!(proof.kyc_status("u-kf").await.expect("kyc").status, KycStatus::Failed);

    assert_eq!(proof.kyc_status("pending-7").await.expect("known").status, KycStatus::Pending);
    let s = proof.create_session(&session_request("pending-7", "p@example.com", TxType::Buy)).await.expect("session");
    let w = Widget::new(&sb.base_url(), &s);
    assert_eq!(w.step("state", json!({})).await["next_step"], "review");
    assert_eq!(w.call("action", json!({"action": "pay"})).await.0, 400, "cannot pay under review");
    w.step("action", json!({"action": "cancel"})).await;
    assert_eq!(poll_until_terminal(&proof, &s.merchant_transaction_id).await, TxStatus::Cancelled);
}

#[tokio::test]
async fn seller_deposits_and_completes() {
    let sb = sandbox(config()).await;
    let proof = client(&sb.base_url(), TOKEN);
    let s =
        proof.create_session(&session_request("seller-1", "seller@example.com", TxType::Sell)).await.expect("session");
    assert_eq!(s.tx_type, TxType::Sell);
    let sub = proof.subscribe(&s.merchant_transaction_id, ws_options());
    let w = Widget::new(&sb.base_url(), &s);
    assert_eq!(w.step("state", json!({})).await["next_step"], "deposit");
    w.step("action", json!({"action": "deposit_sent"})).await;
    assert_eq!(collect(sub).await.last(), Some(&TxStatus::Completed));
    let tx = proof.transaction(&s.merchant_transaction_id).await.expect("tx");
    assert_eq!(tx.fiat_amount.as_ref().map(|a| a.as_str()), Some("90.62"), "sell pays the quote minus the fee");
}

#[tokio::test]
async fn websocket_drops_still_deliver_the_final_status() {
    let sb = sandbox(Config { settle_after: Duration::from_millis(600), ..config() }).await;
    sb.set_faults(Faults { ws_drop_after_ms: Some(120), ..Faults::default() });
    let proof = client(&sb.base_url(), TOKEN);
    let s = proof.create_session(&session_request("verified-ws", "v@example.com", TxType::Buy)).await.expect("session");
    let sub = proof.subscribe(&s.merchant_transaction_id, ws_options());
    Widget::new(&sb.base_url(), &s).step("action", json!({"action": "pay"})).await;
    let seen = collect(sub).await;
    assert_eq!(seen.last(), Some(&TxStatus::Completed), "{seen:?}");
    let mut dedup = seen.clone();
    dedup.dedup();
    assert_eq!(dedup, seen, "no status is reported twice");
}

#[tokio::test]
async fn websocket_subscriber_catches_up_on_an_already_finished_transaction() {
    let sb = sandbox(config()).await;
    let proof = client(&sb.base_url(), TOKEN);
    let s = proof.create_session(&session_request("cancel-2", "c@example.com", TxType::Buy)).await.expect("session");
    Widget::new(&sb.base_url(), &s).step("action", json!({"action": "cancel"})).await;
    let seen = collect(proof.subscribe(&s.merchant_transaction_id, ws_options())).await;
    assert_eq!(seen, vec![TxStatus::Cancelled]);
}

#[tokio::test]
async fn websocket_errors_end_the_subscription() {
    let sb = sandbox(config()).await;
    let mut sub = client(&sb.base_url(), TOKEN).subscribe("no-such-id", ws_options());
    assert!(matches!(sub.next().await, Some(Err(Error::NotFound(_)))));
    assert!(sub.next().await.is_none());

    let mut sub = client(&sb.base_url(), "wrong").subscribe("any", ws_options());
    assert!(matches!(sub.next().await, Some(Err(ref e)) if e.is_configuration()));

    let base = sb.base_url();
    sb.shutdown().await;
    let mut sub = client(&base, TOKEN).subscribe("any", ws_options());
    let end = tokio::time::timeout(Duration::from_secs(10), sub.next()).await.expect("gives up in time");
    assert!(matches!(end, Some(Err(Error::WebSocketUnavailable { attempts: 5, .. }))), "{end:?}");
}

#[tokio::test]
async fn webhooks_may_arrive_twice_when_configured() {
    let (hook_url, hooks) = webhook_receiver().await;
    let sb = sandbox(Config { webhook_url: Some(hook_url), webhook_duplicate_rate: 1.0, ..config() }).await;
    let proof = client(&sb.base_url(), TOKEN);
    let s = proof.create_session(&session_request("cancel-3", "c@example.com", TxType::Buy)).await.expect("session");
    Widget::new(&sb.base_url(), &s).step("action", json!({"action": "cancel"})).await;
    wait_for_hooks(&hooks, TxStatus::Cancelled).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let got = hooks.lock().expect("lock").clone();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], got[1]);
}

#[tokio::test]
async fn widget_refuses_altered_session_fields() {
    let sb = sandbox(config()).await;
    let proof = client(&sb.base_url(), TOKEN);
    let mut s = proof.create_session(&session_request("u-x", "x@example.com", TxType::Buy)).await.expect("session");
    s.signature = format!("v2:{}", "0".repeat(128));
    let (status, body) = Widget::new(&sb.base_url(), &s).call("state", json!({})).await;
    assert_eq!(status, 401);
    assert!(body["message"].as_str().is_some_and(|m| m.contains("unmodified")), "{body}");
}

#[tokio::test]
async fn expired_init_tokens_are_refused() {
    let sb = sandbox(Config { init_token_ttl: Duration::from_millis(50), ..config() }).await;
    let proof = client(&sb.base_url(), TOKEN);
    let s = proof.create_session(&session_request("u-e", "e@example.com", TxType::Buy)).await.expect("session");
    tokio::time::sleep(Duration::from_millis(120)).await;
    let (status, body) = Widget::new(&sb.base_url(), &s).call("state", json!({})).await;
    assert_eq!(status, 401);
    assert!(body["message"].as_str().is_some_and(|m| m.contains("expired")), "{body}");
}
