//! The stand-in widget in a real browser engine: headless Chromium driven over WebDriver, with
//! Chromium's fake camera. A host page on its own origin (registered with the sandbox) loads
//! `widget.2.0.js` and runs it with a real session; the test clicks through documents, liveness
//! and payment, then checks the callbacks and the sandbox's server-side state.
//!
//! Needs `chromium` and `chromedriver` (Debian: `chromium chromium-driver`). Set
//! `PROOF_SKIP_BROWSER_TESTS=1` to skip on a machine without them; CI installs both.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use fantoccini::Client;
use proof_api::{Amount, CreateSession, KycStatus, ProofClient, Session, TxStatus, TxType};
use proof_sandbox::{Config, Sandbox};
use serde_json::{Value, json};
use testkit::{chromedriver, chromium, profile_dir, skip, snap, wait_css};

const TOKEN: &str = "browser-test-token";

/// The partner's host page: loads the widget and records every callback in `window.__events`.
fn host_page(script: &str, session: &Session) -> String {
    let s = serde_json::to_string(session).expect("serialises");
    format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Host</title></head><body><div id="proof-widget"></div>
<script src="{script}"></script>
<script>
window.__events = [];
const rec = (name) => (payload) => window.__events.push({{ name, payload: payload === undefined ? null : payload }});
const s = {s};
proofWidget.run({{
  widgetId: s.widget_id, host: document.getElementById("proof-widget"), address: s.address,
  signature: s.signature, initToken: s.init_token, initTokenType: s.init_token_type,
  merchantTransactionId: s.merchant_transaction_id, currency: s.currency, network: s.network,
  amount: s.amount, fixCurrency: s.fix_currency, fixNetwork: s.fix_network, fixAmount: s.fix_amount,
  fiatCurrency: s.fiat_currency, type: s.type,
  onLoad: rec("onLoad"), onReady: rec("onReady"), onStatusChange: rec("onStatusChange"),
  onPaymentFinished: rec("onPaymentFinished"), onSellTransferEnabled: rec("onSellTransferEnabled"),
}});
</script></body></html>"#
    )
}

