//! `GET /api/v1/services`: what the kiosk offers (kiosk).

use super::extract::Query;
use crate::db::reads;
use crate::error::Result;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use layso_protocol::{OfficeId, ServicesResponse};
use serde::Deserialize;

/// `?office_id=`: optional when the server holds one office.
#[derive(Debug, Deserialize)]
pub struct OfficeQuery {
    /// The office.
    pub office_id: Option<OfficeId>,
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/services", get(list))
}

async fn list(
    State(state): State<AppState>,
    Query(q): Query<OfficeQuery>,
) -> Result<Json<ServicesResponse>> {
    let office_id = reads::resolve_office(&state.db.read, q.office_id).await?;
    let office = reads::office(&state.db.read, office_id).await?;
    let services = reads::services(&state.db.read, &office, state.clock.now()).await?;
    Ok(Json(ServicesResponse { office, services }))
}
