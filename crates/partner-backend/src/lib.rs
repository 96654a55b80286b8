//! The Proof Ramp partner backend.
//!
//! Holds the Proof `client_token` and makes every Proof call; creates widget sessions for the
//! signed-in app user and hands the app a single-use link to a host page on this backend's own
//! origin; relays transaction status from Proof (WebSocket, polling, webhook hints) to the app as
//! Server-Sent Events; persists everything in SQLite (one instance) or PostgreSQL (any number of
//! instances on one database, each status change reaching every instance's streams).
//!
//! Start it with [`Backend::start`]; build the router alone with [`app`]. Plug in your own user
//! authentication with [`Backend::start_with_auth`] and an [`auth::AppAuth`] implementation.

pub mod auth;
mod client_ip;
mod clock;
pub mod config;
mod error;
pub mod i18n;
mod kyc_cache;
mod limits;
mod middleware;
mod origins;
pub mod relay;
mod routes;
mod secret;
mod serve;
mod session_cache;
mod state;
pub mod store;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use proof_api::{ProofClient, WsOptions};
#[cfg(feature = "sandbox")]
use proof_sandbox::Sandbox;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use url::Url;

pub use error::AppError;
pub use state::{AppState, Parts};

use crate::auth::{AppAuth, SignedTokens};
use crate::config::{Config, ProofTarget};
use crate::relay::{Relay, RelayOptions};
use crate::store::Store;

/// The router: app API under `/v1`, host pages under `/w`, the webhook, health checks.
pub fn app(state: AppState) -> Router {
    // Signed-in routes: the token is checked once and the request counted against the user.
    let signed_in = Router::new()
        .route("/v1/config", get(routes::config::config_get))
        .route("/v1/me/kyc", get(routes::kyc::kyc_get))
        .route("/v1/sessions", post(routes::sessions::sessions_create))
        .route("/v1/transactions", get(routes::transactions::transactions_list))
        .route("/v1/transactions/{id}", get(routes::transactions::transactions_get))
        .route("/v1/transactions/{id}/events", get(routes::transactions::transactions_events))
        .route("/v1/transactions/{id}/resume", post(routes::sessions::sessions_resume))
        .route("/v1/auth/sign-out-everywhere", post(routes::auth::sign_out_everywhere))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), middleware::per_user));
    // Every /v1 route: counted against the client's address first.
    #[cfg(feature = "sandbox")]
    let signed_in = signed_in
        .route("/v1/sandbox/personas", get(routes::sandbox::personas_list))
        .route("/v1/sandbox/login", post(routes::sandbox::sandbox_login));
    let v1 = signed_in
        .route("/v1/auth/refresh", post(routes::auth::refresh))
        .route("/v1/auth/sign-out", post(routes::auth::sign_out))
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), middleware::per_ip));
    Router::new()
        .route("/healthz", get(routes::health::healthz))
        .route("/readyz", get(routes::health::readyz))
        .route("/metrics", get(routes::health::metrics))
        .merge(v1)
        .route("/w/host.js", get(routes::host_page::host_js))
        .route("/w/host.css", get(routes::host_page::host_css))
        .route("/w/{link}", get(routes::host_page::host_page))
        .route(ramp_api::EVENT_PATH, get(routes::host_page::widget_event))
        .route("/proof/webhook/{secret}", post(routes::webhook::webhook_receive))
        .route("/.well-known/assetlinks.json", get(routes::well_known::assetlinks))
        .route("/.well-known/apple-app-site-association", get(routes::well_known::apple_app_site_association))
        // The https return link's own path, when a browser loads it rather than the app.
        .fallback(routes::host_page::return_link_page)
        .layer(DefaultBodyLimit::max(middleware::BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(state.config.idle_timeout, middleware::bounded_body))
        .layer(axum::middleware::from_fn(middleware::request_context))
        .with_state(state)
}

