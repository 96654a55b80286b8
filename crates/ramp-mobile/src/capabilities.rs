//! The app's capabilities read the way Tauri reads them: every file under
//! `src-tauri/capabilities/` (JSON or TOML, one capability or a list, tauri-build's
//! `./capabilities/**/*`) and every capability written inline in `tauri.conf.json`
//! (`app.security.capabilities`), with Tauri's own types; window and webview labels matched as
//! Tauri matches them, as glob patterns (`glob::Pattern`, as `tauri::ipc::authority` does).
//! `doctor` and the app's IPC tests use this one reader.

use std::path::{Path, PathBuf};

use tauri_utils::acl::capability::{Capability, CapabilityFile};

use crate::{Error, Result, read};

/// A capability and where it was written.
#[derive(Debug, Clone)]
pub struct Found {
    /// `capabilities/main.json`, or `tauri.conf.json (inline)`.
    pub source: String,
    /// The capability.
    pub capability: Capability,
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            // tauri-build skips its schema folder.
            if p.file_name().is_some_and(|n| n != "schemas") {
                files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "json" || x == "toml") {
            out.push(p);
        }
    }
}

/// Every capability of the app whose `src-tauri` directory is `tauri_dir`.
///
/// # Errors
/// A capability file or `tauri.conf.json` that does not parse.
pub fn load(tauri_dir: &Path) -> Result<Vec<Found>> {
    let mut found = Vec::new();
    let mut paths = Vec::new();
    files(&tauri_dir.join("capabilities"), &mut paths);
    for path in paths {
        let invalid = |message: String| Error::Config { path: path.display().to_string(), message };
        let file = CapabilityFile::load(&path).map_err(|e| invalid(e.to_string()))?;
        let source = path.strip_prefix(tauri_dir).unwrap_or(&path).display().to_string();
        let list = match file {
            CapabilityFile::Capability(c) => vec![c],
            CapabilityFile::List(l) | CapabilityFile::NamedList { capabilities: l } => l,
        };
        found.extend(list.into_iter().map(|capability| Found { source: source.clone(), capability }));
    }
    let conf_path = tauri_dir.join("tauri.conf.json");
    let conf: serde_json::Value = serde_json::from_str(&read(&conf_path)?)
        .map_err(|e| Error::Config { path: conf_path.display().to_string(), message: e.to_string() })?;
    let entries = conf.pointer("/app/security/capabilities").and_then(serde_json::Value::as_array);
    for entry in entries.into_iter().flatten().filter(|e| e.is_object()) {
        let capability: Capability = serde_json::from_value(entry.clone())
            .map_err(|e| Error::Config { path: conf_path.display().to_string(), message: e.to_string() })?;
        found.push(Found { source: "tauri.conf.json (inline)".into(), capability });
    }
    Ok(found)
}

/// Whether `c` applies to a window or webview labelled `label` (an invalid pattern is taken to
/// match, so it is reported rather than trusted).
pub fn matches_label(c: &Capability, label: &str) -> bool {
    c.windows.iter().chain(c.webviews.iter()).any(|p| glob::Pattern::new(p).map_or(true, |p| p.matches(label)))
}

/// Whether `c` could apply to a payment window (`widget-<n>`): tried on the first numbers,
/// a long one, and the bare prefix's stem (an invalid pattern matches, as above).
pub fn matches_payment_window(c: &Capability) -> bool {
    let prefix = ramp_api::PAYMENT_WINDOW_PREFIX;
    let stem = prefix.trim_end_matches('-');
    [stem.to_owned(), format!("{prefix}1"), format!("{prefix}2"), format!("{prefix}10"), format!("{prefix}987654321")]
        .iter()
        .any(|label| matches_label(c, label))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(json: serde_json::Value) -> Capability {
        serde_json::from_value(json).expect("capability")
    }

    #[test]
    fn payment_windows_are_caught_by_any_pattern_that_could_match_one() {
        for pattern in ["widget-*", "widget-1", "widget-[0-9]*", "widget*", "widget", "*", "w*-10"] {
            let c = cap(serde_json::json!({"identifier": "x", "windows": [pattern], "permissions": []}));
            assert!(matches_payment_window(&c), "{pattern}");
        }
        let c =
            cap(serde_json::json!({"identifier": "x", "windows": ["main"], "webviews": ["main"], "permissions": []}));
        assert!(!matches_payment_window(&c));
    }

    #[test]
    fn labels_match_as_tauri_globs() {
        for pattern in ["widget", "*", "w*", "wid?et", "[uvw]idget", "*get"] {
            let c = cap(serde_json::json!({"identifier": "x", "windows": [pattern], "permissions": []}));
            assert!(matches_label(&c, "widget"), "{pattern}");
        }
        let c =
            cap(serde_json::json!({"identifier": "x", "windows": ["main"], "webviews": ["wid*"], "permissions": []}));
        assert!(matches_label(&c, "widget"), "webviews count too");
        let c = cap(serde_json::json!({"identifier": "x", "windows": ["main", "m*"], "permissions": []}));
        assert!(!matches_label(&c, "widget"));
    }

    #[test]
    fn files_lists_and_inline_capabilities_are_all_read() {
        let dir = std::env::temp_dir().join(format!("ramp-mobile-caps-{}", std::process::id()));
        let caps = dir.join("capabilities").join("nested");
        std::fs::create_dir_all(&caps).expect("dir");
        std::fs::write(
            dir.join("capabilities").join("a.json"),
            r#"{"identifier": "a", "windows": ["main"], "permissions": []}"#,
        )
        .expect("write");
        std::fs::write(
            caps.join("b.toml"),
            "[[capabilities]]\nidentifier = \"b\"\nwindows = [\"w*\"]\npermissions = []\n",
        )
        .expect("write");
        std::fs::write(
            dir.join("tauri.conf.json"),
            r#"{"app": {"security": {"capabilities": ["a", {"identifier": "inline", "windows": ["*"], "permissions": []}]}}}"#,
        )
        .expect("write");
        let found = load(&dir).expect("loads");
        let ids: Vec<&str> = found.iter().map(|f| f.capability.identifier.as_str()).collect();
        assert_eq!(ids, ["a", "b", "inline"]);
        let widget: Vec<&str> =
            found.iter().filter(|f| matches_label(&f.capability, "widget")).map(|f| f.source.as_str()).collect();
        assert_eq!(widget, ["capabilities/nested/b.toml", "tauri.conf.json (inline)"]);
        let _ = std::fs::remove_dir_all(dir);
    }
}
