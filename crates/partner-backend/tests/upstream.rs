//! A misbehaving Proof, seen from the app: status still arrives within one poll interval when
//! Proof's WebSocket refuses every handshake, whether with `503` (down) or `404` (misrouted).
//! Webhooks are off here, so only the watcher can bring a change.

mod common;

use std::time::{Duration, Instant};

use common::*;
use partner_backend::Backend;
use proof_sandbox::Faults;
use ramp_api::StatusEvent;
use serde_json::json;

/// One poll interval; the WebSocket settings are the production defaults (1 s doubling to
/// 30 s), under which waiting for the socket to give up would take well over half a minute.
const POLL: Duration = Duration::from_secs(1);

/// A purchase paid while Proof's WebSocket refuses every handshake with `handshake_status`, on
/// a backend started with `config`: the backend and the app's status stream, whose first event
/// (`pending`) has been read.
async fn paid_while_the_websocket_is_refused(
    config: partner_backend::config::Config,
    handshake_status: u16,
) -> (Backend, tokio::sync::mpsc::UnboundedReceiver<StatusEvent>) {
    let backend = Backend::start(config).await.expect("starts");
    let sandbox = backend.sandbox().expect("sandbox mode");
    sandbox.set_faults(Faults { ws_handshake_status: Some(handshake_status), ..Faults::default() });
    let api = Api::new(&backend);
    let token = api.login("verified").await;
    let created = api.buy(&token).await;
    let mut events = stream(&api, &token, &created.merchant_transaction_id);
    let first: Option<StatusEvent> = next(&mut events, Duration::from_secs(5)).await;
    assert_eq!(first.map(|e| e.seq), Some(1));
    let widget = Widget::open(&api, &created.widget_url, &sandbox.base_url()).await;
    widget.step("action", json!({"action": "pay"})).await;
    (backend, events)
}

async fn status_with_websocket_refused(handshake_status: u16) {
    let dir = Scratch::new("ws-refused");
    let mut config = test_config(dir.db_url());
    config.webhook_path_secret = None;
    config.poll_interval = POLL;
    config.ws_min_delay = Duration::from_secs(1);
    config.ws_max_delay = Duration::from_secs(30);
    let (backend, mut events) = paid_while_the_websocket_is_refused(config, handshake_status).await;
    let paid = Instant::now();
    // One interval, plus room for a loaded machine; the old watcher needed about 45 s for
    // `503` and never saw anything for `404`.
    let processing = next(&mut events, POLL * 4).await;
    assert_eq!(
        processing.map(|e| e.status.as_str().to_owned()).as_deref(),
        Some("processing"),
        "handshake {handshake_status}: no change within {:?}",
        paid.elapsed()
    );
    let completed = next(&mut events, Duration::from_secs(10)).await;
    assert_eq!(completed.map(|e| e.status.as_str().to_owned()).as_deref(), Some("completed"));
    assert!(next(&mut events, Duration::from_secs(2)).await.is_none(), "the stream ends");
    backend.shutdown().await;
}

#[tokio::test]
async fn status_arrives_while_the_websocket_is_down() {
    status_with_websocket_refused(503).await;
}

#[tokio::test]
async fn status_arrives_while_the_websocket_answers_not_found() {
    status_with_websocket_refused(404).await;
}

/// How the stand-in Proof below misbehaves.
#[derive(Clone, Copy, Debug)]
enum Misbehaviour {
    /// `200` with a body that is not JSON.
    Garbled,
    /// `200` with JSON missing required fields.
    MissingField,
    /// Answers after 40 s.
    Slow,
    /// `200`, sends the start of a body, then nothing more, ever.
    EndlessBody,
    /// `200` with a valid (for KYC) but 1 MiB body.
    Huge,
}

/// Serve `router` on a free loopback port; its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, router).await });
    base
}

/// A backend whose "Proof" is `proof` (a fake of the test's) and whose tokens `key` signs.
fn fake_proof_config(dir: &Scratch, proof: &str, key: &str) -> partner_backend::config::Config {
    let mut config = test_config(dir.db_url());
    config.proof = partner_backend::config::ProofTarget::Remote {
        base_url: url::Url::parse(proof).expect("url"),
        client_token: partner_backend::config::Secret::new("fake-token"),
        widget_script_url: url::Url::parse(&format!("{proof}/widget.2.0.js")).expect("url"),
    };
    config.auth_signing_key = partner_backend::config::Secret::new(key);
    config
}

