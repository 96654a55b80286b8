//! The typed client of the partner backend's `/v1` API (reqwest, rustls).

use std::sync::RwLock;
use std::time::Duration;

use ramp_api::{
    CreateSession, ErrorEnvelope, KycView, LoginResponse, Persona, RampConfig, SandboxLogin, SessionCreated,
    TransactionList, TransactionView,
};
use reqwest::{Method, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{CoreError, ErrorKind, Result};

/// A client of one backend. Cheap to share; the sign-in token is swapped in place.
#[derive(Debug)]
pub struct BackendClient {
    pub(crate) http: reqwest::Client,
    base: Url,
    token: RwLock<Option<String>>,
}

impl BackendClient {
    /// A client for the backend at `base` (e.g. `http://127.0.0.1:8080/`).
    ///
    /// # Errors
    /// [`ErrorKind::App`] when `base` is not an http(s) URL.
    pub fn new(base: &str) -> Result<Self> {
        let mut base = Url::parse(base).ok().filter(|u| matches!(u.scheme(), "http" | "https")).ok_or_else(|| {
            CoreError::new(ErrorKind::App, format!("The backend address {base:?} is not an http(s) URL."))
        })?;
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("proof-ramp-app/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CoreError::new(ErrorKind::App, format!("HTTP client: {e}")))?;
        Ok(Self { http, base, token: RwLock::new(None) })
    }

    /// The backend's base URL (ends in `/`).
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Use `token` for every call (`None`: signed out).
    pub fn set_token(&self, token: Option<String>) {
        *self.token.write().unwrap_or_else(|e| e.into_inner()) = token;
    }

    /// Whether a token is set.
    pub fn signed_in(&self) -> bool {
        self.token.read().unwrap_or_else(|e| e.into_inner()).is_some()
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> Result<RequestBuilder> {
        let url =
            self.base.join(path.trim_start_matches('/')).map_err(|e| CoreError::new(ErrorKind::App, e.to_string()))?;
        let mut req = self.http.request(method, url).timeout(Duration::from_secs(20));
        if let Some(t) = self.token.read().unwrap_or_else(|e| e.into_inner()).as_deref() {
            req = req.bearer_auth(t);
        }
        Ok(req)
    }

    async fn send<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T> {
        let resp = req.send().await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| {
                CoreError::new(
                    ErrorKind::Server,
                    format!("The server sent an answer the app did not understand ({e})."),
                )
            });
        }
        match serde_json::from_slice::<ErrorEnvelope>(&bytes) {
            Ok(env) => Err(CoreError::from_api(status.as_u16(), env.error)),
            Err(_) if status.is_server_error() => Err(CoreError::offline()),
            Err(_) => Err(CoreError::new(ErrorKind::Server, format!("The server answered HTTP {status}."))),
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.send(self.request(Method::GET, path)?).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T> {
        self.send(self.request(Method::POST, path)?.json(body)).await
    }

    /// Sandbox personas (sandbox backends only).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] on a production backend; any other [`CoreError`].
    pub async fn personas(&self) -> Result<Vec<Persona>> {
        self.get("v1/sandbox/personas").await
    }

    /// Sign in as a sandbox persona; the token is kept for later calls.
    ///
    /// # Errors
    /// Any [`CoreError`].
    pub async fn sandbox_login(&self, persona: &str, fresh: bool) -> Result<LoginResponse> {
        let login: LoginResponse =
            self.post("v1/sandbox/login", &SandboxLogin { persona: persona.into(), fresh }).await?;
        self.set_token(Some(login.token.clone()));
        Ok(login)
    }

    /// What the app may offer.
    ///
    /// # Errors
    /// Any [`CoreError`].
    pub async fn config(&self) -> Result<RampConfig> {
        self.get("v1/config").await
    }

    /// The user's KYC status.
    ///
    /// # Errors
    /// Any [`CoreError`].
    pub async fn kyc(&self) -> Result<KycView> {
        self.get("v1/me/kyc").await
    }

    /// Create a session and get the single-use widget link.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] with the field; any other [`CoreError`].
    pub async fn create_session(&self, req: &CreateSession) -> Result<SessionCreated> {
        self.post("v1/sessions", req).await
    }

    /// The user's transactions, newest first.
    ///
    /// # Errors
    /// Any [`CoreError`].
    pub async fn transactions(&self) -> Result<Vec<TransactionView>> {
        Ok(self.get::<TransactionList>("v1/transactions").await?.transactions)
    }

    /// One transaction.
    ///
    /// # Errors
    /// Any [`CoreError`].
    pub async fn transaction(&self, id: &str) -> Result<TransactionView> {
        let path =
            format!("v1/transactions/{}", url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>());
        self.get(&path).await
    }
}
