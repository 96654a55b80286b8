//! `GET /v1/config`: what the app may offer, from the backend's configuration.

use axum::Json;
use axum::extract::State;
use ramp_api::{Asset, RampConfig, WidgetMode};

use crate::auth::Authenticated;
use crate::state::AppState;

pub(crate) async fn config_get(State(s): State<AppState>, _user: Authenticated) -> Json<RampConfig> {
    let c = &s.config;
    let mut assets: Vec<Asset> = Vec::new();
    for (currency, network) in &c.pairs {
        match assets.iter_mut().find(|a| &a.currency == currency) {
            Some(a) => a.networks.push(network.clone()),
            None => assets.push(Asset { currency: currency.clone(), networks: vec![network.clone()] }),
        }
    }
    Json(RampConfig {
        environment: if c.is_sandbox() { "sandbox" } else { "production" }.to_owned(),
        assets,
        sell_enabled: c.sell_enabled,
        min_amount: c.min_amount.clone(),
        max_amount: c.max_amount.clone(),
        accepts_user_address: c.accept_user_address,
        navigation_allowlist: s.origins.navigation_allowlist(),
        widget_event_url: s.events.endpoint().to_string(),
        widget_mode: c.widget_mode,
        return_url: (c.widget_mode == WidgetMode::Browser).then(|| c.app_return_url.clone()),
        support_url: c.support_url.clone(),
    })
}
