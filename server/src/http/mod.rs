//! The HTTP API under `/api/v1`: one module per resource, each with its own
//! `router()`, merged here.
//!
//! Who may call what (enforced from the accounts issue on; here it is the
//! shape of the paths): `services` and `POST tickets` are the kiosk's;
//! `queue`, `counters` and `GET tickets` are read-only for displays, staff
//! and managers; everything under `counters/{id}/` is for the staff member
//! signed in at that counter; `track/{token}` is public; `admin/` is the
//! office admin's.

mod admin;
mod counters;
mod events;
pub mod extract;
mod queue;
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
        .fallback(|| async { crate::error::Error::NotFound("route") })
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `GET /healthz` (anyone): 200 once the database answers a read.
async fn health(State(state): State<AppState>) -> Result<Json<serde_json::Value>> {
    sqlx::query("SELECT 1").execute(&state.db.read).await?;
    Ok(Json(serde_json::json!({ "status": "ok" })))
}
