//! Test builds only (`e2e` feature): the recovery probe, which ends web processes the way a
//! crash would (WebKitGTK's `webkit_web_view_terminate_web_process`) and watches the app recover.

use std::path::PathBuf;
use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_proof_ramp::ProofRampExt;

/// Environment variable naming the file the recovery probe writes its JSON result to.
const RECOVERY: &str = "PROOF_RAMP_RECOVERY_PROBE";

const STEP: Duration = Duration::from_millis(200);
const LIMIT: Duration = Duration::from_secs(30);

/// The recovery probe, for what WebDriver cannot watch (WebKit ends an automation session when
/// any of its pages' web process dies): signs in, starts a purchase through the UI, passes the
/// document step, ends the payment window's web process, times until the UI shows the message,
/// taps Reopen, finishes the purchase in the reopened window, then ends the app page's own web
/// process and checks it comes back on the same screen without asking anything. Writes what it
/// saw to the file `PROOF_RAMP_RECOVERY_PROBE` names, and quits.
pub(crate) fn recovery<R: Runtime>(app: &AppHandle<R>) {
    let Some(out) = std::env::var_os(RECOVERY).map(PathBuf::from) else { return };
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let report = match run_recovery(&app).await {
            Ok(report) => report,
            Err(step) => serde_json::json!({ "failed_at": step }),
        };
        if let Err(e) = std::fs::write(&out, report.to_string()) {
            eprintln!("recovery probe: cannot write {}: {e}", out.display());
        }
        app.exit(0);
    });
}

/// The value of `js` in `label`'s page, if it answers within 2 s.
async fn ask<R: Runtime>(app: &AppHandle<R>, label: &str, js: &str) -> Option<String> {
    let w = app.get_webview_window(label)?;
    tauri_plugin_proof_ramp::testing::eval_value(&w, js, Duration::from_secs(2)).await
}

/// Poll `js` in `label`'s page until it answers something other than `pending`.
async fn until<R: Runtime>(app: &AppHandle<R>, label: &str, js: &str) -> Option<String> {
    let deadline = std::time::Instant::now() + LIMIT;
    while std::time::Instant::now() < deadline {
        if let Some(v) = ask(app, label, js).await.filter(|v| v != "pending") {
            return Some(v);
        }
        tokio::time::sleep(STEP).await;
    }
    None
}

/// [`until`] in the payment window, whichever it is when asked.
async fn until_widget<R: Runtime>(app: &AppHandle<R>, js: &str) -> Option<String> {
    let deadline = std::time::Instant::now() + LIMIT;
    while std::time::Instant::now() < deadline {
        if let Some(v) = ask(app, &widget(app), js).await.filter(|v| v != "pending") {
            return Some(v);
        }
        tokio::time::sleep(STEP).await;
    }
    None
}

/// `yes` once `css` matches in the page, else `pending`.
fn has(css: &str) -> String {
    format!("document.querySelector({css:?}) ? 'yes' : 'pending'")
}

/// Run `js` in `label`'s page (no answer awaited).
fn run<R: Runtime>(app: &AppHandle<R>, label: &str, js: &str) -> Result<(), String> {
    app.get_webview_window(label).ok_or(format!("no {label} window"))?.eval(js).map_err(|e| e.to_string())
}

/// The widget's own back channel, as the stand-in widget calls it: `steps` in order.
fn widget_steps(steps: &str) -> String {
    format!(
        "(function () {{ var s = JSON.parse(document.getElementById('proof-session').textContent); \
         var src = Array.from(document.scripts).map(function (x) {{ return x.src; }}).find(function (u) {{ return u.indexOf('widget.2.0.js') >= 0; }}); \
         var base = new URL(src).origin + '/_sandbox/widget/'; \
         var auth = {{ init_token: s.init_token, widget_id: s.widget_id, signature: s.signature, merchant_transaction_id: s.merchant_transaction_id }}; \
         window.__probe = 'pending'; \
         {steps}.reduce(function (p, st) {{ return p.then(function () {{ return fetch(base + st[0], {{ method: 'POST', headers: {{ 'content-type': 'application/json' }}, body: JSON.stringify(Object.assign({{}}, auth, st[1])) }}) \
           .then(function (r) {{ if (!r.ok) throw new Error(st[0] + ' HTTP ' + r.status); }}); }}); }}, Promise.resolve()) \
           .then(function () {{ window.__probe = 'ok'; }}, function (e) {{ window.__probe = 'error: ' + e.message; }}); }})()"
    )
}

/// The payment window's label (a new one for every window), or one no window has.
fn widget<R: Runtime>(app: &AppHandle<R>) -> String {
    app.proof_ramp().window_label().unwrap_or_default()
}

