//! Languages and message catalogs shared by the app and the backend.
//!
//! Both sides offer the same languages ([`LANGUAGES`]); a catalog is one flat JSON object per
//! language (`"key": "sentence with {name} placeholders"`), compiled in. [`Lang::negotiate`]
//! reads an `Accept-Language` header, [`Lang::from_tag`] a tag the app chose. The sentences of
//! this crate (wallet addresses, QR pictures) are in [`messages`]; each side keeps its own
//! catalog for the rest.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The languages with a catalog, English first (the fallback).
pub const LANGUAGES: [&str; 6] = ["en", "de", "es", "fr", "pt-BR", "ar"];

/// One of [`LANGUAGES`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Lang(usize);

impl Lang {
    /// English.
    pub const EN: Lang = Lang(0);

    /// Its BCP 47 tag.
    pub fn tag(self) -> &'static str {
        LANGUAGES[self.0]
    }

    /// Whether it is written right to left.
    pub fn is_rtl(self) -> bool {
        self.tag() == "ar"
    }

    /// The language for `tag`: the same tag, else one with the same primary language
    /// (`de-AT` → `de`, `pt-PT` → `pt-BR`); `None` when there is none.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim();
        if let Some(i) = LANGUAGES.iter().position(|l| l.eq_ignore_ascii_case(tag)) {
            return Some(Lang(i));
        }
        let base = tag.split(['-', '_']).next().unwrap_or_default();
        LANGUAGES
            .iter()
            .position(|l| l.split('-').next().is_some_and(|b| !base.is_empty() && b.eq_ignore_ascii_case(base)))
            .map(Lang)
    }

    /// The best language for an `Accept-Language` header value (quality order); English when
    /// nothing matches.
    pub fn negotiate(accept_language: &str) -> Lang {
        accept_language::parse(accept_language).iter().find_map(|t| Lang::from_tag(t)).unwrap_or(Lang::EN)
    }
}

/// Sentences in every language of [`LANGUAGES`].
#[derive(Debug)]
pub struct Catalog {
    maps: Vec<HashMap<String, String>>,
}

/// A catalog that does not parse, or does not match the English one.
#[derive(Debug, thiserror::Error)]
#[error("catalog {tag}: {problem}")]
pub struct CatalogError {
    /// The language.
    pub tag: &'static str,
    /// What is wrong.
    pub problem: String,
}

/// The `{name}` placeholders of a sentence, sorted, each once.
fn placeholders(s: &str) -> Vec<&str> {
    let mut out: Vec<&str> = s
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

impl Catalog {
    /// A catalog from one JSON source per language, in [`LANGUAGES`] order. Every language must
    /// have exactly the English keys, each with the same placeholders, and no empty sentence.
    ///
    /// # Errors
    /// The first language that does not parse or does not match.
    pub fn from_json(sources: [&str; 6]) -> Result<Self, CatalogError> {
        let mut maps = Vec::with_capacity(LANGUAGES.len());
        for (tag, src) in LANGUAGES.iter().zip(sources) {
            let map: HashMap<String, String> =
                serde_json::from_str(src).map_err(|e| CatalogError { tag, problem: e.to_string() })?;
            maps.push(map);
        }
        for (tag, map) in LANGUAGES.iter().zip(&maps) {
            let en = &maps[0];
            let mut problems: Vec<String> = Vec::new();
            for (k, v) in en {
                match map.get(k) {
                    None => problems.push(format!("missing {k}")),
                    Some(t) if t.trim().is_empty() => problems.push(format!("empty {k}")),
                    Some(t) if placeholders(t) != placeholders(v) => {
                        problems.push(format!(
                            "{k} has placeholders {:?}, English has {:?}",
                            placeholders(t),
                            placeholders(v)
                        ));
                    }
                    Some(_) => {}
                }
            }
            problems.extend(map.keys().filter(|k| !en.contains_key(*k)).map(|k| format!("unknown key {k}")));
            if !problems.is_empty() {
                problems.sort();
                return Err(CatalogError { tag, problem: problems.join("; ") });
            }
        }
        Ok(Self { maps })
    }

    /// A catalog with no sentence (every lookup answers its key): the fallback when a compiled-in
    /// catalog is broken, which the catalog tests keep from shipping.
    pub fn empty() -> Self {
        Self { maps: vec![HashMap::new(); LANGUAGES.len()] }
    }

    /// The sentence for `key` in `lang` with its placeholders filled; the key itself when no
    /// catalog has it (a bug the catalog tests catch).
    pub fn text(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        let Some(s) = self.maps[lang.0].get(key).or_else(|| self.maps[0].get(key)) else {
            return key.to_owned();
        };
        let mut out = s.clone();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// Every key.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.maps[0].keys().map(String::as_str)
    }
}

/// Load one catalog per language from `dir` (`<dir>/<tag>.json`), at compile time.
#[macro_export]
macro_rules! catalog_sources {
    ($dir:literal) => {
        [
            include_str!(concat!($dir, "/en.json")),
            include_str!(concat!($dir, "/de.json")),
            include_str!(concat!($dir, "/es.json")),
            include_str!(concat!($dir, "/fr.json")),
            include_str!(concat!($dir, "/pt-BR.json")),
            include_str!(concat!($dir, "/ar.json")),
        ]
    };
}

/// This crate's sentences: why a wallet address or a QR picture cannot be used.
pub fn messages() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    // The catalog test (tests/i18n.rs) proves these parse and match; an empty catalog would
    // answer with keys, never panic.
    CATALOG.get_or_init(|| Catalog::from_json(catalog_sources!("../i18n")).unwrap_or_else(|_| Catalog::empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_headers_pick_the_closest_language() {
        assert_eq!(Lang::from_tag("de-AT").map(Lang::tag), Some("de"));
        assert_eq!(Lang::from_tag("pt").map(Lang::tag), Some("pt-BR"));
        assert_eq!(Lang::from_tag("PT-br").map(Lang::tag), Some("pt-BR"));
        assert_eq!(Lang::from_tag("ja"), None);
        assert_eq!(Lang::from_tag(""), None);
        assert_eq!(Lang::negotiate("ja, fr-CA;q=0.8, de;q=0.9").tag(), "de");
        assert_eq!(Lang::negotiate("ar-EG").tag(), "ar");
        assert!(Lang::negotiate("ar").is_rtl());
        assert_eq!(Lang::negotiate("").tag(), "en");
        assert_eq!(Lang::negotiate(";;;q=abc,,").tag(), "en");
    }

    #[test]
    fn placeholders_are_compared_as_sets() {
        assert_eq!(placeholders("This is {detected}, but {selected} … {selected}"), vec!["detected", "selected"]);
        assert!(placeholders("no {} { x} braces").is_empty());
    }
}
