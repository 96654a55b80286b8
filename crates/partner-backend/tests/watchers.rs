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
    config_for(dir.db_url())
}

fn config_for(db_url: String) -> Config {
    let mut c = test_config(db_url);
    c.auth_signing_key = partner_backend::config::Secret::new("watchers-test-signing-key-0123456789");
    c.watch_lease = Duration::from_secs(3); // sweeps every second
    c
}

/// Proof outside the backend (so it still knows the transactions after a restart).
async fn outside_sandbox() -> proof_sandbox::Sandbox {
    proof_sandbox::Sandbox::start(proof_sandbox::Config {
        listen: "127.0.0.1:0".parse().expect("addr"),
        client_tokens: vec!["watchers-token".into()],
        ..proof_sandbox::Config::default()
    })
    .await
    .expect("sandbox")
}

/// The backend's Proof setting for `sandbox`.
fn proof_at(sandbox: &proof_sandbox::Sandbox) -> partner_backend::config::ProofTarget {
    partner_backend::config::ProofTarget::Remote {
        base_url: url::Url::parse(&sandbox.base_url()).expect("url"),
        client_token: partner_backend::config::Secret::new("watchers-token"),
        widget_script_url: url::Url::parse(&sandbox.widget_script_url()).expect("url"),
    }
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
    let sandbox = outside_sandbox().await;
    let start = || {
        let mut c = config(&dir);
        c.proof = proof_at(&sandbox);
        // Long enough to open the second link on a busy machine (CI once took over a second).
        c.widget_link_ttl = Duration::from_secs(3);
        c.unopened_watch_grace = Duration::ZERO;
        Backend::start(c)
    };
    let backend = start().await.expect("starts");
    let api = Api::new(&backend);
    let user = partner_backend::auth::AppUser { id: "verified-watchers".into(), email: "w@example.com".into() };
    let token = backend.start_app_session(&user).await.expect("app session").token;
    let opened = api.buy(&token).await;
    api.http.get(&opened.widget_url).send().await.expect("host page").error_for_status().expect("opens");
    let unopened = api.buy(&token).await;
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

/// The status `/v1/transactions/{id}` shows.
async fn status_of(api: &Api, token: &str, id: &str) -> String {
    let view: ramp_api::TransactionView =
        api.get(token, &format!("/v1/transactions/{id}")).await.json().await.expect("transaction");
    view.status.as_str().to_owned()
}

/// A purchase left `pending` once nobody can open its widget (its links expired and it cannot
/// be continued, plus the grace) ends as `expired` after Proof confirms it is still pending:
/// whether its link was never opened or opened and left. The app's stream shows the end and
/// closes; a stream opened later shows the history and closes at once, starting no watch at
/// Proof; it cannot be continued. (Before, each such purchase stayed pending forever and every
/// reconnecting stream restarted a 24-hour watch.)
#[tokio::test]
async fn an_abandoned_purchase_ends_as_expired_everywhere() {
    abandoned_purchase_ends_as_expired(Db::Sqlite).await;
}

/// The same on PostgreSQL, whose `status_rank` is 32 bits wide (read as 64, every check of an
/// abandoned purchase failed there and it stayed pending).
#[tokio::test]
async fn an_abandoned_purchase_ends_as_expired_everywhere_on_postgres() {
    abandoned_purchase_ends_as_expired(Db::Postgres).await;
}

async fn abandoned_purchase_ends_as_expired(kind: Db) {
    let Some(db) = TestDb::new(kind, "abandoned").await else { return };
    let mut c = config_for(db.url.clone());
    // Links expire on whole seconds (`expires_at` is Unix seconds): a 1-second link made just
    // before a second turns is dead a few milliseconds later, before the widget below opens it.
    c.widget_link_ttl = Duration::from_secs(2);
    c.unopened_watch_grace = Duration::from_secs(1);
    c.proof_session_ttl = Duration::ZERO; // cannot be continued: the links are the only way in
    let backend = Backend::start(c).await.expect("starts");
    let api = Api::new(&backend);
    let token = api.login("verified").await;
    let never_opened = api.buy(&token).await;
    let left = api.buy(&token).await;
    // A sale waits for a deposit that may confirm long after its widget closed: never expired
    // by the backend (Proof ends it when its deposit window closes).
    let sale =
        api.create(&token, json!({"type": "sell", "currency": "USDT", "network": "TRC20", "amount": "25"})).await;
    let sandbox = backend.sandbox().expect("sandbox").base_url();
    let left_widget = Widget::open(&api, &left.widget_url, &sandbox).await; // opened, then nothing
    for created in [&never_opened, &left] {
        let id = &created.merchant_transaction_id;
        let events = api.events(&token, id, None).await; // reads until the stream ends
        assert_eq!(statuses(&events), ["pending", "expired"], "{id}");
    }
    wait_for(Duration::from_secs(5), "no watcher left", async || backend.upstream_watchers() == 0).await;
    let id = &never_opened.merchant_transaction_id;
    assert_eq!(statuses(&api.events(&token, id, None).await), ["pending", "expired"], "a later stream ends at once");
    tokio::time::sleep(Duration::from_millis(1500)).await; // a sweep or two
    assert_eq!(backend.upstream_watchers(), 0, "nothing is watched again");
    assert_eq!(status_of(&api, &token, id).await, "expired");
    assert_eq!(status_of(&api, &token, &sale.merchant_transaction_id).await, "pending", "a sale is not abandoned");
    let resumed = api.post(&token, &format!("/v1/transactions/{id}/resume"), &json!({})).await;
    assert_eq!(resumed.status(), 409, "an expired purchase cannot be continued");

    // Money safety: if Proof does take a payment after all, its confirmed word (the webhook)
    // still moves the transaction on; `expired` hides no payment.
    left_widget.step("action", json!({"action": "pay"})).await;
    let left_id = &left.merchant_transaction_id;
    wait_for(Duration::from_secs(10), "Proof's later word wins over expired", async || {
        status_of(&api, &token, left_id).await != "expired"
    })
    .await;
    backend.shutdown().await;
}

/// A purchase given up on while it could still be continued (its link expired unopened) is
/// ended by a sweep once continuing it is no longer possible either, with no stream open.
#[tokio::test]
async fn a_purchase_given_up_on_is_ended_by_a_sweep_when_it_can_no_longer_be_continued() {
    let dir = Scratch::new("abandoned-sweep");
    let mut c = config(&dir);
    c.widget_link_ttl = Duration::from_secs(1);
    c.unopened_watch_grace = Duration::from_secs(1);
    // Continuing ends 3 s after creation (the lifetime less the 5-minute margin).
    c.proof_session_ttl = Duration::from_secs(303);
    let backend = Backend::start(c).await.expect("starts");
    let api = Api::new(&backend);
    let token = api.login("verified").await;
    let id = api.buy(&token).await.merchant_transaction_id;
    wait_for(Duration::from_secs(5), "given up while still resumable", async || {
        holder(&dir, &id).await == (None, Some(i64::MAX))
    })
    .await;
    assert_eq!(status_of(&api, &token, &id).await, "pending", "it can still be continued");
    wait_for(Duration::from_secs(10), "ended by a sweep", async || status_of(&api, &token, &id).await == "expired")
        .await;
    wait_for(Duration::from_secs(5), "let go", async || holder(&dir, &id).await.0.is_none()).await;
    assert_eq!(backend.upstream_watchers(), 0);
    backend.shutdown().await;
}

/// A transaction Proof does not know (answering `404`: a purged session, a copied database,
/// another partner's token) is recorded as expired after three answers, and never watched
/// again: not by the next sweeps, not after a restart. Before, its released lease made it an
/// orphan every sweep took again, on every instance, forever.
#[tokio::test]
async fn a_transaction_proof_does_not_know_is_never_polled_again() {
    use partner_backend::store::{Lease, NewTransaction};
    let dir = Scratch::new("unknown-at-proof");
    let sandbox = outside_sandbox().await;
    // Polling only: the WebSocket refuses every handshake.
    sandbox.set_faults(proof_sandbox::Faults { ws_handshake_status: Some(404), ..Default::default() });
    let start = || {
        let mut c = config(&dir);
        c.proof = proof_at(&sandbox);
        Backend::start(c)
    };
    let backend = start().await.expect("starts");
    // A transaction this sandbox never created, left by an instance that is gone.
    let store = partner_backend::store::open(&dir.db_url(), "elsewhere").await.expect("store");
    let tx = NewTransaction {
        id: "unknown-at-proof".into(),
        owner: "someone".into(),
        tx_type: proof_api::TxType::Buy,
        currency: "USDT".into(),
        network: "TRC20".into(),
        amount: proof_api::Amount::parse("25").expect("amount"),
        created_at: "2026-04-01T10:00:00Z".into(),
    };
    store.insert_transaction(&tx, Lease { holder: "gone", now_ms: 0, until_ms: 0 }).await.expect("insert");
    wait_for(Duration::from_secs(10), "recorded as expired", async || {
        store.transaction("unknown-at-proof").await.expect("read").is_some_and(|(_, v)| v.status.as_str() == "expired")
    })
    .await;
    let quiet = async |backend: &Backend, what: &str| {
        // Sweeps run every second: over three of them, no watcher may start.
        let until = Instant::now() + Duration::from_secs(3);
        while Instant::now() < until {
            assert_eq!(backend.upstream_watchers(), 0, "{what}: watched again");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    };
    quiet(&backend, "after the sweeps").await;
    backend.shutdown().await;
    let backend = start().await.expect("restarts");
    quiet(&backend, "after a restart").await;
    backend.shutdown().await;
}
