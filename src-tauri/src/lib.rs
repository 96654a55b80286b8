//! The Proof Ramp reference app: the `tauri-plugin-proof-ramp` plugin with this app's UI
//! (`ui/`), plus the QR scanner the UI uses for wallet addresses on phones.
//!
//! Everything of the integration (the commands, the payment window, the camera decision,
//! return links, status events) is the plugin's; this crate adds it in one call
//! ([`BuilderExt::with_proof_ramp`]) and carries only the app's own choices, and in test and
//! benchmark builds the probes that drive it.

// On iOS `tauri::mobile_entry_point` adds an undocumented `start_app` beside `run`; every other
// item is held to `missing_docs` by the desktop and Android lints.
#![cfg_attr(target_os = "ios", allow(missing_docs))]

#[cfg(feature = "bench")]
mod bench;
#[cfg(feature = "e2e")]
mod hooks;
#[cfg(feature = "e2e")]
mod probe;

use tauri_plugin_proof_ramp::BuilderExt;

/// Phones: the QR scanner for wallet addresses (empty on desktop). Registered once the main
/// window exists, not on the Builder: on iOS a plugin registered before any webview is
/// re-pointed at every new webview (so the scanner would follow the payment window and die
/// with it), while one registered now is bound to the main webview for good (docs/mobile.md).
#[cfg(mobile)]
fn scanner<R: tauri::Runtime>(app: &mut tauri::App<R>) -> Result<(), Box<dyn std::error::Error>> {
    app.handle().plugin(tauri_plugin_barcode_scanner::init())?;
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
    let result = tauri::Builder::default()
        .with_proof_ramp()
        .setup(|app| {
            #[cfg(mobile)]
            scanner(app)?;
            #[cfg(feature = "e2e")]
            probe::start(app.handle());
            #[cfg(feature = "e2e")]
            hooks::recovery(app.handle());
            #[cfg(feature = "bench")]
            bench::start(app.handle());
            let _ = app;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("Proof Ramp could not start: {e}");
        std::process::exit(1);
    }
}
