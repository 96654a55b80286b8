//! `GET /widget/users/{partner_user_id}/kyc-status` (§5.3, §8).

use serde::{Deserialize, Serialize};

/// A user's identity-verification state as Proof reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserKyc {
    /// Echo of the path parameter.
    pub partner_user_id: String,
    /// Where verification stands.
    pub status: KycStatus,
    /// ISO 8601 UTC; sent by older deployments only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_at: Option<String>,
}

/// Identity-verification status (§8). Never gate opening the widget on it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KycStatus {
    /// Never opened the widget, or sent no documents.
    NotStarted,
    /// Documents sent, under review.
    Pending,
    /// May transact.
    Verified,
    /// Must retry inside the widget.
    Failed,
    /// A value this crate does not know, kept verbatim.
    #[serde(untagged)]
    Unknown(String),
}

impl KycStatus {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::NotStarted => "not_started",
            Self::Pending => "pending",
            Self::Verified => "verified",
            Self::Failed => "failed",
            Self::Unknown(s) => s,
        }
    }
}
