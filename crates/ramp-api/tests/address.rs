//! Addresses and payment links against published test vectors (BIP-173, BIP-350, EIP-55), real
//! TRON and Bitcoin addresses, payment links, and bad input of every kind.

use ramp_api::address::{AddressError, MAX_INPUT, parse, validate};

/// BIP-350's valid mainnet SegWit addresses (version 0 in bech32, versions 1–16 in bech32m).
const BIP350_VALID_MAINNET: &[&str] = &[
    "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
    "BC1SW50QGDZ25J",
    "bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
];

/// BIP-350's valid testnet addresses: valid, but not for mainnet.
const BIP350_VALID_TESTNET: &[&str] = &[
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
    "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
    "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
];

/// BIP-350's invalid addresses (wrong hrp, bech32 where bech32m is required and the reverse,
/// bad characters, versions, program lengths, mixed case, padding, empty data).
const BIP350_INVALID: &[&str] = &[
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",
    "bc1pw5dgrnzv",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
    "bc1gmk9yu",
];

/// BIP-173's invalid addresses, and its version-1+ examples, which BIP-350 made invalid (they
/// use bech32, not bech32m).
const BIP173_INVALID: &[&str] = &[
    "tc1qw508d6qejxtdg4y5r3zarvary0c5xw7kg3g4ty",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",
    "BC13W508D6QEJXTDG4Y5R3ZARVARY0C5XW7KN40WF2",
    "bc1rw5uspcuh",
    "bc10w508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kw5rljs90",
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sL5k7",
    "bc1zw508d6qejxtdg4y5r3zarvaryvqyzf3du",
    "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3pjxtptv",
    "bc1gmk9yu",
    "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx",
    "BC1SW50QA3JX3S",
    "bc1zw508d6qejxtdg4y5r3zarvaryvg6kdaj",
];

/// EIP-55's examples: mixed case (checksummed), all upper, all lower.
const EIP55: &[&str] = &[
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
];

