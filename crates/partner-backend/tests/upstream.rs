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

async fn status_with_websocket_refused(handshake_status: u16) {
    let dir = Scratch::new("ws-refused");
    let mut config = test_config(dir.db_url());
    config.webhook_path_secret = None;
    config.poll_interval = POLL;
    config.ws_min_delay = Duration::from_secs(1);
    config.ws_max_delay = Duration::from_secs(30);
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
