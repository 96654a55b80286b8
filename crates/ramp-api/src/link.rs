//! Host page links, `GET /w/{token}`: single-use, short-lived, and chosen before the session
//! exists when the app opens its payment window at the tap.
//!
//! The app makes a token ([`new_token`]), opens the window on `/w/{token}?wait=1` and sends the
//! token with the session request ([`crate::CreateSession::link`]). The backend holds that page
//! request, showing its opening message, until the session recorded under the token is there (or
//! [`WAIT`] passed), then sends the rest of the host page: one navigation from the tap to the
//! widget. Without [`WAIT_PARAM`] an unknown link is answered at once.

use std::time::Duration;

use base64::Engine;

/// The query parameter (`wait=1`) that asks the backend to hold a link not recorded yet.
pub const WAIT_PARAM: &str = "wait";

/// How long the backend holds such a request: longer than the app waits for a session (20 s),
/// so a session the app got always finds its window still waiting.
pub const WAIT: Duration = Duration::from_secs(30);

/// Random bytes in a token.
const BYTES: usize = 32;

/// A new link token: 32 bytes from the operating system's generator, URL-safe base64 without
/// padding (43 characters).
#[must_use]
pub fn new_token() -> String {
    let bytes: [u8; BYTES] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `token` has the shape [`new_token`] makes: a token the app chose is taken only so.
#[must_use]
pub fn is_token(token: &str) -> bool {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(token).is_ok_and(|b| b.len() == BYTES) && token.len() == 43
}

#[cfg(test)]
mod tests {
    use super::{is_token, new_token};

    #[test]
    fn tokens_are_43_url_safe_characters_of_32_random_bytes() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(is_token(&a) && is_token(&b));
        assert_eq!(a.len(), 43);
        for bad in ["", "short", &format!("{a}A"), &a[..42], &a.replace(|_| true, "+"), &format!("{}=", &a[..42])] {
            assert!(!is_token(bad), "{bad:?}");
        }
    }
}
