//! Declares the app's commands to Tauri's ACL, so every one of them is checked against the
//! capabilities, for local pages too.

const COMMANDS: &[&str] = &[
    "app_info",
    "boot",
    "personas",
    "sign_in",
    "sign_out",
    "sign_out_everywhere",
    "ramp_config",
    "kyc_status",
    "transactions",
    "transactions_page",
    "open_support",
    "deposit",
    "open_in_wallet",
    "transaction",
    "navigate",
    "start_ramp",
    "close_widget",
    "widget_back",
    "parse_address",
    "read_qr_image",
    "event_log",
    "export_log",
    "log_error",
    "resume_ramp",
    "reopen_widget",
    "restore",
    "set_language",
];

fn main() {
    // The phone projects: Android manifest and activities, iOS permission sentences (ramp-mobile).
    ramp_mobile::build::phone_projects().unwrap_or_else(|e| panic!("Proof Ramp: {e}"));
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
