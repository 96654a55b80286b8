//! The upstream facts the phone fakes (`tests/phones.rs`) and the shell rely on, read in the
//! locked sources (found through `cargo metadata`), so that a Tauri, tao or wry upgrade that
//! changes one fails here instead of on a phone. docs/mobile.md cites each at its line.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The versions docs/mobile.md was read against. An upgrade fails here first: read the cited
/// lines again, update docs/mobile.md and the fakes, then these.
const LOCKED: &[(&str, &str)] = &[
    ("tauri", "2.12.5"),
    ("tauri-runtime-wry", "2.12.3"),
    ("tauri-runtime", "2.12.2"),
    ("tao", "0.37.2"),
    ("wry", "0.57.1"),
    ("tauri-utils", "2.10.2"),
    ("tauri-plugin-deep-link", "2.6.3"),
    ("tauri-build", "2.7.4"),
    ("json-patch", "4.2.0"),
];

/// Where each locked package's sources are.
fn packages() -> &'static HashMap<String, (String, PathBuf)> {
    static PACKAGES: OnceLock<HashMap<String, (String, PathBuf)>> = OnceLock::new();
    PACKAGES.get_or_init(|| {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let manifest = testkit::crate_dir().join("../../Cargo.toml");
        // The host's packages (tauri, tao and wry are among them, with their phone code) and
        // Android's: no download of other platforms' crates.
        let rustc = std::process::Command::new("rustc").arg("-vV").output().expect("rustc runs");
        let host = String::from_utf8_lossy(&rustc.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
            .expect("rustc names its host");
        let mut found: HashMap<String, (String, PathBuf)> = HashMap::new();
        // The deep-link plugin is a phone-only dependency: Android's graph too (scripts/test has
        // fetched it for the Android compile by then).
        for platform in [host.as_str(), "aarch64-linux-android"] {
            let out = std::process::Command::new(&cargo)
                .args(["metadata", "--format-version", "1", "--locked", "--filter-platform", platform])
                .arg("--manifest-path")
                .arg(&manifest)
                .output()
                .expect("cargo metadata runs");
            assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
            let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata is JSON");
            for p in meta["packages"].as_array().expect("packages") {
                let (Some(name), Some(version), Some(path)) =
                    (p["name"].as_str(), p["version"].as_str(), p["manifest_path"].as_str())
                else {
                    continue;
                };
                if LOCKED.iter().any(|(n, _)| *n == name) {
                    let dir = PathBuf::from(path).parent().expect("crate dir").to_path_buf();
                    let previous = found.insert(name.to_owned(), (version.to_owned(), dir));
                    assert!(previous.is_none_or(|(v, _)| v == version), "two versions of {name} in the lock file");
                }
            }
        }
        found
    })
}

/// The text of `path` in the locked `krate`, after checking it is the version cited.
fn source(krate: &str, path: &str) -> String {
    let (version, dir) = packages().get(krate).unwrap_or_else(|| panic!("{krate} is not in the lock file"));
    let cited = LOCKED.iter().find(|(n, _)| *n == krate).map(|(_, v)| *v).expect("listed");
    assert_eq!(version, cited, "{krate} moved from {cited}: re-read docs/mobile.md's lines and the phone fakes");
    std::fs::read_to_string(dir.join(path)).unwrap_or_else(|e| panic!("{krate} {path}: {e}"))
}

/// The block that starts at the first line containing `start` and ends at the first line that
/// closes it at the same indentation.
fn block(text: &str, start: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.contains(start));
    let first = lines.next().unwrap_or_else(|| panic!("`{start}` not found"));
    let indent = first.len() - first.trim_start().len();
    let mut out = vec![first];
    for l in lines {
        out.push(l);
        if l.trim_start().starts_with('}') && l.len() - l.trim_start().len() == indent {
            break;
        }
    }
    out.join("\n")
}

/// Tauri refuses a window whose label its manager still holds: the fakes' `present` refuses a
/// taken label, and the app gives every payment window a new one.
#[test]
fn tauri_refuses_a_label_it_still_holds() {
    let manager = source("tauri", "src/manager/window.rs");
    let prepare = block(&manager, "pub fn prepare_window(");
    assert!(
        prepare.contains("contains_key(&pending.label)") && prepare.contains("WindowLabelAlreadyExists"),
        "{prepare}"
    );
}

