//! The typed client of the partner backend's `/v1` API (reqwest, rustls).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use ramp_api::{
    CreateSession, ErrorEnvelope, KycView, LoginResponse, Persona, RampConfig, RefreshRequest, SandboxLogin,
    SessionCreated, TransactionList, TransactionView, TransactionsQuery,
};
use reqwest::{Method, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{CoreError, ErrorKind, Result};
use crate::tokens::{StoredSession, TokenStore};

/// A client of one backend. Cheap to share; the sign-in is swapped in place.
///
/// When the backend issues refresh tokens, an expired bearer token is renewed silently: a call
/// answered `401` trades the refresh token for a new pair (one trade at a time, so concurrent
/// calls never present the same refresh token twice, which the backend would take for a stolen
/// copy) and is sent once more; the new pair is saved through [`BackendClient::keep_sessions_in`].
pub struct BackendClient {
    pub(crate) http: reqwest::Client,
    base: Url,
    token: RwLock<Option<String>>,
    refresh_token: RwLock<Option<String>>,
    language: RwLock<Option<String>>,
    sessions: RwLock<Option<Arc<dyn TokenStore>>>,
    renewing: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for BackendClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendClient").field("base", &self.base.as_str()).finish_non_exhaustive()
    }
}

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    lock.read().unwrap_or_else(|e| e.into_inner()).clone()
}

fn write<T>(lock: &RwLock<T>, value: T) {
    *lock.write().unwrap_or_else(|e| e.into_inner()) = value;
}

/// How the app was built, which decides whether its backend may be plain http.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Build {
    /// A development build (`debug_assertions`): the local sandbox over http is fine.
    Debug,
    /// A release build, the one users get: https only.
    Release,
    /// A benchmark build: release-optimised, never shipped, measured against the sandbox on
    /// loopback over http.
    Bench,
}

impl Build {
    /// The build kind from the compiler's `debug_assertions` and the app's `bench` feature:
    /// call it as `Build::of(cfg!(debug_assertions), cfg!(feature = "bench"))`.
    pub const fn of(debug_assertions: bool, bench: bool) -> Self {
        match (debug_assertions, bench) {
            (true, _) => Self::Debug,
            (false, true) => Self::Bench,
            (false, false) => Self::Release,
        }
    }

    /// Whether this build must refuse a backend that is not https.
    pub const fn https_only(self) -> bool {
        matches!(self, Self::Release)
    }
}

impl BackendClient {
    /// The app's client for the backend at `base`, with the policy its build calls for: a
    /// release build refuses anything but https.
    ///
    /// # Errors
    /// [`ErrorKind::App`] for an address that is not an http(s) URL, or not https when required.
    pub fn for_build(base: &str, build: Build) -> Result<Self> {
        Self::with_policy(base, build.https_only())
    }

    /// A client for the backend at `base` (e.g. `http://127.0.0.1:8080/`).
    ///
    /// # Errors
    /// [`ErrorKind::App`] when `base` is not an http(s) URL.
    pub fn new(base: &str) -> Result<Self> {
        Self::with_policy(base, false)
    }

