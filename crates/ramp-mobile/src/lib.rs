//! Proof Ramp's native-project configuration for iOS and Android, checkable without the SDKs.
//!
//! The Tauri CLI regenerates `src-tauri/gen/android` and `gen/apple` from its templates, and
//! neither template carries what identity verification needs: the camera (and microphone)
//! permissions, camera features marked optional, the deep link back from the browser, and
//! Google Pay's package queries. This crate
//! - **injects** the camera, audio, capture-intent queries, the widget's own activity, the
//!   launcher's activity and Google Pay entries into the generated Android project
//!   inside marked blocks (the marker format Tauri's own plugins use), idempotently, keeping
//!   everything else ([`android::inject_manifest`], [`android::inject_main_activity`]); the app's
//!   build script runs it whenever the CLI builds for a phone ([`build::phone_projects`], one
//!   line, which also writes the iOS permission sentences), and `proof-ramp-mobile inject`
//!   runs it by hand (the deep-link plugin injects the return link's intent filter and URL type
//!   the same way, from `plugins.deep-link` in `tauri.conf.json`);
//! - **reads back** a manifest with an XML parser and a plist with a plist parser
//!   ([`android::ManifestFacts`], [`ios::PlistFacts`]), which the tests and `doctor` use;
//! - holds the options in `src-tauri/mobile.toml` and the plugin's `paymentWindow`
//!   ([`MobileConfig::for_app`]).
//!
//! iOS needs no injection: the CLI merges the committed `src-tauri/Info.ios.plist` into the
//! generated plist on every build.
//!
//! ```
//! use ramp_mobile::MobileConfig;
//! use ramp_mobile::android::{ManifestFacts, inject_manifest};
//!
//! let template = r#"<manifest xmlns:android="http://schemas.android.com/apk/res/android">
//!     <application>
//!         <activity android:name=".MainActivity" android:exported="true">
//!         </activity>
//!     </application>
//! </manifest>"#;
//! let injected = inject_manifest(template, &MobileConfig::default(), &[]).expect("a manifest");
//! assert_eq!(inject_manifest(&injected, &MobileConfig::default(), &[]).expect("again"), injected);
//! let facts = ManifestFacts::parse(&injected).expect("well-formed");
//! assert_eq!(facts.permission_count("android.permission.CAMERA"), 1);
//! assert_eq!(facts.activity(".WidgetActivity").and_then(|a| a.exported.as_deref()), Some("false"));
//! ```

pub mod android;
pub mod build;
pub mod capabilities;
#[cfg(feature = "cli")]
pub mod doctor;
pub mod ios;

use std::path::Path;

use ramp_api::plugin::{PaymentWindow, PluginConfig};
use serde::Deserialize;

/// What the Tauri CLI names the plugin's configuration in when it builds (its
/// `TAURI_<PLUGIN>_PLUGIN_CONFIG` convention, which Tauri's plugins read).
pub const PLUGIN_CONFIG_ENV: &str = "TAURI_PROOF_RAMP_PLUGIN_CONFIG";

/// The configuration release builds merge over `tauri.conf.json`, in `src-tauri/`
/// (`tauri android build --config src-tauri/tauri.release.conf.json`): the return link there is
/// an App Link / Universal Link on the backend's https origin, and no custom scheme.
pub const RELEASE_CONF: &str = "tauri.release.conf.json";

/// What can go wrong reading or rewriting the native configuration.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// `mobile.toml` is not valid.
    #[error("{path} is not valid: {message}. Fix it (see the comments in the repository's src-tauri/mobile.toml).")]
    Config {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The Android manifest does not have the shape the injection needs.
    #[error("the Android manifest {0}; regenerate it with `cargo tauri android init` or restore that element by hand")]
    Manifest(String),
    /// `MainActivity.kt` does not have the shape the Google Pay injection needs.
    #[error("MainActivity.kt {0}; regenerate it with `cargo tauri android init`")]
    Activity(String),
    /// A plist could not be parsed.
    #[error("{path} is not a valid property list: {message}")]
    Plist {
        /// The file.
        path: String,
        /// The parser's message.
        message: String,
    },
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// `conf` (a `tauri.conf.json`) with `patch` (`TAURI_CONFIG`: the CLI's `--config`) merged over
/// it as tauri-build merges it (a JSON merge patch: a list replaces a list); the message names
/// the text that is not JSON.
pub(crate) fn merged_conf(conf: &str, patch: Option<&str>) -> std::result::Result<serde_json::Value, String> {
    let json =
        |what: &str, text: &str| serde_json::from_str::<serde_json::Value>(text).map_err(|e| format!("{what}: {e}"));
    let mut conf = json("tauri.conf.json", conf)?;
    if let Some(patch) = patch {
        json_patch::merge(&mut conf, &json("TAURI_CONFIG", patch)?);
    }
    Ok(conf)
}

pub(crate) fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.display().to_string(), source })
}

pub(crate) fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).map_err(|source| Error::Io { path: path.display().to_string(), source })
}

/// `src-tauri/mobile.toml`: what the Android project gets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MobileConfig {
    /// Android options.
    #[serde(default)]
    pub android: AndroidConfig,
}

