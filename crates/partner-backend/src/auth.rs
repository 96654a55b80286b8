//! App authentication: the seam where a partner plugs in their own user auth.
//!
//! Implement [`AppAuth`] to turn the app's bearer token into an [`AppUser`] (your session
//! service, OIDC introspection, a JWT from your identity provider…) and pass it to
//! [`crate::AppState::new`]. The reference [`SignedTokens`] issues short-lived HS256 tokens that
//! carry the user's id and email; in sandbox mode `POST /v1/sandbox/login` issues them for the
//! sandbox personas.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::session_cache::SessionCache;

/// The signed-in user: what Proof needs to know about them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppUser {
    /// Stable internal id, sent to Proof as `partner_user_id`.
    pub id: String,
    /// Email, sent to Proof as `user_email`.
    pub email: String,
}

/// Why a token was refused. The message is shown to the user as "sign in again (…)".
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No usable `Authorization: Bearer` header.
    #[error("missing token")]
    Missing,
    /// Expired.
    #[error("session expired")]
    Expired,
    /// Anything else: bad signature, malformed, missing a claim, revoked.
    #[error("invalid token")]
    Invalid,
    /// The token could not be checked now (the session store is unreachable): not the user's
    /// fault, so never a sign-out; the app is told to try again shortly.
    #[error("sign-in cannot be checked right now")]
    Unavailable,
}

/// Turns a bearer token into a user. Must be cheap: it runs on every request.
#[async_trait]
pub trait AppAuth: Send + Sync + 'static {
    /// Check `token` and say who it belongs to.
    async fn authenticate(&self, token: &str) -> Result<AppUser, AuthError>;

    /// Check again a token that opened a status stream, after sessions were revoked somewhere:
    /// `Err` ends the stream. Its expiry alone does not (a stream outlives its 15-minute token);
    /// its revocation does. The default asks [`AppAuth::authenticate`] and lets `Expired` pass.
    async fn recheck(&self, token: &str) -> Result<(), AuthError> {
        match self.authenticate(token).await {
            Ok(_) | Err(AuthError::Expired) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    email: String,
    exp: u64,
    iat: u64,
    iss: String,
    aud: String,
    /// The app session this token belongs to ([`crate::store::Store::start_app_session`]);
    /// required, so every token can be revoked with its session.
    sid: String,
}

/// The registered claims a token must carry; `sid` and `iat` are required by [`Claims`] itself.
const REQUIRED_CLAIMS: [&str; 4] = ["exp", "iss", "aud", "sub"];

const ISSUER: &str = "proof-ramp-backend";

/// Longest a request waits for the store to say whether its session is active: a database that
/// stopped answering (a partition drops no connection) gets a prompt `503`, not a hung request.
const SESSION_CHECK_LIMIT: Duration = Duration::from_secs(2);

/// The audience of tokens for a production backend; a sandbox backend's tokens carry
/// [`SANDBOX_AUDIENCE`], so one environment never accepts the other's, even under the same key.
pub const PRODUCTION_AUDIENCE: &str = "proof-ramp:production";
/// The audience of tokens for a backend in sandbox mode.
pub const SANDBOX_AUDIENCE: &str = "proof-ramp:sandbox";

/// The checks a token passes: HS256 only, this issuer and audience, every required claim; one
/// set with the expiry checked, one without (for [`AppAuth::recheck`]).
struct Rules {
    fresh: Validation,
    any_age: Validation,
}

impl Rules {
    fn for_audience(audience: &str) -> Self {
        let mut fresh = Validation::new(Algorithm::HS256);
        fresh.set_issuer(&[ISSUER]);
        fresh.set_audience(&[audience]);
        fresh.leeway = 5;
        fresh.set_required_spec_claims(&REQUIRED_CLAIMS);
        let mut any_age = fresh.clone();
        any_age.validate_exp = false;
        Self { fresh, any_age }
    }
}

/// The reference implementation: HS256 tokens signed with `APP_AUTH_SIGNING_KEY`.
#[derive(Clone)]
pub struct SignedTokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl: Duration,
    audience: &'static str,
    /// What a token must satisfy, built once (each build allocates).
    rules: Arc<Rules>,
    /// Where app sessions live, to refuse tokens of a revoked session.
    sessions: Option<Arc<dyn crate::store::Store>>,
    /// What the store said of them, while the relay keeps it current.
    cache: Arc<SessionCache>,
}

