//! Test builds only (`e2e` feature): lets the end-to-end suite break things a user cannot
//! break on purpose. When `PROOF_RAMP_E2E_HOOK` names a file, the app reads it every 200 ms; a
//! file saying `widget` or `main` ends that webview's web process (as a crash would), and is
//! removed once acted on.

use std::path::PathBuf;
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use crate::camera::WIDGET;

/// Environment variable naming the hook file.
const ENV: &str = "PROOF_RAMP_E2E_HOOK";

pub(crate) fn start<R: Runtime>(app: &AppHandle<R>) {
    let Some(path) = std::env::var_os(ENV).map(PathBuf::from) else { return };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            let Ok(what) = std::fs::read_to_string(&path) else { continue };
            let _ = std::fs::remove_file(&path);
            let label = match what.trim() {
                "widget" => WIDGET,
                "main" => "main",
                other => {
                    eprintln!("e2e hook: unknown request {other:?}");
                    continue;
                }
            };
            match app.get_webview_window(label) {
                Some(w) => crate::platform::terminate_web_process(&w),
                None => eprintln!("e2e hook: no {label} window"),
            }
        }
    });
}
