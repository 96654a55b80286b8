//! `GET /widget/users/{partner_user_id}/kyc-status`.

use axum::Json;
use axum::extract::{Extension, Path, State};
use proof_api::UserKyc;

use super::api::Partner;
use crate::errors::ApiFailure;
use crate::state::SandboxState;

/// Answer the user's KYC status. First-time users are unknown (`404`) until their first session;
/// returning personas are known from the start.
pub(crate) async fn kyc_get(
    State(state): State<SandboxState>,
    Extension(Partner(partner)): Extension<Partner>,
    Path(id): Path<String>,
) -> Result<Json<UserKyc>, ApiFailure> {
    let mut db = state.db();
    let user = db.user(partner, &id, None, false).ok_or_else(|| ApiFailure::not_found(&format!("user {id}")))?;
    Ok(Json(UserKyc { partner_user_id: id, status: user.kyc.clone(), verified_at: None }))
}
