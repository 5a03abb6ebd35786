//! Office administration. For now: close the day by hand (admin); the
//! server also closes each office's day by itself after local midnight.

use crate::db::tickets;
use crate::error::Result;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;

/// How many tickets a day close expired.
#[derive(Debug, Serialize)]
pub struct ClosedDay {
    /// Tickets moved to `expired`.
    pub expired: u64,
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/admin/close-day", post(close_day))
}

async fn close_day(State(state): State<AppState>) -> Result<Json<ClosedDay>> {
    let clock = state.clock.clone();
    let expired = state
        .db
        .writer
        .write(move |conn| Box::pin(async move { tickets::close_days(conn, clock.now()).await }))
        .await?;
    Ok(Json(ClosedDay { expired }))
}