async fn run_recovery<R: Runtime>(app: &AppHandle<R>) -> Result<serde_json::Value, &'static str> {
    let health = || app.proof_ramp().window_health();
    // Sign in and start a purchase through the UI.
    until(app, "main", &has("[data-persona=first_time]")).await.ok_or("sign-in screen")?;
    run(app, "main", "document.querySelector('[data-persona=first_time]').click()").map_err(|_| "sign in")?;
    until(app, "main", &has("#buy")).await.ok_or("home")?;
    run(app, "main", "document.getElementById('buy').click()").map_err(|_| "buy")?;
    until(app, "main", &has("#amount")).await.ok_or("form")?;
    run(app, "main", "document.getElementById('amount').value = '25'; document.getElementById('continue').click()")
        .map_err(|_| "continue")?;
    until_widget(app, &has("#proof-widget .pw-root")).await.ok_or("payment window")?;
    let tx = health().map(|h| h.tx).ok_or("payment window health")?;
    // Mid-verification: the documents are in.
    run(app, &widget(app), &widget_steps(r#"[["kyc", {"step": "documents"}]]"#)).map_err(|_| "documents")?;
    let documents = until(app, &widget(app), "window.__probe || 'pending'").await.ok_or("documents answer")?;

    // The payment window's web process dies.
    let window = app.get_webview_window(&widget(app)).ok_or("payment window gone")?;
    let crashed_at = std::time::Instant::now();
    tauri_plugin_proof_ramp::testing::terminate_web_process(window.as_ref());
    until(app, "main", &has("#widget-note[data-stuck=crashed]")).await.ok_or("the crash message")?;
    let noticed_ms = crashed_at.elapsed().as_millis() as u64;
    let message = ask(app, "main", "document.getElementById('widget-note').textContent").await.unwrap_or_default();

    // Reopen: a new window on the same transaction, at the same step; finish there.
    let old = app.proof_ramp().window_label();
    run(app, "main", "document.getElementById('widget-reopen').click()").map_err(|_| "reopen")?;
    let deadline = std::time::Instant::now() + LIMIT;
    while app.proof_ramp().window_label() == old || !health().is_some_and(|h| h.loaded) {
        if std::time::Instant::now() > deadline {
            return Err("the reopened window");
        }
        tokio::time::sleep(STEP).await;
    }
    let reopened_tx = health().map(|h| h.tx).unwrap_or_default();
    let step = until(app, &widget(app), "(function () { var e = document.querySelector('[data-step]'); var s = e && e.getAttribute('data-step'); return s && s !== 'loading' ? s : 'pending'; })()")
        .await
        .unwrap_or_default();
    run(app, &widget(app), &widget_steps(r#"[["kyc", {"step": "liveness"}], ["action", {"action": "pay"}]]"#))
        .map_err(|_| "finish")?;
    let finished = until(app, &widget(app), "window.__probe || 'pending'").await.ok_or("finish answer")?;
    until(app, "main", &has("#tx-status[data-status=completed]")).await.ok_or("completed")?;

    // The app's own page dies: it comes back on the same screen, asking nothing.
    run(app, "main", "window.__before_crash = true").map_err(|_| "mark")?;
    tauri_plugin_proof_ramp::testing::terminate_web_process(app.get_webview_window("main").ok_or("main")?.as_ref());
    let reloaded = until(
        app,
        "main",
        "window.__before_crash === undefined && document.querySelector('#tx-status[data-status=completed]') ? 'yes' : 'pending'",
    )
    .await
    .is_some();
    // The reloaded page draws the transaction first and the history the core kept as `restore`
    // answers: wait (bounded) for the three statuses, else report what is shown.
    const SHOWN: &str = "String(document.querySelectorAll('#status-card ol li').length)";
    let restored = until(app, "main", &format!("{SHOWN} >= 3 ? {SHOWN} : 'pending'")).await;
    let history = match restored {
        Some(n) => Some(n),
        None => ask(app, "main", SHOWN).await,
    }
    .and_then(|n| n.parse::<u64>().ok())
    .unwrap_or_default();
    let asked_sign_in =
        ask(app, "main", "document.getElementById('personas') ? 'yes' : 'no'").await.unwrap_or_default();
    Ok(serde_json::json!({
        "tx": tx, "documents": documents, "noticed_ms": noticed_ms, "message": message,
        "reopened_tx": reopened_tx, "reopened_step": step, "finished": finished,
        "main_reloaded": reloaded, "history_after_reload": history, "asked_sign_in": asked_sign_in,
    }))
}
