//! Wallet addresses and payment links, read the same way by the app (scanned or pasted text) and
//! by the backend (the address a session carries): plain addresses, `bitcoin:` (BIP-21),
//! `ethereum:` (EIP-681) and `tron:` links, checked with real decoders — base58check for TRON and
//! legacy Bitcoin, bech32/bech32m for SegWit (BIP-173, BIP-350), EIP-55 for mixed-case EVM
//! addresses — and against the network the user chose.
//!
//! A valid address is not proof that it belongs to the user; this catches typos, truncated scans
//! and the wrong network before any money moves.

use serde::Serialize;
use sha3::{Digest, Keccak256};

/// Longest text accepted (a payment link with a long label still fits; a paragraph does not).
pub const MAX_INPUT: usize = 512;

/// A chain family, as far as an address shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chain {
    /// TRON (TRC20).
    Tron,
    /// An EVM chain; `chain_id` when a payment link names it.
    Evm {
        /// EIP-155 chain id from an `ethereum:` link.
        chain_id: Option<u64>,
    },
    /// Bitcoin mainnet.
    Bitcoin,
}

impl Chain {
    /// "a TRON address (TRC20)", for messages.
    fn describe(self) -> String {
        match self {
            Chain::Tron => "a TRON address (TRC20)".into(),
            Chain::Bitcoin => "a Bitcoin address".into(),
            Chain::Evm { chain_id: Some(id) } => match network_of_chain(id) {
                Some(n) => format!("a payment link for chain {id} ({n})"),
                None => format!("a payment link for EVM chain {id}"),
            },
            Chain::Evm { chain_id: None } => "an Ethereum-format address (ERC20, BEP20)".into(),
        }
    }
}

/// What a scan or paste yielded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Scanned {
    /// The address, normalised (bech32 in lower case; EVM and TRON as written).
    pub address: String,
    /// The networks of this app the address fits, e.g. `["ERC20", "BEP20"]`.
    pub networks: Vec<String>,
    /// An amount the payment link asks for, as a decimal string in [`Scanned::amount_unit`];
    /// `None` when there is none or it is in a token's raw units.
    pub amount: Option<String>,
    /// The coin `amount` is in (`BTC`, `ETH`, `BNB`, `TRX`), when known. Pre-fill the amount only
    /// when this is the currency being bought.
    pub amount_unit: Option<String>,
}

type Read = (String, Chain, Option<String>, Option<&'static str>);

/// Why a text is not a usable address for the chosen network. Messages are for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Nothing was read.
    #[error("Nothing to read: scan or paste a wallet address.")]
    Empty,
    /// Far longer than any address or payment link.
    #[error("This is too long to be a wallet address or payment link ({0} characters).")]
    TooLong(usize),
    /// A valid address of another network.
    #[error("This is {detected}, but {selected} is selected. Choose the matching network or use a {selected} address.")]
    WrongNetwork {
        /// What the address is.
        detected: String,
        /// What the user chose.
        selected: String,
    },
    /// The checksum does not match: a typo or a damaged scan.
    #[error("This {network} address has a typo: its checksum does not match. Scan or copy it again.")]
    BadChecksum {
        /// The network it looks like.
        network: &'static str,
    },
    /// Shorter than any address of that kind.
    #[error("This {network} address is cut off. Scan or copy the whole address.")]
    Truncated {
        /// The network it looks like.
        network: &'static str,
    },
    /// A test-network address.
    #[error("This is a {network} test-network address; use a mainnet address.")]
    Testnet {
        /// The network.
        network: &'static str,
    },
    /// The link requires something this app cannot do (`req-*` in BIP-21, Lightning, ENS names).
    #[error("This payment link needs {0}, which this app does not support. Use a plain address.")]
    Unsupported(String),
    /// The link's amount is not a number.
    #[error("This payment link has an invalid amount ({0}).")]
    BadAmount(String),
    /// Not an address of any network this app knows.
    #[error("This is not a wallet address this app recognises. Check that you scanned the receiving address.")]
    Unrecognized,
}

impl AddressError {
    /// The sentence in `lang` (the `Display` text is the English one).
    pub fn message(&self, lang: crate::i18n::Lang) -> String {
        let m = crate::i18n::messages();
        match self {
            Self::Empty => m.text(lang, "address.empty", &[]),
            Self::TooLong(n) => m.text(lang, "address.too_long", &[("length", &n.to_string())]),
            Self::WrongNetwork { detected, selected } => {
                m.text(lang, "address.wrong_network", &[("detected", detected), ("selected", selected)])
            }
            Self::BadChecksum { network } => m.text(lang, "address.checksum", &[("network", network)]),
            Self::Truncated { network } => m.text(lang, "address.truncated", &[("network", network)]),
            Self::Testnet { network } => m.text(lang, "address.testnet", &[("network", network)]),
            Self::Unsupported(what) => m.text(lang, "address.unsupported", &[("what", what)]),
            Self::BadAmount(amount) => m.text(lang, "address.bad_amount", &[("amount", amount)]),
            Self::Unrecognized => m.text(lang, "address.unrecognized", &[]),
        }
    }
}

