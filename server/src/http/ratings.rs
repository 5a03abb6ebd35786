//! The rating tablet at a counter (rating devices only):
//! `GET /api/v1/ratings/current` is the ticket it may rate now (204: none),
//! `POST /api/v1/ratings` rates it, once.

use super::extract::Json;
use crate::caller;
use crate::error::{Error, Result};
use crate::http::guard::{Caller, guard};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use layso_protocol::ApiError;
use layso_protocol::{CounterId, DeviceId, RatingRequest, RatingView};

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(current, rate))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/ratings/current",
            guard(caller::RATING, get(current)),
        )
        .route("/api/v1/ratings", guard(caller::RATING, post(rate)))
}

fn tablet(who: &caller::Principal) -> Result<(DeviceId, CounterId)> {
    who.device().zip(who.counter()).ok_or_else(|| {
        Error::forbidden(
            "only a rating tablet at a counter rates",
            "Chỉ máy đánh giá đặt tại quầy mới gửi đánh giá.",
        )
    })
}

#[utoipa::path(
    get,
    path = "/api/v1/ratings/current",
    tag = "ratings",
    description = "The ticket the tablet may rate now: the latest finished at its counter in the last 10 minutes. Rating tablet.",
    responses((status = 200, body = RatingView), (status = 204, description = "Nothing to rate")),
    security(("bearer" = []))
)]
async fn current(State(state): State<AppState>, Caller(who): Caller) -> Result<Response> {
    let (_, counter) = tablet(&who)?;
    Ok(match state.db.ratable(counter, state.clock.now()).await? {
        Some(view) => axum::Json(view).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

#[utoipa::path(
    post,
    path = "/api/v1/ratings",
    tag = "ratings",
    description = "Rates the ticket just finished at the tablet's counter, 1 to 5, once. Rating tablet.",
    request_body = RatingRequest,
    responses((status = 201, body = RatingView), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn rate(
    State(state): State<AppState>,
    Caller(who): Caller,
    Json(req): Json<RatingRequest>,
) -> Result<(StatusCode, axum::Json<RatingView>)> {
    let (device, counter) = tablet(&who)?;
    if !(1..=5).contains(&req.score) {
        return Err(Error::invalid(
            "a score is 1 to 5",
            "Mức đánh giá là từ 1 đến 5.",
        ));
    }
    let view = state
        .db
        .rate(device, counter, req.ticket_id, req.score, state.clock.now())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}
