//! Platform webview settings the runtime does not expose.
//!
//! ## Platform-specific
//! - **Linux (WebKitGTK)**: media capture is off by default; it is switched on for the widget
//!   webview (so the camera policy, not the engine default, decides). Builds with the
//!   `e2e` feature (end-to-end tests only) also switch on WebKit's mock capture devices
//!   and media capture in every webview, so that the policy is what denies the main window.
//! - **Android, iOS, macOS, Windows**: nothing to do here.

use tauri::{Runtime, WebviewWindow};

/// Apply settings to a new webview; `widget` says whether it is the widget's.
pub(crate) fn prepare_webview<R: Runtime>(window: &WebviewWindow<R>, widget: bool) {
    #[cfg(target_os = "linux")]
    {
        let mock = cfg!(feature = "e2e");
        if widget || mock {
            let _ = window.with_webview(move |pw| {
                use webkit2gtk::{SettingsExt, WebViewExt};
                if let Some(settings) = WebViewExt::settings(&pw.inner()) {
                    settings.set_enable_media_stream(true);
                    settings.set_enable_mock_capture_devices(mock);
                    settings.set_media_playback_requires_user_gesture(false);
                }
            });
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (window, widget);
}
