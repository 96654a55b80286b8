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
];

/// When the Tauri CLI builds for Android it tells build scripts where the generated project is
/// (the variable Tauri's plugins use for their own manifest entries): inject the camera, audio,
/// deep-link and opt-in Google Pay entries of `mobile.toml` there, on every build, so a
/// regenerated project never ships without them.
fn android_injection(config: &ramp_mobile::MobileConfig) {
    println!("cargo:rerun-if-env-changed=TAURI_ANDROID_PROJECT_PATH");
    if let Some(project) = std::env::var_os("TAURI_ANDROID_PROJECT_PATH") {
        let project = std::path::Path::new(&project);
        // A regenerated project (`tauri android init`) must be injected again.
        let manifest = ramp_mobile::android::manifest_path(project);
        println!("cargo:rerun-if-changed={}", manifest.display());
        if let Some(activity) = ramp_mobile::android::main_activity_path(project) {
            println!("cargo:rerun-if-changed={}", activity.display());
        }
        match ramp_mobile::android::inject_project(project, config) {
            Ok(changed) => {
                for f in changed.files {
                    println!("cargo:warning=Proof Ramp: updated {}", f.display());
                }
            }
            Err(e) => panic!("Proof Ramp could not configure the Android project: {e}"),
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=mobile.toml");
    let config = ramp_mobile::MobileConfig::load(std::path::Path::new("mobile.toml"))
        .unwrap_or_else(|e| panic!("Proof Ramp: {e}"));
    android_injection(&config);
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
