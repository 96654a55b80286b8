//! The guest module and the default permission carry every command the plugin has, and nothing
//! else: a command added to the handler cannot be left out of the page's API or the default set.

use std::collections::BTreeSet;

const MODULE: &str = include_str!("../guest-js/index.js");
const DEFAULT: &str = include_str!("../permissions/default.toml");

/// The names after each `marker` up to the closing quote.
fn quoted_after<'a>(text: &'a str, marker: &str) -> BTreeSet<&'a str> {
    text.match_indices(marker).filter_map(|(at, _)| text[at + marker.len()..].split('"').next()).collect()
}

#[test]
fn the_guest_module_calls_every_command_by_its_name() {
    let called = quoted_after(MODULE, "command(\"");
    let commands: BTreeSet<&str> = tauri_plugin_proof_ramp::COMMANDS.iter().copied().collect();
    assert_eq!(called, commands);
}

#[test]
fn the_default_permission_allows_every_command() {
    let allowed = quoted_after(DEFAULT, "\"allow-");
    let commands: BTreeSet<String> = tauri_plugin_proof_ramp::COMMANDS.iter().map(|c| c.replace('_', "-")).collect();
    assert_eq!(allowed.into_iter().map(str::to_owned).collect::<BTreeSet<_>>(), commands);
}
