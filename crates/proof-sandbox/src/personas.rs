//! Deterministic sandbox users: the outcome of a flow is chosen by the user's id or email.
//!
//! A keyword anywhere in `partner_user_id` or `user_email` (case-insensitive) picks the persona;
//! anything else is a first-time user who passes verification and pays successfully.

use proof_api::{KycStatus, TxStatus};
use serde::Serialize;

/// A scripted user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Persona {
    /// Unknown to Proof: documents, liveness, then verified; payments complete.
    FirstTime,
    /// Keyword `verified`: a returning verified user; skips KYC; payments complete.
    Verified,
    /// Keyword `pending`: documents under review; cannot pay yet.
    PendingReview,
    /// Keyword `kycfail`: documents and liveness, then verification fails; the transaction fails.
    KycFails,
    /// Keyword `declined`: verified; the card is declined, the transaction fails.
    PaymentFails,
    /// Keyword `cancel`: verified; abandons the card's 3-D Secure step, the transaction is cancelled.
    Cancels,
    /// Keyword `seller`: verified; meant for sell (`type: "sell"`), deposits complete.
    Seller,
}

impl Persona {
    /// Every persona, in keyword match order (the first keyword that appears wins); the
    /// first-time user, which has no keyword, comes last.
    pub const ALL: [Self; 7] = [
        Self::KycFails,
        Self::PendingReview,
        Self::PaymentFails,
        Self::Cancels,
        Self::Seller,
        Self::Verified,
        Self::FirstTime,
    ];

    /// Stable id, e.g. `first_time`.
    pub fn id(self) -> &'static str {
        match self {
            Self::FirstTime => "first_time",
            Self::Verified => "verified",
            Self::PendingReview => "pending_review",
            Self::KycFails => "kyc_fails",
            Self::PaymentFails => "payment_fails",
            Self::Cancels => "cancels",
            Self::Seller => "seller",
        }
    }

    /// The keyword that selects it in a user id or email; `None` for the first-time user.
    pub fn keyword(self) -> Option<&'static str> {
        match self {
            Self::FirstTime => None,
            Self::Verified => Some("verified"),
            Self::PendingReview => Some("pending"),
            Self::KycFails => Some("kycfail"),
            Self::PaymentFails => Some("declined"),
            Self::Cancels => Some("cancel"),
            Self::Seller => Some("seller"),
        }
    }

    /// A short name for a sign-in screen.
    pub fn label(self) -> &'static str {
        match self {
            Self::FirstTime => "First-time buyer",
            Self::Verified => "Verified returning user",
            Self::PendingReview => "Verification under review",
            Self::KycFails => "Verification fails",
            Self::PaymentFails => "Card declined",
            Self::Cancels => "Abandons payment",
            Self::Seller => "Verified seller",
        }
    }

    /// What happens to this user in the widget.
    pub fn description(self) -> &'static str {
        match self {
            Self::FirstTime => "Uploads a document, takes a selfie, is verified, and the purchase completes.",
            Self::Verified => "Already verified: goes straight to payment, which completes.",
            Self::PendingReview => "Documents are under review: cannot pay yet.",
            Self::KycFails => "Uploads a document and a selfie, but verification fails.",
            Self::PaymentFails => "Verified, but the card is declined: the transaction fails.",
            Self::Cancels => "Verified, but abandons the 3-D Secure step: the transaction is cancelled.",
            Self::Seller => "Verified: sells crypto, sends the deposit and is paid out.",
        }
    }

    /// Pick the persona for a user id and, when known, an email.
    pub fn detect(partner_user_id: &str, email: Option<&str>) -> Self {
        let hay = format!("{} {}", partner_user_id, email.unwrap_or_default()).to_ascii_lowercase();
        Self::ALL.into_iter().find(|p| p.keyword().is_some_and(|k| hay.contains(k))).unwrap_or(Self::FirstTime)
    }

    /// KYC status the first time Proof hears of the user.
    pub fn initial_kyc(self) -> KycStatus {
        match self {
            Self::FirstTime | Self::KycFails => KycStatus::NotStarted,
            Self::PendingReview => KycStatus::Pending,
            Self::Verified | Self::PaymentFails | Self::Cancels | Self::Seller => KycStatus::Verified,
        }
    }

    /// Whether Proof already knows this user before any session (a returning user).
    pub fn is_returning(self) -> bool {
        self != Self::FirstTime && self != Self::KycFails
    }

    /// KYC status after the liveness check.
    pub fn kyc_outcome(self) -> KycStatus {
        match self {
            Self::KycFails => KycStatus::Failed,
            Self::PendingReview => KycStatus::Pending,
            _ => KycStatus::Verified,
        }
    }

    /// Where a confirmed payment ends, and whether it passes through `processing` first.
    pub fn payment_outcome(self) -> (TxStatus, bool) {
        match self {
            Self::PaymentFails => (TxStatus::Failed, false),
            Self::Cancels => (TxStatus::Cancelled, false),
            _ => (TxStatus::Completed, true),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_by_id_or_email() {
        assert_eq!(Persona::detect("user-123", Some("user@example.com")), Persona::FirstTime);
        assert_eq!(Persona::detect("u1", Some("Verified@sandbox.test")), Persona::Verified);
        assert_eq!(Persona::detect("declined-7", None), Persona::PaymentFails);
        assert_eq!(Persona::detect("x", Some("kycfail+verified@x.test")), Persona::KycFails);
    }
}
