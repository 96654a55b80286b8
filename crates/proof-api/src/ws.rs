//! The WebSocket subscriber for `/ws?tx_id=` (§7.3): reconnects, catches up, ends when terminal.
//!
//! After every (re)connection the subscriber fetches the transaction once over HTTP, so a status
//! change that happened while the socket was down is not lost. Consecutive updates with the same
//! status are reported once.

use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use futures_util::StreamExt;
use reqwest::header::{AUTHORIZATION, HeaderValue, ORIGIN};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest};
use tokio_tungstenite::{Connector, connect_async_tls_with_config};

use crate::ProofClient;
use crate::error::{ApiError, Error, Result};
use crate::models::{TxStatus, TxUpdate};

/// Reconnection settings for [`ProofClient::subscribe`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WsOptions {
    /// First reconnection delay (default 1 s).
    pub min_delay: Duration,
    /// Cap on a reconnection delay (default 30 s).
    pub max_delay: Duration,
    /// Consecutive failed connection attempts before giving up with
    /// [`Error::WebSocketUnavailable`] (default 6). Poll instead after that.
    pub max_failures: u32,
}

impl Default for WsOptions {
    fn default() -> Self {
        Self { min_delay: Duration::from_secs(1), max_delay: Duration::from_secs(30), max_failures: 6 }
    }
}

/// Live updates of one transaction. Dropping it closes the socket.
#[derive(Debug)]
pub struct TxSubscription {
    rx: mpsc::Receiver<Result<TxUpdate>>,
    connected: watch::Receiver<bool>,
    task: JoinHandle<()>,
}

impl TxSubscription {
    /// Wait for the next status change.
    ///
    /// Returns `None` after a terminal status has been delivered, or after an error that ends
    /// the subscription (a configuration error, an unknown id, or
    /// [`Error::WebSocketUnavailable`]).
    pub async fn next(&mut self) -> Option<Result<TxUpdate>> {
        self.rx.recv().await
    }

    /// Whether a socket is open right now (handshake done, not yet lost). While it is not, a
    /// caller that must see changes promptly polls the transaction itself.
    pub fn is_connected(&self) -> bool {
        *self.connected.borrow()
    }

    /// The connection state as a [`watch::Receiver`], to wait for it to change.
    pub fn connection(&self) -> watch::Receiver<bool> {
        self.connected.clone()
    }
}

impl Drop for TxSubscription {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ProofClient {
    /// Watch one transaction over the WebSocket, with reconnection and catch-up.
    ///
    /// Must be called inside a Tokio runtime. Nothing is sent by the client; Proof pushes a
    /// `tx.update` on every status change.
    ///
    /// # Examples
    /// ```no_run
    /// # async fn demo(proof: proof_api::ProofClient) {
    /// let mut updates = proof.subscribe("550e8400-e29b-41d4-a716-446655440000", Default::default());
    /// while let Some(update) = updates.next().await {
    ///     match update {
    ///         Ok(u) => println!("now {}", u.status.as_str()),
    ///         Err(e) => eprintln!("falling back to polling: {e}"),
    ///     }
    /// }
    /// # }
    /// ```
    pub fn subscribe(&self, merchant_transaction_id: &str, options: WsOptions) -> TxSubscription {
        let (tx, rx) = mpsc::channel(16);
        let (connected, connected_rx) = watch::channel(false);
        let worker = Worker {
            client: self.clone(),
            id: merchant_transaction_id.to_owned(),
            options,
            out: tx,
            last: None,
            connected,
        };
        let task = tokio::spawn(worker.run());
        TxSubscription { rx, connected: connected_rx, task }
    }

