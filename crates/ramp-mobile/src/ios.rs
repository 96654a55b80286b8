//! iOS: the privacy keys and URL scheme in `src-tauri/Info.ios.plist`, which the Tauri CLI
//! merges into the generated app's `Info.plist` on every `ios dev`/`ios build`, and the same
//! permission sentences in every language of the app (`src-tauri/i18n/<tag>.json`), written as
//! `<tag>.lproj/InfoPlist.strings` into the generated Xcode project ([`write_localizations`]).

use std::path::Path;

use plist::Value;

use crate::{Error, Result};

/// The usage descriptions the app needs, with why.
pub const REQUIRED_KEYS: [(&str, &str); 3] = [
    ("NSCameraUsageDescription", "without it iOS ends the app the moment the camera opens"),
    ("NSMicrophoneUsageDescription", "a liveness check that records sound fails without it"),
    ("NSPhotoLibraryUsageDescription", "choosing a saved document photo or QR code image needs it"),
];

/// What a plist declares, read with a plist parser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlistFacts {
    /// Top-level string values (key, value).
    pub strings: Vec<(String, String)>,
    /// `CFBundleURLTypes[*].CFBundleURLSchemes[*]`.
    pub url_schemes: Vec<String>,
}

impl PlistFacts {
    /// Parse plist bytes (XML or binary); `path` names the file in errors.
    pub fn parse(bytes: &[u8], path: &str) -> Result<Self> {
        let value = Value::from_reader(std::io::Cursor::new(bytes))
            .map_err(|e| Error::Plist { path: path.to_owned(), message: e.to_string() })?;
        let dict = value.into_dictionary().ok_or_else(|| Error::Plist {
            path: path.to_owned(),
            message: "the top level is not a dictionary".into(),
        })?;
        let mut facts = PlistFacts::default();
        for (k, v) in dict.iter() {
            if let Some(s) = v.as_string() {
                facts.strings.push((k.clone(), s.to_owned()));
            }
        }
        for t in dict.get("CFBundleURLTypes").and_then(Value::as_array).into_iter().flatten() {
            let schemes = t.as_dictionary().and_then(|d| d.get("CFBundleURLSchemes")).and_then(Value::as_array);
            facts.url_schemes.extend(schemes.into_iter().flatten().filter_map(Value::as_string).map(str::to_owned));
        }
        Ok(facts)
    }

    /// Read and parse a plist file.
    pub fn load(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
        Self::parse(&bytes, &path.display().to_string())
    }

    /// The string value of `key`, if it is set and not blank.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.strings.iter().find(|(k, _)| k == key).map(|(_, v)| v.trim()).filter(|v| !v.is_empty())
    }
}

/// The languages of the permission sentences (`src-tauri/i18n/<tag>.json`): the app's own.
pub use ramp_api::i18n::LANGUAGES;

