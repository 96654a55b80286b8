//! The ACL with the real capabilities (`tauri.conf.json`, `capabilities/`, the app manifest from
//! `build.rs`) on Tauri's mock runtime: every command is reachable from the main window's local
//! page, and none from a remote page (the host page's origin) or from the widget's webview.

use ramp_core::{BackendClient, MemoryTokenStore};
use serde_json::{Value, json};
use tauri::Manager;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;

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
    ]
}

fn app() -> tauri::App<MockRuntime> {
    // The backend is a closed port: commands that need it fail with `offline`, which is a
    // command error, not an ACL refusal.
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let app = mock_builder()
        .invoke_handler(proof_ramp_app_lib::handler())
        .build(tauri::generate_context!())
        .expect("the app builds");
    let client = BackendClient::new(&format!("http://127.0.0.1:{port}/")).expect("client");
    app.manage(proof_ramp_app_lib::Core::new(client, Box::new(MemoryTokenStore::default())));
    app
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

fn refused_by_acl(e: &Value) -> bool {
    let s = e.to_string();
    s.contains("not allowed") || s.contains("ACL")
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
            match invoke(&main, local, cmd, &args) {
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
    let widget = window(&app, "widget");
    for (cmd, args) in commands() {
        for url in
            ["https://ramp.partner.example/w/abc", "http://127.0.0.1:8080/w/abc", "https://widget.proof.community/"]
        {
            let e = invoke(&main, url, cmd, &args).expect_err("a remote page must not run commands");
            assert!(refused_by_acl(&e), "{cmd} from {url}: {e}");
        }
        let e = invoke(&widget, "tauri://localhost", cmd, &args).expect_err("the widget webview has no capability");
        assert!(refused_by_acl(&e), "{cmd} from the widget window: {e}");
    }
}

#[test]
fn no_capability_lists_a_remote_url() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("capabilities");
    for entry in std::fs::read_dir(&dir).expect("capabilities dir") {
        let path = entry.expect("entry").path();
        let cap: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("JSON");
        assert!(cap.get("remote").is_none(), "{} grants remote URLs", path.display());
        let windows = cap["windows"].as_array().expect("windows");
        assert!(!windows.iter().any(|w| w == "widget" || w == "*"), "{} matches the widget", path.display());
        let perms = cap["permissions"].as_array().expect("permissions");
        assert!(
            !perms.iter().any(|p| p.as_str().is_some_and(|p| p.ends_with(":default") && p != "core:event:default")),
            "{} grants a broad :default set",
            path.display()
        );
    }
}

/// The commands above are all the UI's permission allows: a new command cannot skip these tests.
#[test]
fn these_tests_cover_every_command() {
    let toml = include_str!("../permissions/app.toml");
    let listed: Vec<&str> = toml
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with('"') && l.ends_with("\","))
        .map(|l| l.trim_end_matches(',').trim_matches('"'))
        .collect();
    let tested: Vec<&str> = commands().into_iter().map(|(c, _)| c).collect();
    assert_eq!(listed, tested);
}