impl std::fmt::Debug for SignedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedTokens").field("ttl", &self.ttl).finish_non_exhaustive()
    }
}

impl SignedTokens {
    /// Tokens signed with `key` that live `ttl`, for a production backend.
    pub fn new(key: &[u8], ttl: Duration) -> Self {
        Self {
            encoding: EncodingKey::from_secret(key),
            decoding: DecodingKey::from_secret(key),
            ttl,
            audience: PRODUCTION_AUDIENCE,
            rules: Arc::new(Rules::for_audience(PRODUCTION_AUDIENCE)),
            sessions: None,
            cache: Arc::default(),
        }
    }

    /// Check each token's session in `store`: a token of a revoked session (signed out
    /// everywhere, or its refresh token reused) is refused before it expires.
    #[must_use]
    pub fn with_sessions(mut self, store: Arc<dyn crate::store::Store>) -> Self {
        self.sessions = Some(store);
        self
    }

    /// Answer session checks from `cache` while it is current (the relay keeps it so: dropped on
    /// every revocation, trusted only while revocations are known to reach it); a new
    /// [`SignedTokens`] has a cache nobody keeps current, so it reads the store every time.
    #[must_use]
    pub(crate) fn cached_in(mut self, cache: Arc<SessionCache>) -> Self {
        self.cache = cache;
        self
    }

    /// The same, for a backend in sandbox mode (`true`) or production (`false`).
    #[must_use]
    pub fn for_sandbox(mut self, sandbox: bool) -> Self {
        self.audience = if sandbox { SANDBOX_AUDIENCE } else { PRODUCTION_AUDIENCE };
        self.rules = Arc::new(Rules::for_audience(self.audience));
        self
    }

    /// Start an app session for `user` in `store`: a bearer token within it and its first
    /// refresh token (which lives `refresh_ttl`). What the sandbox login and
    /// [`crate::Backend::start_app_session`] do; a load test or a tool that signs users in
    /// against a running backend's database can call it too.
    ///
    /// # Errors
    /// [`AppError`] when the database fails.
    pub async fn start_session(
        &self,
        store: &dyn crate::store::Store,
        user: &AppUser,
        refresh_ttl: Duration,
    ) -> Result<ramp_api::LoginResponse, AppError> {
        let session_id = uuid::Uuid::new_v4().simple().to_string();
        let refresh = crate::secret::random_token();
        let now = crate::clock::now_unix();
        let refresh_hash = crate::secret::secret_hash(&refresh);
        store
            .start_app_session(&session_id, &user.id, &user.email, &refresh_hash, now + refresh_ttl.as_secs(), now)
            .await?;
        let (token, expires_at) = self.issue(user, &session_id)?;
        Ok(ramp_api::LoginResponse {
            token,
            expires_at,
            user: ramp_api::User { id: user.id.clone(), email: user.email.clone() },
            refresh_token: Some(refresh),
        })
    }

