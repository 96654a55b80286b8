//! The backend's sentences in the app's languages: error messages (chosen by the request's
//! `Accept-Language`) and the host and message pages (by the link's `lang`, which the app adds,
//! else `Accept-Language`). Catalogs: `i18n/<tag>.json`, checked against English when loaded and
//! by the tests.

use std::sync::OnceLock;

use axum::http::{HeaderMap, header};
use ramp_api::i18n::{Catalog, Lang};

/// The backend's catalog.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| match Catalog::from_json(ramp_api::catalog_sources!("../i18n")) {
        Ok(c) => c,
        Err(e) => {
            // The catalog test keeps this from shipping; if it did, answers show keys, not panics.
            tracing::error!("the backend's message catalog is broken: {e}");
            Catalog::empty()
        }
    })
}

/// The sentence `key` in `lang`.
pub(crate) fn text(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    catalog().text(lang, key, args)
}

/// The language a request asks for in `Accept-Language` (English when none matches).
pub(crate) fn request_lang(headers: &HeaderMap) -> Lang {
    accept_language(headers.get(header::ACCEPT_LANGUAGE))
}

/// The language an `Accept-Language` value asks for (English when absent or unreadable).
pub(crate) fn accept_language(value: Option<&axum::http::HeaderValue>) -> Lang {
    value.and_then(|v| v.to_str().ok()).map(Lang::negotiate).unwrap_or_default()
}

/// A sentence for the user, kept as a key and values until the request's language is known.
#[derive(Clone, Debug)]
pub enum Msg {
    /// A sentence of the backend's catalog: its key and placeholder values.
    Key(&'static str, Vec<(&'static str, String)>),
    /// Why a wallet address is refused (the shared catalog of `ramp-api`).
    Address(ramp_api::address::AddressError),
}

impl Msg {
    pub(crate) fn key(key: &'static str) -> Self {
        Self::Key(key, Vec::new())
    }

    #[must_use]
    pub(crate) fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        if let Self::Key(_, args) = &mut self {
            args.push((name, value.into()));
        }
        self
    }

    /// The sentence in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            Self::Key(key, args) => {
                let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
                text(lang, key, &args)
            }
            Self::Address(e) => e.message(lang),
        }
    }
}
