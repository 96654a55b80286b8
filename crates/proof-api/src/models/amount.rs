//! Decimal amounts as Proof writes them: `"100"`, `"99.50"`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A decimal amount carried as a string, exactly as it appears on the wire.
///
/// Build one for a request with [`Amount::parse`], which accepts plain non-negative decimals
/// (`"100"`, `"99.50"`). Values read from Proof are kept verbatim, even in a format this crate
/// would not produce, so they can be passed through unchanged.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Amount(String);

/// Why a string is not an [`Amount`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AmountError {
    /// The string was empty.
    #[error("the amount is empty; write it as a decimal string such as \"99.50\"")]
    Empty,
    /// The string is not digits with an optional `.` and fraction.
    #[error("{0:?} is not a decimal amount; write digits with an optional fraction, such as \"99.50\"")]
    NotDecimal(String),
    /// More than 40 characters: no currency needs that, so it is treated as garbage.
    #[error("the amount is longer than 40 characters")]
    TooLong,
}

impl Amount {
    /// Parse a decimal string such as `"100"` or `"99.50"`.
    ///
    /// # Errors
    /// [`AmountError`] when the string is empty, too long, signed, uses an exponent or has
    /// anything but digits and one `.` between digits.
    pub fn parse(s: &str) -> Result<Self, AmountError> {
        if s.is_empty() {
            return Err(AmountError::Empty);
        }
        if s.len() > 40 {
            return Err(AmountError::TooLong);
        }
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| !digits(f)) {
            return Err(AmountError::NotDecimal(s.to_owned()));
        }
        Ok(Self(s.to_owned()))
    }

    /// Wrap a value received from Proof without validating it.
    pub(crate) fn from_wire(s: String) -> Self {
        Self(s)
    }

    /// The amount as written on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether every digit is zero (`"0"`, `"0.00"`).
    pub fn is_zero(&self) -> bool {
        self.0.bytes().all(|b| b == b'0' || b == b'.')
    }
}

impl FromStr for Amount {
    type Err = AmountError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_decimals() {
        for ok in ["0", "100", "99.50", "0.00000001"] {
            assert_eq!(Amount::parse(ok).map(|a| a.to_string()), Ok(ok.to_owned()));
        }
    }

    #[test]
    fn rejects_everything_else() {
        for bad in ["", "-1", "+1", "1e5", "1.", ".5", "1.2.3", "1,5", " 1", "NaN", &"9".repeat(41)] {
            assert!(Amount::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn zero_detection() {
        assert!(Amount::parse("0.000").is_ok_and(|a| a.is_zero()));
        assert!(Amount::parse("0.001").is_ok_and(|a| !a.is_zero()));
    }
}
