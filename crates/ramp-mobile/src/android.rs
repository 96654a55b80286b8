//! The generated Android project: what the app needs injected, and what a manifest declares.
//!
//! Entries go inside blocks delimited by `<!-- ID. AUTO-GENERATED. DO NOT REMOVE. -->` lines,
//! the format Tauri's plugins use: a block found is rewritten in place, a missing one is
//! inserted, everything outside the blocks is kept byte for byte.

use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};

use crate::{AndroidConfig, Error, MobileConfig, Result, read, write};

/// Block with the camera and audio permissions and the optional camera features.
pub const CAMERA_BLOCK: &str = "PROOF RAMP CAMERA";
/// Block with Google Pay's Payment Request `<queries>` (only when enabled).
pub const GOOGLE_PAY_BLOCK: &str = "PROOF RAMP GOOGLE PAY";

/// The Android tools namespace (needed for `tools:replace`).
pub const TOOLS_NS: &str = "http://schemas.android.com/tools";

/// The three Payment Request intents Google Pay in a WebView needs to see.
pub const PAY_ACTIONS: [&str; 3] = [
    "org.chromium.intent.action.PAY",
    "org.chromium.intent.action.IS_READY_TO_PAY",
    "org.chromium.intent.action.UPDATE_PAYMENT_DETAILS",
];

fn marker(id: &str) -> String {
    format!("<!-- {id}. AUTO-GENERATED. DO NOT REMOVE. -->")
}

