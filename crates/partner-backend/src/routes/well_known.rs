//! `/.well-known/assetlinks.json` (Android App Links) and `/.well-known/apple-app-site-association`
//! (iOS Universal Links): the statements a phone fetches from the return link's host before it
//! lets that link open the app. Built from `AppLinks` in the configuration; `404` when no app
//! of that platform is configured. Served as JSON, directly (phones follow no redirect here).

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Android's Digital Asset Links statement: links on this origin may open the app signed with
/// these certificates.
pub(crate) async fn assetlinks(State(s): State<AppState>) -> AppResult<Json<Value>> {
    let Some((package, fingerprints)) = &s.config.app_links.android else { return Err(AppError::NotFound) };
    Ok(Json(json!([{
        "relation": ["delegate_permission/common.handle_all_urls"],
        "target": {"namespace": "android_app", "package_name": package, "sha256_cert_fingerprints": fingerprints},
    }])))
}

/// Apple's association file: the return link's path opens these apps.
pub(crate) async fn apple_app_site_association(State(s): State<AppState>) -> AppResult<Json<Value>> {
    let apps = &s.config.app_links.ios_app_ids;
    if apps.is_empty() {
        return Err(AppError::NotFound);
    }
    let path =
        url::Url::parse(&s.config.app_return_url).map(|u| u.path().to_owned()).map_err(|_| AppError::NotFound)?;
    Ok(Json(json!({"applinks": {"details": [{"appIDs": apps, "components": [{"/": path}]}]}})))
}
