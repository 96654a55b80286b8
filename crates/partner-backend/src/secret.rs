//! The backend's own secrets: widget links and refresh tokens are 32 random bytes, and only
//! their hash is ever stored, so the database alone can neither open a link nor renew a
//! sign-in.

use sha2::{Digest, Sha256};

/// 32 random bytes, base64url.
pub(crate) fn random_token() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of a link or a refresh token: its SHA-256, hex.
pub(crate) fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}
