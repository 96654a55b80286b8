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

/// When the Tauri CLI builds for Android it tells build scripts where the generated project is
/// (the variable Tauri's plugins use for their own manifest entries): inject the camera, audio,
/// capture queries, widget activity and opt-in Google Pay entries of `mobile.toml` there, and
/// the deep links' intent filters when the deep-link plugin's are missing, on every build, so a
/// regenerated project never ships without them.
fn android_injection(config: &ramp_mobile::MobileConfig, links: &[ramp_mobile::android::DeepLink]) {
    println!("cargo:rerun-if-env-changed=TAURI_ANDROID_PROJECT_PATH");
    if let Some(project) = std::env::var_os("TAURI_ANDROID_PROJECT_PATH") {
        let project = std::path::Path::new(&project);
        // A regenerated project (`tauri android init`) must be injected again.
        let manifest = ramp_mobile::android::manifest_path(project);
        println!("cargo:rerun-if-changed={}", manifest.display());
        if let Some(activity) = ramp_mobile::android::main_activity_path(project) {
            println!("cargo:rerun-if-changed={}", activity.display());
        }
        let generated = [
            ramp_mobile::android::widget_activity_path(project),
            ramp_mobile::android::launcher_activity_path(project),
        ];
        for kotlin in generated.into_iter().flatten() {
            println!("cargo:rerun-if-changed={}", kotlin.display());
        }
        match ramp_mobile::android::inject_project(project, config, links) {
            Ok(changed) => {
                for f in changed.files {
                    println!("cargo:warning=Proof Ramp: updated {}", f.display());
                }
            }
            Err(e) => panic!("Proof Ramp could not configure the Android project: {e}"),
        }
    }
}

/// When the Tauri CLI builds for iOS it names the generated Xcode project and app (the variables
/// Tauri's plugins use for their own Info.plist entries): write the permission sentences of
/// every language there as `<tag>.lproj/InfoPlist.strings`, on every build.
fn ios_localizations() {
    println!("cargo:rerun-if-env-changed=TAURI_IOS_PROJECT_PATH");
    println!("cargo:rerun-if-changed=i18n");
    let (Some(project), Ok(app)) = (std::env::var_os("TAURI_IOS_PROJECT_PATH"), std::env::var("TAURI_IOS_APP_NAME"))
    else {
        return;
    };
    let languages = ramp_mobile::ios::load_localizations(std::path::Path::new("i18n"))
        .unwrap_or_else(|e| panic!("Proof Ramp: the iOS permission sentences: {e}"));
    match ramp_mobile::ios::write_localizations(std::path::Path::new(&project), &app, &languages) {
        Ok(written) => {
            for f in written {
                println!("cargo:warning=Proof Ramp: updated {}", f.display());
            }
        }
        Err(e) => panic!("Proof Ramp could not write the iOS permission sentences: {e}"),
    }
}

fn main() {
    println!("cargo:rerun-if-changed=mobile.toml");
    println!("cargo:rerun-if-changed=tauri.conf.json");
    let config = ramp_mobile::MobileConfig::load(std::path::Path::new("mobile.toml"))
        .unwrap_or_else(|e| panic!("Proof Ramp: {e}"));
    // The deep links this build gives the plugin (the CLI's --config merged in, as for release).
    println!("cargo:rerun-if-env-changed={}", ramp_mobile::android::DEEP_LINK_CONFIG_ENV);
    println!("cargo:rerun-if-env-changed=TAURI_CONFIG");
    let links = ramp_mobile::android::DeepLink::for_build(std::path::Path::new("tauri.conf.json"))
        .unwrap_or_else(|e| panic!("Proof Ramp: {e}"));
    android_injection(&config, &links);
    ios_localizations();
    // The app opens the widget in its own activity only when the project declares one.
    println!("cargo:rustc-check-cfg=cfg(widget_activity)");
    if config.android.widget_activity {
        println!("cargo:rustc-cfg=widget_activity");
    }
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
