//! The HTTP/1.1 server loop: axum's router on hyper, with the timeouts `axum::serve` does not
//! set. Each connection gets `IDLE_TIMEOUT_SECS` to send a request's headers; hyper arms that
//! timer whenever the connection waits for a request head (`Conn::poll_read_head` in
//! hyper 1.x, `proto/h1/conn.rs`), so it bounds both a slow sender (slowloris) and a keep-alive
//! connection left idle. Time spent inside a request is bounded where it is spent: Proof calls
//! by `REQUEST_DEADLINE_MS`, the database by the pool's acquire timeout, request bodies by the
//! 16 KiB limit, a held payment page by `Config::link_wait`. Status streams are long on purpose
//! and keep themselves alive.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tower::ServiceExt;

/// Serve `router` on `listener` until `stop` fires, then let open connections finish.
pub(crate) async fn serve(listener: TcpListener, router: Router, idle_timeout: Duration, stop: oneshot::Receiver<()>) {
    let graceful = GracefulShutdown::new();
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment instead of spinning.
                    tracing::warn!("could not accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stop => break,
        };
        // hyper's body into axum's, and the peer for the client-IP rules.
        let service = router.clone().map_request(move |req: hyper::Request<hyper::body::Incoming>| {
            let mut req = req.map(axum::body::Body::new);
            req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            req
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder.timer(TokioTimer::new()).header_read_timeout(idle_timeout);
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
    graceful.shutdown().await;
}
