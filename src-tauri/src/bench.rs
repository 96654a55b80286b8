//! Benchmark builds only (`bench` feature, driven by `scripts/bench-app`).
//!
//! - `PROOF_RAMP_BENCH_OUT=<file>`: once the home screen is rendered (the KYC badge is in the
//!   page), writes the wall-clock time in ms, then times the KYC status call both through IPC
//!   (`invoke('kyc_status')` from the page, as the UI does it) and as a raw HTTP call from Rust
//!   (`ramp-core`'s client), writes the figures as JSON, and quits. On a signed-out start it
//!   signs in as the sandbox's verified persona first and reports `"signed_in": true` so the
//!   script can discard that run.
//! - `PROOF_RAMP_BENCH_MINIMAL=<file>`: a bare Tauri app (no plugins, no state, no commands)
//!   with one window loading the same static page; writes the time the page finished loading,
//!   and quits. The baseline for cold start.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::page;

use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

const SAMPLES: usize = 300;
const LIMIT: Duration = Duration::from_secs(60);

fn now_ms() -> u128 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0)
}

/// Runs the minimal baseline app when `PROOF_RAMP_BENCH_MINIMAL` is set; returns whether it did.
pub(crate) fn run_minimal_if_asked() -> bool {
    let Some(out) = std::env::var_os("PROOF_RAMP_BENCH_MINIMAL").map(PathBuf::from) else { return false };
    let mut context: tauri::Context<tauri::Wry> = tauri::generate_context!();
    context.config_mut().app.windows.clear();
    let result = tauri::Builder::default()
        .setup(move |app| {
            let w = WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()))
                .inner_size(390.0, 844.0)
                .build()?;
            let app = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                if page::poll(
                    &w,
                    "document.readyState === 'complete' ? 'ready' : 'pending'",
                    Duration::from_millis(5),
                    LIMIT,
                )
                .await
                .is_some()
                {
                    let _ = std::fs::write(&out, serde_json::json!({ "ready_ms": now_ms() }).to_string());
                }
                app.exit(0);
            });
            Ok(())
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("minimal app: {e}");
    }
    true
}

/// Starts the app benchmark when `PROOF_RAMP_BENCH_OUT` is set.
pub(crate) fn start<R: Runtime>(app: &AppHandle<R>) {
    let Some(out) = std::env::var_os("PROOF_RAMP_BENCH_OUT").map(PathBuf::from) else { return };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let report = measure(&app).await;
        let _ = std::fs::write(&out, report.to_string());
        app.exit(0);
    });
}

async fn measure<R: Runtime>(app: &AppHandle<R>) -> serde_json::Value {
    let Some(main) = app.get_webview_window("main") else { return serde_json::json!({"error": "no main window"}) };
    let first = page::poll(
        &main,
        "document.getElementById('kyc-badge') ? 'home' : (document.querySelector('[data-persona=verified]') ? 'signed_out' : 'pending')",
        Duration::from_millis(5),
        LIMIT,
    )
    .await;
    let ready_ms = now_ms();
    let signed_in = match first.as_deref() {
        Some("home") => false,
        Some("signed_out") => {
            let _ = main.eval("document.querySelector('[data-persona=verified]').click()");
            if page::poll(
                &main,
                "document.getElementById('kyc-badge') ? 'home' : 'pending'",
                Duration::from_millis(20),
                LIMIT,
            )
            .await
            .is_none()
            {
                return serde_json::json!({"error": "sign-in did not reach home"});
            }
            true
        }
        _ => return serde_json::json!({"error": "the first screen never rendered"}),
    };

    // IPC: the page invokes the command, as the UI does; timed in the page. WebKit coarsens
    // `performance.now()` to about a millisecond, so the mean over the whole loop is reported too.
    let js = format!(
        "window.__bench = 'pending'; (async () => {{ const t = []; const t0 = performance.now(); \
         for (let i = 0; i < {SAMPLES}; i++) {{ const s = performance.now(); \
         await window.__TAURI__.core.invoke('kyc_status'); t.push(performance.now() - s); }} \
         window.__bench = JSON.stringify({{ each: t, total: performance.now() - t0 }}); }})() \
         .catch(e => {{ window.__bench = 'error'; }}); 'started'"
    );
    let _ = main.eval(js);
    let ipc: serde_json::Value = page::poll(&main, "window.__bench || 'pending'", Duration::from_millis(50), LIMIT)
        .await
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();

    // Raw HTTP: the same request from Rust with the same client and token.
    let core = crate::shell::core(app);
    let client = core.client();
    let mut http = Vec::with_capacity(SAMPLES);
    let all = Instant::now();
    for _ in 0..SAMPLES {
        let s = Instant::now();
        if client.kyc().await.is_err() {
            break;
        }
        http.push(s.elapsed().as_secs_f64() * 1000.0);
    }
    let http_total = all.elapsed().as_secs_f64() * 1000.0;
    serde_json::json!({
        "ready_ms": ready_ms,
        "signed_in": signed_in,
        "ipc_ms": ipc["each"],
        "ipc_total_ms": ipc["total"],
        "http_ms": http,
        "http_total_ms": http_total,
        "samples": SAMPLES,
    })
}
