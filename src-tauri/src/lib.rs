//! The Proof Ramp app: a Tauri 2 shell around `ramp-core`.
//!
//! Two kinds of webview, two levels of trust:
//! - `main` shows the app's own UI from local assets (`ui/`); the capability `main` lets it call
//!   the commands in [`commands`] and nothing else.
//! - each payment window (`widget-<n>`, a new number every time) shows the backend's host page
//!   with the Proof widget; no capability matches it, so no command works there; it alone may
//!   use the camera, and only while it shows the host page; its navigation is pinned to the
//!   backend's allowlist.
//!
//! Every decision is `ramp-core`'s ([`ramp_core::app::App`]); this crate is its shell
//! ([`shell`]) and the commands that call it ([`commands`]).
//!
//! The app holds no Proof credential, only its short-lived backend token.

// On iOS `tauri::mobile_entry_point` adds an undocumented `start_app` beside `run`; every other
// item is held to `missing_docs` by the desktop and Android lints.
#![cfg_attr(target_os = "ios", allow(missing_docs))]

#[cfg(feature = "bench")]
mod bench;
pub mod commands;
mod error;
#[cfg(feature = "e2e")]
mod hooks;
mod page;
mod platform;
#[cfg(feature = "e2e")]
mod probe;
pub mod shell;

use std::path::PathBuf;

use ramp_core::{BackendClient, Build, FileTokenStore, TokenStore};
use tauri::{AppHandle, Manager, Runtime};

use shell::core;
pub use shell::{Core, TauriShell};

/// Backend used when nothing is configured: the local sandbox stack
/// (`cargo run -p partner-backend -- --sandbox`). Build with `PROOF_RAMP_BACKEND_URL` set to
/// ship another; at run time the same variable overrides it on desktop.
pub const DEFAULT_BACKEND: &str = match option_env!("PROOF_RAMP_BACKEND_URL") {
    Some(url) => url,
    None => "http://127.0.0.1:8080/",
};

/// Manage the app's core on `app`, talking to the backend through `client` and keeping the
/// sign-in in `tokens` (also used by the IPC tests).
pub fn manage<R: Runtime>(app: &AppHandle<R>, client: BackendClient, tokens: Box<dyn TokenStore>) {
    app.manage(Core::new(TauriShell::new(app.clone()), client, tokens));
}

/// The command handler for every app command (also used by the IPC tests).
pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::app_info,
        commands::boot,
        commands::personas,
        commands::sign_in,
        commands::sign_out,
        commands::sign_out_everywhere,
        commands::ramp_config,
        commands::kyc_status,
        commands::transactions,
        commands::transactions_page,
        commands::open_support,
        commands::deposit,
        commands::open_in_wallet,
        commands::transaction,
        commands::navigate,
        commands::start_ramp,
        commands::close_widget,
        commands::widget_back,
        commands::parse_address,
        commands::read_qr_image,
        commands::event_log,
        commands::export_log,
        commands::log_error,
        commands::resume_ramp,
        commands::reopen_widget,
        commands::restore,
        commands::set_language,
    ]
}

/// The backend URL: `PROOF_RAMP_BACKEND_URL` at run time (desktop), else the built-in default.
fn backend_url() -> String {
    std::env::var("PROOF_RAMP_BACKEND_URL").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| DEFAULT_BACKEND.to_owned())
}

/// This build, for its backend policy (`ramp_core::Build`): release builds talk to their
/// backend over https only (the built-in default is the local sandbox over http, for
/// development); benchmark builds (`bench`, never shipped) may use http on loopback.
const BUILD: Build = Build::of(cfg!(debug_assertions), cfg!(feature = "bench"));

/// Phones: the QR scanner and the return link from browser mode (both crates are empty on
/// desktop). Registered here, once the main window exists, not on the Builder: on iOS a plugin
/// registered before any webview is re-pointed at every new webview (so the scanner would follow
/// the widget's window and die with it), while one registered now is bound to the main webview
/// for good (docs/mobile.md).
#[cfg(mobile)]
fn mobile_plugins<R: tauri::Runtime>(app: &mut tauri::App<R>) -> Result<(), Box<dyn std::error::Error>> {
    use tauri_plugin_deep_link::DeepLinkExt;
    app.handle().plugin(tauri_plugin_barcode_scanner::init())?;
    app.handle().plugin(tauri_plugin_deep_link::init())?;
    let handle = app.handle().clone();
    app.deep_link().on_open_url(move |event| {
        for url in event.urls() {
            core(&handle).returned(&url);
        }
    });
    // A return link that started the app (it was closed while the user was in the browser).
    if let Ok(Some(urls)) = app.deep_link().get_current() {
        for url in urls {
            core(app.handle()).returned(&url);
        }
    }
    Ok(())
}

/// Start the app.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    #[cfg(feature = "bench")]
    if bench::run_minimal_if_asked() {
        return;
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .try_init();
    let builder = tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        // Every webview: camera and microphone only for the payment window, while it shows the
        // host page (the core decides).
        .on_permission_request(|webview, kind| {
            shell::answer(core(webview.app_handle()).permission(webview.label(), shell::permission(&kind)))
        });
    // iOS (and macOS): WebKit's webContentProcessDidTerminate, for every webview. Without a hook
    // tauri-runtime-wry reloads the page; with one, the hook decides: the payment window is
    // reported stuck (Reopen), the app's own page reloads (docs/mobile.md).
    #[cfg(any(target_os = "macos", target_os = "ios"))]
    let builder = builder.on_web_content_process_terminate(|webview| {
        let core = core(webview.app_handle());
        if !core.web_process_gone(webview.label()) {
            core.log().push("error", "the app's page stopped working; reloaded it");
            let _ = webview.reload();
        }
    });
    let result = builder
        .setup(|app| {
            let data: PathBuf = app.path().app_local_data_dir()?;
            let client = BackendClient::for_build(&backend_url(), BUILD).map_err(|e| e.message)?;
            manage(app.handle(), client, Box::new(FileTokenStore::new(data.join("session.json"))));
            if let Some(main) = app.get_webview_window("main") {
                platform::prepare_webview(&main, false);
                let handle = app.handle().clone();
                platform::reload_when_gone(&main, move || {
                    core(&handle).log().push("error", "the app's page stopped working; reloaded it");
                });
            }
            #[cfg(mobile)]
            mobile_plugins(app)?;
            #[cfg(feature = "e2e")]
            probe::start(app.handle());
            #[cfg(feature = "e2e")]
            hooks::recovery(app.handle());
            #[cfg(feature = "bench")]
            bench::start(app.handle());
            Ok(())
        })
        .invoke_handler(handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Proof Ramp could not start: {e}");
        std::process::exit(1);
    }
}
