//! The minimal example (`examples/minimal`: the plugin, its default permission and one page)
//! end to end on WebKitGTK: a sandbox user signs in, buys, pays in the payment window, and the
//! page shows the purchase completed from the plugin's status events.
//!
//! Run with `scripts/e2e` (it builds the example and sets `PROOF_RAMP_EXAMPLE`).

use std::path::PathBuf;
use std::time::Duration;

use fantoccini::{Client, Locator};
use partner_backend::Backend;
use partner_backend::config::{Config, Secret};
use testkit::{free_port, skip, wait_css};

async fn status(c: &Client) -> String {
    match c.find(Locator::Css("#status")).await {
        Ok(el) => el.attr("data-status").await.ok().flatten().unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[tokio::test]
async fn the_minimal_example_buys_through_the_plugin() {
    let Some(app) = std::env::var_os("PROOF_RAMP_EXAMPLE").map(PathBuf::from) else {
        eprintln!("PROOF_RAMP_EXAMPLE is not set: run the end-to-end tests through scripts/e2e");
        return;
    };
    if skip() {
        return;
    }
    // A WebDriver call that never answers must fail the test, not hang CI.
    tokio::time::timeout(Duration::from_secs(180), purchase(&app)).await.expect("the purchase finished in 3 minutes");
}

async fn purchase(app: &std::path::Path) {
    let dir = std::env::temp_dir().join(format!("proof-ramp-example-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut config = Config::sandbox(format!("sqlite://{}", dir.join("ramp.db").display()));
    config.listen = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
    config.poll_interval = Duration::from_millis(500);
    config.auth_signing_key = Secret::new("example-signing-key-0123456789abcdef");
    let backend = Backend::start(config).await.expect("backend starts");
    let env = [
        ("PROOF_RAMP_BACKEND_URL", backend.public_base().as_str().into()),
        ("XDG_DATA_HOME", dir.join("xdg-data").into_os_string()),
    ];
    let (_driver, c) = e2e::session(app, &env).await;
    let main = c.window().await.expect("main handle");

    wait_css(&c, "#sign-in").await.click().await.expect("sign in");
    for _ in 0..100 {
        if wait_css(&c, "#buy").await.attr("disabled").await.ok().flatten().is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let who = wait_css(&c, "#who").await.text().await.unwrap_or_default();
    let said = wait_css(&c, "#status").await.text().await.unwrap_or_default();
    assert!(who.starts_with("Signed in as"), "sign-in through the plugin failed: {who} {said}");
    wait_css(&c, "#buy").await.click().await.expect("buy");

    // The plugin opens the payment window; a verified user goes straight to paying.
    let mut widget = None;
    for _ in 0..100 {
        widget = c.windows().await.expect("handles").into_iter().find(|h| *h != main);
        if widget.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let Some(widget) = widget else {
        let shown = wait_css(&c, "#status").await.text().await.unwrap_or_default();
        panic!("no payment window opened; the page says: {shown}");
    };
    c.switch_to_window(widget).await.expect("to the payment window");
    wait_css(&c, "#pw-pay").await.click().await.expect("pay");
    c.switch_to_window(main).await.expect("back to the page");

    let mut last = String::new();
    for _ in 0..150 {
        last = status(&c).await;
        if last == "completed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(last, "completed", "the page never heard the purchase complete");
    assert_eq!(c.windows().await.map(|w| w.len()).unwrap_or(0), 1, "the payment window closed");
    let _ = c.close().await;
    backend.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
}
