//! The smallest Tauri app with Proof Ramp.

// `tauri::mobile_entry_point` adds an undocumented `start_app` on iOS.
#![cfg_attr(target_os = "ios", allow(missing_docs))]

use tauri_plugin_proof_ramp::BuilderExt;

/// Start the app.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    if let Err(e) = tauri::Builder::default().with_proof_ramp().run(tauri::generate_context!()) {
        eprintln!("the app could not start: {e}");
        std::process::exit(1);
    }
}
