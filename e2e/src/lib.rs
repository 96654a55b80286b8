//! End-to-end tests live in `tests/`; see `scripts/e2e`. What the suites share: a WebDriver
//! session on a Tauri app binary through tauri-driver.

use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use testkit::free_port;

/// tauri-driver in its own process group; dropping it stops the group (WebKitWebDriver would
/// outlive tauri-driver otherwise).
pub struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        kill_group(&mut self.0);
    }
}

/// Stop `child` and its process group (it was started with `process_group(0)`). The `--` keeps
/// `kill` from reading the negative group id as an option.
pub fn kill_group(child: &mut Child) {
    let pgid = child.id();
    let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{pgid}")]).status();
    let _ = child.wait();
}

/// Start tauri-driver (`$TAURI_DRIVER`, else on the PATH) with `env` for the app, and open a
/// WebDriver session on the app binary `app`.
///
/// # Panics
/// When tauri-driver cannot start or no session opens after five attempts.
pub async fn session(app: &Path, env: &[(&str, OsString)]) -> (Driver, Client) {
    let port = free_port();
    let native = free_port();
    let mut cmd = Command::new(std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into()));
    cmd.args(["--port", &port.to_string(), "--native-port", &native.to_string()])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
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
    let caps = json!({"browserName": "wry", "tauri:options": {"application": app}});
    let Value::Object(caps) = caps else { unreachable!("object literal") };
    // tauri-driver listens before WebKitWebDriver behind it does: a first session request can
    // be cut off. Ask again a few times before calling it a failure.
    let mut last = None;
    for _ in 0..5 {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return (driver, client),
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    panic!("no WebDriver session on the app after 5 attempts: {last:?}");
}
