//! Sandbox prices: a fixed table of fiat per crypto unit and a flat fee, in decimal arithmetic.

use std::str::FromStr;

use proof_api::{Amount, TxType};
use rust_decimal::{Decimal, RoundingStrategy};

/// Fiat (EUR) per unit of crypto. Not market data.
const PRICES: &[(&str, &str)] =
    &[("USDT", "0.92"), ("USDC", "0.92"), ("DAI", "0.92"), ("ETH", "3150"), ("BTC", "88000")];
/// The sandbox's fee: 1.5 %, added to a buy and taken from a sell.
const FEE: &str = "0.015";

/// Fiat amount for `amount` of `currency`, rounded to cents; `None` when the amount is not a
/// number the sandbox can price.
pub(crate) fn quote(tx_type: &TxType, currency: &str, amount: &Amount) -> Option<Amount> {
    let price = PRICES.iter().find(|(c, _)| *c == currency).map_or("1", |(_, p)| p);
    let price = Decimal::from_str(price).ok()?;
    let fee = Decimal::from_str(FEE).ok()?;
    let crypto = Decimal::from_str(amount.as_str()).ok()?;
    let factor = if *tx_type == TxType::Sell { Decimal::ONE - fee } else { Decimal::ONE + fee };
    let fiat = crypto.checked_mul(price)?.checked_mul(factor)?;
    let fiat = fiat.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    Amount::parse(&format!("{fiat:.2}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_in_cents() {
        let a = Amount::parse("100").ok();
        let q = a.and_then(|a| quote(&TxType::Buy, "USDT", &a));
        assert_eq!(q.as_ref().map(Amount::as_str), Some("93.38"));
        let s = Amount::parse("0.5").ok().and_then(|a| quote(&TxType::Sell, "ETH", &a));
        assert_eq!(s.as_ref().map(Amount::as_str), Some("1551.38"));
    }
}