struct Stack {
    sandbox: Sandbox,
    proof: ProofClient,
    host: SocketAddr,
    pages: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Stack {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("binds");
        let host = listener.local_addr().expect("addr");
        let sandbox = Sandbox::start(Config {
            listen: "127.0.0.1:0".parse().expect("addr"),
            client_tokens: vec![TOKEN.into()],
            origins: vec![format!("http://{host}")],
            settle_after: Duration::from_millis(300),
            ..Config::default()
        })
        .await
        .expect("sandbox");
        let pages: std::sync::Arc<std::sync::Mutex<Vec<String>>> = std::sync::Arc::default();
        let served = pages.clone();
        let app = Router::new().route(
            "/page/{n}",
            get(move |axum::extract::Path(n): axum::extract::Path<usize>| {
                let page = served.lock().expect("lock").get(n).cloned().unwrap_or_default();
                async move { Html(page) }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        let proof = ProofClient::builder(sandbox.base_url(), TOKEN).build().expect("client");
        Self { sandbox, proof, host, pages }
    }

    /// Create a session for `user` and return the URL of a host page running it.
    async fn page_for(&self, user: &str, email: &str, tx_type: TxType) -> (Session, String) {
        let session = self
            .proof
            .create_session(&CreateSession {
                partner_user_id: user.into(),
                user_email: email.into(),
                network: "TRC20".into(),
                currency: "USDT".into(),
                amount: Amount::parse("25").expect("decimal"),
                tx_type: Some(tx_type),
                redirect_url: None,
                client_ip: None,
                address: None,
            })
            .await
            .expect("session");
        let mut pages = self.pages.lock().expect("lock");
        pages.push(host_page(&self.sandbox.widget_script_url(), &session));
        (session, format!("http://{}/page/{}", self.host, pages.len() - 1))
    }
}

async fn events(c: &Client) -> Vec<Value> {
    match c.execute("return window.__events;", vec![]).await.expect("script runs") {
        Value::Array(a) => a,
        other => panic!("no events array: {other}"),
    }
}

#[tokio::test]
async fn first_time_buyer_goes_from_run_to_completed_in_chromium() {
    if skip() {
        return;
    }
    let stack = Stack::start().await;
    let (_driver, driver_url) = chromedriver().await;
    let profile = profile_dir("allow");
    let c = chromium(&driver_url, true, &profile).await;
    let (session, url) = stack.page_for("user-browser-1", "first@example.com", TxType::Buy).await;

    c.goto(&url).await.expect("page loads");
    // Documents: a real file input with capture; then the selfie through the fake camera.
    let input = wait_css(&c, "#pw-document").await;
    assert_eq!(input.attr("accept").await.expect("attr").as_deref(), Some("image/*"));
    assert!(input.attr("capture").await.expect("attr").is_some());
    snap(&c, "widget-documents").await;
    let width = testkit::complete_kyc(&c, &profile).await;
    assert!(width > 0, "the preview showed camera frames");

    // Payment.
    wait_css(&c, "#pw-pay").await;
    snap(&c, "widget-payment").await;
    wait_css(&c, "#pw-pay").await.click().await.expect("click");
    let result = wait_css(&c, "#pw-result[data-status=completed]").await;
    assert!(result.text().await.expect("text").contains("on its way"));
    snap(&c, "widget-completed").await;

    let ev = events(&c).await;
    let names: Vec<&str> = ev.iter().filter_map(|e| e["name"].as_str()).collect();
    assert_eq!(names.first(), Some(&"onLoad"));
    assert_eq!(names.get(1), Some(&"onReady"));
    let statuses: Vec<&str> =
        ev.iter().filter(|e| e["name"] == "onStatusChange").filter_map(|e| e["payload"]["status"].as_str()).collect();
    assert_eq!(statuses, vec!["kyc_documents_submitted", "kyc_verified", "paid", "completed"]);
    let finished: Vec<&Value> = ev.iter().filter(|e| e["name"] == "onPaymentFinished").collect();
    assert_eq!(finished.len(), 1);
    assert_eq!(finished[0]["payload"], json!({"payment_method": "card"}));
    let paid = ev.iter().find(|e| e["payload"]["status"] == "paid").expect("paid event");
    for key in [
        "amount",
        "currency",
        "network",
        "fiat_amount",
        "fiat_currency",
        "merchant_transaction_id",
        "status",
        "payment_method",
    ] {
        assert!(paid["payload"][key].is_string(), "onStatusChange.{key} is a string: {paid}");
    }
    assert_eq!(paid["payload"]["merchant_transaction_id"], session.merchant_transaction_id.as_str());

    let tx = stack.proof.transaction(&session.merchant_transaction_id).await.expect("tx");
    assert_eq!(tx.status, TxStatus::Completed);
    assert_eq!(stack.proof.kyc_status("user-browser-1").await.expect("kyc").status, KycStatus::Verified);
    c.close().await.expect("closes");
}

#[tokio::test]
async fn a_denied_camera_shows_what_to_do() {
    if skip() {
        return;
    }
    let stack = Stack::start().await;
    let (_driver, driver_url) = chromedriver().await;
    let profile = profile_dir("deny");
    let c = chromium(&driver_url, false, &profile).await;
    let (session, url) = stack.page_for("user-browser-2", "second@example.com", TxType::Buy).await;

    c.goto(&url).await.expect("page loads");
    testkit::upload_document(&c, &profile).await;
    wait_css(&c, "#pw-camera-start").await.click().await.expect("click");

    let msg = wait_css(&c, "[data-camera=error] #pw-camera-error").await.text().await.expect("text");
    assert!(msg.contains("Camera access was denied") && msg.contains("allow camera access"), "{msg}");
    assert_eq!(wait_css(&c, "#pw-camera-start").await.text().await.expect("text"), "Try again");
    snap(&c, "widget-camera-denied").await;
    let tx = stack.proof.transaction(&session.merchant_transaction_id).await.expect("tx");
    assert_eq!(tx.status, TxStatus::Pending, "nothing advanced without the selfie");
    c.close().await.expect("closes");
}

#[tokio::test]
async fn seller_sees_the_deposit_address_callback() {
    if skip() {
        return;
    }
    let stack = Stack::start().await;
    let (_driver, driver_url) = chromedriver().await;
    let profile = profile_dir("sell");
    let c = chromium(&driver_url, true, &profile).await;
    let (session, url) = stack.page_for("seller-browser", "seller@example.com", TxType::Sell).await;

    c.goto(&url).await.expect("page loads");
    wait_css(&c, "#pw-deposit-sent").await.click().await.expect("click");
    wait_css(&c, "#pw-result[data-status=completed]").await;
    let ev = events(&c).await;
    let sell = ev.iter().find(|e| e["name"] == "onSellTransferEnabled").expect("sell callback");
    assert_eq!(sell["payload"]["flow_id"], "payout");
    assert_eq!(sell["payload"]["address"], session.address.as_str());
    assert_eq!(sell["payload"]["id"], session.merchant_transaction_id.as_str());
    c.close().await.expect("closes");
}
