//! The rating tablet at a counter (rating devices only):
//! `GET /api/v1/ratings/current` is the ticket it may rate now (204: none),
//! `POST /api/v1/ratings` rates it, once.

use super::extract::Json;
use crate::auth::{self, Caller};
use crate::db::accounts;
use crate::error::{Error, Result};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use layso_protocol::{CounterId, DeviceId, RatingRequest, RatingView};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/ratings/current",
            auth::guard(auth::RATING, get(current)),
        )
        .route("/api/v1/ratings", auth::guard(auth::RATING, post(rate)))
}

fn tablet(who: &auth::Principal) -> Result<(DeviceId, CounterId)> {
    who.device()
        .zip(who.counter())
        .ok_or_else(|| Error::Forbidden("only a rating tablet at a counter rates".into()))
}

async fn current(State(state): State<AppState>, Caller(who): Caller) -> Result<Response> {
    let (_, counter) = tablet(&who)?;
    Ok(
        match accounts::ratable(&state.db.read, counter, state.clock.now()).await? {
            Some(view) => axum::Json(view).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
    )
}

async fn rate(
    State(state): State<AppState>,
    Caller(who): Caller,
    Json(req): Json<RatingRequest>,
) -> Result<(StatusCode, axum::Json<RatingView>)> {
    let (device, counter) = tablet(&who)?;
    if !(1..=5).contains(&req.score) {
        return Err(Error::InvalidRequest("a score is 1 to 5".into()));
    }
    let clock = state.clock.clone();
    let view = state
        .db
        .writer
        .write(move |conn| {
            Box::pin(async move {
                accounts::rate(conn, device, counter, req.ticket_id, req.score, clock.now()).await
            })
        })
        .await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}
