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

/// Call `gone` when the webview's web process ends without the app asking (it crashed, or the
/// system took its memory).
///
/// ## Platform-specific
/// - **Linux (WebKitGTK)**: the `web-process-terminated` signal.
/// - **Android, iOS**: not reachable through Tauri 2.12 (wry implements neither
///   `onRenderProcessGone` nor `webContentProcessDidTerminate`; docs/mobile.md cites where): the
///   widget's watchdog notices a dead page by its silence instead.
pub(crate) fn on_process_gone<R: Runtime>(window: &WebviewWindow<R>, gone: impl Fn() + Send + 'static) {
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(move |pw| {
            use webkit2gtk::WebViewExt;
            pw.inner().connect_web_process_terminated(move |_, _reason| gone());
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (window, gone);
}

/// The main window's page is reloaded when its web process dies; the UI then asks the core for
/// its state (screen, statuses, payment window) and asks the user nothing again.
pub(crate) fn reload_when_gone<R: Runtime>(window: &WebviewWindow<R>, log: impl Fn() + Send + 'static) {
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(move |pw| {
            use webkit2gtk::WebViewExt;
            pw.inner().connect_web_process_terminated(move |view, _reason| {
                log();
                view.reload();
            });
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (window, log);
}

/// Test builds: end the webview's web process the way a crash would (WebKitGTK's API for it).
#[cfg(feature = "e2e")]
pub(crate) fn terminate_web_process<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(|pw| {
            use webkit2gtk::WebViewExt;
            pw.inner().terminate_web_process();
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}