fn camera_entries(c: &AndroidConfig) -> Vec<String> {
    let mut v = vec![
        r#"<uses-permission android:name="android.permission.CAMERA" />"#.to_owned(),
        // Optional, so devices without that camera still see the app on Google Play.
        r#"<uses-feature android:name="android.hardware.camera" android:required="false" />"#.to_owned(),
        // The barcode plugin's library manifest requires camera.any; make it optional.
        r#"<uses-feature android:name="android.hardware.camera.any" android:required="false" tools:replace="android:required" />"#
            .to_owned(),
    ];
    if c.audio {
        // The webview grants audio only when both are granted.
        v.push(r#"<uses-permission android:name="android.permission.RECORD_AUDIO" />"#.to_owned());
        v.push(r#"<uses-permission android:name="android.permission.MODIFY_AUDIO_SETTINGS" />"#.to_owned());
    }
    v
}

fn google_pay_entries(c: &AndroidConfig) -> Vec<String> {
    if !c.google_pay {
        return Vec::new();
    }
    let mut v = vec!["<queries>".to_owned()];
    for a in PAY_ACTIONS {
        v.push(format!(r#"    <intent><action android:name="{a}" /></intent>"#));
    }
    v.push("</queries>".to_owned());
    v
}

/// The leading whitespace of `line`.
fn indent_of(line: &str) -> String {
    line.chars().take_while(|c| c.is_whitespace()).collect()
}

/// The block between the two lines containing `mark` replaced by `entries` (with no entries,
/// removed); without a block, inserted before the line `anchor` picks, with the indentation it
/// gives. Every line of the block is indented like its first marker. Lines outside stay as they are.
fn splice(
    text: &str,
    mark: &str,
    entries: &[&str],
    anchor: impl FnOnce(&[&str]) -> Result<(usize, String)>,
    damaged: Error,
) -> Result<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let found: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.contains(mark)).map(|(i, _)| i).collect();
    let (at, indent, rest_from) = match found.as_slice() {
        [start, end] => (*start, indent_of(lines[*start]), end + 1),
        [] => {
            let (at, indent) = anchor(&lines)?;
            (at, indent, at)
        }
        _ => return Err(damaged),
    };
    let mut out: Vec<String> = lines[..at].iter().map(|l| (*l).to_owned()).collect();
    if !entries.is_empty() {
        out.push(format!("{indent}{mark}"));
        out.extend(entries.iter().map(|e| format!("{indent}{e}")));
        out.push(format!("{indent}{mark}"));
    }
    out.extend(lines[rest_from..].iter().map(|l| (*l).to_owned()));
    Ok(out.join("\n"))
}

/// Rewrite (or insert before `<application`, or with no `entries` remove) manifest block `id`.
fn upsert(text: &str, id: &str, entries: &[String]) -> Result<String> {
    let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
    let before_application = |lines: &[&str]| {
        let at = lines
            .iter()
            .position(|l| l.trim_start().starts_with("<application"))
            .ok_or_else(|| Error::Manifest("has no <application> element".into()))?;
        Ok((at, indent_of(lines[at])))
    };
    let damaged = Error::Manifest(format!(
        "has a damaged {id} block (its markers must come in one pair); delete both marker lines and the lines between"
    ));
    splice(text, &marker(id), &entries, before_application, damaged)
}

/// Declare the tools namespace on `<manifest>` when it is missing.
fn with_tools_namespace(text: &str) -> Result<String> {
    let start = text.find("<manifest").ok_or_else(|| Error::Manifest("has no <manifest> element".into()))?;
    let end =
        start + text[start..].find('>').ok_or_else(|| Error::Manifest("has an unclosed <manifest> tag".into()))?;
    if text[start..end].contains("xmlns:tools=") {
        return Ok(text.to_owned());
    }
    let name_end = start + "<manifest".len();
    Ok(format!("{} xmlns:tools=\"{TOOLS_NS}\"{}", &text[..name_end], &text[name_end..]))
}

/// The manifest with every Proof Ramp block in its configured state. Idempotent.
pub fn inject_manifest(text: &str, config: &MobileConfig) -> Result<String> {
    let text = with_tools_namespace(text)?;
    let text = upsert(&text, CAMERA_BLOCK, &camera_entries(&config.android))?;
    let text = upsert(&text, GOOGLE_PAY_BLOCK, &google_pay_entries(&config.android))?;
    // What we wrote must parse, or the build would fail far from here.
    ManifestFacts::parse(&text)?;
    Ok(text)
}

const KOTLIN_MARK: &str = "// PROOF RAMP GOOGLE PAY. AUTO-GENERATED. DO NOT REMOVE.";

/// `MainActivity.kt` with the Payment Request setting switched on for the app's webviews when
/// Google Pay is enabled (and the block removed when it is not). Idempotent.
pub fn inject_main_activity(text: &str, config: &MobileConfig) -> Result<String> {
    const PAYMENT_REQUEST: [&str; 6] = [
        "override fun onWebViewCreate(webView: android.webkit.WebView) {",
        "    super.onWebViewCreate(webView)",
        "    if (androidx.webkit.WebViewFeature.isFeatureSupported(androidx.webkit.WebViewFeature.PAYMENT_REQUEST)) {",
        "        androidx.webkit.WebSettingsCompat.setPaymentRequestEnabled(webView.settings, true)",
        "    }",
        "}",
    ];
    let entries: &[&str] = if config.android.google_pay { &PAYMENT_REQUEST } else { &[] };
    // Inside the class: before its closing brace, one level in.
    let before_class_end = |lines: &[&str]| {
        let close = lines
            .iter()
            .rposition(|l| l.trim() == "}")
            .ok_or_else(|| Error::Activity("has no closing brace for its class".into()))?;
        Ok((close, format!("{}  ", indent_of(lines[close]))))
    };
    let damaged = Error::Activity("has a damaged Google Pay block; delete its marker lines".into());
    splice(text, KOTLIN_MARK, entries, before_class_end, damaged)
}

/// Which files an injection changed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changed {
    /// Files rewritten.
    pub files: Vec<PathBuf>,
}

/// Where the manifest of a generated project (`src-tauri/gen/android`) is.
pub fn manifest_path(project: &Path) -> PathBuf {
    project.join("app").join("src").join("main").join("AndroidManifest.xml")
}

/// The generated `MainActivity.kt`, wherever the package put it.
pub fn main_activity_path(project: &Path) -> Option<PathBuf> {
    fn walk(dir: &Path, depth: usize) -> Option<PathBuf> {
        if depth > 12 {
            return None;
        }
        let mut entries: Vec<_> = std::fs::read_dir(dir).ok()?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "generated") {
                    continue;
                }
                if let Some(found) = walk(&p, depth + 1) {
                    return Some(found);
                }
            } else if p.file_name().is_some_and(|n| n == "MainActivity.kt") {
                return Some(p);
            }
        }
        None
    }
    walk(&project.join("app").join("src").join("main").join("java"), 0)
}

