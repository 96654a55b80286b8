//! The async HTTP client for Proof's backend-only endpoints (§5.1–§5.3).
//!
//! Owns authentication, timeouts and the retry policy. The WebSocket lives in [`crate::ws`].

use std::fmt;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use reqwest::Method;
use reqwest::header::{self, HeaderMap, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{ApiError, Error, Result, RetryClass};
use crate::models::{CreateSession, Session, Transaction, UserKyc};

/// The partner's secret `client_token`. Its `Debug` and `Display` never show the value.
#[derive(Clone)]
pub struct ClientToken(String);

impl ClientToken {
    /// Wrap a token read from server configuration.
    ///
    /// # Errors
    /// [`Error::Config`] when it is empty or contains characters a header cannot carry.
    pub fn new(token: impl Into<String>) -> Result<Self> {
        let token = token.into();
        if token.trim().is_empty() {
            return Err(Error::Config("the client token is empty".into()));
        }
        if HeaderValue::from_str(&format!("Bearer {token}")).is_err() {
            return Err(Error::Config("the client token contains characters not allowed in an HTTP header".into()));
        }
        Ok(Self(token))
    }

    /// The `Authorization` header value, marked sensitive so it is never logged by the stack.
    pub(crate) fn header(&self) -> HeaderValue {
        let mut v = HeaderValue::from_str(&format!("Bearer {}", self.0))
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer invalid"));
        v.set_sensitive(true);
        v
    }
}

impl fmt::Debug for ClientToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientToken(<redacted>)")
    }
}

/// How failed calls are retried: capped exponential backoff with jitter.
///
/// `502`, `429`, unknown `5xx` and transport errors are retried up to `max_retries` times with
/// the same body; `500 internal_error` once; `4xx` never.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First delay.
    pub min_delay: Duration,
    /// Cap on any one delay.
    pub max_delay: Duration,
    /// Retries after the first attempt.
    pub max_retries: usize,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { min_delay: Duration::from_millis(200), max_delay: Duration::from_secs(5), max_retries: 4 }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub const NONE: Self = Self { min_delay: Duration::ZERO, max_delay: Duration::ZERO, max_retries: 0 };

    pub(crate) fn delays(&self) -> impl Iterator<Item = Duration> + use<> {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
            .with_jitter()
            .build()
    }
}

/// Settings for [`ProofClient`]; start from [`ProofClient::builder`]. Its `Debug` leaves the
/// token out.
#[derive(Clone)]
pub struct ClientBuilder {
    base_url: String,
    token: String,
    timeout: Duration,
    connect_timeout: Duration,
    retry: RetryPolicy,
    origin: Option<String>,
    max_response_bytes: usize,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("token", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("origin", &self.origin)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// Largest answer body the client reads by default: Proof's answers are a few KiB.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

impl ClientBuilder {
    /// Refuse answers whose body is larger than this (default [`MAX_RESPONSE_BYTES`]), with
    /// [`Error::ResponseTooLarge`], without reading the rest.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Whole-request timeout (default 15 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// TCP/TLS connect timeout (default 5 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, r: RetryPolicy) -> Self {
        self.retry = r;
        self
    }

    /// Send this `Origin` header on every call; it must be registered with Proof.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// Build the client.
    ///
    /// # Errors
    /// [`Error::Config`] for a base URL that is not `http(s)://`, an empty token or a bad origin.
    pub fn build(self) -> Result<ProofClient> {
        let mut base = Url::parse(&self.base_url)
            .map_err(|e| Error::Config(format!("the Proof base URL {:?} is not a URL: {e}", self.base_url)))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(Error::Config(format!(
                "the Proof base URL {:?} must start with https:// (or http:// for a local sandbox)",
                self.base_url
            )));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let token = ClientToken::new(self.token)?;
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, token.header());
        if let Some(origin) = &self.origin {
            let v = HeaderValue::from_str(origin)
                .map_err(|_| Error::Config(format!("the Origin {origin:?} is not a valid header value")))?;
            headers.insert(header::ORIGIN, v);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            // Proof's API never redirects; a 3xx is refused as `Error::Redirected`, never followed
            // to a host whose answers would then be believed.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("proof-ramp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?;
        Ok(ProofClient {
            http,
            base,
            token,
            retry: self.retry,
            origin: self.origin,
            max_response_bytes: self.max_response_bytes,
        })
    }
}

/// A client of the Proof API for the partner backend. Cheap to clone.
///
/// # Examples
/// ```no_run
/// # async fn demo() -> proof_api::Result<()> {
/// use proof_api::{Amount, CreateSession, ProofClient, TxType};
///
/// let proof = ProofClient::builder("https://proof.example", "secret-client-token").build()?;
/// let session = proof
///     .create_session(&CreateSession {
///         partner_user_id: "user-123".into(),
///         user_email: "user@example.com".into(),
///         network: "TRC20".into(),
///         currency: "USDT".into(),
///         amount: Amount::parse("100").expect("a decimal"),
///         tx_type: Some(TxType::Buy),
///         redirect_url: None,
///         client_ip: Some("203.0.113.42".into()),
///         address: None,
///     })
///     .await?;
/// let tx = proof.transaction(&session.merchant_transaction_id).await?;
/// println!("{}", tx.status.as_str());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ProofClient {
    http: reqwest::Client,
    base: Url,
    pub(crate) token: ClientToken,
    retry: RetryPolicy,
    pub(crate) origin: Option<String>,
    max_response_bytes: usize,
}

