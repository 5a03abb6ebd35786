//! The office's settings (admin only): its details, its counters' names
//! and services, its users' names, roles and whether they may sign in.
//! Each change is validated whole before anything is written, and logged as
//! a settings event so every screen reads the office again.

use super::extract::{Json, Path};
use crate::auth::{self, Caller};
use crate::db::{accounts, reads, settings};
use crate::error::{Error, Result};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::routing::put;
use layso_protocol::{
    ApiError, CounterId, CounterRequest, CounterView, OfficeRequest, OfficeView, UserId,
    UserRequest, UserView,
};

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(office, counter, user))]
pub struct Api;

pub fn router() -> Router<AppState> {
    use auth::{ADMIN, guard};
    Router::new()
        .route("/api/v1/admin/office", guard(ADMIN, put(office)))
        .route("/api/v1/admin/counters/{id}", guard(ADMIN, put(counter)))
        .route("/api/v1/admin/users/{id}", guard(ADMIN, put(user)))
}

fn invalid(message: &str) -> Error {
    Error::InvalidRequest(message.to_owned())
}

/// `text` trimmed, refused if longer than `max` characters (or empty when
/// `required`).
fn field(text: &str, what: &str, max: usize, required: bool) -> Result<String> {
    let text = text.trim();
    if (required && text.is_empty()) || text.chars().count() > max {
        let least = if required { 1 } else { 0 };
        return Err(invalid(&format!("{what} is {least}-{max} characters")));
    }
    Ok(text.to_owned())
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/office",
    tag = "admin",
    description = "Replaces the office's details (name, address, ticket header and footer, the display's notice and call phrase). Admin.",
    request_body = OfficeRequest,
    responses((status = 200, body = OfficeView), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn office(
    State(state): State<AppState>,
    Caller(admin): Caller,
    Json(req): Json<OfficeRequest>,
) -> Result<axum::Json<OfficeView>> {
    let req = OfficeRequest {
        name: field(&req.name, "the office's name", 120, true)?,
        address: field(&req.address, "the address", 200, false)?,
        ticket_header: field(&req.ticket_header, "the ticket header", 100, false)?,
        ticket_footer: field(&req.ticket_footer, "the ticket footer", 200, false)?,
        notice: field(&req.notice, "the notice line", 300, false)?,
        voice_phrase: field(&req.voice_phrase, "the call phrase", 200, true)?,
    };
    if !req.voice_phrase.contains("{số}") || !req.voice_phrase.contains("{quầy}") {
        return Err(invalid(
            "the call phrase must contain {số} (the ticket) and {quầy} (the counter)",
        ));
    }
    let (office, user, at) = (admin.office, admin.user(), state.clock.now());
    state
        .db
        .writer
        .write(move |conn| {
            Box::pin(async move { settings::update_office(conn, office, &req, user, at).await })
        })
        .await?;
    tracing::info!(office = office.0, "changed the office's details");
    Ok(axum::Json(reads::office(&state.db.read, office).await?))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/counters/{id}",
    tag = "admin",
    description = "Replaces a counter's name, selection and services (in order, with weights). Admin.",
    params(("id" = CounterId, Path, description = "The counter")),
    request_body = CounterRequest,
    responses((status = 200, body = CounterView), (status = 404, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn counter(
    State(state): State<AppState>,
    Caller(admin): Caller,
    Path(id): Path<CounterId>,
    Json(mut req): Json<CounterRequest>,
) -> Result<axum::Json<CounterView>> {
    req.name = field(&req.name, "a counter's name", 80, true)?;
    if req.services.is_empty() {
        return Err(invalid("a counter serves at least one service"));
    }
    let mut seen = std::collections::HashSet::new();
    for s in &req.services {
        if !seen.insert(s.service_id) {
            return Err(invalid("a counter lists each service once"));
        }
        if !(1..=100).contains(&s.weight) {
            return Err(invalid("a service's weight is 1-100"));
        }
    }
    let (office, user, at) = (admin.office, admin.user(), state.clock.now());
    state
        .db
        .writer
        .write(move |conn| {
            Box::pin(
                async move { settings::update_counter(conn, office, id, &req, user, at).await },
            )
        })
        .await?;
    Ok(axum::Json(
        reads::counter(&state.db.read, office, id).await?,
    ))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/users/{id}",
    tag = "admin",
    description = "Changes a user's name and role, and disables (their sessions end at once) or enables them. An admin cannot disable or demote themselves. Admin.",
    params(("id" = UserId, Path, description = "The user")),
    request_body = UserRequest,
    responses((status = 200, body = UserView), (status = 404, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn user(
    State(state): State<AppState>,
    Caller(admin): Caller,
    Path(id): Path<UserId>,
    Json(mut req): Json<UserRequest>,
) -> Result<axum::Json<UserView>> {
    req.full_name = field(&req.full_name, "a full name", 100, true)?;
    if admin.user() == Some(id) && (req.disabled || req.role != layso_protocol::Role::Admin) {
        return Err(invalid(
            "an admin cannot disable or demote themselves: ask another admin",
        ));
    }
    let (office, by, at) = (admin.office, admin.user(), state.clock.now());
    let ended = state
        .db
        .writer
        .write(move |conn| {
            Box::pin(async move { accounts::update_user(conn, office, id, &req, by, at).await })
        })
        .await?;
    // Their open pages and streams stop working now.
    state.accounts.forget(&ended);
    Ok(axum::Json(accounts::user(&state.db.read, id).await?))
}
