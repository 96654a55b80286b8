//! The wire contract of the Proof API: one module per documented payload.
//!
//! Field names are Proof's `snake_case` names. Amounts are [`Amount`] (decimal strings, never
//! floats). Enums keep values this crate does not know in an `Unknown(String)` variant so a new
//! status from Proof never breaks deserialisation.

mod amount;
mod error_body;
mod events;
mod kyc;
mod session;
mod status;
mod transaction;
mod widget;

pub use amount::{Amount, AmountError};
pub use error_body::{ErrorBody, ErrorCode, ErrorSlug};
pub use events::{TX_UPDATE_EVENT, TxUpdate, WebhookEvent};
pub use kyc::{KycStatus, UserKyc};
pub use session::{CreateSession, Session};
pub use status::{TxStatus, TxType};
pub use transaction::Transaction;
pub use widget::{PaymentFinished, SellTransferEnabled, WidgetStatusChange};

/// Serialises an optional amount as `""` when absent, and reads `""` or a missing field as `None`.
///
/// Proof leaves `crypto_amount` (and sometimes `fiat_amount`) empty before a transaction reaches
/// `processing`.
pub(crate) mod empty_as_none {
    use super::Amount;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(v: &Option<Amount>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.as_ref().map_or("", Amount::as_str))
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Amount>, D::Error> {
        let raw = Option::<String>::deserialize(d)?;
        Ok(raw.filter(|s| !s.is_empty()).map(Amount::from_wire))
    }
}
