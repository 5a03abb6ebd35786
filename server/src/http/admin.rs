//! Closing the day by hand (admin only); the server also closes each
//! office's day by itself after local midnight.

use crate::error::Result;
use crate::http::guard::Caller;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::routing::post;
use serde::Serialize;

/// How many tickets a day close expired.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClosedDay {
    /// Tickets moved to `expired`.
    pub expired: u64,
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(close_day))]
pub struct Api;

pub fn router() -> Router<AppState> {
    use crate::caller::ADMIN;
    use crate::http::guard::guard;
    Router::new().route("/api/v1/admin/close-day", guard(ADMIN, post(close_day)))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/close-day",
    tag = "admin",
    description = "Expires what is left open of the office's past days (the server also does it by itself). Admin.",
    responses((status = 200, body = ClosedDay)),
    security(("bearer" = []))
)]
async fn close_day(
    State(state): State<AppState>,
    Caller(admin): Caller,
) -> Result<axum::Json<ClosedDay>> {
    let office = Some(admin.office);
    let expired = state.db.close_days(office).await?;
    Ok(axum::Json(ClosedDay { expired }))
}
