//! iOS: the privacy keys and URL scheme in `src-tauri/Info.ios.plist`, which the Tauri CLI
//! merges into the generated app's `Info.plist` on every `ios dev`/`ios build`.

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
}
