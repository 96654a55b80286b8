//! `proof-ramp-mobile doctor`: the known pitfalls of a Proof Ramp checkout, one line per check.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::android::{
    self, CAPTURE_ACTIONS, DeepLink, KOTLIN_HEADER, LAUNCHER_ACTIVITY, LAUNCHER_KOTLIN_HEADER, ManifestFacts,
    PAY_ACTIONS, ReturnLink, WIDGET_ACTIVITY,
};
use crate::ios::{PlistFacts, REQUIRED_KEYS};
use crate::{MobileConfig, RELEASE_CONF, read};

/// The lowest Tauri release with the remote-IPC and Android origin fixes.
pub const MIN_TAURI: (u64, u64, u64) = (2, 11, 1);

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Fine.
    Pass,
    /// Wrong; the text says what to do.
    Fail(String),
    /// Not checked; the text says why.
    Skip(String),
}

/// A named check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// How it went.
    pub outcome: Outcome,
}

/// Where to look and what to reach.
#[derive(Debug, Clone)]
pub struct Options {
    /// The repository root (with `src-tauri/`).
    pub root: PathBuf,
    /// A generated Android project; default `src-tauri/gen/android` when it exists.
    pub android: Option<PathBuf>,
    /// The backend to ask; `None` skips that check.
    pub backend: Option<String>,
}

struct Report(Vec<Check>);

impl Report {
    fn add(&mut self, name: impl Into<String>, outcome: Outcome) {
        self.0.push(Check { name: name.into(), outcome });
    }
    fn pass_if(&mut self, name: impl Into<String>, ok: bool, fix: impl Into<String>) {
        self.add(name, if ok { Outcome::Pass } else { Outcome::Fail(fix.into()) });
    }
}

/// Run every check (the backend check is the only one that touches the network).
pub async fn run(opts: &Options) -> Vec<Check> {
    let mut r = Report(Vec::new());
    let tauri_dir = opts.root.join("src-tauri");
    let config = match MobileConfig::for_app(&tauri_dir) {
        Ok(c) => {
            r.add("src-tauri/mobile.toml and the plugin's configuration are valid", Outcome::Pass);
            c
        }
        Err(e) => {
            r.add("src-tauri/mobile.toml and the plugin's configuration are valid", Outcome::Fail(e.to_string()));
            MobileConfig::default()
        }
    };
    tauri_version(&mut r, &opts.root);
    // Read once; several checks look at it.
    let conf = read_json(&tauri_dir.join("tauri.conf.json"));
    let link = return_link(&mut r, conf.as_ref().ok());
    ios(&mut r, &tauri_dir, link.as_ref());
    let project = opts.android.clone().or_else(|| Some(tauri_dir.join("gen").join("android")).filter(|p| p.exists()));
    match project {
        Some(p) => android_checks(&mut r, &p, &config, link.as_ref()),
        None => r.add(
            "Android manifest",
            Outcome::Skip(
                "src-tauri/gen/android is not generated here; the app's build injects the entries when the Tauri CLI builds for Android (or pass --android <dir>)".into(),
            ),
        ),
    }
    capabilities(&mut r, &tauri_dir);
    tauri_conf(&mut r, &conf);
    allowlist(&mut r, &opts.root);
    let release = release_link(&mut r, &tauri_dir);
    associated_domain(&mut r, &tauri_dir, release.as_ref());
    match &opts.backend {
        Some(url) => {
            let Some(up) = backend(&mut r, url).await else { return r.0 };
            let identifier = conf.as_ref().ok().and_then(|c| c.get("identifier")?.as_str().map(str::to_owned));
            if let (Some(release), Some(identifier)) = (&release, identifier) {
                vouches(&mut r, &up, &identifier, release).await;
            }
        }
        None => r.add("backend answers", Outcome::Skip("--offline".into())),
    }
    r.0
}

