//! Flags and environment into a validated [`Config`]; every error names the variable to fix.

use std::time::Duration;

use ipnet::IpNet;
use proof_api::{Amount, ClientToken};
use ramp_api::WidgetMode;
use url::Url;

use super::helpers::{decimal, is_local, valid_symbol};
use super::{Cli, Config, ConfigError, MAX_LINK_TTL, PROOF_WIDGET_SCRIPT, ProofTarget, Secret};

pub(super) fn bad(var: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError { var, message: message.into() }
}

/// How the example configuration (`.env.example`) marks a value to replace: a secret still
/// holding it is refused, so a copied example never runs with a published secret.
const PLACEHOLDER: &str = "replace-with-";

/// Longest `INSTANCE_ID`: `proof-ramp-backend/` and it fit PostgreSQL's 63-byte
/// `application_name`, which must name each instance apart.
const MAX_INSTANCE_ID: usize = 44;

/// A secret from `name`, or from the file `file_var` names (trailing newline dropped); not both.
fn secret(
    env: &dyn Fn(&str) -> Option<String>,
    name: &'static str,
    file_var: &'static str,
) -> Result<Option<String>, ConfigError> {
    let direct = env(name).filter(|v| !v.is_empty());
    let path = env(file_var).filter(|v| !v.is_empty());
    match (direct, path) {
        (Some(_), Some(_)) => Err(bad(file_var, format!("set either {name} or {file_var}, not both"))),
        (Some(v), None) => Ok(Some(v)),
        (None, Some(path)) => {
            let text =
                std::fs::read_to_string(&path).map_err(|e| bad(file_var, format!("cannot read {path:?}: {e}")))?;
            let value = text.trim_end_matches(['\n', '\r']).to_owned();
            if value.is_empty() {
                return Err(bad(file_var, format!("{path:?} is empty")));
            }
            Ok(Some(value))
        }
        (None, None) => Ok(None),
    }
    .and_then(|value| match value {
        Some(v) if v.starts_with(PLACEHOLDER) => Err(bad(
            name,
            "still holds the example's placeholder; set a secret of your own (e.g. `openssl rand -hex 32`)",
        )),
        other => Ok(other),
    })
}

/// The partner's support: an https page, or a `mailto:` with one address and nothing else.
fn parse_support_url(text: &str) -> Result<String, ConfigError> {
    let refuse = || {
        bad(
            "RAMP_SUPPORT_URL",
            format!("{text:?} must be an https page or mailto:address (e.g. mailto:support@partner.example)"),
        )
    };
    let url = Url::parse(text.trim()).map_err(|_| refuse())?;
    let fine = match url.scheme() {
        "https" => url.host_str().is_some(),
        "mailto" => {
            let to = url.path();
            url.query().is_none()
                && to.split('@').count() == 2
                && !to.starts_with('@')
                && !to.ends_with('@')
                && !to.contains(',')
        }
        _ => false,
    };
    if fine { Ok(url.to_string()) } else { Err(refuse()) }
}

/// The app's return link: a custom scheme (`prooframp://return`) or an https App/Universal
/// Link; never a scheme a browser would run (`javascript:`, `data:`, `file:`).
fn parse_return_url(text: &str) -> Result<String, ConfigError> {
    let url = Url::parse(text.trim()).map_err(|_| {
        bad("RAMP_APP_RETURN_URL", format!("{text:?} is not a URL; use the app's link, e.g. prooframp://return"))
    })?;
    let scheme = url.scheme();
    let runs_code = ["javascript", "data", "file", "blob", "about", "vbscript"].contains(&scheme);
    let plain_http = scheme == "http" && !url.host_str().is_some_and(|h| h == "127.0.0.1" || h == "localhost");
    if runs_code || plain_http || url.query().is_some() || url.fragment().is_some() {
        return Err(bad(
            "RAMP_APP_RETURN_URL",
            format!("{text:?} must be the app's custom-scheme link or an https App Link, without query or fragment"),
        ));
    }
    Ok(url.to_string())
}

/// The flags [`parse_app_links`] reads.
struct AppLinkFlags<'a> {
    android_package: Option<&'a str>,
    android_cert_sha256: &'a [String],
    ios_app_ids: &'a [String],
}

