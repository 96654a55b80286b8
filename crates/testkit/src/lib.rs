//! Browser-test helpers: a `chromedriver` process, headless Chromium sessions with a fake
//! camera, waiting for elements, optional screenshots, and reading the host page's session. Test-only; never a runtime
//! dependency.
//!
//! Needs `chromium` and `chromedriver` (Debian: `chromium chromium-driver`). Tests call
//! [`skip`] first so `PROOF_SKIP_BROWSER_TESTS=1` skips them on a machine without a browser.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Whether browser tests are switched off (`PROOF_SKIP_BROWSER_TESTS` set); says so on stderr.
pub fn skip() -> bool {
    if std::env::var_os("PROOF_SKIP_BROWSER_TESTS").is_some() {
        eprintln!("PROOF_SKIP_BROWSER_TESTS is set: browser test skipped");
        return true;
    }
    false
}

/// Kills the process when dropped.
#[derive(Debug)]
pub struct ChildGuard(pub Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The directory of the package under test, as cargo says when it runs the test (not where the
/// binary was compiled: a warm target directory shared by clones in other directories reuses
/// test binaries, and `env!("CARGO_MANIFEST_DIR")` would name a clone that may be gone).
///
/// # Panics
/// When the test was not started by cargo.
pub fn crate_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).expect("cargo sets CARGO_MANIFEST_DIR for tests")
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

/// Start `chromedriver` (or `$CHROMEDRIVER`) on a free port; returns the guard and its URL.
pub async fn chromedriver() -> (ChildGuard, String) {
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {bin}: {e}; install chromium and chromium-driver, or set PROOF_SKIP_BROWSER_TESTS=1")
        });
    let guard = ChildGuard(child);
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if reqwest::get(format!("{url}/status")).await.is_ok() {
            return (guard, url);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not come up on {url}");
}

/// A fresh, empty browser profile directory for `name`.
pub fn profile_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("proof-ramp-browser-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("profile dir");
    dir
}

/// A headless Chromium (`$CHROMIUM`, default `/usr/bin/chromium`) with a fake camera;
/// `allow_camera` answers the permission prompt with yes, otherwise with no.
pub async fn chromium(driver: &str, allow_camera: bool, profile: &Path) -> Client {
    let camera = if allow_camera { "--use-fake-ui-for-media-stream" } else { "--deny-permission-prompts" };
    let args = ["--window-size=420,900".to_owned(), camera.to_owned()];
    connect_chromium(driver, profile, &args, json!({})).await
}

/// A headless Chromium emulating a phone (375×812 CSS px, touch, device pixel ratio 3) in light
/// or dark mode, fake camera allowed.
pub async fn chromium_phone(driver: &str, dark: bool, profile: &Path) -> Client {
    let args = [
        "--use-fake-ui-for-media-stream".to_owned(),
        // Blink's preferred colour scheme: 0 dark, 1 light.
        format!("--blink-settings=preferredColorScheme={}", if dark { 0 } else { 1 }),
    ];
    let emulation = json!({"deviceMetrics": {"width": 375, "height": 812, "pixelRatio": 3.0, "touch": true}});
    connect_chromium(driver, profile, &args, json!({"mobileEmulation": emulation})).await
}

/// A WebDriver session on `$CHROMIUM` (default `/usr/bin/chromium`): headless, quiet, a fake
/// camera device, the profile in `profile`, plus `extra` arguments and `goog:chromeOptions`.
async fn connect_chromium(driver: &str, profile: &Path, extra: &[String], mut options: Value) -> Client {
    let mut args = vec![
        "--headless=new".to_owned(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--no-first-run".into(),
        "--use-fake-device-for-media-stream".into(),
        format!("--user-data-dir={}", profile.display()),
    ];
    args.extend_from_slice(extra);
    options["args"] = json!(args);
    options["binary"] = Value::String(std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()));
    let caps = json!({"browserName": "chrome", "goog:chromeOptions": options});
    let Value::Object(caps) = caps else { unreachable!("a JSON object literal") };
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(driver)
        .await
        .expect("a WebDriver session")
}

/// The Proof session a backend host page carries in `<script type="application/json"
/// id="proof-session">`, as the widget script reads it.
pub fn session_from_host_page(html: &str) -> Value {
    let tag = r#"<script type="application/json" id="proof-session">"#;
    let start = html.find(tag).map(|i| i + tag.len()).expect("the host page has a session block");
    let end = html[start..].find("</script>").map(|i| i + start).expect("the session block is closed");
    serde_json::from_str(&html[start..end]).expect("the session block is JSON")
}