/// A Proof that answers every KYC and session call the same wrong way.
async fn misbehaving_proof(how: Misbehaviour) -> String {
    use axum::body::Body;
    use axum::response::Response;
    let answer = move || async move {
        let json = |body: Body| {
            Response::builder()
                .header("content-type", "application/json")
                .header("x-request-id", "req-fake-1")
                .body(body)
        };
        let r = match how {
            Misbehaviour::Garbled => json(Body::from("{\"status\": verif")),
            Misbehaviour::MissingField => json(Body::from("{\"unrelated\": true}")),
            Misbehaviour::Slow => {
                tokio::time::sleep(Duration::from_secs(40)).await;
                json(Body::from("{\"status\":\"verified\"}"))
            }
            Misbehaviour::EndlessBody => {
                let start = futures_util::stream::once(async {
                    Ok::<_, std::io::Error>(axum::body::Bytes::from("{\"status\":"))
                });
                json(Body::from_stream(futures_util::StreamExt::chain(start, futures_util::stream::pending())))
            }
            Misbehaviour::Huge => json(Body::from(format!(
                "{{\"partner_user_id\":\"u-1\",\"status\":\"verified\",\"padding\":\"{}\"}}",
                "x".repeat(1 << 20)
            ))),
        };
        r.expect("response")
    };
    let router = axum::Router::new()
        .route("/widget/users/{id}/kyc-status", axum::routing::get(answer))
        .route("/widget/session", axum::routing::post(answer));
    serve(router).await
}

#[tokio::test]
async fn proofs_faults_are_a_prompt_503_not_ours() {
    const KEY: &str = "upstream-test-signing-key-0123456789";
    for how in [
        Misbehaviour::Garbled,
        Misbehaviour::MissingField,
        Misbehaviour::Slow,
        Misbehaviour::EndlessBody,
        Misbehaviour::Huge,
    ] {
        let proof = misbehaving_proof(how).await;
        let dir = Scratch::new("misbehaving");
        let mut config = fake_proof_config(&dir, &proof, KEY);
        config.request_deadline = Duration::from_secs(1);
        let backend = Backend::start(config).await.expect("starts");
        let api = Api::new(&backend);
        let user = partner_backend::auth::AppUser { id: "u-1".into(), email: "u1@example.com".into() };
        let token = backend.start_app_session(&user).await.expect("app session").token;
        let body = json!({"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25"});
        for (what, started, answer) in [
            ("KYC status", Instant::now(), api.get(&token, "/v1/me/kyc").await),
            ("session", Instant::now(), api.post(&token, "/v1/sessions", &body).await),
        ] {
            let took = started.elapsed();
            let status = answer.status().as_u16();
            let retry_after = answer.headers().get("retry-after").is_some();
            let envelope: ramp_api::ErrorEnvelope = answer.json().await.expect("error envelope");
            assert_eq!(
                (status, envelope.error.code.as_str(), retry_after),
                (503, "provider_unavailable", true),
                "{how:?} on {what}"
            );
            // The deadline (1 s) plus room for a loaded machine; without it a slow Proof held
            // the app for each attempt's 15 s times the retries.
            assert!(took < Duration::from_secs(5), "{how:?} on {what}: answered after {took:?}");
        }
        backend.shutdown().await;
    }
}

