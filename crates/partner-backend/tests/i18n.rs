//! The backend's catalogs: every language has every English sentence, with the same
//! placeholders (a missing or renamed one fails here, not in front of a user).

use ramp_api::i18n::Catalog;

#[test]
fn every_language_has_every_sentence() {
    let c = Catalog::from_json(ramp_api::catalog_sources!("../i18n")).expect("catalogs match English");
    assert!(c.keys().count() >= 40);
}

#[test]
fn the_catalog_in_use_is_the_complete_one() {
    let used = partner_backend::i18n::catalog();
    let lang = ramp_api::i18n::Lang::from_tag("de").expect("de");
    for key in used.keys() {
        let text = used.text(lang, key, &[]);
        assert_ne!(text, key, "{key} has a sentence");
    }
    assert!(used.keys().count() >= 40, "the real catalog loaded, not the empty fallback");
}