/// Apply the configuration to a generated Android project; files are written only when they change.
pub fn inject_project(project: &Path, config: &MobileConfig) -> Result<Changed> {
    let mut changed = Changed::default();
    let manifest = manifest_path(project);
    let before = read(&manifest)?;
    let after = inject_manifest(&before, config)?;
    if after != before {
        write(&manifest, &after)?;
        changed.files.push(manifest);
    }
    match main_activity_path(project) {
        Some(activity) => {
            let before = read(&activity)?;
            let after = inject_main_activity(&before, config)?;
            if after != before {
                write(&activity, &after)?;
                changed.files.push(activity);
            }
        }
        None if config.android.google_pay => {
            return Err(Error::Activity("was not found under app/src/main/java (Google Pay needs it)".into()));
        }
        None => {}
    }
    Ok(changed)
}

/// A `<uses-feature>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    /// `android:name`.
    pub name: String,
    /// `android:required`, if given.
    pub required: Option<String>,
    /// `tools:replace`, if given.
    pub tools_replace: Option<String>,
}

/// An `<intent-filter>` of the main activity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntentFilter {
    /// `<action android:name>`s.
    pub actions: Vec<String>,
    /// `<category android:name>`s.
    pub categories: Vec<String>,
    /// `(android:scheme, android:host)` of each `<data>`.
    pub data: Vec<(Option<String>, Option<String>)>,
}