/// The chain family of a network name of this app (`TRC20`, `ERC20`, `BEP20`, `BITCOIN`, …), with
/// its EVM chain id.
fn chain_of_network(network: &str) -> Option<Chain> {
    let evm = |id| Some(Chain::Evm { chain_id: Some(id) });
    match network.to_ascii_uppercase().as_str() {
        "TRC20" | "TRON" => Some(Chain::Tron),
        "BITCOIN" | "BTC" => Some(Chain::Bitcoin),
        "ERC20" | "ETHEREUM" => evm(1),
        "BEP20" | "BSC" => evm(56),
        "POLYGON" => evm(137),
        "ARBITRUM" => evm(42_161),
        "OPTIMISM" => evm(10),
        "BASE" => evm(8_453),
        _ => None,
    }
}

fn network_of_chain(id: u64) -> Option<&'static str> {
    Some(match id {
        1 => "ERC20",
        56 => "BEP20",
        137 => "POLYGON",
        42_161 => "ARBITRUM",
        10 => "OPTIMISM",
        8_453 => "BASE",
        _ => return None,
    })
}

fn networks_for(chain: Chain) -> Vec<String> {
    match chain {
        Chain::Tron => vec!["TRC20".into()],
        Chain::Bitcoin => vec!["BITCOIN".into()],
        Chain::Evm { chain_id: Some(id) } => network_of_chain(id).map(|n| vec![n.to_owned()]).unwrap_or_default(),
        Chain::Evm { chain_id: None } => vec!["ERC20".into(), "BEP20".into()],
    }
}

/// Read scanned or pasted `text` (an address or a payment link) for the network `selected`.
///
/// # Errors
/// An [`AddressError`] whose message tells the user what to do.
pub fn parse(text: &str, selected: &str) -> Result<Scanned, AddressError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AddressError::Empty);
    }
    let chars = text.chars().count();
    if chars > MAX_INPUT {
        return Err(AddressError::TooLong(chars));
    }
    let (address, chain, amount, unit) = match text.split_once(':') {
        Some((scheme, rest)) => match scheme.to_ascii_lowercase().as_str() {
            "bitcoin" => bip21(rest)?,
            "ethereum" => eip681(rest)?,
            "tron" => tron_link(rest)?,
            _ => return Err(AddressError::Unrecognized),
        },
        None => {
            let (a, c) = plain(text)?;
            (a, c, None, None)
        }
    };
    if let Some(want) = chain_of_network(selected) {
        let fits = match (want, chain) {
            (Chain::Evm { chain_id: Some(w) }, Chain::Evm { chain_id: Some(got) }) => w == got,
            (Chain::Evm { .. }, Chain::Evm { .. }) => true,
            (w, c) => w == c,
        };
        if !fits {
            return Err(AddressError::WrongNetwork { detected: chain.describe(), selected: selected.to_owned() });
        }
    }
    let amount_unit = amount.as_ref().and(unit).map(str::to_owned);
    Ok(Scanned { address, networks: networks_for(chain), amount, amount_unit })
}

/// Check an address the backend received for `network` (no links, no amounts). Networks this
/// module does not know pass (Proof validates them).
///
/// # Errors
/// As [`parse`].
pub fn validate(network: &str, address: &str) -> Result<(), AddressError> {
    if address.contains(':') {
        return Err(AddressError::Unsupported("a payment link instead of an address".into()));
    }
    // Sent as is to Proof, so no whitespace at all (`parse` would forgive it around a paste).
    if address.chars().any(char::is_whitespace) {
        return Err(AddressError::Unrecognized);
    }
    match parse(address, network) {
        Ok(_) => Ok(()),
        Err(AddressError::Unrecognized) if chain_of_network(network).is_none() => Ok(()),
        Err(e) => Err(e),
    }
}

/// A bare address: which chain, checksums verified.
fn plain(a: &str) -> Result<(String, Chain), AddressError> {
    if a.chars().any(char::is_whitespace) {
        return Err(AddressError::Unrecognized);
    }
    if let Some(hex) = a.strip_prefix("0x").or_else(|| a.strip_prefix("0X")) {
        return evm(hex).map(|()| (a.to_owned(), Chain::Evm { chain_id: None }));
    }
    let lower = a.to_ascii_lowercase();
    if lower.starts_with("bc1") || lower.starts_with("tb1") || lower.starts_with("bcrt1") {
        return segwit(a).map(|s| (s, Chain::Bitcoin));
    }
    if a.starts_with('T') {
        return tron(a).map(|()| (a.to_owned(), Chain::Tron));
    }
    if a.starts_with(['1', '3', 'm', 'n', '2']) {
        return base58_bitcoin(a).map(|()| (a.to_owned(), Chain::Bitcoin));
    }
    Err(AddressError::Unrecognized)
}

