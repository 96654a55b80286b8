//! A sale's deposit hand-off: when the payment window shows a deposit address, the app checks
//! it (the sale's currency and network, read from the backend; a positive amount; an address
//! valid for the network) and only then offers it natively: amount, address, a QR code and a
//! wallet link. A deposit that fails a check is never offered as something to send to.

use base64::Engine;
use ramp_api::TxType;
use ramp_api::deposit::Deposit;
use serde::Serialize;

use super::shell::{Shell, UiEvent};
use super::{App, short};
use crate::{CoreError, ErrorKind, Result};

/// What the UI shows for a deposit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Handoff {
    /// The checked deposit.
    #[serde(flatten)]
    pub deposit: Deposit,
    /// A QR code of the wallet link (or of the bare address where the network has no link
    /// standard), as an SVG `data:` URL.
    pub qr: String,
}

impl Handoff {
    fn of(deposit: Deposit) -> Self {
        let text = deposit.wallet_link.clone().unwrap_or_else(|| deposit.address.clone());
        let qr = match qrcode::QrCode::new(text.as_bytes()) {
            Ok(code) => {
                let svg = code.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build();
                format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg))
            }
            Err(_) => String::new(),
        };
        Self { deposit, qr }
    }
}

impl<S: Shell> App<S> {
    /// The payment window reported a deposit address for sale `tx`: check it against the sale
    /// (read from the backend) and the network's rules, then offer it, or refuse it.
    pub(super) fn deposit_shown(&self, tx: &str, amount: &str, currency: &str, network: &str, address: &str) {
        let app = self.clone();
        let (tx, amount, currency, network, address) =
            (tx.to_owned(), amount.to_owned(), currency.to_owned(), network.to_owned(), address.to_owned());
        self.0.shell.spawn(Box::pin(async move {
            let sale = match app.0.client.transaction(&tx).await {
                Ok(sale) => sale,
                Err(e) => {
                    app.0.log.push("error", format!("could not check the deposit of {}: {}", short(&tx), e.message));
                    app.0.shell.emit(UiEvent::DepositRefused(tx));
                    return;
                }
            };
            let checked = if sale.tx_type == TxType::Sell {
                Deposit::check(&tx, &amount, &currency, &network, &address, &sale.currency, &sale.network)
                    .map_err(|e| e.to_string())
            } else {
                Err("the transaction is a purchase, not a sale".to_owned())
            };
            match checked {
                Ok(deposit) => {
                    app.0.log.push(
                        "app",
                        format!(
                            "deposit for {} checked: {} {} on {}",
                            short(&tx),
                            deposit.amount,
                            deposit.currency,
                            deposit.network
                        ),
                    );
                    app.state().deposits.insert(tx.clone(), Handoff::of(deposit));
                    app.0.shell.emit(UiEvent::Deposit(tx));
                }
                Err(why) => {
                    // The log redacts the address; the reason says which check failed.
                    app.0.log.push(
                        "error",
                        format!("refused the deposit shown for {}: {why} (address {address})", short(&tx)),
                    );
                    app.state().deposits.remove(&tx);
                    app.0.shell.emit(UiEvent::DepositRefused(tx));
                }
            }
        }));
    }

    /// The checked deposit of sale `tx`, if its payment window showed one.
    pub fn deposit(&self, tx: &str) -> Option<Handoff> {
        self.state().deposits.get(tx).cloned()
    }

    /// Open sale `tx`'s deposit in a wallet app, through its payment link.
    ///
    /// # Errors
    /// `no_wallet_link` when the network has no link standard (copy the address instead);
    /// `no_wallet_app` when no app on the phone takes the link.
    pub async fn open_in_wallet(&self, tx: &str) -> Result<()> {
        let link = self.deposit(tx).and_then(|h| h.deposit.wallet_link).and_then(|l| url::Url::parse(&l).ok());
        let Some(link) = link else {
            return Err(CoreError::coded(
                ErrorKind::App,
                "no_wallet_link",
                "This network has no standard payment link; copy the address into your wallet instead.",
            ));
        };
        self.0.log.push("app", format!("deposit of {} handed to a wallet app ({}:)", short(tx), link.scheme()));
        if self.0.shell.traits().no_browser {
            return Ok(());
        }
        self.0.shell.open_externally(link, false).await.map_err(|e| {
            CoreError::coded(
                ErrorKind::App,
                "no_wallet_app",
                format!(
                    "No app on this device opens this payment link ({e}); copy the address into your wallet instead."
                ),
            )
        })
    }
}
