//! Platform webview settings the runtime does not expose.
//!
//! ## Platform-specific
//! - **Linux (WebKitGTK)**: media capture is off by default; it is switched on for the widget
//!   webview (so the camera policy, not the engine default, decides). Builds with the
//!   `e2e` feature (end-to-end tests only) also switch on WebKit's mock capture devices
//!   and media capture in every webview, so that the policy is what denies the main window.
//! - **Android, iOS, macOS, Windows**: nothing to do here.

use tauri::{Runtime, Webview};

/// Apply settings to a new webview; `widget` says whether it is a payment window.
pub(crate) fn prepare_webview<R: Runtime>(window: &Webview<R>, widget: bool) {
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
pub(crate) fn on_process_gone<R: Runtime>(window: &Webview<R>, gone: impl Fn() + Send + 'static) {
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

/// Ask `main_frame` about every response the main frame is about to show, and refuse it when
/// the answer is no: frames (which the navigation handler cannot tell from the page on this
/// engine) load in place, and the page itself never leaves the backend's list.
///
/// ## Platform-specific
/// - **Linux (WebKitGTK)**: `decide-policy` for responses, whose decision says whether it is the
///   main frame's main resource (wry answers navigation actions only and leaves responses to
///   later handlers); `load-failed` for an address that never got a response.
/// - **Android, iOS, macOS, Windows**: nothing here (`ramp-core` `Frames` says what each does).
pub(crate) fn check_main_frame<R: Runtime>(
    window: &Webview<R>,
    main_frame: impl Fn(&url::Url) -> bool + Send + 'static,
) {
    #[cfg(target_os = "linux")]
    {
        let _ = window.with_webview(move |pw| {
            use webkit2gtk::glib::prelude::Cast;
            use webkit2gtk::{
                PolicyDecisionExt, PolicyDecisionType, ResponsePolicyDecision, ResponsePolicyDecisionExt,
                URIRequestExt, WebViewExt,
            };
            let decide = std::rc::Rc::new(main_frame);
            let on_failure = decide.clone();
            // An address off the list that fails before any response (no network, no such
            // host) is asked about too: it goes to the browser, and the page stays instead of
            // WebKit's error page. Failures on the list keep WebKit's page, and a load this
            // handler refused is not asked twice (WebKit shows nothing for those either).
            pw.inner().connect_load_failed(move |_, _, uri, error| {
                if error.matches(webkit2gtk::PolicyError::FrameLoadInterruptedByPolicyChange) {
                    return false;
                }
                url::Url::parse(uri).is_ok_and(|url| !on_failure(&url))
            });
            pw.inner().connect_decide_policy(move |_, decision, kind| {
                if kind != PolicyDecisionType::Response {
                    return false;
                }
                let Some(response) = decision.dynamic_cast_ref::<ResponsePolicyDecision>() else { return false };
                if !response.is_main_frame_main_resource() {
                    return false;
                }
                let shown = response.request().and_then(|r| r.uri()).and_then(|u| url::Url::parse(&u).ok());
                match shown {
                    Some(url) if !decide(&url) => {
                        decision.ignore();
                        true
                    }
                    _ => false,
                }
            });
        });
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (window, main_frame);
}

/// The main window's page is reloaded when its web process dies; the UI then asks the core for
/// its state (screen, statuses, payment window) and asks the user nothing again.
pub(crate) fn reload_when_gone<R: Runtime>(window: &Webview<R>, log: impl Fn() + Send + 'static) {
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
pub fn terminate_web_process<R: Runtime>(window: &Webview<R>) {
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
