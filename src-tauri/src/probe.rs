//! Test builds only (`e2e` feature): asks for the camera from the `main` webview, from a real
//! payment window on the host page, and from the same window after a top-level navigation to
//! another allowed origin (`PROOF_RAMP_CAMERA_ELSEWHERE`), on the real engine and through the
//! app's real permission handler; writes what each got to the file named by
//! `PROOF_RAMP_CAMERA_PROBE`, and quits.
//!
//! WebDriver cannot check this: under automation WebKitGTK answers `getUserMedia` itself and
//! never asks the app. So the end-to-end suite runs the app binary once more, without WebDriver,
//! with this variable set.

use std::path::PathBuf;
use std::time::Duration;

use ramp_api::{CreateSession, TxType};
use tauri::{AppHandle, Manager, Runtime, WebviewWindow};
use tauri_plugin_proof_ramp::ProofRampExt;

use tauri_plugin_proof_ramp::testing as page;

const STEP: Duration = Duration::from_millis(200);
const LIMIT: Duration = Duration::from_secs(20);

/// Environment variable naming the file the probe writes its JSON result to.
pub(crate) const ENV: &str = "PROOF_RAMP_CAMERA_PROBE";

/// A page on another origin the backend allows in the payment window.
const ELSEWHERE: &str = "PROOF_RAMP_CAMERA_ELSEWHERE";

/// Starts the probe when the variable is set.
pub(crate) fn start<R: Runtime>(app: &AppHandle<R>) {
    let Some(out) = std::env::var_os(ENV).map(PathBuf::from) else { return };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let main = match app.get_webview_window("main") {
            Some(w) => ask_camera(&w).await,
            None => "no main window".to_owned(),
        };
        let (widget, elsewhere) = match payment_window(&app).await {
            Ok(w) => {
                let on_host_page = ask_camera(&w).await;
                (on_host_page, navigated(&w).await)
            }
            Err(e) => (e.clone(), e),
        };
        let report = serde_json::json!({ "main": main, "widget": widget, "elsewhere": elsewhere });
        if let Err(e) = std::fs::write(&out, report.to_string()) {
            eprintln!("camera probe: cannot write {}: {e}", out.display());
        }
        app.exit(0);
    });
}

/// Sign in and start a purchase through the core; the payment window it opened.
async fn payment_window<R: Runtime>(app: &AppHandle<R>) -> Result<WebviewWindow<R>, String> {
    let core = app.proof_ramp();
    core.sign_in("verified", true).await.map_err(|e| format!("sign-in: {e}"))?;
    let amount = "25".parse().map_err(|_| "amount".to_owned())?;
    let request = CreateSession {
        tx_type: TxType::Buy,
        currency: "USDT".into(),
        network: "TRC20".into(),
        amount,
        address: None,
        link: None,
    };
    core.start(&request).await.map_err(|e| format!("purchase: {e}"))?;
    let label = core.window_label().ok_or("no payment window")?;
    app.get_webview_window(&label).ok_or_else(|| "the payment window is not there".to_owned())
}

/// Navigate the window's top level to the other allowed origin, then ask again.
async fn navigated<R: Runtime>(w: &WebviewWindow<R>) -> String {
    let Some(target) = std::env::var(ELSEWHERE).ok().filter(|t| !t.is_empty()) else {
        return "not asked".to_owned();
    };
    if w.eval(format!("location.href = {target:?}")).is_err() {
        return "could not navigate".to_owned();
    }
    let arrived =
        format!("location.href.indexOf({target:?}) === 0 && document.readyState === 'complete' ? 'ready' : 'pending'");
    if page::poll(w, &arrived, STEP, LIMIT).await.is_none() {
        return "never arrived".to_owned();
    }
    ask_camera(w).await
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