/// A JSON file, or what is wrong with it.
fn read_json(path: &Path) -> Result<Value, String> {
    let text = read(path).map_err(|e| e.to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn version_triple(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.split(['-', '+']).next()?;
    let mut it = core.split('.').map(|p| p.parse::<u64>().ok());
    Some((it.next()??, it.next()??, it.next()??))
}

fn tauri_version(r: &mut Report, root: &Path) {
    let name = format!("tauri >= {}.{}.{} in Cargo.lock", MIN_TAURI.0, MIN_TAURI.1, MIN_TAURI.2);
    // The app's own lock file, or its workspace's (an app in a workspace has none of its own).
    let found = root.ancestors().map(|d| d.join("Cargo.lock")).find(|p| p.exists());
    let lock = match read(&found.unwrap_or_else(|| root.join("Cargo.lock"))) {
        Ok(t) => t,
        Err(e) => return r.add(name, Outcome::Fail(format!("{e}; commit Cargo.lock"))),
    };
    let parsed: Result<toml::Table, _> = toml::from_str(&lock);
    let versions: Vec<String> = parsed
        .ok()
        .and_then(|t| t.get("package").and_then(|p| p.as_array()).cloned())
        .unwrap_or_default()
        .iter()
        .filter(|p| p.get("name").and_then(|n| n.as_str()) == Some("tauri"))
        .filter_map(|p| p.get("version").and_then(|v| v.as_str()).map(str::to_owned))
        .collect();
    if versions.is_empty() {
        return r.add(name, Outcome::Fail("no tauri package in Cargo.lock; run `cargo generate-lockfile`".into()));
    }
    match versions.iter().find(|v| version_triple(v).is_none_or(|t| t < MIN_TAURI)) {
        Some(v) => r.add(
            name,
            Outcome::Fail(format!(
                "Cargo.lock has tauri {v}: versions below 2.11.1 let remote pages reach local commands; run `cargo update -p tauri`"
            )),
        ),
        None => r.add(format!("{name} ({})", versions.join(", ")), Outcome::Pass),
    }
}

/// The return link of browser mode, from `plugins.deep-link.mobile` in `tauri.conf.json`:
/// `(scheme, host)`.
fn return_link(r: &mut Report, conf: Option<&Value>) -> Option<ReturnLink> {
    let name = "tauri.conf.json configures the return link (plugins.deep-link)";
    match conf.and_then(ReturnLink::from_tauri_conf) {
        Some(link) => {
            r.add(format!("{name}: {}", link.display()), Outcome::Pass);
            Some(link)
        }
        None => {
            r.add(
                name,
                Outcome::Fail(
                    "add plugins.deep-link.mobile = [{\"scheme\": [\"prooframp\"], \"host\": \"return\"}]: browser mode returns through it".into(),
                ),
            );
            None
        }
    }
}

fn ios(r: &mut Report, tauri_dir: &Path, link: Option<&ReturnLink>) {
    let path = tauri_dir.join("Info.ios.plist");
    let facts = match PlistFacts::load(&path) {
        Ok(f) => f,
        Err(e) => {
            return r.add(
                "src-tauri/Info.ios.plist",
                Outcome::Fail(format!("{e}; restore it from the repository (the CLI merges it into the iOS app)")),
            );
        }
    };
    for (key, why) in REQUIRED_KEYS {
        r.pass_if(
            format!("Info.ios.plist has {key}"),
            facts.text(key).is_some(),
            format!("add <key>{key}</key> with a sentence people understand: {why}"),
        );
    }
    match crate::ios::load_localizations(&tauri_dir.join("i18n")) {
        Ok(langs) => r.add(format!("iOS permission sentences in {} languages", langs.len()), Outcome::Pass),
        Err(e) => r.add(
            "iOS permission sentences in every language",
            Outcome::Fail(format!("{e}; every src-tauri/i18n/<tag>.json needs the three sentences")),
        ),
    }
    if let Some(ReturnLink { scheme, .. }) = link {
        r.pass_if(
            format!("Info.ios.plist registers the {scheme}:// return link"),
            facts.url_schemes.iter().any(|s| s == scheme),
            format!("add {scheme} to CFBundleURLTypes > CFBundleURLSchemes (browser mode cannot return to the app without it)"),
        );
    }
}

fn android_checks(r: &mut Report, project: &Path, config: &MobileConfig, link: Option<&ReturnLink>) {
    let path = android::manifest_path(project);
    let facts = match read(&path).and_then(|t| ManifestFacts::parse(&t)) {
        Ok(f) => f,
        Err(e) => return r.add("Android manifest parses", Outcome::Fail(e.to_string())),
    };
    let inject = "run `cargo run -p ramp-mobile -- inject` (or build with the Tauri CLI, which injects)";
    r.pass_if(
        "Android manifest declares CAMERA once",
        facts.permission_count("android.permission.CAMERA") == 1,
        format!("the webview silently refuses the camera without it; {inject}"),
    );
    let optional = |name: &str| {
        let fs = facts.features_named(name);
        !fs.is_empty() && fs.iter().all(|f| f.required.as_deref() == Some("false"))
    };
    r.pass_if(
        "Android manifest marks android.hardware.camera optional",
        optional("android.hardware.camera"),
        format!("a required camera hides the app from devices without one on Google Play; {inject}"),
    );
    r.pass_if(
        "Android manifest overrides the barcode plugin's camera.any to optional",
        optional("android.hardware.camera.any")
            && facts
                .features_named("android.hardware.camera.any")
                .iter()
                .all(|f| f.tools_replace.as_deref() == Some("android:required"))
            && facts.tools_namespace,
        format!("needs tools:replace=\"android:required\" and xmlns:tools on <manifest>; {inject}"),
    );
    let record = facts.permission_count("android.permission.RECORD_AUDIO");
    let modify = facts.permission_count("android.permission.MODIFY_AUDIO_SETTINGS");
    if config.android.audio {
        r.pass_if(
            "Android manifest declares RECORD_AUDIO and MODIFY_AUDIO_SETTINGS once each",
            record == 1 && modify == 1,
            format!("the webview grants audio only with both; {inject}"),
        );
    } else {
        r.pass_if(
            "Android manifest: RECORD_AUDIO comes with MODIFY_AUDIO_SETTINGS",
            record == 0 || modify >= 1,
            format!("one without the other means silent audio denial; {inject}"),
        );
    }
    if let Some(link) = link {
        r.pass_if(
            format!("Android MainActivity opens {} links", link.display()),
            facts.deep_link_filters(&link.scheme, &link.host) >= 1,
            format!("browser mode cannot return to the app; {inject}"),
        );
    }
    r.pass_if(
        "Android manifest marks camera autofocus optional",
        optional("android.hardware.camera.autofocus"),
        format!("a phone with a fixed-focus camera would not see the app on Google Play; {inject}"),
    );
    if config.android.audio {
        r.pass_if(
            "Android manifest marks the microphone optional",
            optional("android.hardware.microphone"),
            format!("RECORD_AUDIO implies a required microphone on Google Play; {inject}"),
        );
    }
    r.pass_if(
        "Android manifest queries the camera capture intents",
        CAPTURE_ACTIONS.iter().all(|a| facts.query_actions.iter().any(|q| q == a)),
        format!("without IMAGE_CAPTURE and VIDEO_CAPTURE queries a file input with capture offers no camera; {inject}"),
    );
    if config.android.widget_activity {
        let widget = facts.activity(&format!(".{WIDGET_ACTIVITY}"));
        r.pass_if(
            format!("Android manifest declares .{WIDGET_ACTIVITY}, not exported"),
            widget.is_some_and(|a| a.exported.as_deref() == Some("false")),
            format!("without it the widget replaces the app's own screen; {inject}"),
        );
        let kt = android::widget_activity_path(project).and_then(|p| read(&p).ok()).unwrap_or_default();
        r.pass_if(
            format!("{WIDGET_ACTIVITY}.kt extends TauriActivity"),
            kt.starts_with(KOTLIN_HEADER) && kt.contains(&format!("class {WIDGET_ACTIVITY} : TauriActivity()")),
            format!("the declared activity needs its class beside MainActivity.kt; {inject}"),
        );
        let launched = facts.launcher_activity();
        let kt = android::launcher_activity_path(project).and_then(|p| read(&p).ok()).unwrap_or_default();
        r.pass_if(
            format!("the Android launcher icon starts .{LAUNCHER_ACTIVITY}, which keeps the payment window"),
            launched.is_some_and(|a| a.name == format!(".{LAUNCHER_ACTIVITY}") && a.launch_mode.is_none())
                && kt.starts_with(LAUNCHER_KOTLIN_HEADER),
            format!(
                "a singleTask MainActivity on the launcher finishes the payment window when the user comes back through the icon; {inject}"
            ),
        );
    }
    if config.android.google_pay {
        let all = PAY_ACTIONS.iter().all(|a| facts.query_actions.iter().filter(|q| q == a).count() == 1);
        r.pass_if(
            "Android manifest queries the Google Pay intents",
            all,
            format!(
                "Google Pay stays hidden in the WebView without the three org.chromium.intent.action queries; {inject}"
            ),
        );
        let kt = android::main_activity_path(project).and_then(|p| read(&p).ok()).unwrap_or_default();
        r.pass_if(
            "MainActivity enables the WebView's Payment Request",
            kt.contains("setPaymentRequestEnabled"),
            format!("Google Pay needs WebSettingsCompat.setPaymentRequestEnabled; {inject}"),
        );
    }
    r.pass_if(
        "Android manifest keeps the template's FileProvider",
        facts.file_provider,
        "file inputs with capture (document photos) need androidx.core.content.FileProvider; regenerate with `cargo tauri android init`",
    );
}

fn capabilities(r: &mut Report, tauri_dir: &Path) {
    use ramp_api::plugin::{APP_WINDOW, PLUGIN};
    let found = match crate::capabilities::load(tauri_dir) {
        Ok(f) => f,
        Err(e) => return r.add("capabilities parse", Outcome::Fail(e.to_string())),
    };
    if found.is_empty() {
        return r.add("capabilities", Outcome::Fail(format!("no capabilities under {}", tauri_dir.display())));
    }
    let sources = |pick: &dyn Fn(&crate::capabilities::Found) -> bool| {
        let mut v: Vec<String> = found.iter().filter(|f| pick(f)).map(|f| f.source.clone()).collect();
        v.dedup();
        v
    };
    let remote = sources(&|f| f.capability.remote.is_some());
    let widget = sources(&|f| crate::capabilities::matches_payment_window(&f.capability));
    let broad =
        sources(&|f| f.capability.permissions.iter().any(|p| p.identifier().get() == "barcode-scanner:default"));
    r.pass_if(
        "no capability grants a remote URL",
        remote.is_empty(),
        format!("remove \"remote\" from {}: remote pages (the widget) must reach no command", remote.join(", ")),
    );
    r.pass_if(
        "no capability matches the widget webview",
        widget.is_empty(),
        format!(
            "{} match a payment window's label (\"widget-1\", …; Tauri reads labels as glob patterns): list \"main\" only",
            widget.join(", ")
        ),
    );
    let granted = sources(&|f| {
        let c = &f.capability;
        c.local
            && crate::capabilities::matches_label(c, APP_WINDOW)
            && c.permissions.iter().any(|p| {
                let id = p.identifier().get();
                id == format!("{PLUGIN}:default") || id.starts_with(&format!("{PLUGIN}:allow-"))
            })
    });
    r.pass_if(
        "the app's window may call Proof Ramp",
        !granted.is_empty(),
        format!(
            "no capability for local pages grants \"{PLUGIN}:default\" to the \"{APP_WINDOW}\" window: add it to one in {}/capabilities (without it every command is refused)",
            tauri_dir.display()
        ),
    );
    r.pass_if(
        "barcode scanner permissions are listed one by one",
        broad.is_empty(),
        format!("{}: replace barcode-scanner:default with the allow-* permissions the UI uses", broad.join(", ")),
    );
}

fn tauri_conf(r: &mut Report, conf: &Result<Value, String>) {
    let v = match conf {
        Ok(v) => v,
        Err(e) => return r.add("tauri.conf.json parses", Outcome::Fail(e.clone())),
    };
    let csp = v.pointer("/app/security/csp").and_then(Value::as_str).unwrap_or("");
    r.pass_if(
        "a Content-Security-Policy is set for the app's pages",
        csp.contains("default-src") && !csp.contains("'unsafe-eval'"),
        "set app.security.csp in tauri.conf.json (default-src 'self'; no 'unsafe-eval')",
    );
    let ios_min = v.pointer("/bundle/iOS/minimumSystemVersion").and_then(Value::as_str).unwrap_or("");
    let major = ios_min.split('.').next().and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
    r.pass_if(
        "iOS minimum version is 16 or later (Apple Pay in the webview)",
        major >= 16,
        "set bundle.iOS.minimumSystemVersion to \"16.0\": below 16 injected scripts switch Apple Pay off",
    );
}

/// Origins of the navigation allowlist the backend hands the app (`RAMP_WIDGET_FRAME_ORIGINS`,
/// from the environment or the backend's `.env.example`).
fn allowlist(r: &mut Report, root: &Path) {
    let name = "the widget's frame-origin allowlist parses";
    let value = std::env::var("RAMP_WIDGET_FRAME_ORIGINS").ok().or_else(|| {
        read(&root.join("crates/partner-backend/.env.example")).ok().and_then(|t| {
            t.lines()
                .map(|l| l.trim_start_matches('#').trim())
                .find_map(|l| l.strip_prefix("RAMP_WIDGET_FRAME_ORIGINS=").map(str::to_owned))
        })
    });
    let Some(value) = value else {
        return r.add(name, Outcome::Skip("RAMP_WIDGET_FRAME_ORIGINS is not set and not in .env.example".into()));
    };
    let bad: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .filter(|o| {
            let parsed = url::Url::parse(&o.replace("*.", "wildcard."));
            !parsed.is_ok_and(|u| u.scheme() == "https" && u.path() == "/" && u.query().is_none() && !o.ends_with('/'))
        })
        .collect();
    r.pass_if(name, bad.is_empty(), format!("not https origins (scheme://host[:port], no path): {}", bad.join(", ")));
}

/// A backend that answered `/healthz`: its address and the client that asked it.
struct Backend {
    base: url::Url,
    client: reqwest::Client,
}

/// The backend, when it answers `/healthz` (the checks that ask it more run only then).
async fn backend(r: &mut Report, url: &str) -> Option<Backend> {
    let name = format!("backend answers at {url}");
    let Ok(base) = url::Url::parse(url) else {
        r.add(name, Outcome::Fail("not a URL; pass --backend http(s)://host:port/".into()));
        return None;
    };
    let Ok(health) = base.join("healthz") else {
        r.add(name, Outcome::Fail("not a base URL".into()));
        return None;
    };
    let client = match reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build() {
        Ok(c) => c,
        Err(e) => {
            r.add(name, Outcome::Fail(e.to_string()));
            return None;
        }
    };
    let outcome = match client.get(health).send().await {
        Ok(resp) if resp.status().is_success() => Outcome::Pass,
        Ok(resp) => Outcome::Fail(format!("/healthz answered {}; see the backend's log", resp.status())),
        Err(e) => Outcome::Fail(format!(
            "{e}; start it (`cargo run -p partner-backend -- --sandbox`) or pass --backend / --offline"
        )),
    };
    let up = outcome == Outcome::Pass;
    r.add(name, outcome);
    up.then_some(Backend { base, client })
}

/// A release build's return link: an App Link / Universal Link on the backend's https origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseLink {
    /// The backend's host.
    pub host: String,
    /// The return link's path (`/app/return`).
    pub path: String,
}

/// Release builds return through a verified https link and through nothing any other app can
/// fire (a custom scheme).
fn release_link(r: &mut Report, tauri_dir: &Path) -> Option<ReleaseLink> {
    let name = format!("release builds return through a verified https link ({RELEASE_CONF})");
    let conf = match read_json(&tauri_dir.join(RELEASE_CONF)) {
        Ok(c) => c,
        Err(e) => {
            r.add(name, Outcome::Fail(format!("{e}; add it with plugins.deep-link.mobile = [{{\"scheme\": [\"https\"], \"host\": \"<the backend's host>\", \"pathPrefix\": [\"/app/return\"], \"appLink\": true}}]")));
            return None;
        }
    };
    let links = DeepLink::from_tauri_conf(&conf);
    let custom: Vec<&str> = links.iter().flat_map(DeepLink::custom_schemes).collect();
    if !custom.is_empty() {
        r.add(
            name,
            Outcome::Fail(format!(
                "remove the {}:// link from {RELEASE_CONF}: any app can open a custom-scheme link; keep it in tauri.conf.json for development",
                custom.join(":// and ")
            )),
        );
        return None;
    }
    let verified = links.iter().find_map(|l| {
        let only_https = l.schemes.iter().all(|s| s == "https");
        let path = l.path_prefixes.first()?;
        let host = l.host.clone()?;
        (l.app_link && only_https).then(|| ReleaseLink { host, path: path.clone() })
    });
    match verified {
        Some(link) => {
            r.add(format!("{name}: https://{}{}", link.host, link.path), Outcome::Pass);
            Some(link)
        }
        None => {
            r.add(
                name,
                Outcome::Fail(format!(
                    "{RELEASE_CONF} needs a deep link with \"scheme\": [\"https\"], the backend's host, a pathPrefix and \"appLink\": true"
                )),
            );
            None
        }
    }
}

/// iOS: the deep-link plugin writes `applinks:<host>` into the generated project's entitlements
/// when it builds on a Mac; check it there when the Xcode project exists.
fn associated_domain(r: &mut Report, tauri_dir: &Path, release: Option<&ReleaseLink>) {
    let Some(link) = release else { return };
    let name = format!("iOS entitlements associate applinks:{}", link.host);
    let apple = tauri_dir.join("gen").join("apple");
    let pattern = format!("{}/**/*.entitlements", apple.display());
    let files: Vec<PathBuf> = glob::glob(&pattern).map(|g| g.filter_map(|p| p.ok()).collect()).unwrap_or_default();
    if files.is_empty() {
        return r.add(
            name,
            Outcome::Skip(
                "the Xcode project (src-tauri/gen/apple) is generated on a Mac; a release build there writes it".into(),
            ),
        );
    }
    let entry = format!("applinks:{}", link.host);
    // An entry of the entitlements' associated-domains array, not text that merely contains it.
    let associates = |f: &PathBuf| {
        plist::Value::from_file(f).ok().is_some_and(|v| {
            v.as_dictionary()
                .and_then(|d| d.get("com.apple.developer.associated-domains"))
                .and_then(plist::Value::as_array)
                .is_some_and(|a| a.iter().any(|d| d.as_string() == Some(entry.as_str())))
        })
    };
    r.pass_if(
        name,
        files.iter().any(associates),
        format!("build once with --config src-tauri/{RELEASE_CONF} on the Mac (the deep-link plugin writes {entry}), and give the App ID the Associated Domains capability"),
    );
}

/// The backend's origin vouches for this app: `/.well-known/assetlinks.json` names its package,
/// `/.well-known/apple-app-site-association` its bundle id with the return link's path. A
/// backend that serves neither (development) is noted, not failed.
async fn vouches(r: &mut Report, backend: &Backend, identifier: &str, link: &ReleaseLink) {
    let fetch = |path: &'static str| {
        let client = backend.client.clone();
        let url = backend.base.join(path);
        async move {
            let url = url.map_err(|e| e.to_string())?;
            let resp = client.get(url).send().await.map_err(|e| e.to_string())?;
            if resp.status() == reqwest::StatusCode::NOT_FOUND {
                return Ok(None);
            }
            if !resp.status().is_success() {
                return Err(format!("answered {}", resp.status()));
            }
            resp.json::<Value>().await.map(Some).map_err(|e| format!("not JSON: {e}"))
        }
    };
    let unset = |vars: &str| {
        Outcome::Skip(format!(
            "the backend vouches for no app (development); for release set {vars} and RAMP_APP_RETURN_URL=https://{}{}",
            link.host, link.path
        ))
    };
    let name = format!("the backend's assetlinks.json names {identifier}");
    match fetch(".well-known/assetlinks.json").await {
        Ok(None) => r.add(name, unset("RAMP_ANDROID_PACKAGE and RAMP_ANDROID_CERT_SHA256")),
        Ok(Some(v)) => {
            let named = v.as_array().into_iter().flatten().any(|s| {
                s.pointer("/target/package_name").and_then(Value::as_str) == Some(identifier)
                    && s.pointer("/target/sha256_cert_fingerprints")
                        .and_then(Value::as_array)
                        .is_some_and(|f| !f.is_empty())
            });
            r.pass_if(
                name,
                named,
                format!("set RAMP_ANDROID_PACKAGE={identifier} and the release key's RAMP_ANDROID_CERT_SHA256"),
            );
        }
        Err(e) => r.add(name, Outcome::Fail(e)),
    }
    let name = format!("the backend's apple-app-site-association names {identifier} at {}", link.path);
    match fetch(".well-known/apple-app-site-association").await {
        Ok(None) => r.add(name, unset("RAMP_IOS_APP_IDS")),
        Ok(Some(v)) => {
            let details = v.pointer("/applinks/details").and_then(Value::as_array).cloned().unwrap_or_default();
            let suffix = format!(".{identifier}");
            let named = details.iter().any(|d| {
                let app = d
                    .get("appIDs")
                    .and_then(Value::as_array)
                    .is_some_and(|ids| ids.iter().filter_map(Value::as_str).any(|id| id.ends_with(&suffix)));
                let path = d.get("components").and_then(Value::as_array).is_some_and(|cs| {
                    cs.iter().any(|c| c.get("/").and_then(Value::as_str) == Some(link.path.as_str()))
                });
                app && path
            });
            r.pass_if(
                name,
                named,
                format!(
                    "set RAMP_IOS_APP_IDS=<team id>{suffix} and RAMP_APP_RETURN_URL=https://{}{}",
                    link.host, link.path
                ),
            );
        }
        Err(e) => r.add(name, Outcome::Fail(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(version_triple("2.12.5").is_some_and(|v| v >= MIN_TAURI));
        assert!(version_triple("2.11.0").is_some_and(|v| v < MIN_TAURI));
        assert!(version_triple("3.0.0-alpha.1").is_some_and(|v| v >= MIN_TAURI));
        assert_eq!(version_triple("x"), None);
    }
}