fn evm(hex: &str) -> Result<(), AddressError> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AddressError::Unrecognized);
    }
    match hex.len() {
        40 => {}
        n if n < 40 => return Err(AddressError::Truncated { network: "Ethereum-format" }),
        _ => return Err(AddressError::Unrecognized),
    }
    let mixed = hex.bytes().any(|b| b.is_ascii_lowercase()) && hex.bytes().any(|b| b.is_ascii_uppercase());
    if mixed {
        // EIP-55: a letter is upper case exactly when its nibble of keccak256(lowercase hex) is >= 8.
        let hash = Keccak256::digest(hex.to_ascii_lowercase().as_bytes());
        for (i, c) in hex.chars().enumerate() {
            let nibble = (hash[i / 2] >> if i % 2 == 0 { 4 } else { 0 }) & 0x0f;
            if c.is_ascii_alphabetic() && c.is_ascii_uppercase() != (nibble >= 8) {
                return Err(AddressError::BadChecksum { network: "Ethereum-format" });
            }
        }
    }
    Ok(())
}

fn is_base58(a: &str) -> bool {
    a.bytes().all(|b| b.is_ascii_alphanumeric() && !matches!(b, b'0' | b'O' | b'I' | b'l'))
}

fn tron(a: &str) -> Result<(), AddressError> {
    if !is_base58(a) {
        return Err(AddressError::Unrecognized);
    }
    match a.len() {
        34 => {}
        n if n < 34 => return Err(AddressError::Truncated { network: "TRON" }),
        _ => return Err(AddressError::Unrecognized),
    }
    let bytes =
        bs58::decode(a).with_check(None).into_vec().map_err(|_| AddressError::BadChecksum { network: "TRON" })?;
    if bytes.len() != 21 || bytes[0] != 0x41 {
        return Err(AddressError::Unrecognized);
    }
    Ok(())
}

fn base58_bitcoin(a: &str) -> Result<(), AddressError> {
    if !is_base58(a) {
        return Err(AddressError::Unrecognized);
    }
    if a.len() < 26 {
        return Err(AddressError::Truncated { network: "Bitcoin" });
    }
    if a.len() > 35 {
        return Err(AddressError::Unrecognized);
    }
    let bytes =
        bs58::decode(a).with_check(None).into_vec().map_err(|_| AddressError::BadChecksum { network: "Bitcoin" })?;
    match (bytes.len(), bytes.first()) {
        (21, Some(0x00 | 0x05)) => Ok(()),
        (21, Some(0x6f | 0xc4)) => Err(AddressError::Testnet { network: "Bitcoin" }),
        _ => Err(AddressError::Unrecognized),
    }
}

/// A SegWit address (BIP-173 bech32 for version 0, BIP-350 bech32m for 1 to 16), lower-cased.
fn segwit(a: &str) -> Result<String, AddressError> {
    use bech32::primitives::decode::{SegwitHrpstring, SegwitHrpstringError};
    // Checks the witness version, the program length, and the checksum each version requires.
    match SegwitHrpstring::new(a) {
        Ok(s) if s.hrp() == bech32::hrp::BC => Ok(a.to_ascii_lowercase()),
        Ok(_) => Err(AddressError::Testnet { network: "Bitcoin" }),
        Err(SegwitHrpstringError::Checksum(_)) if a.len() < 42 => Err(AddressError::Truncated { network: "Bitcoin" }),
        Err(SegwitHrpstringError::Checksum(_)) => Err(AddressError::BadChecksum { network: "Bitcoin" }),
        Err(_) => Err(AddressError::Unrecognized),
    }
}

/// Query pairs, percent-decoded.
fn query(q: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(q.as_bytes()).map(|(k, v)| (k.into_owned(), v.into_owned())).collect()
}

/// A plain decimal amount (`0.01`, `25`), as written.
fn decimal(v: &str) -> Result<String, AddressError> {
    let ok = !v.is_empty()
        && v.len() <= 40
        && v.split_once('.').map_or(v.bytes().all(|b| b.is_ascii_digit()), |(i, f)| {
            !i.is_empty()
                && !f.is_empty()
                && i.bytes().all(|b| b.is_ascii_digit())
                && f.bytes().all(|b| b.is_ascii_digit())
        });
    if ok { Ok(v.to_owned()) } else { Err(AddressError::BadAmount(v.chars().take(40).collect())) }
}

