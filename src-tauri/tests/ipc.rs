//! The ACL with the real capabilities (`tauri.conf.json`, `capabilities/`, the plugin's
//! permissions through `build.rs`) on Tauri's mock runtime: every command of the Proof Ramp
//! plugin is reachable from the main window's local page, and none from a remote page (the host
//! page's origin) or from the widget's webview.

use ramp_core::{BackendClient, MemoryTokenStore};
use serde_json::{Value, json};
use tauri::Manager;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri_plugin_proof_ramp::BuilderExt;

/// A payment window's label (`widget-<n>`, a new number each time).
const PAYMENT_WINDOW: &str = "widget-1";

#[test]
fn the_payment_window_label_is_one_the_checks_cover() {
    assert!(PAYMENT_WINDOW.starts_with(ramp_core::app::WINDOW_PREFIX));
    assert!(ramp_core::app::is_payment_window(PAYMENT_WINDOW));
}

/// The plugin's command `name` as the page invokes it.
fn command(name: &str) -> String {
    format!("plugin:{}|{name}", ramp_api::plugin::PLUGIN)
}

/// Every command with arguments it accepts.
fn commands() -> Vec<(&'static str, Value)> {
    vec![
        ("app_info", json!({})),
        ("boot", json!({})),
        ("personas", json!({})),
        ("sign_in", json!({"persona": "verified", "fresh": true})),
        ("sign_out", json!({})),
        ("sign_out_everywhere", json!({})),
        ("ramp_config", json!({})),
        ("kyc_status", json!({})),
        ("transactions", json!({})),
        ("transactions_page", json!({"before": null})),
        ("open_support", json!({})),
        ("deposit", json!({"id": "t1"})),
        ("open_in_wallet", json!({"id": "t1"})),
        ("transaction", json!({"id": "t1"})),
        ("navigate", json!({"to": {"to": "back"}})),
        ("start_ramp", json!({"request": {"type": "buy", "currency": "USDT", "network": "TRC20", "amount": "25"}})),
        ("close_widget", json!({})),
        ("widget_back", json!({})),
        ("parse_address", json!({"text": "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "network": "TRC20"})),
        ("read_qr_image", json!({})),
        ("event_log", json!({})),
        ("export_log", json!({})),
        ("log_error", json!({"message": "x"})),
        ("resume_ramp", json!({"id": "t1"})),
        ("reopen_widget", json!({"id": "t1"})),
        ("restore", json!({})),
        ("set_language", json!({"tag": "de"})),
    ]
}

fn app() -> tauri::App<MockRuntime> {
    // The backend is a closed port: commands that need it fail with `offline`, which is a
    // command error, not an ACL refusal.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let client = BackendClient::new(&format!("http://127.0.0.1:{port}/")).expect("client");
    let plugin =
        tauri_plugin_proof_ramp::Builder::new().client(client).token_store(Box::new(MemoryTokenStore::default()));
    mock_builder().with_proof_ramp_plugin(plugin).build(tauri::generate_context!()).expect("the app builds")
}

fn window(app: &tauri::App<MockRuntime>, label: &str) -> tauri::WebviewWindow<MockRuntime> {
    app.get_webview_window(label)
        .unwrap_or_else(|| tauri::WebviewWindowBuilder::new(app, label, Default::default()).build().expect("window"))
}

fn invoke(w: &tauri::WebviewWindow<MockRuntime>, url: &str, cmd: &str, args: &Value) -> Result<Value, Value> {
    get_ipc_response(
        w,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: url.parse().expect("url"),
            body: InvokeBody::Json(args.clone()),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|b| b.deserialize::<Value>().unwrap_or(Value::Null))
}

/// Tauri's ACL refusal ("`cmd` not allowed" with the permissions that would allow it, the
/// places it is allowed on, or "Plugin not found" for a plugin whose permissions the app's ACL
/// does not carry, as the opener the Proof Ramp plugin uses from Rust), not some other error
/// that also says "not allowed" (a plugin's own scope check, for one).
fn refused_by_acl(e: &Value) -> bool {
    let s = e.as_str().unwrap_or_default();
    s.contains(" not allowed")
        && (s.contains("Permissions associated with this command")
            || s.contains("allowed on:")
            || s.ends_with("not allowed. Plugin not found"))
}

#[test]
fn every_command_works_from_the_local_ui() {
    let app = app();
    let main = window(&app, "main");
    for (cmd, args) in commands() {
        // The app's own origin: `tauri://localhost` here (and on iOS/macOS); Windows and Android
        // use `http://tauri.localhost`.
        let locals: &[&str] = if cfg!(any(windows, target_os = "android")) {
            &["http://tauri.localhost"]
        } else {
            &["tauri://localhost"]
        };
        for &local in locals {
            match invoke(&main, local, &command(cmd), &args) {
                Ok(_) => {}
                Err(e) => {
                    assert!(!refused_by_acl(&e), "{cmd} was refused from {local}: {e}");
                    // Failures are the UI's shape: {kind, message}.
                    assert!(e.get("kind").is_some() && e.get("message").is_some(), "{cmd}: {e}");
                }
            }
        }
    }
}

#[test]
fn no_command_works_from_a_remote_page_or_the_widget() {
    let app = app();
    let main = window(&app, "main");
    let widget = window(&app, PAYMENT_WINDOW);
    for (cmd, args) in commands() {
        for url in
            ["https://ramp.partner.example/w/abc", "http://127.0.0.1:8080/w/abc", "https://widget.proof.community/"]
        {
            let e = invoke(&main, url, &command(cmd), &args).expect_err("a remote page must not run commands");
            assert!(refused_by_acl(&e), "{cmd} from {url}: {e}");
        }
        let e = invoke(&widget, "tauri://localhost", &command(cmd), &args)
            .expect_err("the widget webview has no capability");
        assert!(refused_by_acl(&e), "{cmd} from the widget window: {e}");
    }
}

/// Plugin commands (Tauri's core plugins and the opener), each with arguments it accepts.
fn plugin_commands() -> Vec<(&'static str, Value)> {
    vec![
        ("plugin:opener|open_url", json!({"url": "https://example.org/"})),
        ("plugin:event|emit", json!({"event": "widget-event", "payload": {}})),
        ("plugin:event|emit_to", json!({"target": {"kind": "Any"}, "event": "widget-event", "payload": {}})),
        ("plugin:event|listen", json!({"event": "widget-event", "target": {"kind": "Any"}, "handler": 0})),
        ("plugin:app|version", json!({})),
        ("plugin:app|app_hide", json!({})),
        ("plugin:window|close", json!({"label": "main"})),
        ("plugin:window|set_size", json!({"label": "main", "value": {"Logical": {"width": 10.0, "height": 10.0}}})),
        (
            "plugin:webview|create_webview_window",
            json!({"options": {"label": "sneaky", "url": "https://example.org/"}}),
        ),
        ("plugin:webview|webview_close", json!({"label": "main"})),
        ("plugin:path|resolve_directory", json!({"directory": 14})),
    ]
}

/// From the widget's webview (its remote origin, and even the app's own) and from any remote
/// page in the main window, no plugin command works either: no capability grants the widget
/// anything, and none lists a remote URL.
#[test]
fn no_plugin_command_works_from_the_widget_or_a_remote_page() {
    let app = app();
    let main = window(&app, "main");
    let widget = window(&app, PAYMENT_WINDOW);
    for (cmd, args) in plugin_commands() {
        for url in ["https://ramp.partner.example/w/abc", "tauri://localhost"] {
            let e = invoke(&widget, url, cmd, &args).expect_err("the widget webview has no capability");
            assert!(refused_by_acl(&e), "{cmd} from the widget window at {url}: {e}");
        }
        let e = invoke(&main, "https://ramp.partner.example/w/abc", cmd, &args).expect_err("remote page");
        assert!(refused_by_acl(&e), "{cmd} from a remote page in the main window: {e}");
    }
    // The main window's own page may listen for the app's events (and only that, of these).
    for (cmd, args) in plugin_commands() {
        let r = invoke(&main, "tauri://localhost", cmd, &args);
        if cmd == "plugin:event|listen" {
            assert!(r.is_ok(), "the UI listens for events: {r:?}");
        } else {
            let e = r.expect_err("not granted to the UI");
            assert!(refused_by_acl(&e), "{cmd} from the UI: {e}");
        }
    }
}

/// Every capability the app has, read as Tauri reads them (files in any format and folder, and
/// inline ones in tauri.conf.json; labels as glob patterns): none lists a remote URL, none
/// matches the widget, none grants a broad `:default` set (the Proof Ramp plugin's is its
/// commands, made for the app's window).
#[test]
fn no_capability_lists_a_remote_url_or_matches_the_widget() {
    let tauri_dir = &testkit::crate_dir();
    let found = ramp_mobile::capabilities::load(tauri_dir).expect("capabilities parse");
    assert!(found.len() >= 2, "{found:?}");
    for f in &found {
        let c = &f.capability;
        assert!(c.remote.is_none(), "{} grants remote URLs", f.source);
        assert!(!ramp_mobile::capabilities::matches_payment_window(c), "{} matches a payment window", f.source);
        let broad = c
            .permissions
            .iter()
            .map(|p| p.identifier().get())
            .find(|p| p.ends_with(":default") && !["core:event:default", "proof-ramp:default"].contains(p));
        assert_eq!(broad, None, "{} grants a broad :default set", f.source);
    }
}

/// The commands above are all the plugin's: a new command cannot skip these tests.
#[test]
fn these_tests_cover_every_command() {
    let tested: Vec<&str> = commands().into_iter().map(|(c, _)| c).collect();
    assert_eq!(tauri_plugin_proof_ramp::COMMANDS, tested);
}
