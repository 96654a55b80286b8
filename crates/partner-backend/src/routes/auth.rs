//! App sessions of the reference token scheme: a short bearer token plus a single-use refresh
//! token that rotates on every use.
//!
//! - `POST /v1/auth/refresh` `{"refresh_token"}` → a new bearer token and a new refresh token;
//!   the old one is used up. Presenting a used refresh token again means a copy exists
//!   elsewhere: the whole session is revoked (its bearer tokens too) and the app must sign in.
//! - `POST /v1/auth/sign-out-everywhere` (signed in) → `204`; every session of the user is
//!   revoked, and their bearer tokens are refused from the next request on.
//!
//! Refresh tokens are 32 random bytes, stored only as a hash. A partner using its own
//! [`crate::auth::AppAuth`] brings its own session scheme; these routes then answer `404`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use ramp_api::{LoginResponse, RefreshRequest, User};

use super::{AppJson, now_unix};
use crate::auth::{AppUser, Authenticated};
use crate::error::{AppError, AppResult};
use crate::routes::sessions::link_hash;
use crate::state::AppState;
use crate::store::Refresh;

/// Start a session for `user`: a bearer token within it and its first refresh token.
pub(crate) async fn start(s: &AppState, user: &AppUser) -> AppResult<LoginResponse> {
    let issuer = s.session_tokens.as_ref().ok_or(AppError::NotFound)?;
    let session_id = uuid::Uuid::new_v4().simple().to_string();
    let refresh = crate::config::random_token();
    let now = now_unix();
    let refresh_expires = now + s.config.app_refresh_ttl.as_secs();
    s.store.start_app_session(&session_id, &user.id, &user.email, &link_hash(&refresh), refresh_expires, now).await?;
    let (token, expires_at) = issuer.issue_in(user, Some(&session_id))?;
    Ok(LoginResponse {
        token,
        expires_at,
        user: User { id: user.id.clone(), email: user.email.clone() },
        refresh_token: Some(refresh),
    })
}

/// `POST /v1/auth/refresh`.
pub(crate) async fn refresh(
    State(s): State<AppState>,
    AppJson(req): AppJson<RefreshRequest>,
) -> AppResult<Json<LoginResponse>> {
    let issuer = s.session_tokens.as_ref().ok_or(AppError::NotFound)?;
    let next = crate::config::random_token();
    let now = now_unix();
    let expires = now + s.config.app_refresh_ttl.as_secs();
    match s.store.rotate_refresh(&link_hash(req.refresh_token.trim()), &link_hash(&next), expires, now).await? {
        Refresh::Rotated { session_id, user_id, email } => {
            let user = AppUser { id: user_id, email };
            let (token, expires_at) = issuer.issue_in(&user, Some(&session_id))?;
            Ok(Json(LoginResponse {
                token,
                expires_at,
                user: User { id: user.id, email: user.email },
                refresh_token: Some(next),
            }))
        }
        Refresh::Reused => {
            tracing::warn!(security = true, "a used refresh token was presented again; its session is revoked");
            Err(AppError::Unauthenticated("session ended"))
        }
        Refresh::Invalid => Err(AppError::Unauthenticated("session ended")),
    }
}

/// `POST /v1/auth/sign-out-everywhere`.
pub(crate) async fn sign_out_everywhere(
    State(s): State<AppState>,
    Authenticated(user): Authenticated,
) -> AppResult<StatusCode> {
    let revoked = s.store.revoke_user_sessions(&user.id, now_unix()).await?;
    tracing::info!(revoked, "signed a user out everywhere");
    Ok(StatusCode::NO_CONTENT)
}
