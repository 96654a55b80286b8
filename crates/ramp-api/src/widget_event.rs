//! The widget event URL: how the host page tells the app what the widget did.
//!
//! The host page has no IPC, so it reports each widget callback by navigating to
//! `{public_base_url}/app/widget-event?v=1&tx=<id>&event=<name>&…`. The app cancels that
//! navigation in its webview's navigation handler and parses it with [`WidgetEventUrl::parse`].
//! Events are hints for the UI; transaction outcomes come from the status stream.
//!
//! | `event` | Extra parameters | When |
//! |---|---|---|
//! | `ready` | | The widget is visible |
//! | `status` | `status`, `payment_method` | `onStatusChange` (widget-level status, opaque) |
//! | `payment_finished` | `payment_method` | `onPaymentFinished` |
//! | `sell_transfer_enabled` | `amount`, `currency`, `network`, `address` | `onSellTransferEnabled` |
//! | `close` | `reason` (`user`, `expired`, `used`, `invalid`) | The user closed, or the link was dead |

use std::collections::HashMap;

use url::Url;

/// Path of the event URL on the backend.
pub const EVENT_PATH: &str = "/app/widget-event";

/// Something the widget (or its host page) reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WidgetEvent {
    /// The widget is loaded and visible.
    Ready,
    /// `onStatusChange`: a widget-level status such as `paid`; not the API status.
    Status {
        /// Opaque widget status.
        status: String,
        /// E.g. `card`, when known.
        payment_method: Option<String>,
    },
    /// `onPaymentFinished`: payment and KYC are over, whatever the outcome.
    PaymentFinished {
        /// E.g. `card`.
        payment_method: Option<String>,
    },
    /// `onSellTransferEnabled`: a deposit address is on screen.
    SellTransferEnabled {
        /// Crypto amount to send.
        amount: String,
        /// Currency.
        currency: String,
        /// Network.
        network: String,
        /// Deposit address.
        address: String,
    },
    /// Leave the widget: the user closed it (`user`) or the link was `expired`, `used` or
    /// `invalid`.
    Close {
        /// Why.
        reason: String,
    },
}

/// Builds and parses event URLs under one base.
#[derive(Clone, Debug)]
pub struct WidgetEventUrl {
    endpoint: Url,
}

impl WidgetEventUrl {
    /// Events go to `base` + [`EVENT_PATH`].
    ///
    /// # Errors
    /// When `base` cannot carry a path (e.g. `mailto:`).
    pub fn new(base: &Url) -> Result<Self, url::ParseError> {
        Ok(Self { endpoint: base.join(EVENT_PATH)? })
    }

    /// Events go to `endpoint` itself (e.g. the return link `prooframp://return` of browser mode).
    pub fn exact(endpoint: Url) -> Self {
        Self { endpoint }
    }

    /// The endpoint, without a query.
    pub fn endpoint(&self) -> &Url {
        &self.endpoint
    }