/// The App Links and Universal Links settings. They only make sense for a return link on this
/// backend's own origin over https (the phone fetches the files from the link's host).
fn parse_app_links(
    cli: &AppLinkFlags<'_>,
    public: Option<&Url>,
    return_url: &str,
) -> Result<super::AppLinks, ConfigError> {
    let fingerprints: Vec<String> = cli.android_cert_sha256.iter().map(|f| f.trim().to_ascii_uppercase()).collect();
    let android = match cli.android_package.map(str::trim) {
        None | Some("") if fingerprints.is_empty() => None,
        None | Some("") => return Err(bad("RAMP_ANDROID_PACKAGE", "is required with RAMP_ANDROID_CERT_SHA256")),
        Some(_) if fingerprints.is_empty() => {
            return Err(bad(
                "RAMP_ANDROID_CERT_SHA256",
                "is required with RAMP_ANDROID_PACKAGE: the SHA-256 fingerprint of the app's signing certificate \
                 (keytool -list -v, or Play Console's app signing page)",
            ));
        }
        Some(package) => {
            if !is_package_name(package) {
                return Err(bad(
                    "RAMP_ANDROID_PACKAGE",
                    format!("{package:?} is not a package name such as com.partner.ramp"),
                ));
            }
            if let Some(f) = fingerprints.iter().find(|f| !is_sha256_fingerprint(f)) {
                return Err(bad(
                    "RAMP_ANDROID_CERT_SHA256",
                    format!("{f:?} is not a SHA-256 fingerprint: 32 bytes as hex pairs joined by colons"),
                ));
            }
            Some((package.to_owned(), fingerprints))
        }
    };
    let ios_app_ids: Vec<String> = cli.ios_app_ids.iter().map(|a| a.trim().to_owned()).collect();
    if let Some(a) = ios_app_ids.iter().find(|a| !is_app_id(a)) {
        return Err(bad("RAMP_IOS_APP_IDS", format!("{a:?} is not TEAMID.bundle.id (a 10-character team id)")));
    }
    if android.is_some() || !ios_app_ids.is_empty() {
        let on_this_origin = Url::parse(return_url)
            .ok()
            .zip(public)
            .is_some_and(|(r, p)| r.scheme() == "https" && r.origin() == p.origin());
        if !on_this_origin {
            return Err(bad(
                "RAMP_APP_RETURN_URL",
                "must be an https link on PUBLIC_BASE_URL's origin (e.g. https://ramp.partner.example/app/return) \
                 when App Links or Universal Links are set: phones check the link's own host",
            ));
        }
    }
    Ok(super::AppLinks { android, ios_app_ids })
}

/// `com.partner.ramp`: two or more segments, each a letter and then letters, digits or `_`.
fn is_package_name(s: &str) -> bool {
    let segments: Vec<&str> = s.split('.').collect();
    segments.len() >= 2
        && segments.iter().all(|seg| {
            seg.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// `AA:BB:…`: 32 bytes, upper-case hex pairs joined by colons.
fn is_sha256_fingerprint(s: &str) -> bool {
    let pairs: Vec<&str> = s.split(':').collect();
    pairs.len() == 32
        && pairs.iter().all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)))
}

/// `ABCDE12345.com.partner.ramp`: a 10-character team id, then the bundle id.
fn is_app_id(s: &str) -> bool {
    let Some((team, bundle)) = s.split_once('.') else { return false };
    team.len() == 10
        && team.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && !bundle.is_empty()
        && bundle.split('.').all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
}

fn parse_public_url(u: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(u).map_err(|e| bad("PUBLIC_BASE_URL", format!("{u:?} is not a URL: {e}")))?;
    if url.scheme() != "https" && !is_local(&url) {
        return Err(bad(
            "PUBLIC_BASE_URL",
            "must be https:// (Proof only accepts registered https origins); http:// is allowed for localhost",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("PUBLIC_BASE_URL", "must not have a query or fragment"));
    }
    Ok(url)
}

fn parse_pairs(raw: impl IntoIterator<Item = String>) -> Result<Vec<(String, String)>, ConfigError> {
    raw.into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| match p.trim().split_once(':') {
            Some((c, n)) if valid_symbol(c) && valid_symbol(n) => Ok((c.to_owned(), n.to_owned())),
            _ => Err(bad("RAMP_PAIRS", format!("{p:?} is not CURRENCY:NETWORK in capitals, e.g. USDT:TRC20"))),
        })
        .collect()
}

