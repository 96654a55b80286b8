//! Transaction status and type, shared by polling, the WebSocket and the webhook (§7.1).

use serde::{Deserialize, Serialize};

/// Where a transaction is in its life (§7.1 of the reference).
///
/// `completed`, `failed` and `cancelled` are terminal: stop polling and close sockets.
/// `expired` is terminal too, but it is not Proof's: see [`TxStatus::Expired`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxStatus {
    /// Session created; payment (buy) or deposit (sell) not yet received.
    Pending,
    /// Payment captured or deposit received; the other leg is in flight.
    Processing,
    /// Finished successfully.
    Completed,
    /// Payment, deposit, payout or verification failed.
    Failed,
    /// The user cancelled in the widget.
    Cancelled,
    /// Never sent by Proof: the partner backend's end for a transaction that nobody can take
    /// further (still `pending` once its widget can no longer be opened, or unknown to Proof).
    /// The backend stops watching it; a later word from Proof (a confirmed webhook) still moves
    /// it on to `processing` or an end of Proof's, so no payment is ever hidden by it.
    Expired,
    /// A value this crate does not know, kept verbatim.
    #[serde(untagged)]
    Unknown(String),
}

impl TxStatus {
    /// Whether no further change will follow. Unknown values are treated as not terminal, so a
    /// watcher keeps going and falls back to polling rather than stopping early.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled | Self::Expired)
    }

    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Unknown(s) => s,
        }
    }
}

/// Direction of a transaction.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxType {
    /// On-ramp: fiat in, crypto out.
    Buy,
    /// Off-ramp: crypto in, fiat paid to the user's card. Must be enabled by Proof.
    Sell,
    /// A value this crate does not know, kept verbatim.
    #[serde(untagged)]
    Unknown(String),
}

impl TxType {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Buy => "buy",
            Self::Sell => "sell",
            Self::Unknown(s) => s,
        }
    }
}
