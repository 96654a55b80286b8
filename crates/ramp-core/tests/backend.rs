//! The core against a real backend (sandbox mode) over loopback.

use std::sync::Arc;
use std::time::Duration;

use partner_backend::Backend;
use ramp_api::{Amount, CreateSession, TxType};
use ramp_core::stream::{StreamItem, follow};
use ramp_core::{BackendClient, ErrorKind};
use serde_json::json;

async fn backend() -> (Backend, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("ramp-core-it-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut c = partner_backend::config::Config::sandbox(format!("sqlite://{}", dir.join("db.sqlite").display()));
    c.listen = "127.0.0.1:0".parse().expect("addr");
    c.poll_interval = Duration::from_millis(200);
    (Backend::start(c).await.expect("backend"), dir)
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default()
}

fn buy(amount: &str, network: &str) -> CreateSession {
    CreateSession {
        tx_type: TxType::Buy,
        currency: "USDT".into(),
        network: network.into(),
        amount: Amount::parse(amount).expect("decimal"),
        address: None,
        link: None,
    }
}

#[tokio::test]
async fn signs_in_reads_config_and_follows_a_purchase_to_the_end() {
    let (b, dir) = backend().await;
    let client = Arc::new(BackendClient::new(b.public_base().as_str()).expect("client"));
    let personas = client.personas().await.expect("personas");
    assert!(personas.iter().any(|p| p.id == "verified"));
    assert_eq!(client.kyc().await.expect_err("signed out").kind, ErrorKind::SignedOut);

    let login = client.sandbox_login("verified", true).await.expect("login");
    assert!(login.user.email.ends_with("@sandbox.proof-ramp.test"));
    assert!(client.signed_in());
    assert_eq!(client.kyc().await.expect("kyc").status.as_str(), "verified");
    let config = client.config().await.expect("config");
    assert!(ramp_core::nav::NavPolicy::new(&config).is_ok(), "the backend's allowlist parses");

    let bad = client.create_session(&buy("25", "SOLANA")).await.expect_err("bad network");
    assert_eq!((bad.kind, bad.field.as_deref()), (ErrorKind::Invalid, Some("network")));
    assert!(bad.request_id.is_some());

    let created = client.create_session(&buy("25", "TRC20")).await.expect("session");
    let mut statuses = follow(client.clone(), created.merchant_transaction_id.clone());
    // Pay through the stand-in widget's back channel, with the fields the host page carries.
    let http = reqwest::Client::new();
    let html = http.get(&created.widget_url).send().await.expect("page").text().await.expect("html");
    let s = testkit::session_from_host_page(&html);
    let sandbox = b.sandbox().expect("sandbox").base_url();
    let body = json!({"init_token": s["init_token"], "widget_id": s["widget_id"], "signature": s["signature"],
        "merchant_transaction_id": s["merchant_transaction_id"], "action": "pay"});
    let r = http
        .post(format!("{sandbox}/_sandbox/widget/action"))
        .header("Origin", b.public_base().origin().ascii_serialization())
        .json(&body)
        .send()
        .await
        .expect("pay");
    assert_eq!(r.status(), 200);

    let mut seen = Vec::new();
    while let Some(item) = tokio::time::timeout(Duration::from_secs(15), statuses.recv()).await.expect("no stall") {
        if let StreamItem::Status(ev) = item {
            seen.push(ev.status.as_str().to_owned());
        }
    }
    assert_eq!(seen, ["pending", "processing", "completed"]);
    let list = client.transactions().await.expect("list");
    assert_eq!(list[0].status.as_str(), "completed");
    assert_eq!(
        client.transaction(&created.merchant_transaction_id).await.expect("one").id,
        created.merchant_transaction_id
    );
    b.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_unreachable_backend_is_offline() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let client = BackendClient::new(&format!("http://127.0.0.1:{port}")).expect("client");
    let e = client.personas().await.expect_err("nothing listens");
    assert_eq!(e.kind, ErrorKind::Offline);
    assert!(e.message.contains("connection"));
    assert_eq!(BackendClient::new("ftp://x").expect_err("bad scheme").kind, ErrorKind::App);
}

/// The bearer token expires mid-purchase: the next calls (several at once, and the status
/// stream) renew it silently with one refresh, the purchase goes on, and the renewed sign-in is
/// saved for the next launch.
#[tokio::test]
async fn an_expired_sign_in_renews_silently_and_the_purchase_goes_on() {
    let dir = std::env::temp_dir().join(format!("ramp-core-renew-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut c = partner_backend::config::Config::sandbox(format!("sqlite://{}", dir.join("db.sqlite").display()));
    c.listen = "127.0.0.1:0".parse().expect("addr");
    c.poll_interval = Duration::from_millis(200);
    c.app_token_ttl = Duration::from_secs(1);
    let b = Backend::start(c).await.expect("backend");
    let client = Arc::new(BackendClient::new(b.public_base().as_str()).expect("client"));
    let saved: Arc<ramp_core::MemoryTokenStore> = Arc::default();
    client.keep_sessions_in(saved.clone());
    client.sandbox_login("verified", true).await.expect("login");
    let first = ramp_core::TokenStore::load(&*saved).expect("saved at sign-in");
    assert!(first.refresh_token.is_some());

    tokio::time::sleep(Duration::from_secs(7)).await; // past expiry and the backend's 5 s leeway
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.kyc().await })
        })
        .collect();
    for call in calls {
        call.await.expect("joins").expect("renewed silently");
    }
    let created = client.create_session(&buy("25", "TRC20")).await.expect("the purchase starts");
    let renewed = ramp_core::TokenStore::load(&*saved).expect("saved");
    assert_ne!(renewed.token, first.token, "the renewed sign-in is saved");
    assert_ne!(renewed.refresh_token, first.refresh_token);

    // The stream also renews: let the token expire again, then follow the purchase.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let mut items = follow(client.clone(), created.merchant_transaction_id.clone());
    match tokio::time::timeout(Duration::from_secs(10), items.recv()).await.expect("an item") {
        Some(StreamItem::Status(ev)) => assert_eq!(ev.status.as_str(), "pending"),
        other => panic!("the stream should renew the sign-in and deliver, got {other:?}"),
    }
    b.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Signing out everywhere ends this device's session too: renewal cannot bring it back.