impl ProofClient {
    /// Start configuring a client for `base_url` (issued by Proof at onboarding) and the secret
    /// `client_token`.
    pub fn builder(base_url: impl Into<String>, client_token: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            token: client_token.into(),
            timeout: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(5),
            retry: RetryPolicy::default(),
            origin: None,
            max_response_bytes: MAX_RESPONSE_BYTES,
        }
    }

    /// The base URL, always ending in `/`.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// Create a widget session (`POST /widget/session`). Pass the result to the widget unmodified.
    ///
    /// # Errors
    /// Any [`Error`]; notably [`Error::CurrencyNotAllowed`] and [`Error::WalletNotSupported`],
    /// which an operator must see.
    pub async fn create_session(&self, req: &CreateSession) -> Result<Session> {
        let url = self.url(&["widget", "session"]);
        self.send(Method::POST, url, Some(req)).await
    }

    /// Fetch a transaction (`GET /widget/transactions/{id}`): the authoritative status.
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id or another partner's; any other [`Error`].
    pub async fn transaction(&self, merchant_transaction_id: &str) -> Result<Transaction> {
        let url = self.url(&["widget", "transactions", merchant_transaction_id]);
        self.send(Method::GET, url, None::<&()>).await
    }

    /// Fetch a user's KYC status (`GET /widget/users/{id}/kyc-status`).
    ///
    /// # Errors
    /// [`Error::NotFound`] when Proof has never seen the user (treat as `not_started`); any
    /// other [`Error`].
    pub async fn kyc_status(&self, partner_user_id: &str) -> Result<UserKyc> {
        let url = self.url(&["widget", "users", partner_user_id, "kyc-status"]);
        self.send(Method::GET, url, None::<&()>).await
    }

    /// The body, chunk by chunk, refused as soon as it passes the limit.
    async fn read_capped(&self, mut resp: reqwest::Response, status: u16, request_id: Option<&str>) -> Result<Vec<u8>> {
        let limit = self.max_response_bytes;
        let too_large = || Error::ResponseTooLarge { status, request_id: request_id.map(str::to_owned), limit };
        if resp.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large());
        }
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(Error::Transport)? {
            if body.len() + chunk.len() > limit {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    /// Join path segments to the base URL, percent-encoding each.
    pub(crate) fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.pop_if_empty().extend(segments);
        }
        url
    }

    async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<T> {
        let mut delays = self.retry.delays();
        let mut retried_once = false;
        loop {
            let err = match self.send_once(method.clone(), url.clone(), body).await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let retry = match err.retry_class() {
                RetryClass::Backoff => true,
                RetryClass::Once if !retried_once => {
                    retried_once = true;
                    true
                }
                _ => false,
            };
            let Some(delay) = retry.then(|| delays.next()).flatten() else {
                if let Some(id) = err.request_id() {
                    tracing::warn!(%method, path = url.path(), request_id = id, "Proof call failed: {err}");
                }
                return Err(err);
            };
            tracing::debug!(%method, path = url.path(), ?delay, "retrying Proof call: {err}");
            tokio::time::sleep(delay).await;
        }
    }

    async fn send_once<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&B>,
    ) -> Result<T> {
        let mut req = self.http.request(method, url);
        if let Some(b) = body {
            req = req.json(b);
        }
        let resp = req.send().await.map_err(Error::Transport)?;
        let status = resp.status();
        let request_id = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = self.read_capped(resp, status.as_u16(), request_id.as_deref()).await?;
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|source| Error::InvalidResponse {
                status: status.as_u16(),
                request_id,
                source,
            });
        }
        Err(Error::from_api(ApiError::from_response(status.as_u16(), &bytes, request_id)))
    }
}