/// Wait up to 15 s for `css` to match.
pub async fn wait_css(c: &Client, css: &str) -> Element {
    c.wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
}

/// Save a screenshot as `<name>.png` when `PROOF_SCREENSHOT_DIR` is set (for looking, not asserting).
pub async fn snap(c: &Client, name: &str) {
    if let Some(dir) = std::env::var_os("PROOF_SCREENSHOT_DIR") {
        let png = c.screenshot().await.expect("screenshot");
        std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), png).expect("writes screenshot");
    }
}

/// Poll a script until it returns a number above zero (e.g. a video's `videoWidth`).
pub async fn wait_positive(c: &Client, script: &str) -> u64 {
    for _ in 0..50 {
        let v = c.execute(script, vec![]).await.expect("script runs").as_u64().unwrap_or(0);
        if v > 0 {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    0
}

/// Pass the stand-in widget's document step: choose a file (written under `profile`), continue.
pub async fn upload_document(c: &Client, profile: &Path) {
    let input = wait_css(c, "#pw-document").await;
    let doc = profile.join("passport.png");
    std::fs::write(&doc, b"\x89PNG\r\n\x1a\n").expect("writes");
    input.send_keys(&doc.display().to_string()).await.expect("file chosen");
    wait_css(c, "#pw-documents-continue:not([disabled])").await.click().await.expect("click");
}

/// Run the stand-in widget's first-time KYC in the page: document, then a live selfie.
/// Returns the camera preview's width (above zero when frames arrived).
pub async fn complete_kyc(c: &Client, profile: &Path) -> u64 {
    upload_document(c, profile).await;
    wait_css(c, "#pw-camera-start").await.click().await.expect("click");
    wait_css(c, "[data-camera=live]").await;
    let width = wait_positive(c, "return document.getElementById('pw-preview').videoWidth;").await;
    snap(c, "widget-liveness").await;
    wait_css(c, "#pw-capture").await.click().await.expect("click");
    width
}

/// axe-core's script: `$PROOF_AXE_JS`, else what `scripts/axe-core` installs.
///
/// # Panics
/// When neither exists, saying how to install it.
pub fn axe_source() -> String {
    let path = std::env::var_os("PROOF_AXE_JS").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/axe-core/node_modules/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core is not installed at {} ({e}): run scripts/axe-core", path.display()))
}

/// Run axe-core (WCAG 2.0–2.2 A and AA rules) on the page; its serious and critical violations,
/// one line each: rule, what it says, and the elements.
pub async fn axe_serious(c: &Client) -> Vec<String> {
    if c.execute("return typeof window.axe;", vec![]).await.ok().and_then(|v| v.as_str().map(str::to_owned))
        != Some("object".into())
    {
        c.execute(&format!("{}\nreturn typeof window.axe;", axe_source()), vec![]).await.expect("axe-core loads");
    }
    const RUN: &str = "var done = arguments[arguments.length - 1];
        axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
          .then(function (r) {
            done(r.violations.filter(function (v) { return v.impact === 'serious' || v.impact === 'critical'; })
              .map(function (v) { return v.id + ' (' + v.help + '): ' + v.nodes.map(function (n) { return n.target.join(' '); }).join(', '); }));
          }, function (e) { done(['axe failed: ' + e]); });";
    let found = c.execute_async(RUN, vec![]).await.expect("axe runs");
    serde_json::from_value(found).unwrap_or_else(|e| vec![format!("unreadable axe result: {e}")])
}

/// Visible controls (buttons, links, inputs, selects) smaller than 44×44 CSS px, as
/// `tag#id WxH` lines.
pub async fn small_targets(c: &Client) -> Vec<String> {
    const CHECK: &str = "return Array.from(document.querySelectorAll('button, a[href], input:not([type=hidden]), select, [role=button]'))
        .filter(function (e) { var r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0
            && !e.closest('[hidden]') && getComputedStyle(e).visibility !== 'hidden' && !e.classList.contains('visually-hidden'); })
        .filter(function (e) { var r = e.getBoundingClientRect(); return r.width < 44 || r.height < 44; })
        .map(function (e) { var r = e.getBoundingClientRect();
            return e.tagName.toLowerCase() + '#' + (e.id || '?') + ' ' + Math.round(r.width) + 'x' + Math.round(r.height); });";
    let found = c.execute(CHECK, vec![]).await.expect("target check runs");
    serde_json::from_value(found).unwrap_or_default()
}
