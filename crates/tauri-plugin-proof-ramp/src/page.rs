//! Asking a webview's page for a value: Tauri evaluates a script and hands back its JSON result
//! through a callback; these helpers turn that into an awaitable answer.

use std::time::Duration;

use tauri::{Runtime, WebviewWindow};

/// The value of `js` in the page (a JSON-decoded string when it is one), or `None` when the page
/// does not answer within `wait`.
pub async fn eval_value<R: Runtime>(w: &WebviewWindow<R>, js: &str, wait: Duration) -> Option<String> {
    let (tx, rx) = tokio::sync::oneshot::channel::<String>();
    let tx = std::sync::Mutex::new(Some(tx));
    w.eval_with_callback(js, move |json| {
        if let Some(tx) = tx.lock().ok().and_then(|mut t| t.take()) {
            let _ = tx.send(json);
        }
    })
    .ok()?;
    let json = tokio::time::timeout(wait, rx).await.ok()?.ok()?;
    Some(serde_json::from_str::<String>(&json).unwrap_or(json))
}

/// Evaluates `js` every `every` until it returns something other than `"pending"`, for at most
/// `limit`.
#[cfg(any(feature = "e2e", feature = "bench"))]
pub async fn poll<R: Runtime>(w: &WebviewWindow<R>, js: &str, every: Duration, limit: Duration) -> Option<String> {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if let Some(v) = eval_value(w, js, Duration::from_secs(2)).await.filter(|v| v != "pending") {
            return Some(v);
        }
        tokio::time::sleep(every).await;
    }
    None
}
