//! The shared catalogs: every language has every English key with the same placeholders, and
//! the errors read in the language asked for.

use ramp_api::address::{AddressError, parse};
use ramp_api::i18n::{Catalog, LANGUAGES, Lang, messages};

#[test]
fn every_language_has_every_sentence_with_the_same_placeholders() {
    let catalog = Catalog::from_json(ramp_api::catalog_sources!("../i18n")).expect("catalogs match English");
    assert!(catalog.keys().count() >= 13);
}

#[test]
fn a_catalog_missing_a_key_or_a_placeholder_is_refused() {
    let en = r#"{"a": "Pay {amount}", "b": "Hello"}"#;
    let good = r#"{"a": "Zahle {amount}", "b": "Hallo"}"#;
    let missing = r#"{"a": "Zahle {amount}"}"#;
    let renamed = r#"{"a": "Zahle {betrag}", "b": "Hallo"}"#;
    assert!(Catalog::from_json([en, good, good, good, good, good]).is_ok());
    let e = Catalog::from_json([en, good, missing, good, good, good]).expect_err("missing key");
    assert_eq!(e.tag, "es");
    assert!(e.problem.contains("missing b"), "{e}");
    let e = Catalog::from_json([en, good, good, good, good, renamed]).expect_err("placeholder");
    assert_eq!(e.tag, "ar");
    assert!(e.problem.contains("placeholders"), "{e}");
}

#[test]
fn address_errors_read_in_the_language_asked_for() {
    let wrong = parse("0x52908400098527886E0F7030069857D2E4169EE7", "TRC20").expect_err("an EVM address on TRON");
    assert!(matches!(wrong, AddressError::WrongNetwork { .. }));
    let en = wrong.message(Lang::EN);
    assert_eq!(en, wrong.to_string(), "English is the Display text");
    for tag in LANGUAGES.iter().skip(1) {
        let lang = Lang::from_tag(tag).expect("a language");
        let text = wrong.message(lang);
        assert_ne!(text, en, "{tag} has its own sentence");
        assert!(text.contains("TRC20"), "{tag}: the placeholders are filled: {text}");
        assert!(!text.contains('{'), "{tag}: {text}");
    }
    assert!(messages().text(Lang::from_tag("de").expect("de"), "address.empty", &[]).starts_with("Nichts"));
}