#[tokio::test]
async fn a_webhook_is_recorded_only_once_proof_confirmed_it() {
    const SECRET: &str = "hook-secret-for-redelivery-01";
    let dir = Scratch::new("webhook-confirm");
    let mut config = test_config(dir.db_url());
    config.webhook_path_secret = Some(partner_backend::config::Secret::new(SECRET));
    config.poll_interval = Duration::from_secs(60); // polling cannot bring the change in time
    let backend = Backend::start(config).await.expect("starts");
    let sandbox = backend.sandbox().expect("sandbox mode");
    let no_socket = Faults { ws_handshake_status: Some(503), ..Faults::default() };
    sandbox.set_faults(no_socket.clone());
    let api = Api::new(&backend);
    let token = api.login("verified").await;
    let created = api.buy(&token).await;
    let id = created.merchant_transaction_id.clone();
    let mut events = stream(&api, &token, &id);
    assert_eq!(next(&mut events, Duration::from_secs(5)).await.map(|e| e.seq), Some(1));

    // Proof fails every call while its webhook for `processing` arrives: nothing to record yet.
    sandbox.set_faults(Faults { error_502_rate: 1.0, ..no_socket.clone() });
    let widget = Widget::open(&api, &created.widget_url, &sandbox.base_url()).await;
    widget.step("action", json!({"action": "pay"})).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let db = sqlx::SqlitePool::connect(&dir.db_url()).await.expect("db");
    let receipts = || sqlx::query_scalar::<_, i64>("SELECT count(*) FROM webhook_receipts WHERE tx_id = ?").bind(&id);
    assert_eq!(receipts().fetch_one(&db).await.expect("count"), 0, "not confirmed, not recorded");

    // Proof is back and redelivers: the hint is confirmed, the change shows, the receipt stays.
    sandbox.set_faults(no_socket);
    let hook = format!("{}/proof/webhook/{SECRET}", api.base);
    let delivered =
        api.http.post(&hook).json(&json!({"merchant_transaction_id": id, "status": "processing"})).send().await;
    assert_eq!(delivered.expect("webhook answers").status(), 204);
    let processing = next(&mut events, Duration::from_secs(10)).await;
    assert_eq!(processing.map(|e| e.status.as_str().to_owned()).as_deref(), Some("processing"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while receipts().fetch_one(&db).await.expect("count") == 0 {
        assert!(Instant::now() < deadline, "the confirmed webhook is recorded");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    backend.shutdown().await;
}

/// A premature hint: a webhook says `completed` while Proof says `processing`. The receipt
/// records what Proof confirmed, so the genuine `completed` webhook that follows is applied,
/// not dropped as a duplicate (polling is a minute away and the WebSocket is refused, so only
/// the webhook can bring it in time).
#[tokio::test]
async fn a_premature_webhook_does_not_swallow_the_genuine_one() {
    let dir = Scratch::new("webhook-premature");
    let mut config = test_config(dir.db_url());
    config.webhook_path_secret = Some(partner_backend::config::Secret::new("hook-secret-for-premature-01"));
    config.poll_interval = Duration::from_secs(60);
    let (backend, mut events) = paid_while_the_websocket_is_refused(config, 503).await;
    let api = Api::new(&backend);
    let processing = next(&mut events, Duration::from_secs(10)).await.expect("processing, by the sandbox's webhook");
    assert_eq!(processing.status.as_str(), "processing");
    let id = processing.merchant_transaction_id.clone();
    // Before the sandbox settles (1.5 s after payment), a hint says it already completed.
    let hook = format!("{}/proof/webhook/hook-secret-for-premature-01", api.base);
    let early = api.http.post(&hook).json(&json!({"merchant_transaction_id": id, "status": "completed"})).send().await;
    assert_eq!(early.expect("webhook answers").status(), 204);
    // The genuine `completed` webhook comes when the sandbox settles, and is applied.
    let completed = next(&mut events, Duration::from_secs(10)).await;
    assert_eq!(completed.map(|e| e.status.as_str().to_owned()).as_deref(), Some("completed"));
    backend.shutdown().await;
}

#[tokio::test]
async fn expired_unopened_links_lose_their_session() {
    let dir = Scratch::new("link-purge");
    let mut config = test_config(dir.db_url());
    config.widget_link_ttl = Duration::from_secs(2); // whole seconds: at least one left when checked below
    config.watch_lease = Duration::from_secs(3); // sweeps (and purges) every second
    let backend = Backend::start(config).await.expect("starts");
    let api = Api::new(&backend);
    let token = api.login("verified").await;
    api.buy(&token).await;
    let db = sqlx::SqlitePool::connect(&dir.db_url()).await.expect("db");
    let kept = || sqlx::query_scalar::<_, i64>("SELECT count(*) FROM widget_links WHERE session_json IS NOT NULL");
    assert_eq!(kept().fetch_one(&db).await.expect("count"), 1, "a live link keeps its session");
    let deadline = Instant::now() + Duration::from_secs(10);
    while kept().fetch_one(&db).await.expect("count") > 0 {
        assert!(Instant::now() < deadline, "Proof's init_token outlives the link");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    backend.shutdown().await;
}

/// A webhook brings a change sooner than polling would. Proof's WebSocket refuses every
/// handshake and the poll interval is a minute: without webhooks nothing arrives for seconds
/// after the payment (the control), with them (the embedded sandbox delivers Proof's webhooks
/// to `/proof/webhook/<secret>`) the change is on the app's stream at once.
#[tokio::test]
async fn a_webhook_brings_the_status_before_the_next_poll() {
    for webhooks in [false, true] {
        let dir = Scratch::new("webhook-sooner");
        let mut config = test_config(dir.db_url());
        config.webhook_path_secret =
            webhooks.then(|| partner_backend::config::Secret::new("hook-secret-for-tests-0123"));
        config.poll_interval = Duration::from_secs(60);
        let (backend, mut events) = paid_while_the_websocket_is_refused(config, 503).await;
        let change = next(&mut events, Duration::from_secs(if webhooks { 10 } else { 3 })).await;
        if webhooks {
            assert_eq!(
                change.map(|e| e.status.as_str().to_owned()).as_deref(),
                Some("processing"),
                "the webhook brought the change"
            );
        } else {
            assert!(change.is_none(), "control: without webhooks nothing arrives before the next poll: {change:?}");
        }
        backend.shutdown().await;
    }
}

/// An attacker's (or a misrouted proxy's) host, answering as Proof would that the user is
/// verified and every transaction completed.
async fn impostor() -> String {
    let kyc = || async { axum::Json(json!({"partner_user_id": "u-1", "status": "verified"})) };
    let tx = |axum::extract::Path(id): axum::extract::Path<String>| async move {
        axum::Json(json!({
            "merchant_transaction_id": id, "partner_user_id": "u-1", "type": "buy", "status": "completed",
            "currency": "USDT", "network": "TRC20", "crypto_amount": "25", "fiat_currency": "EUR",
            "fiat_amount": "25.00", "created_at": "2026-04-01T10:00:00Z", "updated_at": "2026-04-01T10:03:45Z"
        }))
    };
    let router = axum::Router::new()
        .route("/widget/users/{id}/kyc-status", axum::routing::get(kyc))
        .route("/widget/transactions/{id}", axum::routing::get(tx));
    serve(router).await
}

/// A "Proof" that redirects every call to `to`, keeping the path.
async fn redirecting_to(to: String) -> String {
    let router = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let to = to.clone();
        async move { axum::response::Redirect::temporary(&format!("{to}{}", uri.path())) }
    });
    serve(router).await
}

/// Attack: whatever answers at Proof's address redirects to another host, which says the user
/// is verified and the transaction completed. Proof's API never redirects, so nothing is
/// followed: the KYC call is a `503` for the app (and an operator line in the log), and a
/// transaction poll leaves the stored status where Proof last put it.
#[tokio::test]
async fn a_redirect_from_proof_is_never_followed_or_believed() {
    const KEY: &str = "redirect-test-signing-key-0123456789";
    let proof = redirecting_to(impostor().await).await;
    let dir = Scratch::new("redirected");
    let backend = Backend::start(fake_proof_config(&dir, &proof, KEY)).await.expect("starts");
    let api = Api::new(&backend);
    let user = partner_backend::auth::AppUser { id: "u-1".into(), email: "u1@example.com".into() };
    let token = backend.start_app_session(&user).await.expect("app session").token;
    let answer = api.get(&token, "/v1/me/kyc").await;
    let status = answer.status().as_u16();
    let envelope: ramp_api::ErrorEnvelope = answer.json().await.expect("error envelope");
    assert_eq!((status, envelope.error.code.as_str()), (503, "provider_unavailable"), "{envelope:?}");
    backend.shutdown().await;

    // The watcher's path: confirming a transaction through the redirect changes nothing.
    let store = partner_backend::store::open(&dir.db_url(), "redirect-test").await.expect("store");
    let client = proof_api::ProofClient::builder(proof, "fake-token").build().expect("client");
    let relay = partner_backend::relay::Relay::new(
        client,
        store.clone(),
        partner_backend::relay::RelayOptions {
            poll_interval: POLL,
            ws: proof_api::WsOptions::default(),
            watch_limit: Duration::from_secs(60),
            lease: Duration::from_secs(10),
            unopened_grace: Duration::from_secs(60),
            max_watchers: 10,
            instance: "redirect-test".into(),
        },
    );
    let tx = partner_backend::store::NewTransaction {
        id: "tx-redirected".into(),
        owner: "u-1".into(),
        tx_type: proof_api::TxType::Buy,
        currency: "USDT".into(),
        network: "TRC20".into(),
        amount: proof_api::Amount::parse("25").expect("amount"),
        created_at: "2026-04-01T10:00:00Z".into(),
    };
    store
        .insert_transaction(&tx, partner_backend::store::Lease { holder: "redirect-test", now_ms: 0, until_ms: 0 })
        .await
        .expect("recorded");
    assert!(relay.confirm("tx-redirected").await.is_none(), "nothing confirmed through a redirect");
    let (_, view) = store.transaction("tx-redirected").await.expect("read").expect("exists");
    assert_eq!(view.status.as_str(), "pending");
}