/// The runtime drops a window (and Tauri its label) only on tao's `Destroyed`.
#[test]
fn a_window_is_forgotten_only_when_it_reports_destroyed() {
    let runtime = source("tauri-runtime-wry", "src/lib.rs");
    let destroyed = block(&runtime, "TaoWindowEvent::Destroyed => {");
    assert!(destroyed.contains("windows.0.borrow_mut().remove(&window_id)"), "{destroyed}");
}

/// iOS: dropping a window releases its `UIWindow` and reports only `Focused(false)`;
/// `Destroyed` comes from a scene disconnecting or the app terminating. So the fake iOS shell
/// never reports a dismissed window gone.
#[test]
fn ios_reports_no_destroyed_for_a_dropped_window() {
    let window = source("tao", "src/platform_impl/ios/window.rs");
    let drop = block(&window, "impl Drop for Inner {");
    assert!(drop.contains("msg_send![self.window, release]"), "{drop}");
    assert!(!drop.contains("Destroyed"), "tao now reports Destroyed on drop: {drop}");
    assert!(source("tao", "src/platform_impl/ios/scene.rs").contains("WindowEvent::Destroyed"));
    assert!(source("tao", "src/platform_impl/ios/view.rs").contains("WindowEvent::Destroyed"));
}

/// Android: wry finds a webview by unwrapping its activity's proxy, which `OnDestroy` removes:
/// script sent to a window whose activity is gone aborts the app. The fake Android shell
/// counts such evaluations, and the phone tests require none.
#[test]
fn android_evaluating_into_a_destroyed_activity_aborts() {
    let pipe = source("wry", "src/android/main_pipe.rs");
    let get = block(&pipe, "pub fn get_webview(activity_id: ActivityId)");
    assert!(get.contains(".get(&activity_id)") && get.contains(".unwrap()"), "{get}");
    let on_destroy: String = pipe.lines().skip_while(|l| !l.contains("WebViewMessage::OnDestroy {")).take(14).collect();
    assert!(on_destroy.contains("remove_activity_proxy(activity_id)"), "{on_destroy}");
}

/// Android: a script for an activity whose webview is not made yet is dropped without a word
/// (the `Eval` message finds no webview), and the webview is recorded at the end of the same
/// `CreateWebView` message that starts its first load, so once that page started loading
/// (`onPageStarted`, reported to the app) a script reaches it. The app replaces the opening
/// page with the host page only then.
#[test]
fn android_drops_a_script_sent_before_the_webview_exists() {
    let pipe = source("wry", "src/android/main_pipe.rs");
    let eval: String =
        pipe.lines().skip_while(|l| !l.contains("WebViewMessage::Eval(script, callback) =>")).take(2).collect();
    assert!(eval.contains("if let Some(webview) = get_webview(activity_id)"), "{eval}");
    let create = block(&pipe, "WebViewMessage::CreateWebView(attrs) =>");
    let (load, recorded) = (create.find("load_url(&mut self.env, &webview"), create.rfind(".replace(webview)"));
    assert!(load.is_some() && recorded.is_some() && load < recorded, "{create}");
    let client = source("wry", "src/android/kotlin/RustWebViewClient.kt");
    assert!(client.contains("override fun onPageStarted") && client.contains("Rust.onPageLoading"));
}

/// Android: `url()` sends a message to the UI thread and waits for it, so a handler running on
/// that thread (permission requests) cannot ask the webview what it shows; the app records
/// the main frame's URL from page-load events instead.
#[test]
fn android_url_waits_for_the_ui_thread() {
    let android = source("wry", "src/android/mod.rs");
    let url = block(&android, "pub fn url(&self)");
    assert!(url.contains("MainPipe::send") && url.contains("recv_timeout"), "{url}");
    let client = source("wry", "src/android/kotlin/RustWebViewClient.kt");
    assert!(client.contains("override fun onPageStarted") && client.contains("Rust.onPageLoading"));
}

/// Android: wry's WebViewClient does not override `onRenderProcessGone`, so a renderer crash
/// ends the app's process (Android's default); the app cannot report it as a stuck window.
#[test]
fn android_a_renderer_crash_is_not_caught() {
    let client = source("wry", "src/android/kotlin/RustWebViewClient.kt");
    assert!(!client.contains("onRenderProcessGone"), "wry now handles renderer crashes: use it");
}