/// Real TRON mainnet addresses: the USDT (TRC20) contract, wrapped TRX, and the all-zero
/// account (`41` followed by twenty zero bytes, base58check).
const TRON: &[&str] =
    &["TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "TNUC9Qb1rRpS5CbWLmNMxXBjyFoydXjWFR", "T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb"];

/// Real Bitcoin mainnet base58 addresses (P2PKH, P2SH).
const BITCOIN_BASE58: &[&str] = &["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"];

#[test]
fn bip350_valid_mainnet_addresses_are_bitcoin() {
    for a in BIP350_VALID_MAINNET {
        let s = parse(a, "BITCOIN").unwrap_or_else(|e| panic!("{a}: {e}"));
        assert_eq!(s.address, a.to_ascii_lowercase(), "normalised to lower case");
        assert_eq!(s.networks, ["BITCOIN"]);
        assert_eq!(validate("BITCOIN", a), Ok(()), "{a}");
    }
}

#[test]
fn testnet_addresses_are_refused_with_a_reason() {
    for a in BIP350_VALID_TESTNET.iter().chain(&["mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"]) {
        assert_eq!(parse(a, "BITCOIN"), Err(AddressError::Testnet { network: "Bitcoin" }), "{a}");
    }
}

#[test]
fn bip173_and_bip350_invalid_addresses_are_refused() {
    for a in BIP350_INVALID.iter().chain(BIP173_INVALID) {
        let e = parse(a, "BITCOIN").expect_err(a);
        assert!(!matches!(e, AddressError::WrongNetwork { .. }), "{a}: {e}");
        assert!(validate("BITCOIN", a).is_err(), "{a}");
    }
    // A one-character change in a valid address is a checksum error, said as such.
    let typo = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jjq";
    assert_eq!(parse(typo, "BITCOIN"), Err(AddressError::BadChecksum { network: "Bitcoin" }));
}

#[test]
fn eip55_examples_pass_and_a_changed_case_fails() {
    for a in EIP55 {
        for net in ["ERC20", "BEP20"] {
            let s = parse(a, net).unwrap_or_else(|e| panic!("{a}: {e}"));
            assert_eq!(s.address, *a);
            assert_eq!(s.networks, ["ERC20", "BEP20"]);
        }
    }
    // Flip the case of one letter in a checksummed address.
    let bad = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD";
    assert_eq!(parse(bad, "ERC20"), Err(AddressError::BadChecksum { network: "Ethereum-format" }));
    assert!(validate("ERC20", bad).is_err());
}

#[test]
fn tron_and_legacy_bitcoin_addresses() {
    for a in TRON {
        let s = parse(a, "TRC20").unwrap_or_else(|e| panic!("{a}: {e}"));
        assert_eq!(s.networks, ["TRC20"]);
    }
    for a in BITCOIN_BASE58 {
        assert_eq!(parse(a, "BITCOIN").map(|s| s.networks), Ok(vec!["BITCOIN".to_owned()]), "{a}");
    }
    // Last character changed: base58check catches it.
    assert_eq!(
        parse("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", "TRC20"),
        Err(AddressError::BadChecksum { network: "TRON" })
    );
    assert_eq!(
        parse("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3", "BITCOIN"),
        Err(AddressError::BadChecksum { network: "Bitcoin" })
    );
}

#[test]
fn wrong_network_says_what_it_is_and_what_is_selected() {
    let e = parse(EIP55[0], "TRC20").expect_err("EVM on TRON");
    assert_eq!(
        e.to_string(),
        "This is an Ethereum-format address (ERC20, BEP20), but TRC20 is selected. Choose the matching network or use a TRC20 address."
    );
    assert!(matches!(parse(TRON[0], "ERC20"), Err(AddressError::WrongNetwork { .. })));
    assert!(matches!(parse(BITCOIN_BASE58[0], "BEP20"), Err(AddressError::WrongNetwork { .. })));
    assert!(matches!(parse(BIP350_VALID_MAINNET[0], "TRC20"), Err(AddressError::WrongNetwork { .. })));
    // An EIP-681 link for BNB Smart Chain while ERC20 is selected.
    let e = parse(&format!("ethereum:{}@56", EIP55[0]), "ERC20").expect_err("chain 56 is not ERC20");
    assert!(e.to_string().starts_with("This is a payment link for chain 56 (BEP20), but ERC20 is selected"), "{e}");
}

#[test]
fn payment_links() {
    // BIP-21, with amount and label; scheme and bech32 in capitals as QR codes often carry them.
    let s = parse("BITCOIN:BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4?amount=0.0125&label=Luke%20Jr", "BITCOIN")
        .expect("bip21");
    assert_eq!(s.address, "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4");
    assert_eq!(s.amount.as_deref(), Some("0.0125"));
    assert_eq!(s.amount_unit.as_deref(), Some("BTC"));
    assert_eq!(parse("bitcoin:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "BITCOIN").expect("plain").amount, None);
    assert_eq!(
        parse("bitcoin:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2?req-somethingyoudontunderstand=50", "BITCOIN"),
        Err(AddressError::Unsupported("\"req-somethingyoudontunderstand\"".into()))
    );
    assert!(matches!(parse("bitcoin:?lightning=lnbc1xyz", "BITCOIN"), Err(AddressError::Unsupported(_))));
    assert!(matches!(
        parse("bitcoin:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2?amount=1,5", "BITCOIN"),
        Err(AddressError::BadAmount(_))
    ));

    // EIP-681: native value in wei (plain and scientific), chain ids, token transfer.
    let s = parse(&format!("ethereum:{}@1?value=2.014e18", EIP55[0]), "ERC20").expect("eip681");
    assert_eq!((s.address.as_str(), s.amount.as_deref()), (EIP55[0], Some("2.014")));
    assert_eq!(s.networks, ["ERC20"]);
    assert_eq!(s.amount_unit.as_deref(), Some("ETH"));
    let s = parse(&format!("ethereum:pay-{}?value=1500000000000000", EIP55[1]), "BEP20").expect("no chain id");
    assert_eq!(s.amount.as_deref(), Some("0.0015"));
    let token = "0xdAC17F958D2ee523a2206206994597C13D831ec7"; // USDT on Ethereum
    let s = parse(&format!("ethereum:{token}@1/transfer?address={}&uint256=1e6", EIP55[2]), "ERC20").expect("transfer");
    assert_eq!((s.address.as_str(), s.amount.as_deref()), (EIP55[2], None), "the recipient, not the token contract");
    assert!(matches!(
        parse(&format!("ethereum:{token}/approve?address={}", EIP55[2]), "ERC20"),
        Err(AddressError::Unsupported(_))
    ));
    assert!(matches!(parse("ethereum:vitalik.eth?value=1", "ERC20"), Err(AddressError::Unsupported(_))));
    assert!(matches!(parse(&format!("ethereum:{}?value=1e-3", EIP55[0]), "ERC20"), Err(AddressError::BadAmount(_))));

    // tron: links.
    let s = parse(&format!("tron:{}?amount=25", TRON[0]), "TRC20").expect("tron link");
    assert_eq!((s.address.as_str(), s.amount.as_deref()), (TRON[0], Some("25")));
}

#[test]
fn empty_truncated_oversized_and_garbage_input() {
    assert_eq!(parse("  ", "TRC20"), Err(AddressError::Empty));
    assert_eq!(parse(&"T".repeat(MAX_INPUT + 1), "TRC20"), Err(AddressError::TooLong(MAX_INPUT + 1)));
    assert_eq!(parse(&TRON[0][..20], "TRC20"), Err(AddressError::Truncated { network: "TRON" }));
    assert_eq!(parse(&EIP55[0][..30], "ERC20"), Err(AddressError::Truncated { network: "Ethereum-format" }));
    assert_eq!(parse(&BIP350_VALID_MAINNET[4][..30], "BITCOIN"), Err(AddressError::Truncated { network: "Bitcoin" }));
    for junk in
        ["hello world", "https://example.com/pay", "0xZZ", "mailto:a@b.c", "{\"address\":1}", "\u{202e}TR7NHqjeKQ"]
    {
        assert!(parse(junk, "TRC20").is_err(), "{junk}");
    }
    // Surrounding whitespace from a paste is fine; inner whitespace is not.
    assert!(parse(&format!("  {}\n", TRON[0]), "TRC20").is_ok());
    assert!(parse("TR7NHqjeKQxGTCi8q8 ZY4pL8otSzgjLj6t", "TRC20").is_err());
}

#[test]
fn networks_this_module_does_not_know_are_left_to_proof() {
    assert_eq!(validate("SOLANA", "7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV"), Ok(()));
    assert!(validate("TRC20", &format!("tron:{}", TRON[0])).is_err(), "the backend takes addresses, not links");
    assert!(validate("TRC20", &format!(" {}", TRON[0])).is_err(), "the backend forwards the address as sent");
}

/// Each EVM network is its own chain: a link names the chain it pays on, and only that network
/// takes it.
#[test]
fn every_evm_network_takes_only_its_own_chain() {
    for (network, chain_id) in
        [("ERC20", 1u64), ("BEP20", 56), ("POLYGON", 137), ("ARBITRUM", 42_161), ("OPTIMISM", 10), ("BASE", 8_453)]
    {
        let link = format!("ethereum:{}@{chain_id}", EIP55[0]);
        let s = parse(&link, network).unwrap_or_else(|e| panic!("{network}: {e}"));
        assert_eq!(s.networks, [network], "{link}");
        let other = if chain_id == 1 { 56 } else { 1 };
        let wrong = parse(&format!("ethereum:{}@{other}", EIP55[0]), network);
        assert!(matches!(wrong, Err(AddressError::WrongNetwork { .. })), "{network} took chain {other}: {wrong:?}");
        // A plain address fits any EVM network.
        assert!(parse(EIP55[0], network).is_ok(), "{network}");
    }
}

#[test]
fn input_of_exactly_the_limit_is_read() {
    let at_limit = parse(&"T".repeat(MAX_INPUT), "TRC20");
    assert!(!matches!(at_limit, Err(AddressError::TooLong(_))), "{at_limit:?}");
}

/// An address in one case carries no EIP-55 checksum and is read as it is; only mixed case is
/// checked. Too many hex digits is not a cut-off scan.
#[test]
fn single_case_addresses_skip_the_checksum_and_overlong_ones_are_not_truncated() {
    for a in EIP55 {
        let hex = &a[2..];
        for one_case in [format!("0x{}", hex.to_ascii_lowercase()), format!("0x{}", hex.to_ascii_uppercase())] {
            assert!(parse(&one_case, "ERC20").is_ok(), "{one_case}");
        }
    }
    let overlong = format!("{}ab", EIP55[0]);
    assert_eq!(parse(&overlong, "ERC20"), Err(AddressError::Unrecognized), "{overlong}");
}

/// Characters base58 leaves out (0, O, I, l) make an address unreadable, not a typo in its
/// checksum: the user is told it is no address rather than asked to check one character.
#[test]
fn characters_outside_base58_are_not_called_a_checksum_typo() {
    for (bad, network) in [
        (format!("{}0", &TRON[0][..33]), "TRC20"),
        (format!("{}l", &TRON[0][..33]), "TRC20"),
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0".to_owned(), "BITCOIN"),
    ] {
        assert_eq!(parse(&bad, network), Err(AddressError::Unrecognized), "{bad}");
    }
}

/// A TRON address is 34 base58 characters whose checked payload is version 0x41 and 20 bytes:
/// one character more is no address (not a cut-off one), and a well-formed base58check string
/// with another version byte is not TRON.
#[test]
fn tron_length_and_version_are_both_checked() {
    let longer = format!("{}a", TRON[0]);
    assert_eq!(parse(&longer, "TRC20"), Err(AddressError::Unrecognized), "{longer}");
    // Version 0x42 and the payload 01..14, base58check-encoded: 34 characters, starts with T.
    let other_version = "TZQ9596PFNVSh3tEsypax47Hdff4DKLkmj";
    assert_eq!(parse(other_version, "TRC20"), Err(AddressError::Unrecognized));
    // The same payload with TRON's version byte is an address.
    assert!(parse("TA4Y62o6YC2Zsck9rZVGTvqW1AQ7X9zTnj", "TRC20").is_ok());
}

/// The amount of a link is money: every way of writing wei converts exactly, and anything that
/// is not a number is refused rather than guessed.
#[test]
fn link_amounts_convert_exactly_or_are_refused() {
    let eth = |value: &str| parse(&format!("ethereum:{}?value={value}", EIP55[0]), "ERC20").map(|s| s.amount);
    for (value, ether) in [
        ("2014000000000000000", "2.014"),
        ("12345000000000000000", "12.345"),
        ("100000000000000000", "0.1"),
        ("1000000000000000000", "1"),
        ("1", "0.000000000000000001"),
        ("2.014e18", "2.014"),
        ("1.5E17", "0.15"),
        ("0", "0"),
        (&format!("1{}", "0".repeat(79)), &format!("1{}", "0".repeat(61))),
    ] {
        assert_eq!(eth(value), Ok(Some(ether.to_owned())), "{value}");
    }
    for bad in ["abc", ".5e18", "1.5x", "1e-3", "1e78", &format!("1{}", "0".repeat(80)), "1.2.3", ""] {
        assert!(matches!(eth(bad), Err(AddressError::BadAmount(_))), "{bad:?} was taken: {:?}", eth(bad));
    }
    let tron = |amount: &str| parse(&format!("tron:{}?amount={amount}", TRON[0]), "TRC20").map(|s| s.amount);
    for ok in ["25", "0.01", "100.50"] {
        assert_eq!(tron(ok), Ok(Some(ok.to_owned())), "{ok}");
    }
    for bad in ["1.", ".5", "1.a", "a.1", "1,5", "-1", "1e3"] {
        assert!(matches!(tron(bad), Err(AddressError::BadAmount(_))), "{bad:?} was taken: {:?}", tron(bad));
    }
}

/// Length bounds of Bitcoin addresses: below 26 characters a base58 one is cut off, above 35 it
/// is no address; in between a wrong character is a checksum error. A bech32 one of full length
/// with a wrong last character is a typo, not a cut-off scan.
#[test]
fn bitcoin_length_bounds_tell_truncated_from_typo() {
    let base58 = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2";
    let cut = |n: usize| base58[..n].to_owned();
    assert_eq!(parse(&cut(25), "BITCOIN"), Err(AddressError::Truncated { network: "Bitcoin" }));
    assert_eq!(parse(&cut(26), "BITCOIN"), Err(AddressError::BadChecksum { network: "Bitcoin" }));
    let long35 = format!("{base58}2");
    assert_eq!(parse(&long35, "BITCOIN"), Err(AddressError::BadChecksum { network: "Bitcoin" }));
    let long36 = format!("{base58}22");
    assert_eq!(parse(&long36, "BITCOIN"), Err(AddressError::Unrecognized));
    let typo = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5";
    assert_eq!(typo.len(), 42);
    assert_eq!(parse(typo, "BITCOIN"), Err(AddressError::BadChecksum { network: "Bitcoin" }));
}