/// `[android]` in `mobile.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AndroidConfig {
    /// Declare `RECORD_AUDIO` with `MODIFY_AUDIO_SETTINGS` (the webview needs both for any audio
    /// capture). On by default: a liveness check may record video with sound.
    #[serde(default = "yes")]
    pub audio: bool,
    /// Google Pay inside the Android WebView: the three Payment Request `<queries>` and the
    /// WebView's payment-request setting in `MainActivity`. Off by default (opt-in).
    #[serde(default)]
    pub google_pay: bool,
    /// The widget in its own activity (`WidgetActivity`, declared not exported, written beside
    /// `MainActivity.kt`). Not an option of `mobile.toml`: it follows the plugin's
    /// `paymentWindow` in `tauri.conf.json` ([`MobileConfig::for_app`]), on for `webview` (the
    /// default). Without it the app opens the widget in the in-app browser (Custom Tabs) on
    /// Android, because a second window without an activity of its own would take over the
    /// app's (see docs/mobile.md). With it, the launcher icon moves to `LauncherActivity`
    /// ([`android::LAUNCHER_BLOCK`]) so that coming back through the icon keeps the widget's
    /// activity.
    #[serde(skip_deserializing, default = "yes")]
    pub widget_activity: bool,
}

impl Default for AndroidConfig {
    fn default() -> Self {
        Self { audio: true, google_pay: false, widget_activity: true }
    }
}

fn yes() -> bool {
    true
}

impl MobileConfig {
    /// Parse `mobile.toml` text; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::Config { path: path.to_owned(), message: e.message().to_owned() })
    }

    /// The options of the app whose Tauri directory is `tauri_dir`: `mobile.toml` there, and
    /// whether the payment window has its own activity from the plugin's configuration
    /// ([`ramp_api::plugin::PluginConfig`]) as this build sees it: what the Tauri CLI hands the
    /// plugin (`TAURI_PROOF_RAMP_PLUGIN_CONFIG`) when it set it, otherwise `tauri.conf.json` with
    /// `TAURI_CONFIG` (the CLI's `--config`) merged over it as tauri-build merges it.
    ///
    /// # Errors
    /// An unreadable or invalid `mobile.toml`, `tauri.conf.json` or plugin configuration.
    pub fn for_app(tauri_dir: &Path) -> Result<Self> {
        let mut config = Self::load(&tauri_dir.join("mobile.toml"))?;
        let conf_path = tauri_dir.join("tauri.conf.json");
        let invalid = |message: String| Error::Config { path: conf_path.display().to_string(), message };
        let plugin = match std::env::var(PLUGIN_CONFIG_ENV) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| invalid(format!("{PLUGIN_CONFIG_ENV}: {e}")))?,
            Err(_) => {
                let patch = std::env::var("TAURI_CONFIG").ok();
                let conf = merged_conf(&read(&conf_path)?, patch.as_deref()).map_err(invalid)?;
                PluginConfig::from_tauri_conf(&conf).map_err(invalid)?
            }
        };
        config.android.widget_activity = plugin.payment_window == PaymentWindow::Webview;
        Ok(config)
    }

    /// Read `mobile.toml`; a missing file means the defaults.
    pub fn load(path: &Path) -> Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(Error::Io { path: path.display().to_string(), source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_validation() {
        let c = MobileConfig::parse("", "m.toml").expect("empty is fine");
        assert_eq!(c, MobileConfig::default());
        assert!(c.android.audio && !c.android.google_pay);
        let c = MobileConfig::parse("[android]\ngoogle_pay = true\naudio = false", "m.toml").expect("valid");
        assert!(c.android.google_pay && !c.android.audio);
        for bad in ["[android]\nadio = true", "[android]\naudio = \"yes\"", "[deep_link]\nscheme = \"x\""] {
            let e = MobileConfig::parse(bad, "m.toml").expect_err(bad).to_string();
            assert!(e.contains("m.toml"), "{e}");
        }
    }

    /// The payment window's activity follows the plugin's `paymentWindow`, and `mobile.toml` no
    /// longer has a say (an old `widget_activity` line is refused, not silently ignored).
    #[test]
    fn the_widget_activity_follows_the_plugin_configuration() {
        let dir = std::env::temp_dir().join(format!("ramp-mobile-for-app-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let conf = |plugin: &str| {
            std::fs::write(dir.join("tauri.conf.json"), format!(r#"{{"plugins": {{{plugin}}}}}"#)).expect("write")
        };
        conf("");
        assert!(MobileConfig::for_app(&dir).expect("defaults").android.widget_activity);
        conf(r#""proof-ramp": {"paymentWindow": "browser"}"#);
        assert!(!MobileConfig::for_app(&dir).expect("browser").android.widget_activity);
        conf(r#""proof-ramp": {"paymentWindow": "webview"}"#);
        assert!(MobileConfig::for_app(&dir).expect("webview").android.widget_activity);
        conf(r#""proof-ramp": {"paymentWindow": "tab"}"#);
        let e = MobileConfig::for_app(&dir).expect_err("no such mode").to_string();
        assert!(e.contains("tauri.conf.json") && e.contains("tab"), "{e}");
        std::fs::write(dir.join("mobile.toml"), "[android]\nwidget_activity = false\n").expect("write");
        conf("");
        let e = MobileConfig::for_app(&dir).expect_err("moved to the plugin").to_string();
        assert!(e.contains("widget_activity"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