    /// Issue a token for `user` within the app session `session` (see
    /// [`SignedTokens::with_sessions`]; [`crate::Backend::start_app_session`] starts one);
    /// returns it with its expiry (unix seconds). Every token names a session, so every token
    /// can be revoked.
    ///
    /// # Errors
    /// Only if signing fails, which HS256 does not do for valid claims.
    pub fn issue(&self, user: &AppUser, session: &str) -> Result<(String, u64), AppError> {
        let now = crate::clock::now_unix();
        let exp = now + self.ttl.as_secs();
        let claims = Claims {
            sub: user.id.clone(),
            email: user.email.clone(),
            exp,
            iat: now,
            iss: ISSUER.into(),
            aud: self.audience.into(),
            sid: session.to_owned(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(|e| AppError::Internal(format!("signing a token: {e}")))?;
        Ok((token, exp))
    }
}

impl SignedTokens {
    /// The claims of a well-signed token with every required claim, for this environment;
    /// expiry is checked only when `expiry` is set.
    fn claims(&self, token: &str, expiry: bool) -> Result<Claims, AuthError> {
        let v = if expiry { &self.rules.fresh } else { &self.rules.any_age };
        match jsonwebtoken::decode::<Claims>(token, &self.decoding, v) {
            Ok(data) => Ok(data.claims),
            Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) => Err(AuthError::Expired),
            Err(_) => Err(AuthError::Invalid),
        }
    }

    /// Refuse the token of a revoked session; a store that cannot answer is `Unavailable`.
    async fn session_active(&self, claims: &Claims) -> Result<(), AuthError> {
        let Some(store) = &self.sessions else { return Ok(()) };
        let generation = match self.cache.lookup(&claims.sid) {
            Ok(true) => return Ok(()),
            Ok(false) => return Err(AuthError::Invalid),
            Err(generation) => generation,
        };
        match tokio::time::timeout(SESSION_CHECK_LIMIT, store.app_session_active(&claims.sid)).await {
            Ok(Ok(active)) => {
                self.cache.keep(&claims.sid, active, generation);
                if active { Ok(()) } else { Err(AuthError::Invalid) }
            }
            Ok(Err(e)) => {
                tracing::error!("could not check an app session (answering 503): {e}");
                Err(AuthError::Unavailable)
            }
            Err(_) => {
                tracing::error!(
                    "the database did not answer an app session check within {SESSION_CHECK_LIMIT:?} (answering 503)"
                );
                Err(AuthError::Unavailable)
            }
        }
    }
}

#[async_trait]
impl AppAuth for SignedTokens {
    async fn authenticate(&self, token: &str) -> Result<AppUser, AuthError> {
        let claims = self.claims(token, true)?;
        self.session_active(&claims).await?;
        Ok(AppUser { id: claims.sub, email: claims.email })
    }

    async fn recheck(&self, token: &str) -> Result<(), AuthError> {
        let claims = self.claims(token, false)?;
        self.session_active(&claims).await
    }
}

/// The `Authorization: Bearer` token of a request, if it has a non-empty one.
pub(crate) fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// Extractor: the authenticated user, or `401` in the API's error shape.
#[derive(Clone, Debug)]
pub struct Authenticated(pub AppUser);

impl<S> FromRequestParts<S> for Authenticated
where
    S: Send + Sync,
    Arc<dyn AppAuth>: axum::extract::FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        // Already checked (and counted against the user's request budget) by the `/v1` layer:
        // each request checks its token once.
        let checked = parts.extensions.get::<Checked>().cloned();
        let outcome = match checked {
            Some(Checked(outcome)) => outcome,
            None => {
                let auth: Arc<dyn AppAuth> = axum::extract::FromRef::from_ref(state);
                match bearer_token(&parts.headers) {
                    Some(token) => auth.authenticate(token).await,
                    None => Err(AuthError::Missing),
                }
            }
        };
        outcome.map(Self).map_err(AppError::from)
    }
}

/// What the `/v1` layer found of a request's bearer token, for [`Authenticated`].
#[derive(Clone, Debug)]
pub(crate) struct Checked(pub(crate) Result<AppUser, AuthError>);

