//! The app end to end on a real WebKit engine: the real Tauri binary (built with the
//! `e2e` feature), driven through tauri-driver and WebKitWebDriver under Xvfb, against a
//! real backend in sandbox mode on loopback.
//!
//! Run with `scripts/e2e` (it builds the app, starts Xvfb and sets the paths). Needs
//! `webkit2gtk-driver`, `xvfb` and `cargo install tauri-driver --locked --version '^2'`.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::wd::WindowHandle;
use fantoccini::{Client, ClientBuilder, Locator};
use partner_backend::Backend;
use partner_backend::config::{Config, Secret};
use serde_json::{Value, json};
use testkit::{free_port, skip, wait_css};

const SIGNING_KEY: &str = "e2e-signing-key-0123456789abcdef0123";

/// tauri-driver in its own process group; dropping it stops the group (WebKitWebDriver would
/// outlive tauri-driver otherwise).
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let pgid = self.0.id();
        let _ = Command::new("kill").args(["-KILL", &format!("-{pgid}")]).status();
        let _ = self.0.wait();
    }
}

fn app_binary() -> PathBuf {
    std::env::var_os("PROOF_RAMP_APP").map(PathBuf::from).unwrap_or_else(|| {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join("target"));
        target.join("debug").join("proof-ramp-app")
    })
}

async fn backend(dir: &std::path::Path, port: u16) -> Backend {
    let mut c = Config::sandbox(format!("sqlite://{}", dir.join("ramp.db").display()));
    c.listen = format!("127.0.0.1:{port}").parse().expect("addr");
    c.poll_interval = Duration::from_millis(500);
    c.auth_signing_key = Secret::new(SIGNING_KEY);
    Backend::start(c).await.expect("backend starts")
}