/// The permission handler learns the kind of permission and nothing of the page: the origin
/// must come from what the window shows.
#[test]
fn the_permission_handler_gets_no_origin() {
    let android = source("wry", "src/android/kotlin/RustWebChromeClient.kt");
    assert!(android.contains("onPermissionRequestNative"), "Android asks Rust per request");
    let builder = block(&source("tauri", "src/webview/mod.rs"), "pub fn on_permission_request<");
    assert!(
        builder.contains("F: Fn(Webview<R>, PermissionKind) -> PermissionResponse + Send + Sync + 'static,"),
        "Tauri's handler now learns more than the webview and the kind: use it. {builder}"
    );
    let runtime = source("tauri-runtime", "src/webview.rs");
    assert!(
        runtime.contains("type PermissionRequestHandler = dyn Fn(PermissionKind) -> PermissionResponse + Send + Sync;"),
        "the runtime's handler changed"
    );
}

/// WebKitGTK reports page loads from the main frame's `load-changed` (committed, finished)
/// with the view's URI: what the window shows.
#[test]
fn page_loads_are_the_main_frame_s() {
    let gtk = source("wry", "src/webkitgtk/mod.rs");
    let handler = block(&gtk, "webview.connect_load_changed(move |webview, load_event| match load_event {");
    assert!(handler.contains("LoadEvent::Committed") && handler.contains("webview.uri()"), "{handler}");
}

/// WebKitGTK: wry answers navigation actions and leaves every other decision (responses) to
/// later handlers, which is where the shell checks the payment window's main frame.
#[test]
fn webkitgtk_leaves_responses_to_the_app() {
    let gtk = source("wry", "src/webkitgtk/mod.rs");
    let handler = block(&gtk, "webview.connect_decide_policy(move |_webview, policy_decision, policy_type| {");
    assert!(handler.contains("PolicyDecisionType::NavigationAction => &navigation_handler"), "{handler}");
    assert!(handler.contains("_ => return false"), "{handler}");
}

/// iOS: the navigation handler is asked with the address only, for frames as for the page, so
/// the fake iOS shell asks it about frames too and the core cannot tell them apart.
#[test]
fn ios_asks_about_every_navigation_with_its_address_only() {
    let nav = source("wry", "src/wkwebview/navigation.rs");
    let policy = block(&nav, "pub(crate) fn navigation_policy(");
    assert!(policy.contains("function(url.to_string())"), "{policy}");
    assert!(!policy.contains("isMainFrame") && !policy.contains("targetFrame"), "wry now looks at the frame: {policy}");
}

/// Android: the deep-link plugin's build script writes its intent filters before every line of
/// the manifest that contains `</activity>`, and on Android delivers a link only through the
/// Tauri activity's starting intent or `onNewIntent`. So the launcher icon's own activity is
/// self-closing and its filters sit on an `<activity-alias>` (`</activity-alias>` is not
/// `</activity>`), and links keep reaching `MainActivity` (ramp-mobile `android.rs`
/// `launcher_entries`; its unit test replays this insertion).
#[test]
fn the_deep_link_plugin_writes_into_every_activity_and_hears_the_tauri_activity_only() {
    let plugin = source("tauri-plugin-deep-link", "build.rs");
    assert!(
        plugin.contains("update_android_manifest(\n            \"DEEP LINK PLUGIN\",\n            \"activity\","),
        "{plugin}"
    );
    let utils = source("tauri-utils", "src/build.rs");
    let insert = block(&utils, "fn insert_into_xml(");
    assert!(insert.contains("let parent_closing_tag = format!(\"</{parent_tag}>\");"), "{insert}");
    assert!(insert.contains("if let Some(index) = line.find(&parent_closing_tag)"), "{insert}");
    let kotlin = source("tauri-plugin-deep-link", "android/src/main/java/DeepLinkPlugin.kt");
    assert!(
        kotlin.contains("val intent = activity.intent") && kotlin.contains("override fun onNewIntent(intent: Intent)")
    );
}

