//! A sale's deposit: what the widget asks the user to send (`onSellTransferEnabled`), checked
//! before the app shows it as something to send to, and the payment link a wallet app opens.
//!
//! The app never shows an address or an amount it could not check: the currency and network
//! must be the sale's, the amount a positive decimal, and the address valid for that network by
//! the project's own rules ([`crate::address`]).

use serde::Serialize;

use crate::Amount;
use crate::address::{self, AddressError};

/// A deposit the app may show as something to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Deposit {
    /// The sale (`merchant_transaction_id`).
    pub tx: String,
    /// The exact amount to send, as the widget gave it.
    pub amount: String,
    /// The currency to send.
    pub currency: String,
    /// The network to send it on.
    pub network: String,
    /// The address to send to, normalised.
    pub address: String,
    /// A payment link a wallet app opens with everything filled in, where the network has a
    /// standard one (EIP-681 on Ethereum and BNB Smart Chain, BIP-21 on Bitcoin); `None`
    /// elsewhere (TRON has none).
    pub wallet_link: Option<String>,
}

/// Why a deposit is not shown.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DepositError {
    /// The deposit names another currency or network than the sale.
    #[error("the deposit is {got}, but the sale is {want}")]
    NotTheSale {
        /// `CURRENCY on NETWORK` of the event.
        got: String,
        /// `CURRENCY on NETWORK` of the sale.
        want: String,
    },
    /// The amount is not a positive decimal.
    #[error("the deposit amount {0:?} is not a positive number")]
    BadAmount(String),
    /// The address is not one of the network's.
    #[error("the deposit address is not a valid {network} address ({why})")]
    BadAddress {
        /// The network.
        network: String,
        /// What the reader found.
        why: AddressError,
    },
}

/// ERC-20 and BEP-20 tokens with a standard transfer link: currency, network, contract,
/// decimals.
const TOKENS: &[(&str, &str, &str, u32)] = &[
    ("USDT", "ERC20", "0xdAC17F958D2ee523a2206206994597C13D831ec7", 6),
    ("USDC", "ERC20", "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48", 6),
    ("USDT", "BEP20", "0x55d398326f99059fF775485246999027B3197955", 18),
    ("USDC", "BEP20", "0x8AC76a51cc950d9822D68b83fE1Ad97B32Cd580d", 18),
];

/// Native coins of EVM networks: currency, network, decimals.
const COINS: &[(&str, &str, u32)] = &[("ETH", "ERC20", 18), ("BNB", "BEP20", 18)];

impl Deposit {
    /// Check what the widget reported for sale `tx`, which is of `sale_currency` on
    /// `sale_network`.
    ///
    /// # Errors
    /// A [`DepositError`] saying which check failed (for the log; the user is told to contact
    /// support).
    pub fn check(
        tx: &str,
        amount: &str,
        currency: &str,
        network: &str,
        address_text: &str,
        sale_currency: &str,
        sale_network: &str,
    ) -> Result<Self, DepositError> {
        let same = |a: &str, b: &str| a.trim().eq_ignore_ascii_case(b.trim());
        if !same(currency, sale_currency) || !same(network, sale_network) {
            return Err(DepositError::NotTheSale {
                got: format!("{currency} on {network}"),
                want: format!("{sale_currency} on {sale_network}"),
            });
        }
        let bad_amount = || DepositError::BadAmount(amount.to_owned());
        let parsed = Amount::parse(amount.trim()).map_err(|_| bad_amount())?;
        if parsed.is_zero() {
            return Err(bad_amount());
        }
        let bad_address = |why| DepositError::BadAddress { network: sale_network.to_owned(), why };
        // A bare address only: a payment link would bring its own amount and chain.
        if address_text.contains(':') || address_text.contains('?') {
            return Err(bad_address(AddressError::Unrecognized));
        }
        let scanned = address::parse(address_text, sale_network).map_err(bad_address)?;
        let (currency, network) = (sale_currency.trim().to_ascii_uppercase(), sale_network.trim().to_ascii_uppercase());
        let wallet_link = wallet_link(&currency, &network, &scanned.address, parsed.as_str());
        Ok(Self {
            tx: tx.to_owned(),
            amount: parsed.as_str().to_owned(),
            currency,
            network,
            address: scanned.address,
            wallet_link,
        })
    }
}

