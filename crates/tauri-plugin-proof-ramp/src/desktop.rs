//! Desktop (Linux, macOS, Windows): the widget in a phone-sized window of its own beside the
//! app's; the window's close button asks the app's window to confirm.

use ramp_core::app::Frames;
use tauri::{AppHandle, Runtime, WebviewWindow, WebviewWindowBuilder};

/// The system browser (no in-app browser on desktop).
pub(crate) const BROWSER: Option<&str> = None;

/// WebKitGTK asks the navigation handler about frames and lets the shell check the main frame's
/// response (`platform::check_main_frame`); macOS's WebKit asks about frames and tells nothing
/// before the page starts loading; WebView2 is treated the same way.
pub(crate) const FRAMES: Frames = if cfg!(target_os = "linux") { Frames::CheckedAtResponse } else { Frames::Untold };

/// A phone-sized window.
pub(crate) fn configure<'a, R: Runtime>(
    b: WebviewWindowBuilder<'a, R, AppHandle<R>>,
) -> WebviewWindowBuilder<'a, R, AppHandle<R>> {
    b.inner_size(390.0, 844.0)
}

/// Destroying the window closes it (the shell then brings the app's window to the front).
pub(crate) fn dismiss<R: Runtime>(w: &WebviewWindow<R>) {
    let _ = w.destroy();
}