/// Start tauri-driver and open a session on the app.
async fn launch(backend_url: &str, data: &std::path::Path, theme: Option<&str>) -> (Driver, Client) {
    let port = free_port();
    let native = free_port();
    let mut cmd = Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()));
    cmd.args(["--port", &port.to_string(), "--native-port", &native.to_string()])
        .env("PROOF_RAMP_BACKEND_URL", backend_url)
        .env("XDG_DATA_HOME", data.join("xdg-data"))
        .env("XDG_CONFIG_HOME", data.join("xdg-config"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    if let Some(t) = theme {
        cmd.env("GTK_THEME", t);
    }
    let child =
        cmd.spawn().unwrap_or_else(|e| panic!("cannot start tauri-driver: {e}; cargo install tauri-driver --locked"));
    let driver = Driver(child);
    let url = format!("http://127.0.0.1:{port}");
    let mut up = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(up, "tauri-driver did not come up");
    let caps = json!({"browserName": "wry", "tauri:options": {"application": app_binary()}});
    let Value::Object(caps) = caps else { unreachable!("object literal") };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("a WebDriver session on the app");
    (driver, client)
}

async fn snap(c: &Client, name: &str) {
    testkit::snap(c, name).await;
}

async fn text(c: &Client, css: &str) -> String {
    wait_css(c, css).await.text().await.expect("text")
}

async fn attr_eventually(c: &Client, css: &str, attr: &str, want: &str) {
    for _ in 0..150 {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if el.attr(attr).await.ok().flatten().as_deref() == Some(want) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{css} never had {attr}={want}");
}

/// The other window's handle, once it exists.
async fn other_window(c: &Client, main: &WindowHandle) -> WindowHandle {
    for _ in 0..100 {
        let handles = c.windows().await.expect("handles");
        if let Some(h) = handles.into_iter().find(|h| h != main) {
            return h;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("the widget window never opened");
}

async fn visible_eventually(c: &Client, css: &str) {
    for _ in 0..150 {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if el.attr("hidden").await.ok().flatten().is_none() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{css} never became visible");
}

async fn windows_count(c: &Client) -> usize {
    c.windows().await.map(|w| w.len()).unwrap_or(0)
}

#[tokio::test]
async fn first_time_buyer_verifies_pays_and_sees_completed() {
    if skip() || std::env::var_os("PROOF_RAMP_APP").is_none() {
        eprintln!("PROOF_RAMP_APP is not set: run the end-to-end test through scripts/e2e");
        return;
    }
    // A WebDriver call that never answers must fail the test, not hang CI.
    tokio::time::timeout(Duration::from_secs(300), purchase_flow())
        .await
        .expect("the end-to-end flow finished within 5 minutes");
}

async fn purchase_flow() {
    let dir = std::env::temp_dir().join(format!("proof-ramp-e2e-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let port = free_port();
    let b = backend(&dir, port).await;
    let base = b.public_base().to_string();
    let (_driver, c) = launch(&base, &dir, None).await;
    let main = c.window().await.expect("main handle");

    // Sign in as a first-time user: the badge says not verified.
    snap(&c, "app-sign-in").await;
    wait_css(&c, "[data-persona=first_time]").await.click().await.expect("sign in");
    attr_eventually(&c, "#kyc-badge", "data-kyc", "not_started").await;
    assert!(text(&c, "main").await.contains("Verify your identity to buy crypto"));
    snap(&c, "app-home").await;

    // Buy: the form validates before calling the backend.
    wait_css(&c, "#buy").await.click().await.expect("buy");
    let amount = wait_css(&c, "#amount").await;
    amount.send_keys("abc").await.expect("type");
    wait_css(&c, "#continue").await.click().await.expect("submit");
    assert!(text(&c, "#amount-error").await.contains("number"));
    amount.clear().await.expect("clear");
    amount.send_keys("25").await.expect("type");
    snap(&c, "app-form").await;
    wait_css(&c, "#continue").await.click().await.expect("submit");

    // The widget opens in its own webview; documents, then the liveness step with WebKit's mock camera.
    let widget = other_window(&c, &main).await;
    wait_css(&c, "#close-widget").await;
    snap(&c, "app-widget-open").await;
    c.switch_to_window(widget.clone()).await.expect("to widget");
    let profile = dir.join("files");
    std::fs::create_dir_all(&profile).expect("dir");
    let width = testkit::complete_kyc(&c, &profile).await;
    assert!(width > 0, "the widget webview received camera frames");
    snap(&c, "app-widget-payment").await;

    // A link outside the allowlist does not load in the widget.
    let before = c.current_url().await.expect("url");
    c.execute("window.location.href = 'https://example.org/elsewhere';", vec![]).await.expect("js");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(c.current_url().await.expect("url"), before, "a non-allowlisted page must not load");
    wait_css(&c, "#pw-pay").await.click().await.expect("pay");

    // onPaymentFinished → the app closes the widget and shows the live status.
    c.switch_to_window(main.clone()).await.expect("to main");
    attr_eventually(&c, "#tx-status", "data-status", "completed").await;
    assert_eq!(windows_count(&c).await, 1, "the widget closed");
    snap(&c, "app-transaction").await;
    wait_css(&c, "#done").await.click().await.expect("done");
    attr_eventually(&c, "#kyc-badge", "data-kyc", "verified").await;
    attr_eventually(&c, "#transactions [data-status]", "data-status", "completed").await;

    // Settings and diagnostics: the event log shows widget and status events, redacted.
    wait_css(&c, "#open-settings").await.click().await.expect("settings");
    let log = text(&c, "#event-log").await;
    assert!(log.contains("payment finished") && log.contains("completed"), "{log}");
    assert!(!log.contains("@sandbox.proof-ramp.test"), "emails are redacted");
    wait_css(&c, "#export-log").await.click().await.expect("export");
    wait_css(&c, "#log-export").await;
    snap(&c, "app-settings").await;
    wait_css(&c, "#back").await.click().await.expect("back");
    wait_css(&c, "#kyc-badge").await;

    // The backend goes away: the app says so; it comes back: the app recovers.
    b.shutdown().await;
    wait_css(&c, "#open-settings").await.click().await.expect("settings");
    wait_css(&c, "#back").await.click().await.expect("back home");
    visible_eventually(&c, "#offline").await;
    snap(&c, "app-offline").await;
    let b2 = backend(&dir, port).await;
    wait_css(&c, "#offline-retry").await.click().await.expect("retry");
    // The restarted stack's sandbox keeps no memory, so only the recovery itself is checked here.
    wait_css(&c, "#kyc-badge").await;
    wait_css(&c, "#transactions").await;
    let banner_hidden = c.find(Locator::Css("#offline")).await.expect("banner").attr("hidden").await.expect("attr");
    assert!(banner_hidden.is_some(), "the offline banner went away");

    // Ending the session can hang while the app still has windows; the driver's drop stops it.
    let _ = tokio::time::timeout(Duration::from_secs(5), c.close()).await;
    b2.shutdown().await;
    let _ = std::fs::remove_dir_all(dir);
}
