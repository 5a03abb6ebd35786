//! The HTTP API under `/api/v1`: one module per resource, each with its own
//! `router()`, merged here.
//!
//! Who may call what: every route is wrapped in `auth::guard` with its
//! `Access`, next to its path in its module, and `authenticate` finds the
//! caller first. In short: `POST tickets` is the kiosk's; `queue`,
//! `counters` and `events` are the hall's (display, staff, manager, admin);
//! `GET tickets/{id}` is for people; everything under `counters/{id}/` is
//! for the staff member signed in at that counter; `ratings` for the rating
//! tablet; `admin/` for the office admin; `track/{token}`, `auth/login`,
//! `/healthz` are public.

mod admin;
mod auth;
mod counters;
mod events;
pub mod extract;
mod queue;
mod ratings;
mod services;
mod tickets;

use crate::error::Result;
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use tower_http::trace::TraceLayer;

/// The whole HTTP application over `state`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .merge(services::router())
        .merge(tickets::router())
        .merge(counters::router())
        .merge(events::router())
        .merge(queue::router())
        .merge(admin::router())
        .merge(auth::router())
        .merge(ratings::router())
        .fallback(|| async { crate::error::Error::NotFound("route") })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::authenticate,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `GET /healthz` (anyone): 200 once the database answers a read.
async fn health(State(state): State<AppState>) -> Result<Json<serde_json::Value>> {
    sqlx::query("SELECT 1").execute(&state.db.read).await?;
    Ok(Json(serde_json::json!({ "status": "ok" })))
}