    fn ws_request(&self, id: &str) -> Result<tungstenite::handshake::client::Request> {
        let mut url = self.url(&["ws"]);
        let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
        url.set_scheme(scheme).map_err(|()| Error::Config("cannot derive the WebSocket URL".into()))?;
        url.query_pairs_mut().append_pair("tx_id", id);
        let mut req =
            url.as_str().into_client_request().map_err(|e| Error::Config(format!("bad WebSocket URL: {e}")))?;
        req.headers_mut().insert(AUTHORIZATION, self.token.header());
        if let Some(origin) = self.origin.as_deref().and_then(|o| HeaderValue::from_str(o).ok()) {
            req.headers_mut().insert(ORIGIN, origin);
        }
        Ok(req)
    }
}

/// Why a connection ended.
enum Ended {
    /// A terminal status was delivered, or the receiver is gone: stop.
    Done,
    /// The socket dropped or could not be opened: reconnect.
    Lost(String),
    /// A failure reconnecting cannot fix.
    Fatal(Error),
}

struct Worker {
    client: ProofClient,
    id: String,
    options: WsOptions,
    out: mpsc::Sender<Result<TxUpdate>>,
    last: Option<TxStatus>,
    connected: watch::Sender<bool>,
}

impl Worker {
    async fn run(mut self) {
        let mut failures = 0u32;
        let mut delays = self.backoff();
        loop {
            let (ended, connected) = self.connect_once().await;
            self.connected.send_replace(false);
            if connected {
                failures = 0;
                delays = self.backoff();
            }
            match ended {
                Ended::Done => return,
                Ended::Fatal(e) => {
                    let _ = self.out.send(Err(e)).await;
                    return;
                }
                Ended::Lost(why) => {
                    failures += u32::from(!connected);
                    if failures >= self.options.max_failures {
                        let _ = self.out.send(Err(Error::WebSocketUnavailable { attempts: failures, last: why })).await;
                        return;
                    }
                    let delay = delays.next().unwrap_or(self.options.max_delay);
                    tracing::debug!(tx_id = %self.id, ?delay, "Proof WebSocket lost ({why}); reconnecting");
                    tokio::time::sleep(delay).await;
                }
            }
        }
    }

    fn backoff(&self) -> impl Iterator<Item = Duration> + use<> {
        ExponentialBuilder::default()
            .with_min_delay(self.options.min_delay)
            .with_max_delay(self.options.max_delay)
            .without_max_times()
            .with_jitter()
            .build()
    }

    /// One connection's life. The flag says whether the handshake succeeded.
    async fn connect_once(&mut self) -> (Ended, bool) {
        let req = match self.client.ws_request(&self.id) {
            Ok(r) => r,
            Err(e) => return (Ended::Fatal(e), false),
        };
        let connector = match tls_config() {
            Ok(c) => Connector::Rustls(c),
            Err(e) => return (Ended::Fatal(e), false),
        };
        let mut socket = match connect_async_tls_with_config(req, None, true, Some(connector)).await {
            Ok((socket, _)) => {
                self.connected.send_replace(true);
                socket
            }
            Err(tungstenite::Error::Http(resp)) => {
                let status = resp.status().as_u16();
                let request_id = resp.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
                let api = ApiError::from_response(status, resp.body().as_deref().unwrap_or_default(), request_id);
                let err = Error::from_api(api);
                return if err.retry_class() == crate::error::RetryClass::No {
                    (Ended::Fatal(err), false)
                } else {
                    (Ended::Lost(err.to_string()), false)
                };
            }
            Err(e) => return (Ended::Lost(e.to_string()), false),
        };

        // Catch up on whatever changed while no socket was open.
        match self.client.transaction(&self.id).await {
            Ok(tx) => {
                if let Some(ended) = self.emit(TxUpdate::from(tx)).await {
                    let _ = socket.close(None).await;
                    return (ended, true);
                }
            }
            Err(e @ (Error::NotFound(_) | Error::Misconfigured(_))) => return (Ended::Fatal(e), true),
            Err(e) => tracing::debug!(tx_id = %self.id, "catch-up poll failed: {e}"),
        }

        while let Some(msg) = socket.next().await {
            let text = match msg {
                Ok(Message::Text(t)) => t,
                Ok(Message::Close(_)) => break,
                Ok(_) => continue,
                Err(e) => return (Ended::Lost(e.to_string()), true),
            };
            match serde_json::from_str::<TxUpdate>(&text) {
                Ok(update) => {
                    if let Some(ended) = self.emit(update).await {
                        let _ = socket.close(None).await;
                        return (ended, true);
                    }
                }
                Err(e) => tracing::warn!(tx_id = %self.id, "ignoring a WebSocket message that is not a tx.update: {e}"),
            }
        }
        (Ended::Lost("the server closed the connection".into()), true)
    }

    /// Deliver an update unless it repeats the last status. `Some` means stop.
    async fn emit(&mut self, update: TxUpdate) -> Option<Ended> {
        if self.last.as_ref() == Some(&update.status) {
            return None;
        }
        let terminal = update.status.is_terminal();
        self.last = Some(update.status.clone());
        if self.out.send(Ok(update)).await.is_err() || terminal {
            return Some(Ended::Done);
        }
        None
    }
}

/// TLS for `wss://` with the ring provider and the Mozilla roots (no OpenSSL, no aws-lc).
fn tls_config() -> Result<Arc<rustls::ClientConfig>> {
    static CONFIG: std::sync::OnceLock<Arc<rustls::ClientConfig>> = std::sync::OnceLock::new();
    if let Some(c) = CONFIG.get() {
        return Ok(c.clone());
    }
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(CONFIG.get_or_init(|| Arc::new(config)).clone())
}
