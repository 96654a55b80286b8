//! The watchers' life: a session nobody opened stops being watched once its link expired (and
//! stays stopped across a restart), an opened one is watched on; a cap bounds how many
//! transactions one instance watches, with the rest picked up later; the count shows in
//! `/readyz` and `/metrics`.

mod common;

use std::time::{Duration, Instant};

use common::*;
use partner_backend::Backend;
use partner_backend::config::Config;
use serde_json::{Value, json};

fn config(dir: &Scratch) -> Config {
    let mut c = test_config(dir.db_url());
    c.auth_signing_key = partner_backend::config::Secret::new("watchers-test-signing-key-0123456789");
    c.watch_lease = Duration::from_secs(3); // sweeps every second
    c
}

async fn wait_for(limit: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !check().await {
        assert!(Instant::now() < deadline, "{what} (waited {limit:?})");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn holder(dir: &Scratch, id: &str) -> (Option<String>, Option<i64>) {
    let db = sqlx::SqlitePool::connect(&dir.db_url()).await.expect("db");
    let row = sqlx::query_as("SELECT watch_holder, watch_until FROM transactions WHERE id = ?")
        .bind(id)
        .fetch_one(&db)
        .await
        .expect("row");
    db.close().await;
    row
}

#[tokio::test]
async fn sessions_nobody_opened_stop_being_watched_and_stay_stopped() {
    let dir = Scratch::new("unopened");
    // Proof outside the backend, so it still knows the transactions after the restart.
    let sandbox = proof_sandbox::Sandbox::start(proof_sandbox::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        client_tokens: vec!["watchers-token".into()],
        ..proof_sandbox::Config::default()
    })
    .await
    .expect("sandbox");
    let start = || {
        let mut c = config(&dir);
        c.proof = partner_backend::config::ProofTarget::Remote {
            base_url: url::Url::parse(&sandbox.base_url()).expect("url"),
            client_token: partner_backend::config::Secret::new("watchers-token"),
            widget_script_url: url::Url::parse(&sandbox.widget_script_url()).expect("url"),
        };
        c.widget_link_ttl = Duration::from_secs(1);
        c.unopened_watch_grace = Duration::ZERO;
        Backend::start(c)
    };
    let backend = start().await.expect("starts");
    let api = Api::new(&backend);
    let user = partner_backend::auth::AppUser { id: "verified-watchers".into(), email: "w@example.com".into() };
    let token = backend.start_app_session(&user).await.expect("app session").token;
    let unopened = api.buy(&token).await;
    let opened = api.buy(&token).await;
    api.http.get(&opened.widget_url).send().await.expect("host page").error_for_status().expect("opens");
    assert_eq!(backend.upstream_watchers(), 2);

    wait_for(Duration::from_secs(10), "the unopened session stops being watched", async || {
        backend.upstream_watchers() == 1
    })
    .await;
    let (who, until) = holder(&dir, &unopened.merchant_transaction_id).await;
    assert_eq!((who, until), (None, Some(i64::MAX)), "given up: sweeps leave it alone");
    let (who, _) = holder(&dir, &opened.merchant_transaction_id).await;
    assert!(who.is_some(), "the opened one is still watched");

    // A restart resumes only what is still live.
    backend.shutdown().await;
    let backend = start().await.expect("restarts");
    tokio::time::sleep(Duration::from_secs(2)).await; // two sweeps
    assert_eq!(backend.upstream_watchers(), 1, "the opened session only");
    backend.shutdown().await;
}

#[tokio::test]
async fn a_watcher_cap_leaves_the_rest_for_a_later_sweep() {
    let dir = Scratch::new("cap");
    let mut c = config(&dir);
    c.max_upstream_watchers = 1;
    let backend = Backend::start(c).await.expect("starts");
    let api = Api::new(&backend);
    let token = api.login("verified").await;
    let first = api.buy(&token).await;
    let second = api.buy(&token).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let ready: Value =
        api.http.get(format!("{}/readyz", api.base)).send().await.expect("readyz").json().await.expect("json");
    assert_eq!((ready["upstream_watchers"].as_u64(), ready["max_upstream_watchers"].as_u64()), (Some(1), Some(1)));
    let metrics =
        api.http.get(format!("{}/metrics", api.base)).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("\nproof_ramp_upstream_watchers 1\n"), "{metrics}");
    assert!(metrics.contains("# TYPE proof_ramp_upstream_watchers gauge"), "{metrics}");
    let (who, _) = holder(&dir, &second.merchant_transaction_id).await;
    assert_eq!(who, None, "over the cap: left free for another instance");

    // The first finishes; the next sweep takes the second.
    let widget = Widget::open(&api, &first.widget_url, &backend.sandbox().expect("sandbox").base_url()).await;
    widget.step("action", json!({"action": "pay"})).await;
    let events = api.events(&token, &first.merchant_transaction_id, None).await;
    assert_eq!(statuses(&events).last(), Some(&"completed"));
    let id = second.merchant_transaction_id.clone();
    wait_for(Duration::from_secs(10), "the second is taken up", async || holder(&dir, &id).await.0.is_some()).await;
    assert_eq!(backend.upstream_watchers(), 1);
    backend.shutdown().await;
}
