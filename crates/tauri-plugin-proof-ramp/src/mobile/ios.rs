//! iOS: the widget in a full-screen `UIWindow` over the app's (see docs/mobile.md for the
//! upstream lines cited here).
//!
//! - With no size, tao gives the window the screen's bounds; a fixed size would clip on smaller
//!   iPhones and leave gaps on larger ones. The host page keeps to the safe areas.
//! - iPhone has no system back: the host page's own top bar is the way out.
//! - Dismissing blanks the page, hides the window (`setHidden`) and destroys it (tao releases
//!   the `UIWindow`); the shell then makes the app's window key and visible again. tao reports
//!   no `Destroyed` for it, so Tauri keeps the window and its webview for the rest of the run:
//!   every payment window has a label of its own (`ramp-core`), and the page is blanked so
//!   nothing keeps running in the kept webview.

use ramp_core::app::Frames;
use tauri::{AppHandle, Runtime, WebviewWindow, WebviewWindowBuilder};

/// `SFSafariViewController` (the opener plugin's in-app browser).
pub(crate) const BROWSER: Option<&str> = Some("inAppBrowser");

/// WebKit asks the navigation handler about frames too, and wry passes only the address.
pub(crate) const FRAMES: Frames = Frames::Untold;

/// The whole screen.
pub(crate) fn configure<'a, R: Runtime>(
    b: WebviewWindowBuilder<'a, R, AppHandle<R>>,
) -> WebviewWindowBuilder<'a, R, AppHandle<R>> {
    b
}

/// Blank the page, hide the window, destroy it.
pub(crate) fn dismiss<R: Runtime>(w: &WebviewWindow<R>) {
    if let Ok(blank) = "about:blank".parse() {
        let _ = w.navigate(blank);
    }
    let _ = w.hide();
    let _ = w.destroy();
}
