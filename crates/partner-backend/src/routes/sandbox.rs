//! Sandbox-only sign-in: tokens for the sandbox personas. Absent (404) outside sandbox mode.

use axum::Json;
use axum::extract::State;
use proof_sandbox::Persona;
use ramp_api::{LoginResponse, SandboxLogin};

use super::AppJson;
use crate::auth::AppUser;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// `GET /v1/sandbox/personas`.
pub(crate) async fn personas_list(State(s): State<AppState>) -> AppResult<Json<Vec<ramp_api::Persona>>> {
    if s.sandbox_tokens.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(Json(
        Persona::ALL
            .iter()
            .rev()
            .map(|p| ramp_api::Persona {
                id: p.id().into(),
                label: p.label().into(),
                description: p.description().into(),
            })
            .collect(),
    ))
}

/// `POST /v1/sandbox/login`: sign in as a persona's standing user, or a fresh one.
pub(crate) async fn sandbox_login(
    State(s): State<AppState>,
    AppJson(req): AppJson<SandboxLogin>,
) -> AppResult<Json<LoginResponse>> {
    if s.sandbox_tokens.is_none() {
        return Err(AppError::NotFound);
    }
    let persona = Persona::ALL.into_iter().find(|p| p.id() == req.persona).ok_or_else(|| {
        AppError::invalid(
            "persona",
            crate::i18n::Msg::key("invalid.persona").with("persona", format!("{:?}", req.persona)),
        )
    })?;
    let stem = format!("sandbox-{}", persona.keyword().unwrap_or("newuser"));
    let id = if req.fresh { format!("{stem}-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]) } else { stem };
    let user = AppUser { email: format!("{id}@sandbox.proof-ramp.test"), id };
    Ok(Json(super::auth::start(&s, &user).await?))
}
