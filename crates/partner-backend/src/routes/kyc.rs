//! `GET /v1/me/kyc`: the signed-in user's verification status at Proof.

use axum::Json;
use axum::extract::State;
use ramp_api::{KycStatus, KycView};

use crate::auth::Authenticated;
use crate::error::{AppError, AppResult};
use crate::routes::within_deadline;
use crate::state::AppState;

/// Proof's status; a user Proof has never seen (`404`) is `not_started`.
pub(crate) async fn kyc_get(State(s): State<AppState>, Authenticated(user): Authenticated) -> AppResult<Json<KycView>> {
    match within_deadline(s.config.request_deadline, s.proof.kyc_status(&user.id)).await? {
        Ok(k) => Ok(Json(KycView { status: k.status })),
        Err(proof_api::Error::NotFound(_)) => Ok(Json(KycView { status: KycStatus::NotStarted })),
        Err(e) => Err(AppError::from_proof(e, None)),
    }
}