/// BIP-21: `bitcoin:<address>[?amount=…&label=…&message=…]`; `req-*` parameters must be understood.
fn bip21(rest: &str) -> Result<Read, AddressError> {
    let (addr, q) = rest.split_once('?').unwrap_or((rest, ""));
    let params = query(q);
    if let Some((k, _)) = params.iter().find(|(k, _)| k.starts_with("req-")) {
        return Err(AddressError::Unsupported(format!("\"{k}\"")));
    }
    if addr.is_empty() {
        let lightning = params.iter().any(|(k, _)| k.eq_ignore_ascii_case("lightning"));
        return Err(if lightning {
            AddressError::Unsupported("a Lightning payment".into())
        } else {
            AddressError::Unrecognized
        });
    }
    let (address, chain) = plain(addr)?;
    if chain != Chain::Bitcoin {
        return Err(AddressError::Unrecognized);
    }
    let amount = params.iter().find(|(k, _)| k == "amount").map(|(_, v)| decimal(v)).transpose()?;
    Ok((address, chain, amount, Some("BTC")))
}

/// EIP-681: `ethereum:[pay-]<address>[@<chain id>][/<function>][?<parameters>]`. A native
/// transfer's `value` is in wei (scientific notation allowed); a token `transfer` names the
/// recipient in `address` (its `uint256` is in the token's raw units, so no amount is taken).
fn eip681(rest: &str) -> Result<Read, AddressError> {
    let rest = rest.strip_prefix("pay-").unwrap_or(rest);
    let (path, q) = rest.split_once('?').unwrap_or((rest, ""));
    let (target, function) = path.split_once('/').map_or((path, None), |(t, f)| (t, Some(f)));
    let (target, chain_id) = match target.split_once('@') {
        Some((t, id)) => {
            let id = id.parse::<u64>().map_err(|_| AddressError::Unsupported(format!("chain id \"{id}\"")))?;
            (t, Some(id))
        }
        None => (target, None),
    };
    if !target.starts_with("0x") && !target.starts_with("0X") {
        return Err(AddressError::Unsupported("an ENS name".into()));
    }
    let params = query(q);
    let chain = Chain::Evm { chain_id };
    match function {
        None => {
            let hex = &target[2..];
            evm(hex)?;
            let amount = params.iter().find(|(k, _)| k == "value").map(|(_, v)| wei_to_ether(v)).transpose()?;
            let unit = match chain_id {
                None | Some(1) => Some("ETH"),
                Some(56) => Some("BNB"),
                Some(_) => None,
            };
            Ok((target.to_owned(), chain, amount, unit))
        }
        Some("transfer") => {
            evm(&target[2..])?;
            let to = params
                .iter()
                .find(|(k, _)| k == "address")
                .map(|(_, v)| v.clone())
                .ok_or_else(|| AddressError::Unsupported("a token transfer without a recipient".into()))?;
            let hex = to.strip_prefix("0x").or_else(|| to.strip_prefix("0X")).ok_or(AddressError::Unrecognized)?;
            evm(hex)?;
            Ok((to, chain, None, None))
        }
        Some(f) => Err(AddressError::Unsupported(format!("a contract call (\"{f}\")"))),
    }
}

/// `value` of EIP-681 (wei: `2014000000000000000` or `2.014e18`) as ether, exactly.
fn wei_to_ether(v: &str) -> Result<String, AddressError> {
    let bad = || AddressError::BadAmount(v.chars().take(40).collect());
    let (mantissa, exp) = match v.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().map_err(|_| bad())?),
        None => (v, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if !(0..=77).contains(&exp) || int.len() + frac.len() > 80 {
        return Err(bad());
    }
    // value = digits × 10^(exp − frac.len()); ether = value × 10^−18.
    let digits = format!("{int}{frac}");
    let shift = exp - i32::try_from(frac.len()).map_err(|_| bad())? - 18;
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return Ok("0".into());
    }
    let (whole, fraction) = if shift >= 0 {
        (format!("{digits}{}", "0".repeat(shift.unsigned_abs() as usize)), String::new())
    } else {
        let point = shift.unsigned_abs() as usize;
        if digits.len() > point {
            (digits[..digits.len() - point].to_owned(), digits[digits.len() - point..].to_owned())
        } else {
            ("0".to_owned(), format!("{}{digits}", "0".repeat(point - digits.len())))
        }
    };
    let fraction = fraction.trim_end_matches('0');
    Ok(if fraction.is_empty() { whole } else { format!("{whole}.{fraction}") })
}

/// `tron:<address>[?amount=…]` (the form TRON wallets use).
fn tron_link(rest: &str) -> Result<Read, AddressError> {
    let (addr, q) = rest.split_once('?').unwrap_or((rest, ""));
    tron(addr)?;
    let amount = query(q).into_iter().find(|(k, _)| k == "amount").map(|(_, v)| decimal(&v)).transpose()?;
    Ok((addr.to_owned(), Chain::Tron, amount, Some("TRX")))
}
