//! Small pieces the configuration and the rest of the backend share.

use std::str::FromStr;

use proof_api::Amount;
use rust_decimal::Decimal;
use url::Url;

pub(super) fn literal_amount(s: &str) -> Amount {
    Amount::parse(s).expect("a literal decimal")
}

/// An amount as a number for comparisons; unparsable amounts compare as zero.
pub(crate) fn decimal(a: &Amount) -> Decimal {
    Decimal::from_str(a.as_str()).unwrap_or_default()
}

pub(super) fn is_local(u: &Url) -> bool {
    matches!(u.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"))
}

/// Currency and network symbols: 2–16 capitals and digits.
pub(crate) fn valid_symbol(s: &str) -> bool {
    (2..=16).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The host's name, the process id and a random suffix: unique per running process, and
/// readable in logs and in the database's `watch_holder` column.
pub(super) fn default_instance_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(24).collect::<String>())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "backend".to_owned());
    format!("{host}-{}-{:04x}", std::process::id(), rand::random::<u16>())
}
