//! The app UI's catalogs (`ui/i18n/`): every language has every English sentence with the same
//! placeholders, every key the code asks for exists, and every sentence is used.

use std::collections::BTreeSet;
use std::path::Path;

use ramp_api::i18n::Catalog;

/// The app's UI folder.
fn ui() -> std::path::PathBuf {
    testkit::crate_dir().join("../ui")
}

/// Keys the code builds from a prefix and a value (`kyc.<status>.badge`, …).
const DYNAMIC: [&str; 4] = ["kyc.", "status.", "widget.stuck.", "error."];

fn sources(dir: &Path, out: &mut String) {
    for entry in std::fs::read_dir(dir).expect("ui dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "js" || e == "html") {
            out.push_str(&std::fs::read_to_string(&path).expect("source"));
        }
    }
}

/// Keys written literally in the code: `t("key"` and `data-i18n="key"` (and `-label`).
fn literal_keys(code: &str) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    for marker in ["t(\"", "data-i18n=\"", "data-i18n-label=\""] {
        for (at, _) in code.match_indices(marker) {
            // `t(` as a call of its own, not the end of `split(` or `format(`.
            let before = code[..at].chars().next_back().unwrap_or(' ');
            if marker.starts_with('t') && (before.is_alphanumeric() || before == '_' || before == '.') {
                continue;
            }
            if let Some((key, _)) = code[at + marker.len()..].split_once('"') {
                keys.insert(key.to_owned());
            }
        }
    }
    keys
}

#[test]
fn every_language_has_every_sentence_with_the_same_placeholders() {
    Catalog::from_json(ramp_api::catalog_sources!("../../ui/i18n")).expect("UI catalogs match English");
}

#[test]
fn every_key_the_code_asks_for_exists_and_every_sentence_is_used() {
    let en: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(include_str!("../../ui/i18n/en.json")).expect("en.json");
    let mut code = String::new();
    sources(&ui(), &mut code);
    let used = literal_keys(&code);
    assert!(used.len() > 60, "the scan found the code's keys: {}", used.len());
    let missing: Vec<&String> = used.iter().filter(|k| !en.contains_key(*k)).collect();
    assert!(missing.is_empty(), "keys the code uses that en.json lacks: {missing:?}");
    let unused: Vec<&String> =
        en.keys().filter(|k| !used.contains(*k) && !DYNAMIC.iter().any(|p| k.starts_with(p))).collect();
    assert!(unused.is_empty(), "sentences nothing uses: {unused:?}");
}
