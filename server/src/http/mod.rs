//! The HTTP API under `/api/v1`: one module per resource, each with its own
//! `router()`, merged here.
//!
//! Who may call what: every route is wrapped in `guard::guard` with its
//! `Access`, next to its path in its module, and `authenticate` finds the
//! caller first. In short: `POST tickets` is the kiosk's; `queue`,
//! `counters` and `events` are the hall's (display, staff, manager, admin);
//! `GET tickets/{id}` is for people; everything under `counters/{id}/` is
//! for the staff member signed in at that counter; `ratings` for the rating
//! tablet; `admin/` for the office admin; `track/{token}`, `auth/login`,
//! `/healthz` are public.

mod admin;
mod auth;
mod calls;
mod counters;
mod devices;
pub mod docs;
mod events;
pub mod extract;
mod fields;
pub mod guard;
mod headers;
mod office;
mod origin;
mod province;
pub(crate) mod queue;
mod ratings;
mod services;
mod tickets;
mod users;

use crate::error::Result;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::OnceLock;
use tower_http::trace::TraceLayer;

/// The largest body any route takes.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The whole HTTP application over `state`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(health))
        .route("/metrics", get(metrics))
        .route("/api/v1/openapi.json", get(openapi_json))
        .merge(services::router())
        .merge(tickets::router())
        .merge(counters::router())
        .merge(events::router())
        .merge(queue::router())
        .merge(admin::router())
        .merge(auth::router())
        .merge(ratings::router())
        .merge(office::router())
        .merge(calls::router())
        .merge(users::router())
        .merge(devices::router())
        .merge(province::router())
        .merge(crate::pages::router())
        .fallback(|| async { crate::error::Error::NotFound("route") })
        // Every body the API takes is a small JSON document; routes that
        // take less say so themselves.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::authenticate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            origin::check,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            crate::metrics::track,
        ))
        .layer(axum::middleware::from_fn(extract::json_errors))
        .layer(axum::middleware::from_fn(headers::add))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `GET /healthz` (anyone): 200 once the database answers a read.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    description = "200 once the database answers a read. Anyone.",
    responses((status = 200, description = "{\"status\": \"ok\"}"))
)]
async fn health(State(state): State<AppState>) -> Result<Json<serde_json::Value>> {
    state.db.ping().await?;
    Ok(Json(serde_json::json!({ "status": "ok" })))
}

/// `GET /metrics` (anyone, like `/healthz`: counts only, no names or
/// numbers of citizens): Prometheus text format.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "health",
    description = "Prometheus metrics: tickets issued, calls, waiting per service, event subscribers, request latency. Anyone.",
    responses((status = 200, description = "Prometheus text exposition format", content_type = "text/plain"))
)]
async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse> {
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        crate::metrics::render(
            &state.metrics,
            &state.db,
            state.clock.now(),
            state.hub.streams(),
        )
        .await?,
    ))
}

/// `GET /api/v1/openapi.json` (anyone): this API, described from the code.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "health",
    description = "This document. Anyone.",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json"))
)]
async fn openapi_json() -> impl IntoResponse {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let json = DOCUMENT.get_or_init(|| docs::document().to_string());
    ([(header::CONTENT_TYPE, "application/json")], json.as_str())
}