/// What a manifest declares, read with an XML parser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestFacts {
    /// `<uses-permission android:name>`s, in order (duplicates kept, so they can be counted).
    pub permissions: Vec<String>,
    /// `<uses-feature>`s.
    pub features: Vec<Feature>,
    /// Actions of `<queries><intent>`.
    pub query_actions: Vec<String>,
    /// Intent filters of `.MainActivity`.
    pub main_activity_filters: Vec<IntentFilter>,
    /// Whether `<manifest>` declares the tools namespace.
    pub tools_namespace: bool,
    /// Whether the template's `FileProvider` (camera capture from file inputs) is there.
    pub file_provider: bool,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Result<Option<String>> {
    for a in e.attributes() {
        let a = a.map_err(|err| Error::Manifest(format!("has a malformed attribute: {err}")))?;
        if a.key.as_ref() == name.as_bytes() {
            let v = a.unescape_value().map_err(|err| Error::Manifest(format!("has a malformed value: {err}")))?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

impl ManifestFacts {
    /// Parse a manifest.
    pub fn parse(text: &str) -> Result<Self> {
        let mut reader = quick_xml::Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        let mut facts = ManifestFacts::default();
        let mut stack: Vec<String> = Vec::new();
        let mut in_main = false;
        let mut filter: Option<IntentFilter> = None;
        loop {
            let ev = reader.read_event().map_err(|e| {
                Error::Manifest(format!("is not well-formed XML at byte {}: {e}", reader.error_position()))
            })?;
            let (e, empty) = match &ev {
                Event::Start(e) => (e.clone(), false),
                Event::Empty(e) => (e.clone(), true),
                Event::End(_) => {
                    let name = stack.pop().unwrap_or_default();
                    if name == "intent-filter"
                        && let Some(f) = filter.take()
                        && in_main
                    {
                        facts.main_activity_filters.push(f);
                    }
                    if name == "activity" {
                        in_main = false;
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
            let parent = stack.last().map(String::as_str).unwrap_or("");
            match name.as_str() {
                "manifest" => facts.tools_namespace = attr(&e, "xmlns:tools")?.as_deref() == Some(TOOLS_NS),
                "uses-permission" if parent == "manifest" => {
                    facts.permissions.extend(attr(&e, "android:name")?);
                }
                "uses-feature" if parent == "manifest" => {
                    if let Some(n) = attr(&e, "android:name")? {
                        facts.features.push(Feature {
                            name: n,
                            required: attr(&e, "android:required")?,
                            tools_replace: attr(&e, "tools:replace")?,
                        });
                    }
                }
                "action" if parent == "intent" && stack.iter().any(|s| s == "queries") => {
                    facts.query_actions.extend(attr(&e, "android:name")?);
                }
                "activity" => {
                    in_main = attr(&e, "android:name")?.is_some_and(|n| n.ends_with(".MainActivity"));
                }
                "provider" if attr(&e, "android:name")?.as_deref() == Some("androidx.core.content.FileProvider") => {
                    facts.file_provider = true;
                }
                "intent-filter" if in_main => filter = Some(IntentFilter::default()),
                "action" | "category" | "data" if parent == "intent-filter" => {
                    if let Some(f) = filter.as_mut() {
                        match name.as_str() {
                            "action" => f.actions.extend(attr(&e, "android:name")?),
                            "category" => f.categories.extend(attr(&e, "android:name")?),
                            _ => f.data.push((attr(&e, "android:scheme")?, attr(&e, "android:host")?)),
                        }
                    }
                }
                _ => {}
            }
            if !empty {
                stack.push(name);
            }
        }
        if !stack.is_empty() {
            return Err(Error::Manifest(format!("is truncated: <{}> is never closed", stack.join("> <"))));
        }
        Ok(facts)
    }

    /// How many times `permission` is declared.
    pub fn permission_count(&self, permission: &str) -> usize {
        self.permissions.iter().filter(|p| *p == permission).count()
    }

    /// The `<uses-feature>` entries named `name`.
    pub fn features_named(&self, name: &str) -> Vec<&Feature> {
        self.features.iter().filter(|f| f.name == name).collect()
    }

    /// Intent filters of the main activity that open `scheme://host` links from a browser
    /// (`<data>` attributes may be split over several elements, as the deep-link plugin writes them).
    pub fn deep_link_filters(&self, scheme: &str, host: &str) -> usize {
        self.main_activity_filters
            .iter()
            .filter(|f| {
                f.actions.iter().any(|a| a == "android.intent.action.VIEW")
                    && f.categories.iter().any(|c| c == "android.intent.category.BROWSABLE")
                    && f.data.iter().any(|(s, _)| s.as_deref() == Some(scheme))
                    && f.data.iter().any(|(_, h)| h.as_deref() == Some(host))
            })
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<manifest xmlns:android="http://schemas.android.com/apk/res/android">
    <uses-permission android:name="android.permission.INTERNET" />
    <application android:label="x">
        <activity android:name=".MainActivity" android:exported="true">
            <intent-filter>
                <action android:name="android.intent.action.MAIN" />
            </intent-filter>
        </activity>
    </application>
</manifest>
"#;

    #[test]
    fn damaged_or_foreign_manifests_get_clear_errors() {
        let c = MobileConfig::default();
        let one_marker = SMALL.replace("<application", &format!("{}\n    <application", marker(CAMERA_BLOCK)));
        let e = inject_manifest(&one_marker, &c).expect_err("half a block").to_string();
        assert!(e.contains("damaged PROOF RAMP CAMERA block"), "{e}");
        let e = inject_manifest(&SMALL.replace("<application", "<app"), &c).expect_err("no application").to_string();
        assert!(e.contains("<application>"), "{e}");
        let e = ManifestFacts::parse(&SMALL.replace("</manifest>", "")).expect_err("truncated").to_string();
        assert!(e.contains("never closed") || e.contains("well-formed"), "{e}");
    }

    #[test]
    fn switching_options_off_removes_their_entries() {
        let mut c = MobileConfig::default();
        c.android.google_pay = true;
        let on = inject_manifest(SMALL, &c).expect("inject");
        assert_eq!(ManifestFacts::parse(&on).expect("parse").query_actions.len(), 3);
        c.android.google_pay = false;
        c.android.audio = false;
        let off = inject_manifest(&on, &c).expect("inject");
        let f = ManifestFacts::parse(&off).expect("parse");
        assert!(f.query_actions.is_empty());
        assert_eq!(f.permission_count("android.permission.RECORD_AUDIO"), 0);
        assert_eq!(f.permission_count("android.permission.CAMERA"), 1);
        assert!(!off.contains(&marker(GOOGLE_PAY_BLOCK)));
    }

    #[test]
    fn kotlin_block_follows_the_option() {
        let kt = "package a\n\nclass MainActivity : TauriActivity() {\n  override fun onCreate() {\n  }\n}\n";
        let mut c = MobileConfig::default();
        assert_eq!(inject_main_activity(kt, &c).expect("no-op"), kt);
        c.android.google_pay = true;
        let on = inject_main_activity(kt, &c).expect("on");
        assert!(on.contains("setPaymentRequestEnabled") && on.trim_end().ends_with('}'));
        assert_eq!(inject_main_activity(&on, &c).expect("again"), on);
        c.android.google_pay = false;
        assert_eq!(inject_main_activity(&on, &c).expect("off"), kt);
    }
}