/// One language's permission sentences: its tag and `(plist key, sentence)` pairs.
pub type Localization = (&'static str, Vec<(String, String)>);

/// The permission sentences of every language in `dir` (`<dir>/<tag>.json`, one string per
/// [`REQUIRED_KEYS`] key), as `(tag, sentences)`.
///
/// # Errors
/// A file that is missing, is not a JSON object of strings, or lacks a key or leaves it blank.
pub fn load_localizations(dir: &Path) -> Result<Vec<Localization>> {
    let mut out = Vec::new();
    for tag in LANGUAGES {
        let path = dir.join(format!("{tag}.json"));
        let text =
            std::fs::read_to_string(&path).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
        let map: std::collections::BTreeMap<String, String> = serde_json::from_str(&text)
            .map_err(|e| Error::Plist { path: path.display().to_string(), message: e.to_string() })?;
        let mut sentences = Vec::new();
        for (key, _) in REQUIRED_KEYS {
            let text = map.get(key).map(|s| s.trim()).filter(|s| !s.is_empty()).ok_or_else(|| Error::Plist {
                path: path.display().to_string(),
                message: format!("{key} is missing or blank"),
            })?;
            sentences.push((key.to_owned(), text.to_owned()));
        }
        out.push((tag, sentences));
    }
    Ok(out)
}

/// An `InfoPlist.strings` file (UTF-8, which Xcode converts when it copies it) with `sentences`.
pub fn strings_file(sentences: &[(String, String)]) -> String {
    let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    let mut out =
        String::from("/* Written by Proof Ramp from src-tauri/i18n on every iOS build; edit the JSON, not this. */\n");
    for (key, text) in sentences {
        out.push_str(&format!("\"{}\" = \"{}\";\n", quote(key), quote(text)));
    }
    out
}

/// Write `<project>/<app>_iOS/<tag>.lproj/InfoPlist.strings` for every language (the folder the
/// Tauri CLI's project template lists as the app target's sources), only where the content
/// changed; returns the files written. Xcode includes them once XcodeGen has seen them
/// (`tauri ios init`, or `xcodegen generate` in the project): docs/mobile.md.
///
/// # Errors
/// A folder or file that cannot be written.
pub fn write_localizations(
    project: &Path,
    app_name: &str,
    languages: &[Localization],
) -> Result<Vec<std::path::PathBuf>> {
    let mut written = Vec::new();
    for (tag, sentences) in languages {
        let dir = project.join(format!("{app_name}_iOS")).join(format!("{tag}.lproj"));
        let path = dir.join("InfoPlist.strings");
        let content = strings_file(sentences);
        if std::fs::read_to_string(&path).ok().as_deref() == Some(content.as_str()) {
            continue;
        }
        std::fs::create_dir_all(&dir).map_err(|source| Error::Io { path: dir.display().to_string(), source })?;
        std::fs::write(&path, content).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_keys_and_schemes_and_rejects_garbage() {
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0"><dict>
  <key>NSCameraUsageDescription</key><string>To check it is you.</string>
  <key>NSMicrophoneUsageDescription</key><string>  </string>
  <key>CFBundleURLTypes</key><array><dict>
    <key>CFBundleURLSchemes</key><array><string>prooframp</string></array>
  </dict></array>
</dict></plist>"#;
        let f = PlistFacts::parse(xml, "x.plist").expect("parses");
        assert_eq!(f.text("NSCameraUsageDescription"), Some("To check it is you."));
        assert_eq!(f.text("NSMicrophoneUsageDescription"), None, "blank counts as missing");
        assert_eq!(f.url_schemes, ["prooframp"]);
        let e = PlistFacts::parse(b"<plist><dict><key>a</key>", "bad.plist").expect_err("truncated").to_string();
        assert!(e.contains("bad.plist"), "{e}");
    }

    fn app_dir() -> std::path::PathBuf {
        testkit::crate_dir().join("../../src-tauri")
    }

    #[test]
    fn every_language_has_every_permission_sentence_and_english_is_the_plist() {
        let langs = load_localizations(&app_dir().join("i18n")).expect("complete");
        assert_eq!(langs.len(), 6);
        let plist = PlistFacts::load(&app_dir().join("Info.ios.plist")).expect("plist");
        let (_, en) = &langs[0];
        for (key, text) in en {
            assert_eq!(plist.text(key), Some(text.as_str()), "{key}: Info.ios.plist and i18n/en.json say the same");
        }
        for (tag, sentences) in &langs[1..] {
            for ((key, text), (_, english)) in sentences.iter().zip(en) {
                assert_ne!(text, english, "{tag} {key} is translated");
            }
        }
    }

    #[test]
    fn a_missing_sentence_is_refused() {
        let dir = std::env::temp_dir().join(format!("ios-i18n-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        for tag in LANGUAGES {
            std::fs::copy(app_dir().join("i18n").join(format!("{tag}.json")), dir.join(format!("{tag}.json")))
                .expect("copy");
        }
        std::fs::write(
            dir.join("fr.json"),
            r#"{"NSCameraUsageDescription": "Caméra", "NSMicrophoneUsageDescription": " "}"#,
        )
        .expect("write");
        let e = load_localizations(&dir).expect_err("blank and missing").to_string();
        assert!(e.contains("fr.json") && e.contains("NSMicrophoneUsageDescription"), "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn strings_files_land_in_the_app_target_folder_escaped_and_only_when_changed() {
        let project = std::env::temp_dir().join(format!("ios-project-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&project);
        let langs = vec![
            ("en", vec![("NSCameraUsageDescription".to_owned(), "Say \"cheese\" \\ smile\nnow".to_owned())]),
            ("ar", vec![("NSCameraUsageDescription".to_owned(), "الكاميرا".to_owned())]),
        ];
        let written = write_localizations(&project, "proof-ramp", &langs).expect("writes");
        assert_eq!(written.len(), 2);
        let en = std::fs::read_to_string(project.join("proof-ramp_iOS/en.lproj/InfoPlist.strings")).expect("en");
        assert!(en.contains(r#""NSCameraUsageDescription" = "Say \"cheese\" \\ smile\nnow";"#), "{en}");
        let ar = std::fs::read_to_string(project.join("proof-ramp_iOS/ar.lproj/InfoPlist.strings")).expect("ar");
        assert!(ar.contains("\"الكاميرا\";"), "{ar}");
        assert!(write_localizations(&project, "proof-ramp", &langs).expect("again").is_empty(), "nothing changed");
        let _ = std::fs::remove_dir_all(project);
    }
}
