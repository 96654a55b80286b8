//! What the commands take and give besides `ramp-api`'s and `ramp-core`'s types.

use ramp_api::{TxType, User};
use ramp_core::flow::Action;
use serde::{Deserialize, Serialize};

/// What a settings screen shows: the app's version, its backend, who is signed in.
#[derive(Serialize)]
pub struct AppInfo {
    pub(crate) version: String,
    pub(crate) backend_url: String,
    pub(crate) environment: Option<String>,
    pub(crate) user: Option<User>,
}

/// A screen change the user asked for.
#[derive(Debug, Deserialize)]
#[serde(tag = "to", rename_all = "snake_case")]
pub enum Nav {
    /// Home (back/done).
    Back,
    /// The buy form.
    Buy,
    /// The sell form.
    Sell,
    /// A transaction.
    Transaction {
        /// Its id.
        id: String,
    },
    /// Settings and diagnostics.
    Settings,
    /// Every transaction.
    History,
}

impl From<Nav> for Action {
    fn from(to: Nav) -> Self {
        match to {
            Nav::Back => Action::Back,
            Nav::Buy => Action::Start(TxType::Buy),
            Nav::Sell => Action::Start(TxType::Sell),
            Nav::Transaction { id } => Action::Open(id),
            Nav::Settings => Action::OpenSettings,
            Nav::History => Action::OpenHistory,
        }
    }
}
