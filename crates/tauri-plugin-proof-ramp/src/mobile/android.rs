//! Android: the widget in its own activity, `WidgetActivity` (declared and written into the
//! generated project by `ramp-mobile`; see docs/mobile.md for the upstream lines cited here).
//!
//! - tao gives a window without an activity name an existing activity, and wry then calls
//!   `setContentView` with the widget's webview on it: the widget would replace the app's own
//!   screen. Naming the activity makes tao start it.
//! - `destroy()` does not finish an activity (tao's Android window has no `Drop`, and
//!   tauri-runtime-wry only drops its handles), so the widget's screen would stay up. Dismissing
//!   finishes the activity; its `onDestroy` makes Tauri drop the window.
//! - With `"paymentWindow": "browser"` in the plugin's configuration there is no such activity
//!   (ramp-mobile reads the same setting), and the widget opens in the in-app browser (Custom
//!   Tabs) instead.

use ramp_core::app::Frames;
use tauri::{AppHandle, Runtime, WebviewWindow, WebviewWindowBuilder};

/// Custom Tabs (the opener plugin's in-app browser).
pub(crate) const BROWSER: Option<&str> = Some("inAppBrowser");

/// Android's WebView asks the navigation handler about the page's own navigations only.
pub(crate) const FRAMES: Frames = Frames::NotAsked;

/// The class `ramp-mobile` writes and declares.
const ACTIVITY: &str = "WidgetActivity";

/// The widget's own activity, started from the app's main one (its task and back stack).
pub(crate) fn configure<'a, R: Runtime>(
    b: WebviewWindowBuilder<'a, R, AppHandle<R>>,
) -> WebviewWindowBuilder<'a, R, AppHandle<R>> {
    b.activity_name(ACTIVITY)
}

/// Finish the widget's activity; the app's activity is under it in the task and comes back.
pub(crate) fn dismiss<R: Runtime>(w: &WebviewWindow<R>) {
    let finished = w.with_webview(|pw| {
        pw.jni_handle().exec(|env, activity, _webview| {
            if env.call_method(activity, "finish", "()V", &[]).is_err() {
                let _ = env.exception_clear();
                tracing::error!("the widget's activity did not finish");
            }
        });
    });
    if finished.is_err() {
        // Its webview is already gone: the activity is finishing or finished.
        tracing::warn!("the widget's webview was already gone when dismissed");
    }
}
