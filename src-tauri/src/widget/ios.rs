//! iOS: the widget in a full-screen `UIWindow` over the app's (see docs/mobile.md for the
//! upstream lines cited here).
//!
//! - With no size, tao gives the window the screen's bounds; a fixed size would clip on smaller
//!   iPhones and leave gaps on larger ones. The host page keeps to the safe areas.
//! - iPhone has no system back: the host page's own top bar is the way out.
//! - Dismissing hides the window (`setHidden`), destroys it (tao releases the `UIWindow`) and
//!   makes the app's window key and visible again.

use tauri::{AppHandle, Manager, Runtime, WebviewWindow, WebviewWindowBuilder};

/// iOS shows the widget in a webview whenever asked.
pub(super) const WEBVIEW_AVAILABLE: bool = true;

/// `SFSafariViewController` (the opener plugin's in-app browser).
pub(super) const BROWSER: Option<&str> = Some("inAppBrowser");

/// The whole screen.
pub(super) fn configure<'a, R: Runtime>(
    b: WebviewWindowBuilder<'a, R, AppHandle<R>>,
) -> WebviewWindowBuilder<'a, R, AppHandle<R>> {
    b
}

/// Hide, destroy, and bring the app's window back as the key window.
pub(super) fn dismiss<R: Runtime>(app: &AppHandle<R>, w: &WebviewWindow<R>) {
    let _ = w.hide();
    let _ = w.destroy();
    if let Some(main) = app.get_webview_window("main") {
        let _ = main.set_focus();
    }
}
