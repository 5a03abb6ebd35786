//! `GET /api/v1/services`: what the kiosk offers, and every screen's
//! legend of service names (kiosk, display, staff, manager, admin).

use crate::auth::{self, Caller};
use crate::db::reads;
use crate::error::Result;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use layso_protocol::ServicesResponse;

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/services", auth::guard(auth::SERVICES, get(list)))
}

#[utoipa::path(
    get,
    path = "/api/v1/services",
    tag = "services",
    description = "The office and its active services, with waiting counts and whether each issues now. Kiosk, display, staff, manager, admin.",
    responses((status = 200, body = ServicesResponse)),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<Json<ServicesResponse>> {
    let office = reads::office(&state.db.read, who.office).await?;
    let services = reads::services(&state.db.read, &office, state.clock.now()).await?;
    Ok(Json(ServicesResponse {
        office,
        services,
        public_url: state.public_url.as_deref().map(str::to_owned),
    }))
}
