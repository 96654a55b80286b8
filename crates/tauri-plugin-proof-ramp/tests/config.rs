//! The plugin reads `plugins."proof-ramp"` as the app starts: a field it does not know stops the
//! app with a message naming it, and `backend` is the address its client talks to.

use ramp_core::MemoryTokenStore;
use tauri::test::{MockRuntime, mock_builder, mock_context, noop_assets};
use tauri_plugin_proof_ramp::{Builder, BuilderExt, ProofRampExt};

fn app(plugin_config: serde_json::Value) -> tauri::Result<tauri::App<MockRuntime>> {
    let mut context = mock_context(noop_assets());
    context.config_mut().plugins.0.insert("proof-ramp".into(), plugin_config);
    let plugin = Builder::new().token_store(Box::new(MemoryTokenStore::default()));
    mock_builder().with_proof_ramp_plugin(plugin).build(context)
}

#[test]
fn an_unknown_field_stops_the_app_and_is_named() {
    let e = app(serde_json::json!({"paymentWindw": "browser"})).map(|_| ()).expect_err("a typo");
    assert!(e.to_string().contains("paymentWindw"), "{e}");
}

#[test]
fn the_configured_backend_is_the_one_the_app_talks_to() {
    // Without PROOF_RAMP_BACKEND_URL, which overrides the configuration.
    if std::env::var_os("PROOF_RAMP_BACKEND_URL").is_some() {
        return;
    }
    let app = app(serde_json::json!({"backend": "http://127.0.0.1:9911/"})).expect("valid");
    assert_eq!(app.proof_ramp().client().base().as_str(), "http://127.0.0.1:9911/");
}
