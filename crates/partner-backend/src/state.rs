//! `AppState`: everything a handler needs, built once at start-up, cheap to clone.

use std::sync::Arc;

use axum::extract::FromRef;
use proof_api::ProofClient;
use ramp_api::WidgetEventUrl;
use url::Url;

use crate::auth::{AppAuth, SignedTokens};
use crate::config::Config;
use crate::kyc_cache::KycCache;
use crate::limits::Limits;
use crate::origins::WidgetOrigins;
use crate::relay::Relay;
use crate::store::Store;

/// Shared state of the backend: one allocation, so each request's clones (the router hands
/// every middleware and extractor its own) cost an atomic increment.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What [`AppState`] shares.
pub struct Shared {
    pub(crate) config: Arc<Config>,
    /// Public base URL, always ending in `/`.
    pub(crate) public_base: Url,
    pub(crate) widget_script: Url,
    pub(crate) proof: ProofClient,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) auth: Arc<dyn AppAuth>,
    /// Issues tokens for `POST /v1/sandbox/login`; `None` outside sandbox mode.
    #[cfg_attr(not(feature = "sandbox"), allow(dead_code))]
    pub(crate) sandbox_tokens: Option<SignedTokens>,
    /// Issues app sessions (`/v1/auth/*`); `None` when the partner brings its own `AppAuth`.
    pub(crate) session_tokens: Option<SignedTokens>,
    pub(crate) relay: Arc<Relay>,
    pub(crate) limits: Arc<Limits>,
    /// Proof's `verified` answers, reused for `KYC_CACHE_SECS`.
    pub(crate) kyc: Arc<KycCache>,
    pub(crate) events: WidgetEventUrl,
    /// The widget's origins and the headers derived from them, built once.
    pub(crate) origins: Arc<WidgetOrigins>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").field("public_base", &self.public_base.as_str()).finish_non_exhaustive()
    }
}

/// The pieces [`AppState::new`] assembles.
pub struct Parts {
    /// Validated configuration.
    pub config: Config,
    /// Public base URL.
    pub public_base: Url,
    /// Widget script URL.
    pub widget_script: Url,
    /// Proof client.
    pub proof: ProofClient,
    /// Storage.
    pub store: Arc<dyn Store>,
    /// App authentication.
    pub auth: Arc<dyn AppAuth>,
    /// Token issuer for sandbox logins.
    pub sandbox_tokens: Option<SignedTokens>,
    /// Issuer of app sessions with refresh tokens (the reference scheme), if in use.
    pub session_tokens: Option<SignedTokens>,
    /// Status relay.
    pub relay: Arc<Relay>,
}

impl AppState {
    /// Assemble the state.
    ///
    /// # Errors
    /// When the public base URL cannot carry the event path.
    pub fn new(p: Parts) -> Result<Self, url::ParseError> {
        let limits = Arc::new(Limits::new(&p.config));
        let kyc = Arc::new(KycCache::new(p.config.kyc_cache_ttl));
        let origins = Arc::new(WidgetOrigins::new(&p.public_base, &p.widget_script, &p.config.frame_origins));
        let events = WidgetEventUrl::new(&p.public_base)?;
        Ok(Self(Arc::new(Shared {
            config: Arc::new(p.config),
            public_base: p.public_base,
            widget_script: p.widget_script,
            proof: p.proof,
            store: p.store,
            auth: p.auth,
            sandbox_tokens: p.sandbox_tokens,
            session_tokens: p.session_tokens,
            relay: p.relay,
            limits,
            kyc,
            origins,
            events,
        })))
    }
}

impl FromRef<AppState> for Arc<dyn AppAuth> {
    fn from_ref(s: &AppState) -> Self {
        s.auth.clone()
    }
}