/// Release builds' return link: the CLI's `--config` reaches the build as `TAURI_CONFIG`, merged
/// over `tauri.conf.json` as a JSON merge patch, where a list replaces a list (so the release
/// file's deep links replace the development custom scheme); the deep-link plugin marks an App
/// Link's filter `autoVerify` and counts an http(s) entry with a host as one unless told
/// otherwise. ramp-mobile's `DeepLink` reads the configuration the same way.
#[test]
fn release_links_replace_the_development_list_and_are_verified() {
    let build = source("tauri-build", "src/lib.rs");
    assert!(build.contains("if let Ok(env) = env::var(\"TAURI_CONFIG\")"), "tauri-build no longer reads TAURI_CONFIG");
    assert!(build.contains("json_patch::merge(&mut config, &merge_config);"));
    let merge = block(&source("json-patch", "src/lib.rs"), "pub fn merge(doc: &mut Value, patch: &Value) {");
    assert!(merge.contains("if !patch.is_object() {\n        *doc = patch.clone();"), "{merge}");
    let plugin = source("tauri-plugin-deep-link", "build.rs");
    assert!(plugin.contains("let auto_verify = if domain.is_app_link() {"), "{plugin}");
    let config = source("tauri-plugin-deep-link", "src/config.rs");
    assert!(config.contains(".unwrap_or_else(|| self.is_web_link() && self.host.is_some())"), "{config}");
}

/// Android: wry never switches third-party cookies on, so a WebView keeps Android's default
/// (off for apps targeting API 21 and later); docs/mobile.md says why the app leaves it so.
#[test]
fn android_third_party_cookies_stay_off() {
    let kotlin = [
        "Ipc",
        "Logger",
        "PermissionHelper",
        "Rust",
        "RustWebChromeClient",
        "RustWebView",
        "RustWebViewClient",
        "WryActivity",
    ]
    .map(|k| format!("src/android/kotlin/{k}.kt"));
    let rust = ["src/android/mod.rs", "src/android/main_pipe.rs", "src/android/binding.rs"].map(str::to_owned);
    for file in kotlin.iter().chain(&rust) {
        assert!(
            !source("wry", file).contains("setAcceptThirdPartyCookies"),
            "wry now sets third-party cookies in {file}"
        );
    }
}

/// What the plugin's shape rests on (tauri-plugin-proof-ramp `BuilderExt`): a plugin cannot set
/// the app-wide permission handler (only `tauri::Builder` has one), nor register another plugin
/// from its own `setup` (the store is locked while plugins initialize), and plugins initialize in
/// `build`, before `setup` creates the configured windows (so `on_webview_ready` sees the main
/// window's webview). The deep-link plugin, registered on the Builder with it, has a native part
/// on Android only, which wry hands the first activity (MainActivity at start).
#[test]
fn the_plugin_shape_rests_on_the_builder_and_the_deep_link_plugin_s_android_part() {
    let plugin = source("tauri", "src/plugin.rs");
    assert!(!plugin.contains("fn on_permission_request"), "plugins can now set the permission handler");
    let app = source("tauri", "src/app.rs");
    assert!(app.contains("pub fn on_permission_request<F>(mut self, on_permission_request: F) -> Self"));
    let register = block(&app, "pub fn plugin_boxed(&self, mut plugin: Box<dyn Plugin<R>>)");
    assert!(register.contains("self.manager().plugins.lock().unwrap()"), "{register}");
    let manager = source("tauri", "src/manager/mod.rs");
    let init = block(&manager, "pub fn initialize_plugins(&self, app: &AppHandle<R>)");
    assert!(init.contains(".plugins\n      .lock()"), "{init}");
    let build_at = app.find("app.manager.initialize_plugins(handle)?;").expect("plugins initialize in build");
    let setup = block(&app, "fn setup<R: Runtime>(app: &mut App<R>)");
    assert!(setup.contains("WebviewWindowBuilder::from_config(app.handle(), window_config)?.build()?;"), "{setup}");
    assert!(app.find("fn setup<R: Runtime>(app: &mut App<R>)").is_some_and(|at| at > build_at));
    let deep_link = source("tauri-plugin-deep-link", "src/lib.rs");
    assert!(deep_link.contains("register_android_plugin(PLUGIN_IDENTIFIER, \"DeepLinkPlugin\")"));
    assert!(!deep_link.contains("register_ios_plugin"), "the deep-link plugin now has an iOS part");
    let dispatch = block(&source("wry", "src/android/mod.rs"), "pub fn dispatch<F>(func: F)");
    assert!(dispatch.contains("first_activity_id()"), "{dispatch}");
}
