//! A local emulator of the Proof On/Off Ramp API and a stand-in for its widget.
//!
//! Serves `POST /widget/session`, `GET /widget/transactions/{id}`,
//! `GET /widget/users/{id}/kyc-status` and the `/ws?tx_id=` WebSocket with Proof's shapes, auth
//! and errors; POSTs webhooks; and serves `widget.2.0.js`, whose emulated KYC and payment steps
//! advance the state that those channels report. State lives in memory only.
//!
//! Not Proof: no real identity decisions, no real payments, no real wallets. Outcomes come from
//! [`Persona`]s chosen by the user's id or email.
//!
//! # Examples
//! ```no_run
//! # async fn demo() -> Result<(), proof_sandbox::StartError> {
//! let sandbox = proof_sandbox::Sandbox::start(proof_sandbox::Config {
//!     listen: "127.0.0.1:0".parse().expect("an address"),
//!     ..Default::default()
//! })
//! .await?;
//! println!("Proof sandbox at {}", sandbox.base_url());
//! # Ok(()) }
//! ```

mod config;
mod errors;
mod personas;
mod pricing;
mod routes;
mod state;
mod webhook;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, Method, header};
use axum::middleware;
use axum::response::{Html, IntoResponse};
use axum::routing::{get, post};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub use config::{Config, DEFAULT_CLIENT_TOKEN, DEFAULT_PORT, DEFAULT_WIDGET_ID, Faults, WalletPair};
pub use personas::Persona;
pub use state::SandboxState;

/// The stand-in widget script.
const WIDGET_JS: &str = include_str!("../assets/widget.2.0.js");
/// The landing page at `/`.
const INDEX_HTML: &str = include_str!("../assets/index.html");

/// Build the router: Proof's API behind the gate, the widget and its back channel, controls.
pub fn app(state: SandboxState) -> Router {
    let api = Router::new()
        .route("/widget/session", post(routes::sessions::sessions_create))
        .route("/widget/transactions/{id}", get(routes::transactions::transactions_get))
        .route("/widget/users/{id}/kyc-status", get(routes::kyc::kyc_get))
        .route("/ws", get(routes::ws::ws_connect))
        .route_layer(middleware::from_fn_with_state(state.clone(), routes::api::gate));

    // The widget runs on partner origins, so its back channel answers cross-origin calls; the
    // registered-origin check inside each handler is what restricts it.
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    let widget = Router::new()
        .route("/_sandbox/widget/state", post(routes::widget::widget_state))
        .route("/_sandbox/widget/kyc", post(routes::widget::widget_kyc))
        .route("/_sandbox/widget/action", post(routes::widget::widget_action))
        .layer(cors);

    Router::new()
        .merge(api)
        .merge(widget)
        .route("/", get(|| async { Html(INDEX_HTML) }))
        .route("/widget.2.0.js", get(widget_js))
        .route("/_sandbox/3ds/provider", get(routes::challenge::provider))
        .route(routes::challenge::ISSUER_PATH, post(routes::challenge::issuer))
        .route("/_sandbox/faults", get(routes::control::faults_get).put(routes::control::faults_put))
        .route("/_sandbox/sessions/{id}", get(routes::control::session_get))
        .route("/healthz", get(routes::control::healthz))
        .layer(DefaultBodyLimit::max(64 * 1024))
        .layer(middleware::from_fn(routes::api::request_id))
        .with_state(state)
}

async fn widget_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/javascript; charset=utf-8")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            // The host page may be on any origin; let it load the script with CORS mode too.
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*")),
        ],
        WIDGET_JS,
    )
}

/// Why the sandbox could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// A setting is invalid; the message names it.
    #[error("invalid sandbox configuration: {0}")]
    Config(String),
    /// The address could not be bound (in use, or not local).
    #[error("could not listen on {addr}: {source}; pick another port (0 picks a free one)")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
}

/// A running sandbox; stops when [`Sandbox::shutdown`] is called or it is dropped.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    state: SandboxState,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Sandbox {
    /// Validate the configuration, bind and serve in the background.
    ///
    /// # Errors
    /// [`StartError`] for a bad setting or an address that cannot be bound.
    pub async fn start(config: Config) -> Result<Self, StartError> {
        config.validate().map_err(StartError::Config)?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartError::Bind { addr: config.listen, source })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind { addr: config.listen, source })?;
        let state = SandboxState::new(config);
        let router = app(state.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::error!("the sandbox server stopped: {e}");
            }
        });
        Ok(Self { addr, state, stop: Some(stop), task })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`: the Proof base URL to configure clients with.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://<addr>/widget.2.0.js`.
    pub fn widget_script_url(&self) -> String {
        format!("{}/widget.2.0.js", self.base_url())
    }

    /// Replace the injected faults.
    pub fn set_faults(&self, faults: Faults) {
        self.state.set_faults(faults);
    }

    /// Stop serving and wait for open connections to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if self.stop.is_some() {
            self.task.abort();
        }
    }
}
