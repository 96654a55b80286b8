//! Test builds only (`e2e` feature): asks for the camera from the `main` webview and from a
//! webview labelled `widget`, on the real engine and through the app's real permission handler,
//! writes what each got to the file named by `PROOF_RAMP_CAMERA_PROBE`, and quits.
//!
//! WebDriver cannot check this: under automation WebKitGTK answers `getUserMedia` itself and
//! never asks the app. So the end-to-end suite runs the app binary once more, without WebDriver,
//! with this variable set.

use std::path::PathBuf;
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

use crate::camera::WIDGET;
use crate::page;

const STEP: Duration = Duration::from_millis(200);
const LIMIT: Duration = Duration::from_secs(20);

/// Environment variable naming the file the probe writes its JSON result to.
pub(crate) const ENV: &str = "PROOF_RAMP_CAMERA_PROBE";

/// Starts the probe when the variable is set.
pub(crate) fn start<R: Runtime>(app: &AppHandle<R>) {
    let Some(out) = std::env::var_os(ENV).map(PathBuf::from) else { return };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let main = app.get_webview_window("main");
        let main_result = match main {
            Some(w) => ask_camera(&w).await,
            None => "no main window".to_owned(),
        };
        let widget_result = match WebviewWindowBuilder::new(&app, WIDGET, WebviewUrl::App("index.html".into()))
            .title("camera probe")
            .build()
        {
            Ok(w) => {
                crate::platform::prepare_webview(&w, true);
                ask_camera(&w).await
            }
            Err(e) => format!("could not open a widget-labelled window: {e}"),
        };
        let report = serde_json::json!({ "main": main_result, "widget": widget_result });
        if let Err(e) = std::fs::write(&out, report.to_string()) {
            eprintln!("camera probe: cannot write {}: {e}", out.display());
        }
        app.exit(0);
    });
}

/// Runs `getUserMedia({video: true})` in the window's page; `granted:<tracks>` or `denied:<error name>`.
async fn ask_camera<R: Runtime>(w: &WebviewWindow<R>) -> String {
    const ASK: &str = "window.__probe = 'pending'; \
        (navigator.mediaDevices ? navigator.mediaDevices.getUserMedia({video: true}) \
            : Promise.reject({name: 'NoMediaDevices'})) \
        .then(s => { window.__probe = 'granted:' + s.getVideoTracks().length; s.getTracks().forEach(t => t.stop()); }, \
              e => { window.__probe = 'denied:' + e.name; }); 'asked'";
    // Wait for the document, then ask, then poll for the answer (a Promise cannot be returned).
    if page::poll(w, "document.readyState === 'complete' ? 'ready' : 'pending'", STEP, LIMIT).await.is_none() {
        return "page never loaded".to_owned();
    }
    if w.eval(ASK).is_err() {
        return "could not run the script".to_owned();
    }
    page::poll(w, "window.__probe || 'pending'", STEP, LIMIT)
        .await
        .unwrap_or_else(|| "no answer within 20 s".to_owned())
}
