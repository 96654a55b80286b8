//! The Proof Ramp app: a Tauri 2 shell around `ramp-core`.
//!
//! Two kinds of webview, two levels of trust:
//! - `main` shows the app's own UI from local assets (`ui/`); the capability `main` lets it call
//!   the commands in [`commands`] and nothing else.
//! - `widget` shows the backend's host page with the Proof widget; no capability matches it, so
//!   no command works there; it alone may use the camera ([`camera`]); its navigation is pinned to
//!   the backend's allowlist ([`widget`]).
//!
//! The app holds no Proof credential, only its short-lived backend token.

#[cfg(feature = "bench")]
mod bench;
mod camera;
pub mod commands;
mod error;
mod page;
mod platform;
#[cfg(feature = "e2e")]
mod probe;
mod state;
mod widget;

use std::path::PathBuf;

use ramp_core::{BackendClient, FileTokenStore};
use tauri::Manager;

pub use state::{Core, DEFAULT_BACKEND};

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
    ]
}

/// The backend URL: `PROOF_RAMP_BACKEND_URL` at run time (desktop), else the built-in default.
fn backend_url() -> String {
    std::env::var("PROOF_RAMP_BACKEND_URL").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| DEFAULT_BACKEND.to_owned())
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
    let builder = tauri::Builder::default();
    // Phones: the QR scanner and the return link from browser mode (both crates are empty on desktop).
    #[cfg(mobile)]
    let builder = builder.plugin(tauri_plugin_barcode_scanner::init()).plugin(tauri_plugin_deep_link::init());
    let result = builder
        .plugin(tauri_plugin_opener::init())
        // Every webview: camera and microphone only for the widget's.
        .on_permission_request(|webview, kind| camera::decide(webview.label(), &kind))
        .setup(|app| {
            let data: PathBuf = app.path().app_local_data_dir()?;
            let client = BackendClient::new(&backend_url()).map_err(|e| e.message)?;
            app.manage(Core::new(client, Box::new(FileTokenStore::new(data.join("session.json")))));
            if let Some(main) = app.get_webview_window("main") {
                platform::prepare_webview(&main, false);
            }
            #[cfg(mobile)]
            {
                use tauri_plugin_deep_link::DeepLinkExt;
                let handle = app.handle().clone();
                app.deep_link().on_open_url(move |event| {
                    for url in event.urls() {
                        widget::returned(&handle, &url);
                    }
                });
            }
            #[cfg(feature = "e2e")]
            probe::start(app.handle());
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