impl From<AuthError> for AppError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::Expired => AppError::Unauthenticated("session expired"),
            AuthError::Missing => AppError::Unauthenticated("missing token"),
            AuthError::Invalid => AppError::Unauthenticated("invalid token"),
            AuthError::Unavailable => AppError::StoreUnavailable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The signing key's own `Debug` would print the secret: this one names the type and its
    /// lifetime, and nothing of the key.
    #[test]
    fn debug_hides_the_signing_key() {
        let key = b"a-signing-key-that-must-stay-secret-0123456789";
        let shown = format!("{:?}", SignedTokens::new(key, Duration::from_secs(900)));
        assert!(shown.starts_with("SignedTokens {") && shown.contains("ttl: 900s"), "{shown}");
        assert!(!shown.contains("must-stay-secret") && !shown.contains("97, 45"), "{shown}");
    }

    fn user() -> AppUser {
        AppUser { id: "u-1".into(), email: "u1@example.com".into() }
    }

    fn now() -> u64 {
        crate::clock::now_unix()
    }

    /// A token lives exactly its lifetime from now.
    #[test]
    fn a_token_expires_its_lifetime_from_now() {
        let tokens = SignedTokens::new(b"a-signing-key-for-the-lifetime-test-0123", Duration::from_secs(900));
        let before = now();
        let (_, exp) = tokens.issue(&user(), "s-1").expect("issued");
        assert!((before + 900..=now() + 900).contains(&exp), "exp {exp}, issued at {before}");
    }

    /// Expired is told apart from invalid: the app renews an expired token silently, but signs
    /// out on an invalid one.
    #[tokio::test]
    async fn expired_and_invalid_tokens_are_told_apart() {
        let key = b"a-signing-key-for-the-expiry-test-012345";
        let tokens = SignedTokens::new(key, Duration::from_secs(900));
        let (good, _) = tokens.issue(&user(), "s-1").expect("issued");
        assert_eq!(tokens.authenticate(&good).await.expect("valid"), user());
        let past = now() - 3600;
        let claims = Claims {
            sub: "u-1".into(),
            email: "u1@example.com".into(),
            exp: past,
            iat: past - 900,
            iss: ISSUER.into(),
            aud: PRODUCTION_AUDIENCE.into(),
            sid: "s-1".into(),
        };
        let expired =
            jsonwebtoken::encode(&Header::default(), &claims, &EncodingKey::from_secret(key)).expect("encode");
        let got = tokens.authenticate(&expired).await;
        assert!(matches!(got, Err(AuthError::Expired)), "{got:?}");
        let (other_key, _) = SignedTokens::new(b"another-signing-key-entirely-0123456789", Duration::from_secs(900))
            .issue(&user(), "s-1")
            .expect("issued");
        let sandbox =
            SignedTokens::new(key, Duration::from_secs(900)).for_sandbox(true).issue(&user(), "s-1").expect("issued").0;
        for bad in [other_key.as_str(), sandbox.as_str(), "not-a-token", &good[..good.len() - 3]] {
            let got = tokens.authenticate(bad).await;
            assert!(matches!(got, Err(AuthError::Invalid)), "{bad}: {got:?}");
        }
    }

    /// Attack: a token signed with the right key (a leaked older build, a partner tool) that
    /// leaves out a claim: no session to revoke it by, no audience to keep it in its
    /// environment, no expiry. Each claim left out, and only that, gets the token refused.
    #[tokio::test]
    async fn a_token_missing_any_claim_is_refused() {
        let key = b"a-signing-key-for-the-claims-test-01234";
        let tokens = SignedTokens::new(key, Duration::from_secs(900));
        let claims = serde_json::json!({
            "sub": "u-1", "email": "u1@example.com", "exp": now() + 600, "iat": now(),
            "iss": ISSUER, "aud": PRODUCTION_AUDIENCE, "sid": "s-1",
        });
        let sign = |c: &serde_json::Value| {
            jsonwebtoken::encode(&Header::default(), c, &EncodingKey::from_secret(key)).expect("encode")
        };
        assert_eq!(tokens.authenticate(&sign(&claims)).await.expect("control: every claim"), user());
        for claim in ["sub", "exp", "iat", "iss", "aud", "sid"] {
            let mut partial = claims.clone();
            partial.as_object_mut().expect("object").remove(claim);
            let got = tokens.authenticate(&sign(&partial)).await;
            assert_eq!(got, Err(AuthError::Invalid), "a token without {claim}");
        }
    }
}
