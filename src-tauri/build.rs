//! Declares the app's commands to Tauri's ACL, so every one of them is checked against the
//! capabilities, for local pages too.

const COMMANDS: &[&str] = &[
    "app_info",
    "boot",
    "personas",
    "sign_in",
    "sign_out",
    "ramp_config",
    "kyc_status",
    "transactions",
    "transaction",
    "navigate",
    "start_ramp",
    "close_widget",
    "widget_back",
    "event_log",
    "export_log",
    "log_error",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
