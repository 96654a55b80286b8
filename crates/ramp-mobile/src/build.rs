//! The phone projects from an app's build script, in one call:
//!
//! ```no_run
//! // build.rs, next to `tauri.conf.json`, `mobile.toml` and `i18n/`
//! ramp_mobile::build::phone_projects().unwrap_or_else(|e| panic!("Proof Ramp: {e}"));
//! ```
//!
//! When the Tauri CLI builds for Android it names the generated project
//! (`TAURI_ANDROID_PROJECT_PATH`, the variable Tauri's plugins use for their own manifest
//! entries): the entries of `mobile.toml` and the deep links' intent filters go in there. When it
//! builds for iOS it names the Xcode project and the app (`TAURI_IOS_PROJECT_PATH`,
//! `TAURI_IOS_APP_NAME`): the permission sentences of every language in `i18n/` go in there as
//! `<tag>.lproj/InfoPlist.strings`. Both on every build, so a regenerated project never ships
//! without them. Desktop builds only read the configuration.

use std::path::Path;

use crate::{MobileConfig, Result, android, ios};

/// What the app's code may test with `#[cfg(widget_activity)]`: the payment window has an
/// Android activity of its own (the plugin reads its own configuration instead).
pub const WIDGET_ACTIVITY_CFG: &str = "widget_activity";

/// Configure the generated phone projects from the build script of the app in the current
/// directory (see the [module](self)), print the cargo directives that rerun it when an input
/// changes and [`WIDGET_ACTIVITY_CFG`], and return the options (`mobile.toml` and the plugin's `paymentWindow`).
///
/// # Errors
/// An unreadable `mobile.toml`, `tauri.conf.json` or `i18n/`, or a generated project that does
/// not have the shape the injection needs; each says what to do.
pub fn phone_projects() -> Result<MobileConfig> {
    for input in ["mobile.toml", "tauri.conf.json", "i18n"] {
        println!("cargo:rerun-if-changed={input}");
    }
    // The deep links this build gives the plugin (the CLI's --config merged in, as for release).
    for var in [
        android::DEEP_LINK_CONFIG_ENV,
        crate::PLUGIN_CONFIG_ENV,
        "TAURI_CONFIG",
        "TAURI_ANDROID_PROJECT_PATH",
        "TAURI_IOS_PROJECT_PATH",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let config = MobileConfig::for_app(Path::new("."))?;
    if let Some(project) = std::env::var_os("TAURI_ANDROID_PROJECT_PATH") {
        let links = android::DeepLink::for_build(Path::new("tauri.conf.json"))?;
        android_project(Path::new(&project), &config, &links)?;
    }
    if let (Some(project), Ok(app)) = (std::env::var_os("TAURI_IOS_PROJECT_PATH"), std::env::var("TAURI_IOS_APP_NAME"))
    {
        let languages = ios::load_localizations(Path::new("i18n"))?;
        for f in ios::write_localizations(Path::new(&project), &app, &languages)? {
            println!("cargo:warning=Proof Ramp: updated {}", f.display());
        }
    }
    println!("cargo:rustc-check-cfg=cfg({WIDGET_ACTIVITY_CFG})");
    if config.android.widget_activity {
        println!("cargo:rustc-cfg={WIDGET_ACTIVITY_CFG}");
    }
    Ok(config)
}

/// Inject into the Android project at `project`, and rerun when one of its files that the
/// injection reads or writes changes (`tauri android init` regenerates them).
fn android_project(project: &Path, config: &MobileConfig, links: &[android::DeepLink]) -> Result<()> {
    let watched = [
        Some(android::manifest_path(project)),
        android::main_activity_path(project),
        android::widget_activity_path(project),
        android::launcher_activity_path(project),
    ];
    for file in watched.into_iter().flatten() {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    for f in android::inject_project(project, config, links)?.files {
        println!("cargo:warning=Proof Ramp: updated {}", f.display());
    }
    Ok(())
}