    /// [`BackendClient::new`], refusing anything but `https` when `https_only` (release builds:
    /// the sign-in token and the widget links must not cross the network in clear).
    ///
    /// # Errors
    /// [`ErrorKind::App`] for an address that is not an http(s) URL, or not https when required.
    pub fn with_policy(base: &str, https_only: bool) -> Result<Self> {
        let mut base = Url::parse(base).ok().filter(|u| matches!(u.scheme(), "http" | "https")).ok_or_else(|| {
            CoreError::new(ErrorKind::App, format!("The backend address {base:?} is not an http(s) URL."))
        })?;
        if https_only && base.scheme() != "https" {
            return Err(CoreError::new(
                ErrorKind::App,
                format!(
                    "This release build has the backend address {base} , which is not https. Build it with PROOF_RAMP_BACKEND_URL=https://… set."
                ),
            ));
        }
        if !base.path().ends_with('/') {
            let p = format!("{}/", base.path());
            base.set_path(&p);
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("proof-ramp-app/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CoreError::new(ErrorKind::App, format!("HTTP client: {e}")))?;
        Ok(Self {
            http,
            base,
            token: RwLock::new(None),
            refresh_token: RwLock::new(None),
            language: RwLock::new(None),
            sessions: RwLock::new(None),
            renewing: tokio::sync::Mutex::new(()),
        })
    }

    /// A widget link the backend sent, accepted only on the backend's own origin (the host page
    /// lives there; a link elsewhere would load a page the app never vetted).
    ///
    /// # Errors
    /// [`ErrorKind::App`] for a link that does not parse or points at another origin.
    pub fn widget_link(&self, link: &str) -> Result<Url> {
        let url = Url::parse(link).map_err(|_| {
            CoreError::coded(ErrorKind::App, "widget_link", "The server sent an invalid widget link. Try again.")
        })?;
        if url.origin() != self.base.origin() {
            return Err(CoreError::coded(
                ErrorKind::App,
                "widget_link",
                "The server sent a widget link for another site; the app opens only its own backend's. Try again, or contact support.",
            ));
        }
        Ok(url)
    }

    /// The backend's base URL (ends in `/`).
    pub fn base(&self) -> &Url {
        &self.base
    }

    /// Use `token` for every call (`None`: signed out), keeping any refresh token.
    pub fn set_token(&self, token: Option<String>) {
        write(&self.token, token);
    }

    /// Use a saved sign-in: its bearer token and refresh token (`None`, `None`: signed out).
    pub fn set_session(&self, token: Option<String>, refresh_token: Option<String>) {
        write(&self.token, token);
        write(&self.refresh_token, refresh_token);
    }

    /// Send `tag` as `Accept-Language` on every call, so the backend's sentences come in the
    /// user's language (`None`: send none; the backend answers in English).
    pub fn set_language(&self, tag: Option<String>) {
        write(&self.language, tag);
    }

    /// Save every renewed sign-in in `store`.
    pub fn keep_sessions_in(&self, store: Arc<dyn TokenStore>) {
        write(&self.sessions, Some(store));
    }

    /// Whether a token is set.
    pub fn signed_in(&self) -> bool {
        read(&self.token).is_some()
    }

    pub(crate) fn current_token(&self) -> Option<String> {
        read(&self.token)
    }

    /// Take a sign-in the backend gave: use it, and save it where sessions are kept.
    fn adopt(&self, login: &LoginResponse) -> Result<()> {
        self.set_session(Some(login.token.clone()), login.refresh_token.clone());
        if let Some(store) = read(&self.sessions) {
            store.save(&StoredSession {
                token: login.token.clone(),
                expires_at: login.expires_at,
                user_id: login.user.id.clone(),
                email: login.user.email.clone(),
                refresh_token: login.refresh_token.clone(),
            })?;
        }
        Ok(())
    }

    /// Renew the sign-in after a call made with `used` was refused. `Ok(true)`: there is a new
    /// bearer token to try (if another call renewed it meanwhile, that one). `Ok(false)`: no way
    /// to renew, sign in again. `Err`: the renewal could not be asked (offline, server trouble):
    /// the sign-in is kept for the next try, and the caller reports that error, not a sign-out.
    pub(crate) async fn renew(&self, used: Option<&str>) -> Result<bool> {
        let _one_at_a_time = self.renewing.lock().await;
        if self.current_token().as_deref() != used {
            return Ok(self.signed_in());
        }
        let Some(refresh_token) = read(&self.refresh_token) else { return Ok(false) };
        let req = self.request(Method::POST, "v1/auth/refresh")?.json(&RefreshRequest { refresh_token });
        match self.send::<LoginResponse>(req).await {
            Ok(login) => {
                if let Err(e) = self.adopt(&login) {
                    tracing::warn!("renewed the sign-in but could not save it: {e}");
                }
                Ok(true)
            }
            Err(e) if e.kind == ErrorKind::SignedOut => {
                write(&self.refresh_token, None); // used up or revoked: sign in again
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    pub(crate) fn request(&self, method: Method, path: &str) -> Result<RequestBuilder> {
        let url =
            self.base.join(path.trim_start_matches('/')).map_err(|e| CoreError::new(ErrorKind::App, e.to_string()))?;
        let mut req = self.http.request(method, url).timeout(Duration::from_secs(20));
        if let Some(t) = self.token.read().unwrap_or_else(|e| e.into_inner()).as_deref() {
            req = req.bearer_auth(t);
        }
        if let Some(lang) = read(&self.language) {
            req = req.header(reqwest::header::ACCEPT_LANGUAGE, lang);
        }
        Ok(req)
    }

    async fn send<T: DeserializeOwned>(&self, req: RequestBuilder) -> Result<T> {
        let resp = req.send().await?;
        let status = resp.status();
        let bytes = resp.bytes().await?;
        if status.is_success() {
            // An empty answer (`204`) reads as JSON `null`, which `()` accepts.
            let bytes: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
            return serde_json::from_slice(bytes).map_err(|e| {
                CoreError::coded(
                    ErrorKind::Server,
                    "bad_answer",
                    format!("The server sent an answer the app did not understand ({e})."),
                )
            });
        }
        match serde_json::from_slice::<ErrorEnvelope>(&bytes) {
            Ok(env) => Err(CoreError::from_api(status.as_u16(), env.error)),
            Err(_) if status.is_server_error() => Err(CoreError::offline()),
            Err(_) => {
                Err(CoreError::coded(ErrorKind::Server, "http_status", format!("The server answered HTTP {status}."))
                    .arg("status", status.as_u16().to_string()))
            }
        }
    }

    /// Send a call; refused as signed out, renew the sign-in and send it once more.
    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<T> {
        let build = || -> Result<RequestBuilder> {
            let req = self.request(method.clone(), path)?;
            Ok(match body {
                Some(b) => req.json(b),
                None => req,
            })
        };
        let used = self.current_token();
        match self.send(build()?).await {
            Err(e) if e.kind == ErrorKind::SignedOut => match self.renew(used.as_deref()).await? {
                true => self.send(build()?).await,
                false => Err(e),
            },
            other => other,
        }
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.call(Method::GET, path, None).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T> {
        let body = serde_json::to_value(body).map_err(|e| CoreError::new(ErrorKind::App, e.to_string()))?;
        self.call(Method::POST, path, Some(&body)).await
    }

    /// Sandbox personas (sandbox backends only).
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] on a production backend; any other [`CoreError`].
    pub async fn personas(&self) -> Result<Vec<Persona>> {
        self.get("v1/sandbox/personas").await
    }

    /// The call that ends this device's session on the backend (`POST /v1/auth/sign-out` with
    /// the refresh token held now), so a copy of its refresh token is worthless too. Taken at
    /// once, sent when awaited: forget the sign-in locally right after taking it, whatever the
    /// call's outcome (an offline phone signs out locally; its session then ends at the
    /// refresh token's lifetime).
    pub fn end_session(self: &std::sync::Arc<Self>) -> impl std::future::Future<Output = Result<()>> + Send + 'static {
        let refresh_token = read(&self.refresh_token);
        let client = self.clone();
        async move {
            let Some(refresh_token) = refresh_token else { return Ok(()) };
            let req = client.request(Method::POST, "v1/auth/sign-out")?.json(&RefreshRequest { refresh_token });
            client.send::<()>(req).await
        }
    }

    /// End every session of the signed-in user, on every device.
    ///
    /// # Errors
    /// Any [`CoreError`].
    pub async fn sign_out_everywhere(&self) -> Result<()> {
        self.post("v1/auth/sign-out-everywhere", &serde_json::json!({})).await
    }

    /// Sign in as a sandbox persona; the token is kept for later calls.
    ///
    /// # Errors
    /// Any [`CoreError`].
    pub async fn sandbox_login(&self, persona: &str, fresh: bool) -> Result<LoginResponse> {
        let login: LoginResponse =
            self.post("v1/sandbox/login", &SandboxLogin { persona: persona.into(), fresh }).await?;
        self.adopt(&login)?;
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

    /// A fresh single-use link to the payment window of an unfinished transaction (the same
    /// Proof session, so the same transaction): `link` when the app chose it
    /// ([`CreateSession::link`]).
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] when it has ended or its session expired (the message says so);
    /// [`ErrorKind::NotFound`] when it is not the user's; any other [`CoreError`].
    pub async fn resume(&self, id: &str, link: Option<String>) -> Result<SessionCreated> {
        let path = format!(
            "v1/transactions/{}/resume",
            url::form_urlencoded::byte_serialize(id.as_bytes()).collect::<String>()
        );
        self.post(&path, &ramp_api::ResumeSession { link }).await
    }

    /// The user's newest transactions, newest first (the first page of
    /// [`BackendClient::transactions_page`], at the backend's default size).
    ///
    /// # Errors
    /// Any [`CoreError`].
    pub async fn transactions(&self) -> Result<Vec<TransactionView>> {
        Ok(self.transactions_page(&TransactionsQuery::default()).await?.transactions)
    }

    /// One page of the user's transactions, newest first. Ask for the next page with
    /// `before` set to this page's [`TransactionList::next`]; a page without `next` is the
    /// last. Pages neither skip nor repeat a transaction when a new one is made meanwhile.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when `before` is not one of the user's transactions; any other
    /// [`CoreError`].
    pub async fn transactions_page(&self, query: &TransactionsQuery) -> Result<TransactionList> {
        // Built and dropped before the call: the serializer is not `Send`, the call's future must be.
        let pairs = {
            let mut pairs = url::form_urlencoded::Serializer::new(String::new());
            if let Some(limit) = query.limit {
                pairs.append_pair("limit", &limit.to_string());
            }
            if let Some(before) = &query.before {
                pairs.append_pair("before", before);
            }
            pairs.finish()
        };
        let path = if pairs.is_empty() { "v1/transactions".to_owned() } else { format!("v1/transactions?{pairs}") };
        self.get(&path).await
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
