//! `GET /v1/me/kyc`: the signed-in user's verification status at Proof.

use axum::Json;
use axum::extract::State;
use ramp_api::{KycStatus, KycView};

use crate::auth::Authenticated;
use crate::error::{AppError, AppResult};
use crate::routes::within_deadline;
use crate::state::AppState;

/// Proof's status; a user Proof has never seen (`404`) is `not_started`. A `verified` answer is
/// reused for `KYC_CACHE_SECS` per user, so a verified user's screens cost one Proof call.
pub(crate) async fn kyc_get(State(s): State<AppState>, Authenticated(user): Authenticated) -> AppResult<Json<KycView>> {
    if let Some(status) = s.kyc.get(&user.id) {
        return Ok(Json(KycView { status }));
    }
    let status = match within_deadline(s.config.request_deadline, s.proof.kyc_status(&user.id)).await? {
        Ok(k) => k.status,
        Err(proof_api::Error::NotFound(_)) => KycStatus::NotStarted,
        Err(e) => return Err(AppError::from_proof(e, None)),
    };
    s.kyc.remember(&user.id, &status);
    Ok(Json(KycView { status }))
}