/// The payment link for `amount` of `currency` on `network` to `to`, where there is a standard.
fn wallet_link(currency: &str, network: &str, to: &str, amount: &str) -> Option<String> {
    if (currency, network) == ("BTC", "BITCOIN") {
        return Some(format!("bitcoin:{to}?amount={amount}"));
    }
    let chain = match network {
        "ERC20" => 1,
        "BEP20" => 56,
        _ => return None,
    };
    if let Some(&(_, _, decimals)) = COINS.iter().find(|(c, n, _)| *c == currency && *n == network) {
        let value = base_units(amount, decimals)?;
        return Some(format!("ethereum:{to}@{chain}?value={value}"));
    }
    let &(_, _, contract, decimals) = TOKENS.iter().find(|(c, n, _, _)| *c == currency && *n == network)?;
    let units = base_units(amount, decimals)?;
    Some(format!("ethereum:{contract}@{chain}/transfer?address={to}&uint256={units}"))
}

/// `amount` (a decimal) in the smallest unit of a currency with `decimals` places; `None` when
/// it has more places than the currency (no exact link can be made).
fn base_units(amount: &str, decimals: u32) -> Option<String> {
    let (whole, fraction) = amount.split_once('.').unwrap_or((amount, ""));
    let places = usize::try_from(decimals).ok()?;
    if fraction.len() > places || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{whole}{fraction:0<places$}");
    let trimmed = digits.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0".to_owned() } else { trimmed.to_owned() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRON: &str = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
    const EVM: &str = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    const BTC: &str = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

    fn check(amount: &str, currency: &str, network: &str, address: &str) -> Result<Deposit, DepositError> {
        Deposit::check("t1", amount, currency, network, address, currency, network)
    }

    #[test]
    fn each_network_gets_its_standard_link_or_none() {
        let usdt = check("25", "USDT", "ERC20", EVM).expect("valid");
        assert_eq!(
            usdt.wallet_link.as_deref(),
            Some(
                "ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7@1/transfer?address=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed&uint256=25000000"
            )
        );
        let bep = check("1.5", "USDT", "BEP20", EVM).expect("valid");
        assert_eq!(
            bep.wallet_link.as_deref(),
            Some(
                "ethereum:0x55d398326f99059fF775485246999027B3197955@56/transfer?address=0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed&uint256=1500000000000000000"
            )
        );
        let eth = check("0.01", "ETH", "ERC20", EVM).expect("valid");
        assert_eq!(
            eth.wallet_link.as_deref(),
            Some("ethereum:0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed@1?value=10000000000000000")
        );
        let btc = check("0.0005", "BTC", "BITCOIN", BTC).expect("valid");
        assert_eq!(
            btc.wallet_link.as_deref(),
            Some("bitcoin:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq?amount=0.0005")
        );
        assert_eq!(check("25", "USDT", "TRC20", TRON).expect("valid").wallet_link, None, "TRON has no standard");
    }

    #[test]
    fn an_amount_finer_than_the_currency_gets_no_link() {
        let d = check("1.1234567", "USDT", "ERC20", EVM).expect("a valid deposit");
        assert_eq!(d.wallet_link, None, "USDT on Ethereum has 6 places");
        assert_eq!(base_units("0.000001", 6).as_deref(), Some("1"));
        assert_eq!(base_units("10", 6).as_deref(), Some("10000000"));
    }

    #[test]
    fn what_cannot_be_checked_is_refused() {
        let refused = [
            Deposit::check("t1", "25", "USDC", "ERC20", EVM, "USDT", "ERC20"),
            Deposit::check("t1", "25", "USDT", "BEP20", EVM, "USDT", "ERC20"),
            check("0", "USDT", "TRC20", TRON),
            check("-5", "USDT", "TRC20", TRON),
            check("lots", "USDT", "TRC20", TRON),
            check("25", "USDT", "TRC20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6"),
            check("25", "USDT", "TRC20", EVM),
            check("25", "USDT", "ERC20", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"),
            check("25", "USDT", "ERC20", &format!("ethereum:{EVM}")),
            check("25", "BTC", "BITCOIN", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"),
            check("25", "USDT", "TRC20", ""),
        ];
        for (i, r) in refused.iter().enumerate() {
            assert!(r.is_err(), "case {i}: {r:?}");
        }
        assert!(matches!(refused[0], Err(DepositError::NotTheSale { .. })));
        assert!(matches!(refused[2], Err(DepositError::BadAmount(_))));
        assert!(matches!(refused[5], Err(DepositError::BadAddress { .. })));
    }
}
