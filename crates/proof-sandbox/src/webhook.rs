//! Outbound webhook deliveries: best effort, one POST per queued event, no retries (as Proof).

use std::time::Duration;

use proof_api::WebhookEvent;
use tokio::sync::mpsc;

/// Start the delivery task; events sent to the returned queue are POSTed in order.
pub(crate) fn spawn_sender(url: url::Url) -> mpsc::UnboundedSender<WebhookEvent> {
    let (tx, mut rx) = mpsc::unbounded_channel::<WebhookEvent>();
    tokio::spawn(async move {
        let http = match reqwest::Client::builder().timeout(Duration::from_secs(5)).build() {
            Ok(h) => h,
            Err(e) => {
                tracing::error!("webhook deliveries disabled: could not build an HTTP client: {e}");
                return;
            }
        };
        while let Some(event) = rx.recv().await {
            match http.post(url.clone()).json(&event).send().await {
                Ok(r) if r.status().is_success() => {
                    tracing::debug!(tx_id = %event.merchant_transaction_id, status = event.status.as_str(), "webhook delivered");
                }
                Ok(r) => {
                    tracing::warn!(tx_id = %event.merchant_transaction_id, http = r.status().as_u16(), "webhook refused; not retried")
                }
                Err(e) => tracing::warn!(tx_id = %event.merchant_transaction_id, "webhook failed, not retried: {e}"),
            }
        }
    });
    tx
}
