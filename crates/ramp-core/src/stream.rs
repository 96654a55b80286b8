//! The live status of one transaction from the backend's SSE stream, reconnecting with capped
//! backoff and resuming with `Last-Event-ID`, until a terminal status.

use std::time::Duration;

use eventsource_stream::Eventsource;
use futures_util::StreamExt;
use ramp_api::{STATUS_EVENT, StatusEvent};
use reqwest::Method;
use tokio::sync::mpsc;

use crate::client::BackendClient;
use crate::error::{CoreError, ErrorKind};

/// What the stream reports.
#[derive(Debug, Clone)]
pub enum StreamItem {
    /// A status change.
    Status(StatusEvent),
    /// The connection dropped; reconnecting after `retry_in`.
    Reconnecting {
        /// Delay before the next attempt.
        retry_in: Duration,
    },
    /// The stream ended for good (signed out, not found).
    Failed(CoreError),
}

/// Follow `tx` until it ends. Items arrive on the returned channel; dropping it stops the task.
pub fn follow(client: std::sync::Arc<BackendClient>, tx: String) -> mpsc::Receiver<StreamItem> {
    let (out, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        let mut last: u64 = 0;
        let mut delay = Duration::from_millis(500);
        loop {
            let used = client.current_token();
            match once(&client, &tx, &mut last, &out).await {
                Ok(true) => return,
                Ok(false) => {}
                Err(e) if e.kind == ErrorKind::SignedOut => match client.renew(used.as_deref()).await {
                    Ok(true) => continue,
                    Ok(false) => {
                        let _ = out.send(StreamItem::Failed(e)).await;
                        return;
                    }
                    // Offline while renewing: keep the sign-in and try again after the delay.
                    Err(renewal) => tracing::debug!(%tx, "could not renew the sign-in yet: {renewal}"),
                },
                Err(e) if e.kind == ErrorKind::NotFound => {
                    let _ = out.send(StreamItem::Failed(e)).await;
                    return;
                }
                Err(e) => tracing::debug!(%tx, "status stream interrupted: {e}"),
            }
            if out.send(StreamItem::Reconnecting { retry_in: delay }).await.is_err() {
                return;
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(15));
        }
    });
    rx
}

/// One connection. `Ok(true)`: a terminal status was delivered (or the receiver left).
async fn once(
    client: &BackendClient,
    tx: &str,
    last: &mut u64,
    out: &mpsc::Sender<StreamItem>,
) -> Result<bool, CoreError> {
    let mut req =
        client.request(Method::GET, &format!("v1/transactions/{tx}/events"))?.timeout(Duration::from_secs(3600));
    if *last > 0 {
        req = req.header("Last-Event-ID", last.to_string());
    }
    let resp = req.send().await?;
    if !resp.status().is_success() {
        let status = resp.status().as_u16();
        let body = resp.json::<ramp_api::ErrorEnvelope>().await.map_err(|_| CoreError::offline())?;
        return Err(CoreError::from_api(status, body.error));
    }
    let mut events = resp.bytes_stream().eventsource();
    while let Some(ev) = events.next().await {
        let ev = ev.map_err(|_| CoreError::offline())?;
        if ev.event != STATUS_EVENT {
            continue;
        }
        let Ok(status) = serde_json::from_str::<StatusEvent>(&ev.data) else { continue };
        *last = status.seq;
        let terminal = status.status.is_terminal();
        if out.send(StreamItem::Status(status)).await.is_err() || terminal {
            return Ok(true);
        }
    }
    Ok(false)
}
