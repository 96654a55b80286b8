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
//! - `PROOF_RAMP_BENCH_BUY=<file>` (with `PROOF_RAMP_BENCH_BUY_RUNS`, default 10): Buy → ready.
//!   From home, taps Buy, types 25 and taps Continue, as a person would, and times the tap to
//!   the widget's `onReady` reaching the app; then closes the payment window and goes home.
//!   Alternating with each purchase, the floor: a session created beforehand (not timed), and a
//!   bare window with no app logic loading the same host page link, timed from its creation
//!   to the same `onReady`. One warm-up round of each is not counted. Writes both series.

use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tauri_plugin_proof_ramp::testing as page;

use ramp_api::{CreateSession, EVENT_PATH, TxType};
use ramp_core::flow::{Action, Screen};
use tauri::{AppHandle, Listener, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_proof_ramp::ProofRampExt;

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

/// Starts the app benchmark when `PROOF_RAMP_BENCH_OUT` or `PROOF_RAMP_BENCH_BUY` is set.
pub(crate) fn start<R: Runtime>(app: &AppHandle<R>) {
    if let Some(out) = std::env::var_os("PROOF_RAMP_BENCH_BUY").map(PathBuf::from) {
        let runs = std::env::var("PROOF_RAMP_BENCH_BUY_RUNS").ok().and_then(|n| n.parse().ok()).unwrap_or(10);
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            let report = buy_to_ready(&app, runs).await;
            let _ = std::fs::write(&out, report.to_string());
            app.exit(0);
        });
        return;
    }
    let Some(out) = std::env::var_os("PROOF_RAMP_BENCH_OUT").map(PathBuf::from) else { return };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let report = measure(&app).await;
        let _ = std::fs::write(&out, report.to_string());
        app.exit(0);
    });
}

/// Home, signing in as the sandbox's verified persona when the run starts signed out.
async fn home<R: Runtime>(main: &tauri::WebviewWindow<R>) -> bool {
    let first = page::poll(
        main,
        "document.getElementById('buy') ? 'home' : (document.querySelector('[data-persona=verified]') ? 'signed_out' : 'pending')",
        Duration::from_millis(5),
        LIMIT,
    )
    .await;
    match first.as_deref() {
        Some("home") => true,
        Some("signed_out") => {
            let _ = main.eval("document.querySelector('[data-persona=verified]').click()");
            page::poll(main, "document.getElementById('buy') ? 'home' : 'pending'", Duration::from_millis(20), LIMIT)
                .await
                .is_some()
        }
        _ => false,
    }
}

/// Whether `url` is the widget's `onReady` reported by the host page.
fn is_ready(url: &tauri::Url) -> bool {
    url.path() == EVENT_PATH && url.query_pairs().any(|(k, v)| k == "event" && v == "ready")
}

