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
//! - holds the options in `src-tauri/mobile.toml` ([`MobileConfig`]).
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

use serde::Deserialize;

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
    /// `MainActivity.kt`). On by default; off, the app opens the widget in the in-app browser
    /// (Custom Tabs) on Android, because a second window without an activity of its own would
    /// take over the app's (see docs/mobile.md). With it, the launcher icon moves to
    /// `LauncherActivity` ([`android::LAUNCHER_BLOCK`]) so that coming back through the icon keeps
    /// the widget's activity.
    #[serde(default = "yes")]
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
}