    /// The URL reporting `event` for transaction `tx`.
    pub fn build(&self, tx: &str, event: &WidgetEvent) -> Url {
        let mut url = self.endpoint.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("v", "1").append_pair("tx", tx);
            match event {
                WidgetEvent::Ready => {
                    q.append_pair("event", "ready");
                }
                WidgetEvent::Status { status, payment_method } => {
                    q.append_pair("event", "status").append_pair("status", status);
                    if let Some(m) = payment_method {
                        q.append_pair("payment_method", m);
                    }
                }
                WidgetEvent::PaymentFinished { payment_method } => {
                    q.append_pair("event", "payment_finished");
                    if let Some(m) = payment_method {
                        q.append_pair("payment_method", m);
                    }
                }
                WidgetEvent::SellTransferEnabled { amount, currency, network, address } => {
                    q.append_pair("event", "sell_transfer_enabled")
                        .append_pair("amount", amount)
                        .append_pair("currency", currency)
                        .append_pair("network", network)
                        .append_pair("address", address);
                }
                WidgetEvent::Close { reason } => {
                    q.append_pair("event", "close").append_pair("reason", reason);
                }
            }
        }
        url
    }

    /// Whether `url` points at the event endpoint (same scheme, host, port and path), whatever
    /// its query. Compared part by part so custom schemes (whose origins are opaque) match too.
    pub fn matches(&self, url: &Url) -> bool {
        let e = &self.endpoint;
        url.scheme() == e.scheme()
            && url.host_str() == e.host_str()
            && url.port_or_known_default() == e.port_or_known_default()
            && url.path() == e.path()
    }

    /// Read an event URL: `None` when `url` is not the event endpoint; `Some(Err)` when it is
    /// but the event is malformed or unknown (ignore it, but still cancel the navigation).
    pub fn parse(&self, url: &Url) -> Option<Result<(String, WidgetEvent), String>> {
        if !self.matches(url) {
            return None;
        }
        let q: HashMap<String, String> = url.query_pairs().into_owned().collect();
        let get = |k: &str| q.get(k).filter(|v| !v.is_empty()).cloned();
        let need = |k: &str| get(k).ok_or_else(|| format!("widget event without `{k}`"));
        Some((|| {
            let tx = need("tx")?;
            let event = match need("event")?.as_str() {
                "ready" => WidgetEvent::Ready,
                "status" => WidgetEvent::Status { status: need("status")?, payment_method: get("payment_method") },
                "payment_finished" => WidgetEvent::PaymentFinished { payment_method: get("payment_method") },
                "sell_transfer_enabled" => WidgetEvent::SellTransferEnabled {
                    amount: need("amount")?,
                    currency: need("currency")?,
                    network: need("network")?,
                    address: need("address")?,
                },
                "close" => WidgetEvent::Close { reason: get("reason").unwrap_or_else(|| "user".into()) },
                other => return Err(format!("unknown widget event {other:?}")),
            };
            Ok((tx, event))
        })())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_links_with_a_custom_scheme_round_trip() {
        let back = WidgetEventUrl::exact(Url::parse("prooframp://return").expect("url"));
        let url = back.build("tx-1", &WidgetEvent::PaymentFinished { payment_method: Some("card".into()) });
        assert_eq!(url.as_str(), "prooframp://return?v=1&tx=tx-1&event=payment_finished&payment_method=card");
        let parsed = back.parse(&url).expect("matches").expect("valid");
        assert_eq!(parsed, ("tx-1".into(), WidgetEvent::PaymentFinished { payment_method: Some("card".into()) }));
        for other in
            ["otherapp://return?v=1&tx=a&event=ready", "prooframp://elsewhere?v=1&tx=a&event=ready", "https://return/"]
        {
            assert!(back.parse(&Url::parse(other).expect("url")).is_none(), "{other}");
        }
        let bad = back.parse(&Url::parse("prooframp://return?v=1&event=ready").expect("url")).expect("matches");
        assert!(bad.is_err(), "no tx");
    }

    fn events() -> WidgetEventUrl {
        WidgetEventUrl::new(&Url::parse("https://ramp.partner.example/base/").expect("url")).expect("base")
    }

    #[test]
    fn every_event_round_trips() {
        let e = events();
        let all = [
            WidgetEvent::Ready,
            WidgetEvent::Status { status: "paid & done?".into(), payment_method: Some("card".into()) },
            WidgetEvent::Status { status: "kyc_pending".into(), payment_method: None },
            WidgetEvent::PaymentFinished { payment_method: None },
            WidgetEvent::SellTransferEnabled {
                amount: "1.5".into(),
                currency: "USDT".into(),
                network: "TRC20".into(),
                address: "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb".into(),
            },
            WidgetEvent::Close { reason: "expired".into() },
        ];
        for ev in all {
            let url = e.build("tx/1", &ev);
            assert_eq!(url.path(), "/app/widget-event");
            assert_eq!(e.parse(&url), Some(Ok(("tx/1".to_owned(), ev))));
        }
    }

    #[test]
    fn other_urls_are_not_events() {
        let e = events();
        for other in [
            "https://ramp.partner.example/w/abc",
            "https://evil.example/app/widget-event?v=1&tx=1&event=ready",
            "http://ramp.partner.example/app/widget-event?v=1&tx=1&event=ready",
        ] {
            assert_eq!(e.parse(&Url::parse(other).expect("url")), None, "{other}");
        }
    }

    #[test]
    fn malformed_events_are_errors_not_panics() {
        let e = events();
        for bad in ["?v=1&event=ready", "?v=1&tx=1", "?v=1&tx=1&event=explode", "?tx=1&event=status"] {
            let url = e.endpoint().join(bad).expect("url");
            assert!(matches!(e.parse(&url), Some(Err(_))), "{bad}");
        }
    }
}