async fn buy_to_ready<R: Runtime>(app: &AppHandle<R>, runs: usize) -> serde_json::Value {
    let Some(main) = app.get_webview_window("main") else { return serde_json::json!({"error": "no main window"}) };
    if !home(&main).await {
        return serde_json::json!({"error": "the home screen never rendered"});
    }
    let core = app.proof_ramp();
    // The widget's onReady as the app's UI hears of it.
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::unbounded_channel::<u128>();
    let heard = ready_tx.clone();
    app.listen_any("widget-event", move |e| {
        if e.payload().contains("widget ready") {
            let _ = heard.send(now_ms());
        }
    });
    let (opened_tx, mut opened_rx) = tokio::sync::mpsc::unbounded_channel::<u128>();
    app.listen_any("widget-opened", move |_| {
        let _ = opened_tx.send(now_ms());
    });
    let (mut app_ms, mut floor_ms, mut session_ms) = (Vec::new(), Vec::new(), Vec::new());
    let (mut app_open_ms, mut floor_open_ms) = (Vec::new(), Vec::new());
    for round in 0..=runs {
        // The app: Buy, 25, Continue, as a person taps them.
        // Home may still be drawn again as its data arrives: tap Buy until the form shows.
        let buy = "document.getElementById('amount') ? 'form' \
                   : ((document.getElementById('buy') || { click() {} }).click(), 'pending')";
        if page::poll(&main, buy, Duration::from_millis(50), LIMIT).await.is_none() {
            return serde_json::json!({"error": format!("purchase {round}: the Buy form never showed")});
        }
        while ready_rx.try_recv().is_ok() {}
        // The tap's moment, and the pair the form chose (the floor's session uses the same).
        let tap: serde_json::Value = page::eval_value(
            &main,
            "document.getElementById('amount').value = '25'; window.__tap = Date.now(); \
             document.getElementById('continue').click(); JSON.stringify({ at: window.__tap, \
             currency: document.getElementById('currency').value, network: document.getElementById('network').value })",
            LIMIT,
        )
        .await
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
        let tapped = tap["at"].as_u64().map(u128::from);
        let ready = tokio::time::timeout(LIMIT, ready_rx.recv()).await.ok().flatten();
        let (Some(tapped), Some(ready)) = (tapped, ready) else {
            return serde_json::json!({"error": format!("purchase {round}: the widget never reported ready")});
        };
        if round > 0 {
            app_ms.push(ready.saturating_sub(tapped));
            if let Ok(opened) = opened_rx.try_recv() {
                app_open_ms.push(opened.saturating_sub(tapped));
            }
        }
        while opened_rx.try_recv().is_ok() {}
        core.close_payment();
        let mut home = false;
        for _ in 0..100 {
            if core.screen() != Screen::Home {
                core.navigate(Action::Back);
            }
            home = page::eval_value(&main, "document.getElementById('buy') ? 'home' : 'pending'", LIMIT)
                .await
                .is_some_and(|v| v == "home");
            if home {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if !home {
            let shown = page::eval_value(&main, "document.body.innerText.slice(0, 400)", LIMIT).await;
            return serde_json::json!({"error": format!("purchase {round}: home never came back after closing the payment window (core: {:?}, page: {shown:?})", core.screen())});
        }

        // The floor: the same host page in a bare window, on a session made beforehand.
        let Ok(amount) = "25".parse() else { return serde_json::json!({"error": "25 is not an amount"}) };
        let request = CreateSession {
            tx_type: TxType::Buy,
            currency: tap["currency"].as_str().unwrap_or_default().to_owned(),
            network: tap["network"].as_str().unwrap_or_default().to_owned(),
            amount,
            address: None,
            link: None,
        };
        let asked = Instant::now();
        let created = core.client().create_session(&request).await;
        let took = asked.elapsed().as_secs_f64() * 1000.0;
        let Ok(link) = created.and_then(|c| core.client().widget_link(&c.widget_url)) else {
            return serde_json::json!({"error": "the floor's session could not be created"});
        };
        let floor_ready = ready_tx.clone();
        let started = now_ms();
        let built = WebviewWindowBuilder::new(app, format!("bench-floor-{round}"), WebviewUrl::External(link))
            .inner_size(390.0, 844.0)
            .on_navigation(move |url| {
                if is_ready(url) {
                    let _ = floor_ready.send(now_ms());
                    return false;
                }
                true
            })
            .build();
        let built_at = now_ms();
        let Ok(window) = built else { return serde_json::json!({"error": "the floor's window could not be built"}) };
        let Some(ready) = tokio::time::timeout(LIMIT, ready_rx.recv()).await.ok().flatten() else {
            return serde_json::json!({"error": format!("floor {round}: the widget never reported ready")});
        };
        if round > 0 {
            floor_ms.push(ready.saturating_sub(started));
            session_ms.push(took);
            floor_open_ms.push(built_at.saturating_sub(started));
        }
        let _ = window.destroy();
    }
    serde_json::json!({ "app_ms": app_ms, "floor_ms": floor_ms, "session_ms": session_ms, "app_open_ms": app_open_ms, "floor_open_ms": floor_open_ms })
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
         await window.__TAURI__.proofRamp.kycStatus(); t.push(performance.now() - s); }} \
         window.__bench = JSON.stringify({{ each: t, total: performance.now() - t0 }}); }})() \
         .catch(e => {{ window.__bench = 'error'; }}); 'started'"
    );
    let _ = main.eval(js);
    let ipc: serde_json::Value = page::poll(&main, "window.__bench || 'pending'", Duration::from_millis(50), LIMIT)
        .await
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();

    // Raw HTTP: the same request from Rust with the same client and token.
    let core = app.proof_ramp();
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
