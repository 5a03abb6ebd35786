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
mod fields;
mod headers;
mod origin;
pub(crate) mod queue;
mod ratings;
mod services;
mod settings;
mod tickets;

use crate::error::Result;
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::OnceLock;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

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
        .merge(settings::router())
        .merge(crate::pages::router())
        .fallback(|| async { crate::error::Error::NotFound("route") })
        // Every body the API takes is a small JSON document; routes that
        // take less say so themselves.
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::auth::authenticate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            origin::check,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::metrics::track,
        ))
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
    sqlx::query("SELECT 1").execute(&state.db.read).await?;
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
        crate::metrics::render(&state).await?,
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
    let json = DOCUMENT.get_or_init(|| {
        openapi()
            .to_json()
            .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    });
    ([(header::CONTENT_TYPE, "application/json")], json.as_str())
}

/// The root of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Layso",
        description = "Queue-ticketing for public service offices. Every route but /healthz, /metrics, this document, login and ticket tracking takes `Authorization: Bearer <token>` (a staff session from login, or a paired device's token); 401 means no valid token, 403 the wrong role. Errors are ApiError with a stable code."
    ),
    paths(health, metrics, openapi_json),
    components(schemas(layso_protocol::ApiError, layso_protocol::ErrorCode)),
    modifiers(&Bearer)
)]
struct Root;

/// Adds the bearer scheme and, to every operation that needs it, its 401
/// and 403 answers.
struct Bearer;

impl utoipa::Modify for Bearer {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The whole document: the root and each resource module's part.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = Root::openapi();
    for part in [
        services::Api::openapi(),
        tickets::Api::openapi(),
        queue::Api::openapi(),
        events::Api::openapi(),
        counters::Api::openapi(),
        admin::Api::openapi(),
        auth::Api::openapi(),
        ratings::Api::openapi(),
        settings::Api::openapi(),
    ] {
        doc.merge(part);
    }
    refusals(&mut doc);
    doc
}

/// Every operation with a security requirement can also answer 401 and 403.
fn refusals(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, ResponseBuilder, content::ContentBuilder};
    let error = |text: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(text)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(utoipa::openapi::Ref::from_schema_name("ApiError")))
                        .build(),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
        ];
        for op in operations.into_iter().flatten() {
            if op.security.as_ref().is_some_and(|s| !s.is_empty()) {
                op.responses
                    .responses
                    .entry("401".into())
                    .or_insert_with(|| error("No valid token (code unauthorized)"));
                op.responses
                    .responses
                    .entry("403".into())
                    .or_insert_with(|| error("The token's role may not do this (code forbidden)"));
            }
        }
    }
}
