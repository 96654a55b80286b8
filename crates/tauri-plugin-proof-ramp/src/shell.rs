//! The Tauri side of the app: [`TauriShell`] does what `ramp-core`'s [`Shell`] asks (present
//! and dismiss the payment window, evaluate in its page, tell the UI, open a browser) and
//! reports the window's events back through its [`WindowHooks`]. All decisions are the core's.
//!
//! How the payment window is presented differs per platform (`desktop.rs`, `mobile/android.rs`,
//! `mobile/ios.rs`: `configure` a new window, `dismiss` it, which browser browser mode uses, what
//! the engine tells about frames). docs/mobile.md cites the upstream code each one relies on.

use std::time::Duration;

use futures_util::future::BoxFuture;
use ramp_core::app::{App, Permission, Shell, ShellTraits, UiEvent, WindowHooks, WindowSpec};
use tauri::webview::{PageLoadEvent, PermissionKind, PermissionResponse};
use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder, WindowEvent};
use tauri_plugin_opener::OpenerExt;
use url::Url;

#[cfg(desktop)]
use crate::desktop as platform;
#[cfg(target_os = "android")]
use crate::mobile::android as platform;
#[cfg(target_os = "ios")]
use crate::mobile::ios as platform;
use crate::{APP_WINDOW, PaymentWindow};

/// The app as Tauri manages it.
pub type Core<R = tauri::Wry> = App<TauriShell<R>>;

/// The shell over one Tauri app.
pub struct TauriShell<R: Runtime> {
    app: AppHandle<R>,
    payment_window: PaymentWindow,
}

impl<R: Runtime> TauriShell<R> {
    /// The shell of `app`, showing the payment page where `payment_window` says.
    pub fn new(app: AppHandle<R>, payment_window: PaymentWindow) -> Self {
        Self { app, payment_window }
    }

    fn focus_app(&self) {
        if let Some(main) = self.app.get_webview_window(APP_WINDOW) {
            let _ = main.set_focus();
        }
    }
}

/// Tauri's permission kinds as the core knows them.
pub(crate) fn permission(kind: &PermissionKind) -> Permission {
    match kind {
        PermissionKind::Camera => Permission::Camera,
        PermissionKind::Microphone => Permission::Microphone,
        _ => Permission::Other,
    }
}

/// The core's yes or no as Tauri's answer (never `Default`: the engine's default grants).
pub(crate) fn answer(allow: bool) -> PermissionResponse {
    if allow { PermissionResponse::Allow } else { PermissionResponse::Deny }
}

impl<R: Runtime> Shell for TauriShell<R> {
    fn present(&self, spec: &WindowSpec, hooks: WindowHooks) -> Result<(), String> {
        let (nav, load, camera) = (hooks.clone(), hooks.clone(), hooks.clone());
        let builder = platform::configure(WebviewWindowBuilder::new(
            &self.app,
            &spec.label,
            WebviewUrl::External(spec.url.clone()),
        ))
        .title(spec.title)
        // Also asked about frames on iOS and WebKitGTK (docs/mobile.md, Frames).
        .on_navigation(move |url| nav.navigation(url))
        .on_permission_request(move |_, kind| answer(camera.permission(permission(&kind))))
        // The main frame's loads: what the window shows, for the camera decision. Read
        // here rather than with `url()`, which on Android waits for the UI thread that
        // permission requests arrive on (docs/mobile.md).
        .on_page_load(move |_, payload| match payload.event() {
            PageLoadEvent::Started => load.page_started(payload.url()),
            PageLoadEvent::Finished => load.page_finished(payload.url()),
        });
        let window = builder.build().map_err(|e| e.to_string())?;
        crate::webview::prepare_webview(window.as_ref(), true);
        let gone = hooks.clone();
        crate::webview::on_process_gone(window.as_ref(), move || gone.process_gone());
        let main_frame = hooks.clone();
        crate::webview::check_main_frame(window.as_ref(), move |url| main_frame.main_frame(url));
        let app = self.app.clone();
        window.on_window_event(move |event| match event {
            WindowEvent::CloseRequested { api, .. } => {
                // Leaving a payment half-way deserves a question; the main window asks it.
                api.prevent_close();
                hooks.close_requested();
                if let Some(main) = app.get_webview_window(APP_WINDOW) {
                    let _ = main.set_focus();
                }
            }
            WindowEvent::Destroyed => hooks.gone(),
            _ => {}
        });
        Ok(())
    }

    fn dismiss(&self, label: &str) {
        if let Some(w) = self.app.get_webview_window(label) {
            platform::dismiss(&w);
        }
        self.focus_app();
    }

    fn evaluate(&self, label: &str, js: &str, within: Duration) -> BoxFuture<'static, Option<String>> {
        let window = self.app.get_webview_window(label);
        let js = js.to_owned();
        Box::pin(async move {
            let w = window?;
            crate::page::eval_value(&w, &js, within).await
        })
    }

    fn emit(&self, event: UiEvent) {
        let _ = self.app.emit_to(APP_WINDOW, event.name(), event.payload());
    }

    fn open_externally(&self, url: Url, in_app: bool) -> BoxFuture<'static, Result<(), String>> {
        let app = self.app.clone();
        let browser = if in_app { platform::BROWSER } else { None };
        Box::pin(async move {
            // On phones the opener waits for its plugin's answer on the UI thread: never there,
            // and not on the async workers either.
            tauri::async_runtime::spawn_blocking(move || app.opener().open_url(url.to_string(), browser))
                .await
                .map_err(|_| "the opener stopped".to_owned())?
                .map_err(|e| e.to_string())
        })
    }

    fn spawn(&self, task: BoxFuture<'static, ()>) {
        tauri::async_runtime::spawn(task);
    }

    fn traits(&self) -> ShellTraits {
        ShellTraits {
            // On Android the webview has its activity exactly when the configuration says
            // `webview`: ramp-mobile writes it into the project from the same setting.
            webview: self.payment_window == PaymentWindow::Webview,
            covers_app: cfg!(mobile),
            no_browser: cfg!(feature = "e2e"),
            frames: platform::FRAMES,
        }
    }
}
