//! App sessions of the reference token scheme: a short bearer token plus a single-use refresh
//! token that rotates on every use.
//!
//! - `POST /v1/auth/refresh` `{"refresh_token"}` → a new bearer token and a new refresh token;
//!   the old one is used up. Presenting a used refresh token again means a copy exists
//!   elsewhere: the whole session is revoked (its bearer tokens too) and the app must sign in.
//!   Except within [`REFRESH_GRACE`] of its use, while its successor is still unused: then the
//!   answer was most likely lost on the way (a phone losing signal mid-request, or two calls
//!   renewing at once), and the same successor is given again with a new bearer token.
//! - `POST /v1/auth/sign-out` `{"refresh_token"}` → `204`; that session is revoked (this device
//!   signs out, the others stay signed in). Unknown tokens get `204` too.
//! - `POST /v1/auth/sign-out-everywhere` (signed in) → `204`; every session of the user is
//!   revoked, and their bearer tokens are refused from the next request on.
//!
//! Refresh tokens are 32 random bytes at sign-in; each successor is an HMAC of its predecessor
//! under the signing key, so the server can give the same successor again without storing it.
//! Only hashes are stored. A partner using its own [`crate::auth::AppAuth`] brings its own
//! session scheme; these routes then answer `404`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ramp_api::{LoginResponse, RefreshRequest, User};

use super::AppJson;
use crate::auth::{AppUser, Authenticated};
use crate::clock::now_unix;
use crate::error::{AppError, AppResult};
use crate::secret::secret_hash;
use crate::state::AppState;
use crate::store::{Refresh, Rotation};

/// Start a session for `user`: a bearer token within it and its first refresh token.
pub(crate) async fn start(s: &AppState, user: &AppUser) -> AppResult<LoginResponse> {
    let issuer = s.session_tokens.as_ref().ok_or(AppError::NotFound)?;
    issuer.start_session(&*s.store, user, s.config.app_refresh_ttl).await
}

/// How long after a refresh token was used it may be presented again for the same answer.
pub(crate) const REFRESH_GRACE: std::time::Duration = std::time::Duration::from_secs(30);

/// The refresh token that follows `previous`: `HMAC-SHA256(signing key, previous)`, so a lost
/// answer can be given again, and nobody without the key can tell it from a random token.
fn successor(s: &AppState, previous: &str) -> AppResult<String> {
    use base64::Engine;
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(s.config.auth_signing_key.0.as_bytes())
        .map_err(|e| AppError::Internal(format!("refresh successor: {e}")))?;
    mac.update(b"proof-ramp refresh successor\0");
    mac.update(previous.as_bytes());
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// `POST /v1/auth/refresh`.
pub(crate) async fn refresh(
    State(s): State<AppState>,
    AppJson(req): AppJson<RefreshRequest>,
) -> AppResult<Json<LoginResponse>> {
    let issuer = s.session_tokens.as_ref().ok_or(AppError::NotFound)?;
    let previous = req.refresh_token.trim();
    let next = successor(&s, previous)?;
    let now = now_unix();
    let rotation = Rotation {
        old_hash: &secret_hash(previous),
        new_hash: &secret_hash(&next),
        new_expires: now + s.config.app_refresh_ttl.as_secs(),
        now,
        grace: REFRESH_GRACE.as_secs(),
    };
    match s.store.rotate_refresh(rotation).await? {
        Refresh::Rotated { session_id, user_id, email } => {
            let user = AppUser { id: user_id, email };
            let (token, expires_at) = issuer.issue(&user, &session_id)?;
            Ok(Json(LoginResponse {
                token,
                expires_at,
                user: User { id: user.id, email: user.email },
                refresh_token: Some(next),
            }))
        }
        Refresh::Reused => {
            s.relay.revoked_in_store();
            tracing::warn!(security = true, "a used refresh token was presented again; its session is revoked");
            Err(AppError::Unauthenticated("session ended"))
        }
        Refresh::Invalid => Err(AppError::Unauthenticated("session ended")),
    }
}

/// `POST /v1/auth/sign-out`: end the session the refresh token belongs to.
pub(crate) async fn sign_out(
    State(s): State<AppState>,
    AppJson(req): AppJson<RefreshRequest>,
) -> AppResult<StatusCode> {
    s.session_tokens.as_ref().ok_or(AppError::NotFound)?;
    let revoked = s.store.revoke_session_of(&secret_hash(req.refresh_token.trim()), now_unix()).await?;
    if revoked {
        s.relay.revoked_in_store();
        tracing::info!("signed a session out");
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/auth/sign-out-everywhere`.
pub(crate) async fn sign_out_everywhere(
    State(s): State<AppState>,
    Authenticated(user): Authenticated,
) -> AppResult<StatusCode> {
    let revoked = s.store.revoke_user_sessions(&user.id, now_unix()).await?;
    s.relay.revoked_in_store();
    tracing::info!(revoked, "signed a user out everywhere");
    Ok(StatusCode::NO_CONTENT)
}