fn parse_net(s: &str) -> Option<IpNet> {
    s.parse::<IpNet>().ok().or_else(|| s.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}

impl Config {
    /// Validate flags and the process environment into a configuration.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first variable that is missing or wrong.
    pub fn from_cli(cli: Cli) -> Result<Self, ConfigError> {
        Self::from_sources(cli, &|name| std::env::var(name).ok())
    }

    /// Validate flags plus secrets read through `env` (the process environment in
    /// [`Config::from_cli`]). Each secret comes from `NAME` or from the file `NAME_FILE` names
    /// (a mounted secret), never from a flag.
    ///
    /// # Errors
    /// [`ConfigError`] naming the first variable that is missing or wrong.
    pub fn from_sources(cli: Cli, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let sandbox = cli.sandbox;
        if sandbox && !cfg!(feature = "sandbox") {
            return Err(bad(
                "RAMP_SANDBOX",
                "this build has no embedded sandbox (built without the `sandbox` feature); unset it",
            ));
        }
        let client_token = secret(env, "PROOF_CLIENT_TOKEN", "PROOF_CLIENT_TOKEN_FILE")?;
        let signing_key = secret(env, "APP_AUTH_SIGNING_KEY", "APP_AUTH_SIGNING_KEY_FILE")?;
        let webhook_secret = secret(env, "PROOF_WEBHOOK_PATH_SECRET", "PROOF_WEBHOOK_PATH_SECRET_FILE")?;
        let mut c = Self::sandbox(cli.database_url.0.clone());
        c.listen = cli.listen;
        c.public_base_url = match cli.public_base_url.as_deref() {
            Some(u) => Some(parse_public_url(u)?),
            None if sandbox => None,
            None => return Err(bad("PUBLIC_BASE_URL", "is required: the https URL where this backend is reachable")),
        };
        if sandbox {
            if cli.proof_base_url.is_some() || client_token.is_some() {
                return Err(bad(
                    "RAMP_SANDBOX",
                    "sandbox mode starts its own Proof; unset PROOF_BASE_URL and PROOF_CLIENT_TOKEN",
                ));
            }
        } else {
            let base =
                cli.proof_base_url.ok_or_else(|| bad("PROOF_BASE_URL", "is required unless --sandbox is given"))?;
            let base_url = Url::parse(&base)
                .ok()
                .filter(|u| u.scheme() == "https" || is_local(u))
                .ok_or_else(|| bad("PROOF_BASE_URL", "must be an https:// URL (http:// only for localhost)"))?;
            let token =
                client_token.ok_or_else(|| bad("PROOF_CLIENT_TOKEN", "is required unless --sandbox is given"))?;
            ClientToken::new(token.clone()).map_err(|e| bad("PROOF_CLIENT_TOKEN", format!("is not usable: {e}")))?;
            let client_token = Secret(token);
            let script = cli.widget_script_url.unwrap_or_else(|| PROOF_WIDGET_SCRIPT.to_owned());
            let widget_script_url = Url::parse(&script)
                .ok()
                .filter(|u| u.scheme() == "https" || is_local(u))
                .ok_or_else(|| bad("PROOF_WIDGET_SCRIPT_URL", "must be an https:// URL"))?;
            c.proof = ProofTarget::Remote { base_url, client_token, widget_script_url };
            let key = signing_key
                .clone()
                .ok_or_else(|| bad("APP_AUTH_SIGNING_KEY", "is required unless --sandbox is given"))?;
            c.auth_signing_key = Secret(key);
            c.webhook_path_secret = webhook_secret.map(Secret);
            c.sell_enabled = false;
        }
        if let Some(key) = signing_key.filter(|_| sandbox) {
            c.auth_signing_key = Secret(key);
        }
        if c.auth_signing_key.0.len() < 32 {
            return Err(bad("APP_AUTH_SIGNING_KEY", "must be at least 32 characters (e.g. `openssl rand -hex 32`)"));
        }
        if let Some(secret) = &c.webhook_path_secret {
            if secret.0.len() < 16 || !secret.0.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err(bad(
                    "PROOF_WEBHOOK_PATH_SECRET",
                    "must be at least 16 characters of A-Z, a-z, 0-9, - or _",
                ));
            }
        }
        if !cli.pairs.is_empty() {
            c.pairs = parse_pairs(cli.pairs)?;
        } else if !sandbox {
            return Err(bad("RAMP_PAIRS", "is required: the CURRENCY:NETWORK pairs Proof enabled, e.g. USDT:TRC20"));
        }
        if let Some(sell) = cli.sell_enabled {
            c.sell_enabled = sell;
        }
        c.min_amount = Amount::parse(&cli.min_amount).map_err(|e| bad("RAMP_MIN_AMOUNT", e.to_string()))?;
        c.max_amount = Amount::parse(&cli.max_amount).map_err(|e| bad("RAMP_MAX_AMOUNT", e.to_string()))?;
        if decimal(&c.min_amount) > decimal(&c.max_amount) || c.max_amount.is_zero() {
            return Err(bad("RAMP_MAX_AMOUNT", "must be greater than zero and not below RAMP_MIN_AMOUNT"));
        }
        c.accept_user_address = cli.accept_user_address;
        c.frame_origins = cli
            .frame_origins
            .iter()
            .filter(|o| !o.trim().is_empty())
            .map(|o| {
                Url::parse(o.trim())
                    .ok()
                    .filter(|u| u.origin().is_tuple())
                    .map(|u| u.origin().ascii_serialization())
                    .ok_or_else(|| {
                        bad(
                            "RAMP_WIDGET_FRAME_ORIGINS",
                            format!("{o:?} is not an origin such as https://api.example.com"),
                        )
                    })
            })
            .collect::<Result<_, _>>()?;
        c.widget_mode = match cli.widget_mode.trim() {
            "webview" => WidgetMode::Webview,
            "browser" => WidgetMode::Browser,
            other => return Err(bad("RAMP_WIDGET_MODE", format!("{other:?} must be webview or browser"))),
        };
        c.app_return_url = parse_return_url(&cli.app_return_url)?;
        c.support_url =
            cli.support_url.as_deref().filter(|s| !s.trim().is_empty()).map(parse_support_url).transpose()?;
        let links = AppLinkFlags {
            android_package: cli.android_package.as_deref(),
            android_cert_sha256: &cli.android_cert_sha256,
            ios_app_ids: &cli.ios_app_ids,
        };
        c.app_links = parse_app_links(&links, c.public_base_url.as_ref(), &c.app_return_url)?;
        c.app_token_ttl = Duration::from_secs(cli.app_token_ttl_secs);
        if !(3600..=90 * 86_400).contains(&cli.app_refresh_ttl_secs)
            || cli.app_refresh_ttl_secs <= cli.app_token_ttl_secs
        {
            return Err(bad(
                "APP_REFRESH_TTL_SECS",
                "must be between 3600 and 7776000, and longer than APP_TOKEN_TTL_SECS",
            ));
        }
        c.app_refresh_ttl = Duration::from_secs(cli.app_refresh_ttl_secs);
        if !(60..=86_400).contains(&cli.app_token_ttl_secs) {
            return Err(bad("APP_TOKEN_TTL_SECS", "must be between 60 and 86400"));
        }
        if crate::store::StoreKind::of_url(&cli.database_url.0).is_none() {
            return Err(bad(
                "DATABASE_URL",
                "must be sqlite://path/to/file.db (one instance) or postgres://user:password@host/db (several)",
            ));
        }
        if !(3..=300).contains(&cli.watch_lease_secs) {
            return Err(bad("WATCH_LEASE_SECS", "must be between 3 and 300"));
        }
        c.watch_lease = Duration::from_secs(cli.watch_lease_secs);
        if !(1..=1_000_000).contains(&cli.max_upstream_watchers) {
            return Err(bad("MAX_UPSTREAM_WATCHERS", "must be between 1 and 1000000"));
        }
        c.max_upstream_watchers = cli.max_upstream_watchers;
        if cli.unopened_watch_grace_secs > 86_400 {
            return Err(bad("UNOPENED_WATCH_GRACE_SECS", "must be at most 86400"));
        }
        c.unopened_watch_grace = Duration::from_secs(cli.unopened_watch_grace_secs);
        if let Some(id) = cli.instance_id {
            let ok = (1..=MAX_INSTANCE_ID).contains(&id.len())
                && id.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
            if !ok {
                return Err(bad(
                    "INSTANCE_ID",
                    "must be 1 to 44 characters of A-Z, a-z, 0-9, '.', '-' or '_' (it is part of PostgreSQL's 63-character application_name, by which instances see each other alive)",
                ));
            }
            c.instance_id = id;
        }
        c.trusted_proxies = cli
            .trusted_proxies
            .iter()
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                parse_net(p.trim()).ok_or_else(|| bad("TRUSTED_PROXIES", format!("{p:?} is not an IP address or CIDR")))
            })
            .collect::<Result<_, _>>()?;
        c.widget_link_ttl = Duration::from_secs(cli.widget_link_ttl_secs);
        if cli.widget_link_ttl_secs == 0 || c.widget_link_ttl > MAX_LINK_TTL {
            return Err(bad("WIDGET_LINK_TTL_SECS", "must be between 1 and 300"));
        }
        c.proof_session_ttl = Duration::from_secs(cli.proof_session_ttl_secs);
        if cli.proof_session_ttl_secs > 86_400 {
            return Err(bad("PROOF_SESSION_TTL_SECS", "must be at most 86400 (0 turns continuing off)"));
        }
        if cli.session_rate_per_minute == 0 {
            return Err(bad("SESSION_RATE_PER_MINUTE", "must be at least 1"));
        }
        c.session_rate_per_minute = cli.session_rate_per_minute;
        for (var, value) in [
            ("API_RATE_PER_USER_PER_MINUTE", cli.api_rate_per_user_per_minute),
            ("API_RATE_PER_IP_PER_MINUTE", cli.api_rate_per_ip_per_minute),
        ] {
            if value == 0 {
                return Err(bad(var, "must be at least 1"));
            }
        }
        c.api_rate_per_user_per_minute = cli.api_rate_per_user_per_minute;
        c.api_rate_per_ip_per_minute = cli.api_rate_per_ip_per_minute;
        if cli.max_streams_per_user == 0 {
            return Err(bad("MAX_STREAMS_PER_USER", "must be at least 1"));
        }
        c.max_streams_per_user = cli.max_streams_per_user;
        if cli.kyc_cache_secs > 300 {
            return Err(bad("KYC_CACHE_SECS", "must be at most 300 (a stale status misleads the user)"));
        }
        c.kyc_cache_ttl = Duration::from_secs(cli.kyc_cache_secs);
        if !(1000..=60_000).contains(&cli.poll_interval_ms) {
            return Err(bad("PROOF_POLL_INTERVAL_MS", "must be between 1000 and 60000 (5000-10000 advised)"));
        }
        c.poll_interval = Duration::from_millis(cli.poll_interval_ms);
        if !(1000..=60_000).contains(&cli.request_deadline_ms) {
            return Err(bad("REQUEST_DEADLINE_MS", "must be between 1000 and 60000"));
        }
        c.request_deadline = Duration::from_millis(cli.request_deadline_ms);
        if !(1..=600).contains(&cli.idle_timeout_secs) {
            return Err(bad("IDLE_TIMEOUT_SECS", "must be between 1 and 600"));
        }
        c.idle_timeout = Duration::from_secs(cli.idle_timeout_secs);
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_RETURN_URL;
    use clap::Parser;

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["proof-ramp-backend"];
        all.extend_from_slice(args);
        Cli::try_parse_from(all).expect("flags parse")
    }

    const PROD: &[&str] = &[
        "--public-base-url=https://ramp.partner.example",
        "--proof-base-url=https://proof.example",
        "--pairs=USDT:TRC20",
    ];
    const SECRETS: &[(&str, &str)] =
        &[("PROOF_CLIENT_TOKEN", "tok"), ("APP_AUTH_SIGNING_KEY", "0123456789abcdef0123456789abcdef")];

    /// Validate `args` with `env` as the whole environment.
    fn config(args: &[&str], env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: std::collections::HashMap<String, String> =
            env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::from_sources(cli(args), &|name| env.get(name).cloned())
    }

    fn prod(args: &[&str]) -> Result<Config, ConfigError> {
        let mut all = PROD.to_vec();
        all.extend_from_slice(args);
        config(&all, SECRETS)
    }

    #[test]
    fn sandbox_needs_nothing() {
        let c = config(&["--sandbox"], &[]).expect("valid");
        assert!(c.is_sandbox() && c.sell_enabled && !c.pairs.is_empty());
    }

    #[test]
    fn production_names_each_missing_variable() {
        for (i, var) in ["PUBLIC_BASE_URL", "PROOF_BASE_URL", "RAMP_PAIRS"].iter().enumerate() {
            let args: Vec<&str> = PROD.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, a)| *a).collect();
            let err = config(&args, SECRETS).expect_err("incomplete");
            assert_eq!(err.var, *var, "{err}");
        }
        for (i, (var, _)) in SECRETS.iter().enumerate() {
            let env: Vec<(&str, &str)> = SECRETS.iter().enumerate().filter(|(j, _)| *j != i).map(|(_, e)| *e).collect();
            let err = config(PROD, &env).expect_err("incomplete");
            assert_eq!(err.var, *var, "{err}");
        }
        assert!(prod(&[]).is_ok());
    }

    #[test]
    fn secrets_are_not_flags() {
        for flag in [
            "--proof-client-token=tok",
            "--auth-signing-key=0123456789abcdef0123456789abcdef",
            "--webhook-path-secret=x",
        ] {
            let mut all = vec!["proof-ramp-backend"];
            all.push(flag);
            assert!(Cli::try_parse_from(all).is_err(), "{flag} must not exist: it would show in the process list");
        }
    }

    #[test]
    fn secrets_come_from_files() {
        let dir = std::env::temp_dir().join(format!("ramp-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let token = dir.join("token");
        std::fs::write(&token, "file-token\n").expect("write");
        let empty = dir.join("empty");
        std::fs::write(&empty, "\n").expect("write");
        let key = SECRETS[1];
        let path = token.to_str().expect("utf-8");
        let c = config(PROD, &[("PROOF_CLIENT_TOKEN_FILE", path), key]).expect("valid");
        assert!(matches!(c.proof, ProofTarget::Remote { ref client_token, .. } if client_token.0 == "file-token"));
        let both = config(PROD, &[("PROOF_CLIENT_TOKEN_FILE", path), ("PROOF_CLIENT_TOKEN", "t"), key]);
        assert_eq!(both.expect_err("both").var, "PROOF_CLIENT_TOKEN_FILE");
        let missing = config(PROD, &[("PROOF_CLIENT_TOKEN_FILE", "/nonexistent/token"), key]);
        assert_eq!(missing.expect_err("unreadable").var, "PROOF_CLIENT_TOKEN_FILE");
        let blank = config(PROD, &[("PROOF_CLIENT_TOKEN_FILE", empty.to_str().expect("utf-8")), key]);
        assert_eq!(blank.expect_err("empty").var, "PROOF_CLIENT_TOKEN_FILE");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn bad_values_name_their_variable() {
        let cases: &[(&str, &str)] = &[
            ("--public-base-url=http://ramp.partner.example", "PUBLIC_BASE_URL"),
            ("--pairs=usdt-trc20", "RAMP_PAIRS"),
            ("--min-amount=-1", "RAMP_MIN_AMOUNT"),
            ("--max-amount=0", "RAMP_MAX_AMOUNT"),
            ("--trusted-proxies=10.0.0.0/99", "TRUSTED_PROXIES"),
            ("--widget-link-ttl-secs=900", "WIDGET_LINK_TTL_SECS"),
            ("--database-url=mysql://x", "DATABASE_URL"),
            ("--watch-lease-secs=1", "WATCH_LEASE_SECS"),
            ("--request-deadline-ms=100", "REQUEST_DEADLINE_MS"),
            ("--idle-timeout-secs=0", "IDLE_TIMEOUT_SECS"),
            ("--app-refresh-ttl-secs=60", "APP_REFRESH_TTL_SECS"),
            ("--max-upstream-watchers=0", "MAX_UPSTREAM_WATCHERS"),
            ("--api-rate-per-ip-per-minute=0", "API_RATE_PER_IP_PER_MINUTE"),
            ("--max-streams-per-user=0", "MAX_STREAMS_PER_USER"),
            ("--kyc-cache-secs=3600", "KYC_CACHE_SECS"),
            ("--unopened-watch-grace-secs=100000", "UNOPENED_WATCH_GRACE_SECS"),
            ("--instance-id=a b", "INSTANCE_ID"),
            ("--instance-id=an-instance-name-too-long-for-postgres-to-keep", "INSTANCE_ID"),
            ("--frame-origins=not a url", "RAMP_WIDGET_FRAME_ORIGINS"),
            ("--widget-mode=popup", "RAMP_WIDGET_MODE"),
            ("--app-return-url=javascript:alert(1)", "RAMP_APP_RETURN_URL"),
            ("--app-return-url=http://partner.example/return", "RAMP_APP_RETURN_URL"),
            ("--app-return-url=prooframp://return?x=1", "RAMP_APP_RETURN_URL"),
            ("--app-return-url=not a url", "RAMP_APP_RETURN_URL"),
            ("--support-url=javascript:alert(1)", "RAMP_SUPPORT_URL"),
            ("--support-url=http://partner.example/help", "RAMP_SUPPORT_URL"),
            ("--support-url=mailto:", "RAMP_SUPPORT_URL"),
            ("--support-url=mailto:a@x.example,b@x.example", "RAMP_SUPPORT_URL"),
            ("--support-url=mailto:help@x.example?body=hi", "RAMP_SUPPORT_URL"),
            ("--support-url=tel:+100", "RAMP_SUPPORT_URL"),
        ];
        for (arg, var) in cases {
            let flag = arg.split('=').next().unwrap_or(arg);
            let mut args: Vec<&str> = PROD.iter().copied().filter(|a| !a.starts_with(flag)).collect();
            args.push(arg);
            let err = config(&args, SECRETS).expect_err(arg);
            assert_eq!(err.var, *var, "{arg}: {err}");
        }
        let secret_cases: &[(&str, &str)] =
            &[("APP_AUTH_SIGNING_KEY", "short"), ("PROOF_WEBHOOK_PATH_SECRET", "short")];
        for (var, value) in secret_cases {
            let mut env: Vec<(&str, &str)> = SECRETS.iter().copied().filter(|(k, _)| k != var).collect();
            env.push((var, value));
            assert_eq!(config(PROD, &env).expect_err(var).var, *var);
        }
    }

    /// Every secret `.env.example` ships with a placeholder is refused while it still holds it
    /// (the webhook path's placeholder met the length and alphabet rules, so it was accepted).
    #[test]
    fn the_example_s_placeholder_secrets_are_refused() {
        let example = include_str!("../../.env.example");
        let placeholders: Vec<(&str, &str)> =
            example.lines().filter_map(|l| l.split_once('=')).filter(|(_, v)| v.starts_with(PLACEHOLDER)).collect();
        let names: Vec<&str> = placeholders.iter().map(|(k, _)| *k).collect();
        assert!(names.contains(&"PROOF_WEBHOOK_PATH_SECRET") && names.contains(&"APP_AUTH_SIGNING_KEY"), "{names:?}");
        for (var, placeholder) in placeholders {
            let mut env: Vec<(&str, &str)> = SECRETS.iter().copied().filter(|(k, _)| *k != var).collect();
            env.push((var, placeholder));
            let err = config(PROD, &env).expect_err(var);
            assert_eq!(err.var, var, "{err}");
            assert!(err.message.contains("placeholder"), "{err}");
        }
    }

    /// App Links and Universal Links: what a partner sets is served as given (fingerprints in
    /// upper case); anything a phone would reject is refused at start, naming its variable; and
    /// the return link must be https on this backend's own origin, the host phones ask.
    #[test]
    fn app_links_are_checked_at_start() {
        let fp = ["14:6D:E9:83:C5:73:06:50:D8:EE:B9:95:2F:34:FC:64"; 2].join(":");
        let here = "--app-return-url=https://ramp.partner.example/app/return";
        let package = "--android-package=com.partner.ramp";
        let cert = format!("--android-cert-sha256={}", fp.to_lowercase());
        let c = prod(&[here, package, &cert, "--ios-app-id=ABCDE12345.com.partner.ramp"]).expect("valid");
        assert_eq!(c.app_links.android, Some(("com.partner.ramp".to_owned(), vec![fp.clone()])));
        assert_eq!(c.app_links.ios_app_ids, ["ABCDE12345.com.partner.ramp"]);
        assert_eq!(prod(&[]).expect("valid").app_links, crate::config::AppLinks::default(), "none by default");
        let short = format!("--android-cert-sha256={}", &fp[..fp.len() - 3]);
        let cases: &[(&[&str], &str)] = &[
            (&[here, package], "RAMP_ANDROID_CERT_SHA256"),
            (&[here, &cert], "RAMP_ANDROID_PACKAGE"),
            (&[here, "--android-package=ramp", &cert], "RAMP_ANDROID_PACKAGE"),
            (&[here, "--android-package=com.1partner", &cert], "RAMP_ANDROID_PACKAGE"),
            (&[here, package, &short], "RAMP_ANDROID_CERT_SHA256"),
            (&[here, package, "--android-cert-sha256=sha256/abc"], "RAMP_ANDROID_CERT_SHA256"),
            (&[here, "--ios-app-id=com.partner.ramp"], "RAMP_IOS_APP_IDS"),
            (&[here, "--ios-app-id=abcde12345.com.partner.ramp"], "RAMP_IOS_APP_IDS"),
            (&[here, "--ios-app-id=ABCDE12345."], "RAMP_IOS_APP_IDS"),
            (&[package, &cert], "RAMP_APP_RETURN_URL"),
            (&["--app-return-url=https://elsewhere.example/app/return", package, &cert], "RAMP_APP_RETURN_URL"),
            (
                &["--app-return-url=https://elsewhere.example/r", "--ios-app-id=ABCDE12345.com.p.r"],
                "RAMP_APP_RETURN_URL",
            ),
        ];
        for (args, var) in cases {
            assert_eq!(prod(args).expect_err(&format!("{args:?}")).var, *var, "{args:?}");
        }
    }

    /// The default instance name fits PostgreSQL's application_name whole, so instances on one
    /// host (the same host name, other process ids) stay apart there.
    #[test]
    fn the_default_instance_name_fits_postgres() {
        let c = prod(&[]).expect("valid");
        assert!((1..=MAX_INSTANCE_ID).contains(&c.instance_id.len()), "{}", c.instance_id);
        assert!("proof-ramp-backend/".len() + MAX_INSTANCE_ID <= 63);
    }

    #[test]
    fn browser_mode_and_return_links() {
        let c = prod(&["--widget-mode=browser", "--app-return-url=https://partner.example/app/return"]).expect("valid");
        assert_eq!(c.widget_mode, WidgetMode::Browser);
        assert_eq!(c.app_return_url, "https://partner.example/app/return");
        let c = prod(&[]).expect("valid");
        assert_eq!((c.widget_mode, c.app_return_url.as_str()), (WidgetMode::Webview, DEFAULT_RETURN_URL));
    }

    #[test]
    fn support_is_an_https_page_or_one_address() {
        let c = prod(&["--support-url=https://help.partner.example/ramp"]).expect("valid");
        assert_eq!(c.support_url.as_deref(), Some("https://help.partner.example/ramp"));
        let c = prod(&["--support-url=mailto:support@partner.example"]).expect("valid");
        assert_eq!(c.support_url.as_deref(), Some("mailto:support@partner.example"));
        assert_eq!(prod(&[]).expect("valid").support_url, None, "optional");
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let c = prod(&["--database-url=postgres://ramp:hunter2-db-password@db.internal/ramp"]).expect("valid");
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("0123456789abcdef") && !dbg.contains("\"tok\""), "{dbg}");
        assert!(!dbg.contains("hunter2"), "{dbg}");
        let flags = format!("{:?}", cli(&["--database-url=postgres://ramp:hunter2-db-password@db.internal/ramp"]));
        assert!(!flags.contains("hunter2"), "{flags}");
    }
}