#[tokio::test]
async fn signing_out_everywhere_ends_the_session_for_good() {
    let (b, dir) = backend().await;
    let client = Arc::new(BackendClient::new(b.public_base().as_str()).expect("client"));
    let other = Arc::new(BackendClient::new(b.public_base().as_str()).expect("client"));
    client.sandbox_login("verified", false).await.expect("login");
    other.sandbox_login("verified", false).await.expect("another device");
    client.sign_out_everywhere().await.expect("signed out everywhere");
    for device in [&client, &other] {
        let err = device.kyc().await.expect_err("refused");
        assert_eq!(err.kind, ErrorKind::SignedOut, "{err:?}");
    }
    b.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// Signing out on this device ends its session on the backend: a copy of its refresh token
/// (or its bearer token) is worthless from then on, and the user's other device stays signed in.
#[tokio::test]
async fn signing_out_ends_this_device_s_session_on_the_backend() {
    let (b, dir) = backend().await;
    let client = Arc::new(BackendClient::new(b.public_base().as_str()).expect("client"));
    let other = Arc::new(BackendClient::new(b.public_base().as_str()).expect("client"));
    let login = client.sandbox_login("verified", false).await.expect("login");
    other.sandbox_login("verified", false).await.expect("another device");
    client.end_session().await.expect("the session ended on the backend");
    let copy = Arc::new(BackendClient::new(b.public_base().as_str()).expect("client"));
    copy.set_session(Some(login.token.clone()), login.refresh_token.clone());
    let err = copy.kyc().await.expect_err("refused");
    assert_eq!(err.kind, ErrorKind::SignedOut, "a copy of the bearer and refresh tokens: {err:?}");
    other.kyc().await.expect("the other device stays signed in");
    b.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// The app builds its client with `Build::of(cfg!(debug_assertions), cfg!(feature = "bench"))`:
/// the build users get (no debug assertions, no bench feature) refuses a clear-text backend,
/// development and benchmark builds may use the sandbox over http.
#[test]
fn the_build_users_get_refuses_a_clear_text_backend() {
    use ramp_core::Build;
    let release = Build::of(false, false);
    assert_eq!(release, Build::Release);
    let e = BackendClient::for_build("http://ramp.partner.example/", release).expect_err("http in release");
    assert!(e.message.contains("PROOF_RAMP_BACKEND_URL=https://"), "{}", e.message);
    assert!(BackendClient::for_build("https://ramp.partner.example/", release).is_ok());
    for (debug_assertions, bench) in [(true, false), (true, true), (false, true)] {
        let build = Build::of(debug_assertions, bench);
        assert!(BackendClient::for_build("http://127.0.0.1:8080/", build).is_ok(), "{build:?} may use http");
    }
}

#[test]
fn release_builds_refuse_a_clear_text_backend_and_links_stay_on_its_origin() {
    let e = BackendClient::with_policy("http://ramp.partner.example/", true).expect_err("http in release");
    assert_eq!(e.kind, ErrorKind::App);
    assert!(e.message.contains("PROOF_RAMP_BACKEND_URL=https://"), "{}", e.message);
    assert!(BackendClient::with_policy("http://127.0.0.1:8080/", false).is_ok(), "development builds may use http");
    let c = BackendClient::with_policy("https://ramp.partner.example/api", true).expect("https");
    assert!(c.widget_link("https://ramp.partner.example/w/abc").is_ok());
    for other in [
        "https://evil.example/w/abc",
        "http://ramp.partner.example/w/abc",
        "https://ramp.partner.example:8443/w/abc",
        "https://ramp.partner.example.evil.example/w/abc",
        "not a url",
    ] {
        let e = c.widget_link(other).expect_err(other);
        assert_eq!(e.kind, ErrorKind::App, "{other}");
    }
}

/// Frames inside the widget: on iOS (and WebKitGTK) the navigation handler is asked about every
/// frame, and it cannot tell a frame from the page (docs/mobile.md). Every frame origin the host
/// page's CSP lets load must therefore be on the app's navigation allowlist, or a verification
/// or 3-D Secure frame would be thrown to the browser; origins the CSP refuses stay off it.
#[tokio::test]
async fn every_frame_the_host_page_allows_loads_inside_the_widget() {
    let (b, dir) = backend().await;
    let client = BackendClient::new(b.public_base().as_str()).expect("client");
    client.sandbox_login("verified", true).await.expect("login");
    let policy = ramp_core::nav::NavPolicy::new(&client.config().await.expect("config")).expect("policy");
    let created = client.create_session(&buy("25", "TRC20")).await.expect("session");
    assert!(client.widget_link(&created.widget_url).is_ok(), "the link is on the backend's origin");
    let page = reqwest::get(&created.widget_url).await.expect("page");
    let csp = page.headers()["content-security-policy"].to_str().expect("ascii").to_owned();
    let frames: Vec<&str> = csp
        .split(';')
        .find_map(|d| d.trim().strip_prefix("frame-src "))
        .expect("a frame-src directive")
        .split_whitespace()
        .collect();
    assert!(frames.len() >= 2, "the widget's and the verification frames: {frames:?}");
    for origin in frames {
        let inside = url::Url::parse(&format!("{origin}/some/frame?x=1")).expect("origin");
        assert_eq!(policy.decide(&inside), ramp_core::nav::NavDecision::Allow, "{origin}");
    }
    let elsewhere = url::Url::parse("https://tracker.example/frame").expect("url");
    assert_eq!(policy.decide(&elsewhere), ramp_core::nav::NavDecision::OpenExternally);
    b.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}

/// The History screen's reads: pages of the user's transactions, newest first, each after the
/// previous one's `next`, the last without one; a cursor that is not the user's is NotFound.
#[tokio::test]
async fn history_pages_through_the_user_s_transactions() {
    let (b, dir) = backend().await;
    let client = Arc::new(BackendClient::new(b.public_base().as_str()).expect("client"));
    client.sandbox_login("verified", true).await.expect("signed in");
    let mut made = Vec::new();
    for _ in 0..3 {
        made.push(client.create_session(&buy("25", "TRC20")).await.expect("session").merchant_transaction_id);
    }
    made.reverse();
    let page = |before: Option<String>| ramp_api::TransactionsQuery { limit: Some(2), before };
    // The app awaits these inside its commands, whose futures must be `Send`.
    fn sendable<F: std::future::Future + Send>(f: F) -> F {
        f
    }
    let first = sendable(client.transactions_page(&page(None))).await.expect("first page");
    let second = client.transactions_page(&page(first.next.clone())).await.expect("second page");
    let ids = |l: &ramp_api::TransactionList| l.transactions.iter().map(|t| t.id.clone()).collect::<Vec<_>>();
    assert_eq!([ids(&first), ids(&second)].concat(), made);
    assert!(first.next.is_some() && second.next.is_none(), "the second page is the last");
    assert_eq!(client.transactions().await.expect("the newest").len(), 3);
    // A cursor with characters a query must escape reaches the backend whole (unescaped, this
    // one would be the second page's cursor and a second, empty `before`: a 400), and is not
    // one of the user's transactions.
    let odd = format!("{}&before=", first.next.clone().expect("a cursor"));
    let foreign = client.transactions_page(&page(Some(odd))).await.expect_err("unknown");
    assert_eq!(foreign.kind, ErrorKind::NotFound);
    b.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}