/// What the backend embeds as Proof: the sandbox, or nothing in a build without it.
#[cfg(feature = "sandbox")]
type Embedded = Sandbox;
#[cfg(not(feature = "sandbox"))]
type Embedded = std::convert::Infallible;

/// Why the backend could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The listen address could not be bound.
    #[error("could not listen on {addr}: {source} (LISTEN_ADDR)")]
    Bind {
        /// Address.
        addr: SocketAddr,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// The database could not be opened or migrated.
    #[error("could not open the database (DATABASE_URL): {0}")]
    Database(#[from] sqlx::Error),
    /// The embedded sandbox failed.
    #[cfg(feature = "sandbox")]
    #[error("could not start the embedded Proof sandbox: {0}")]
    Sandbox(#[from] proof_sandbox::StartError),
    /// A URL or client setting is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
}

/// A running backend.
#[derive(Debug)]
pub struct Backend {
    addr: SocketAddr,
    public_base: Url,
    state: AppState,
    #[cfg(feature = "sandbox")]
    sandbox: Option<Sandbox>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Backend {
    /// Start with the reference app authentication ([`SignedTokens`]).
    ///
    /// # Errors
    /// [`StartError`] naming what failed.
    pub async fn start(config: Config) -> Result<Self, StartError> {
        Self::start_with_auth(config, None).await
    }

    /// Start with a partner's own [`AppAuth`] (`None`: the reference signed tokens).
    ///
    /// # Errors
    /// [`StartError`] naming what failed.
    pub async fn start_with_auth(config: Config, auth: Option<Arc<dyn AppAuth>>) -> Result<Self, StartError> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartError::Bind { addr: config.listen, source })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: config.listen, source })?;
        let public_base = match &config.public_base_url {
            Some(u) => u.clone(),
            None => Url::parse(&format!("http://{addr}/")).map_err(|e| StartError::Config(e.to_string()))?,
        };
        let public_base = with_trailing_slash(public_base);
        let store: Arc<dyn Store> = store::open(&config.database_url.0, &config.instance_id).await?;

        let (sandbox, base_url, token, widget_script): (Option<Embedded>, String, String, Url) = match &config.proof {
            #[cfg(not(feature = "sandbox"))]
            ProofTarget::Sandbox => {
                return Err(StartError::Config(
                    "this build has no embedded Proof sandbox (cargo feature `sandbox`); set PROOF_BASE_URL".into(),
                ));
            }
            #[cfg(feature = "sandbox")]
            ProofTarget::Sandbox => {
                let token = secret::random_token();
                let secret = config.webhook_path_secret.as_ref().map(|s| s.0.clone()).unwrap_or_default();
                let sandbox = Sandbox::start(proof_sandbox::Config {
                    listen: SocketAddr::from(([127, 0, 0, 1], 0)),
                    client_tokens: vec![token.clone()],
                    origins: vec![public_base.origin().ascii_serialization()],
                    webhook_url: Url::parse(&format!("http://{addr}/proof/webhook/{secret}")).ok(),
                    ..proof_sandbox::Config::default()
                })
                .await?;
                let (base, script) = (sandbox.base_url(), sandbox.widget_script_url());
                let script = Url::parse(&script).map_err(|e| StartError::Config(e.to_string()))?;
                (Some(sandbox), base, token, script)
            }
            ProofTarget::Remote { base_url, client_token, widget_script_url } => {
                (None, base_url.to_string(), client_token.0.clone(), widget_script_url.clone())
            }
        };
        #[cfg(not(feature = "sandbox"))]
        let _: Option<Embedded> = sandbox;
        let proof = ProofClient::builder(base_url, token).build().map_err(|e| StartError::Config(e.to_string()))?;
        let relay = Relay::new(
            proof.clone(),
            store.clone(),
            RelayOptions {
                poll_interval: config.poll_interval,
                ws: WsOptions {
                    min_delay: config.ws_min_delay,
                    max_delay: config.ws_max_delay,
                    ..WsOptions::default()
                },
                watch_limit: Duration::from_secs(24 * 3600),
                lease: config.watch_lease,
                unopened_grace: config.unopened_watch_grace,
                max_watchers: config.max_upstream_watchers,
                instance: config.instance_id.clone(),
            },
        );
        let tokens = SignedTokens::new(config.auth_signing_key.0.as_bytes(), config.app_token_ttl)
            .for_sandbox(config.is_sandbox())
            .with_sessions(store.clone())
            .cached_in(relay.session_cache());
        let sandbox_tokens = config.is_sandbox().then(|| tokens.clone());
        let session_tokens = auth.is_none().then(|| tokens.clone());
        let auth = auth.unwrap_or_else(|| Arc::new(tokens));
        let state = AppState::new(Parts {
            config,
            public_base: public_base.clone(),
            widget_script,
            proof,
            store,
            auth,
            sandbox_tokens,
            session_tokens,
            relay: relay.clone(),
        })
        .map_err(|e| StartError::Config(e.to_string()))?;

        let resumed = relay.start().await?;
        tokio::spawn(prune_limits(state.limits.clone(), relay.stopped()));
        tracing::info!(
            instance = relay.instance(),
            store = state.store.kind().as_str(),
            resumed,
            "status relay started"
        );
        let router = app(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve::serve(listener, router, state.config.idle_timeout, stopped));
        Ok(Self {
            addr,
            public_base,
            state,
            #[cfg(feature = "sandbox")]
            sandbox,
            stop: Some(stop),
            task,
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The public base URL (ends in `/`).
    pub fn public_base(&self) -> &Url {
        &self.public_base
    }

    /// The embedded sandbox, in sandbox mode.
    #[cfg(feature = "sandbox")]
    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.sandbox.as_ref()
    }

    /// Start an app session for `user` with the reference tokens: a bearer token and a refresh
    /// token, as `POST /v1/sandbox/login` gives in sandbox mode. Call it from your own sign-in
    /// once you know who the user is.
    ///
    /// # Errors
    /// [`AppError`] when the database fails, or `NotFound` when you brought your own
    /// [`auth::AppAuth`] (then sessions are yours).
    pub async fn start_app_session(&self, user: &auth::AppUser) -> Result<ramp_api::LoginResponse, AppError> {
        routes::auth::start(&self.state, user).await
    }

    /// Tell every instance that app sessions were revoked, so open status streams check their
    /// token again ([`auth::AppAuth::recheck`]) and those refused end. The reference sessions
    /// do this themselves; call it after your own sign-out when you bring your own
    /// [`auth::AppAuth`].
    pub async fn sessions_revoked(&self) {
        self.state.relay.sessions_revoked().await;
    }

    /// Number of upstream status watchers running (one Proof WebSocket or poller each).
    pub fn upstream_watchers(&self) -> usize {
        self.state.relay.upstream_watchers()
    }

    /// Stop serving; waits for open requests (SSE streams end when their watcher does).
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.state.relay.stop();
        match self.state.relay.release_all().await {
            Ok(n) if n > 0 => {
                tracing::info!(released = n, "handed the transactions this instance watched to the others")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("could not release watcher leases ({e}); they run out by themselves"),
        }
        // Open SSE streams would hold a graceful shutdown forever: give requests a moment, then go.
        if tokio::time::timeout(Duration::from_secs(2), &mut self.task).await.is_err() {
            self.task.abort();
        }
        #[cfg(feature = "sandbox")]
        if let Some(sb) = self.sandbox.take() {
            sb.shutdown().await;
        }
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.state.relay.stop();
        self.task.abort();
    }
}

/// Forget quiet rate-limit counters once a minute until the relay (the backend) stops.
async fn prune_limits(limits: Arc<limits::Limits>, mut stopped: tokio::sync::watch::Receiver<bool>) {
    loop {
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(60)) => limits.prune(),
            _ = stopped.wait_for(|s| *s) => return,
        }
    }
}

fn with_trailing_slash(mut u: Url) -> Url {
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    u
}
