//! Format checks for user-supplied destination addresses, per network, with real decoders
//! (base58check for Tron and legacy Bitcoin, bech32 for SegWit, EIP-55 for EVM checksums).
//! A valid format does not prove the address is the user's; it catches typos and wrong networks.

use sha3::{Digest, Keccak256};

/// Check `address` for `network`; the message says what is wrong.
pub(crate) fn validate(network: &str, address: &str) -> Result<(), String> {
    if address.len() > 128 || address.chars().any(char::is_whitespace) {
        return Err("the address has spaces or is far too long".into());
    }
    match network {
        "TRC20" => tron(address),
        "ERC20" | "BEP20" | "POLYGON" | "ARBITRUM" | "OPTIMISM" | "BASE" => evm(address),
        "BITCOIN" | "BTC" => bitcoin(address),
        _ => Ok(()), // networks this backend does not know: Proof validates them
    }
}

fn tron(a: &str) -> Result<(), String> {
    let bytes =
        bs58::decode(a).with_check(None).into_vec().map_err(|_| "not a Tron address (bad checksum)".to_owned())?;
    if bytes.len() != 21 || bytes[0] != 0x41 {
        return Err("not a Tron mainnet address (should start with T)".into());
    }
    Ok(())
}

fn evm(a: &str) -> Result<(), String> {
    let hex_part = a.strip_prefix("0x").ok_or("an EVM address starts with 0x")?;
    if hex_part.len() != 40 || !hex_part.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("an EVM address is 0x followed by 40 hexadecimal characters".into());
    }
    let mixed = hex_part.bytes().any(|b| b.is_ascii_lowercase()) && hex_part.bytes().any(|b| b.is_ascii_uppercase());
    if mixed {
        let hash = Keccak256::digest(hex_part.to_ascii_lowercase().as_bytes());
        for (i, c) in hex_part.chars().enumerate() {
            let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
            if c.is_ascii_alphabetic() && c.is_ascii_uppercase() != (nibble >= 8) {
                return Err("the address checksum (capital letters) does not match; copy it again".into());
            }
        }
    }
    Ok(())
}

fn bitcoin(a: &str) -> Result<(), String> {
    if a.to_ascii_lowercase().starts_with("bc1") {
        return bech32::segwit::decode(a)
            .map_err(|_| "not a valid bc1 address".to_owned())
            .and_then(|(hrp, _, _)| if hrp == bech32::hrp::BC { Ok(()) } else { Err("not a mainnet address".into()) });
    }
    let bytes =
        bs58::decode(a).with_check(None).into_vec().map_err(|_| "not a Bitcoin address (bad checksum)".to_owned())?;
    match (bytes.len(), bytes.first()) {
        (21, Some(0x00 | 0x05)) => Ok(()),
        _ => Err("not a Bitcoin mainnet address".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::validate;

    #[test]
    fn accepts_real_addresses() {
        for (net, addr) in [
            ("TRC20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
            ("ERC20", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
            ("BEP20", "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"),
            ("BITCOIN", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
            ("BITCOIN", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
            ("BITCOIN", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
        ] {
            assert_eq!(validate(net, addr), Ok(()), "{net} {addr}");
        }
    }

    #[test]
    fn rejects_typos_and_wrong_networks() {
        for (net, addr) in [
            ("TRC20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u"),
            ("TRC20", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"),
            ("ERC20", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"),
            ("ERC20", "0x123"),
            ("BITCOIN", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx"),
            ("BITCOIN", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"),
            ("ERC20", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1 eAed"),
        ] {
            assert!(validate(net, addr).is_err(), "{net} {addr} was accepted");
        }
    }
}
