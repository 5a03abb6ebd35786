//! The office's counters: the list (hall), adding one and changing its
//! name, selection and services (admin), and opening, pausing and closing
//! it (only the staff member signed in at counter `{id}`).
//! An admin's change is validated whole before anything is written, and
//! logged as a settings event so every screen reads the office again.

use super::extract::{Json, Path};
use super::fields::{reason, text};
use crate::caller;
use crate::db::counters::CounterChange;
use crate::error::{AfterSave, Error, Result};
use crate::http::guard::{Caller, guard};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use layso_protocol::{
    ApiError, CounterId, CounterRequest, CounterServiceRequest, CounterView, NewCounterRequest,
    PauseRequest,
};

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(counters, create_counter, counter, open, pause, close))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/counters", guard(caller::HALL, get(counters)))
        .route(
            "/api/v1/admin/counters",
            guard(caller::ADMIN, post(create_counter)),
        )
        .route(
            "/api/v1/admin/counters/{id}",
            guard(caller::ADMIN, put(counter)),
        )
        .route(
            "/api/v1/counters/{id}/open",
            guard(caller::AT_COUNTER, post(open)),
        )
        .route(
            "/api/v1/counters/{id}/pause",
            guard(caller::AT_COUNTER, post(pause)),
        )
        .route(
            "/api/v1/counters/{id}/close",
            guard(caller::AT_COUNTER, post(close)),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/counters",
    tag = "hall",
    description = "Every counter of the office and its state. Display, staff, manager, admin.",
    responses((status = 200, body = Vec<CounterView>)),
    security(("bearer" = []))
)]
async fn counters(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<Vec<CounterView>>> {
    Ok(axum::Json(state.db.counters(who.office).await?))
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
    req.name = text(&req.name, "a counter's name", "Tên quầy", 80, true)?;
    check_counter_services(&req.services)?;
    let (office, user, at) = (admin.office, admin.user(), state.clock.now());
    state.db.update_counter(office, id, req, user, at).await?;
    Ok(axum::Json(state.db.counter(office, id).await.saved()?))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/counters",
    tag = "admin",
    description = "Adds a counter (closed until staff open it) with its number, name, selection and services. Admin.",
    request_body = NewCounterRequest,
    responses((status = 201, body = CounterView), (status = 409, description = "The number is another counter's (code already_exists)", body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn create_counter(
    State(state): State<AppState>,
    Caller(admin): Caller,
    Json(mut req): Json<NewCounterRequest>,
) -> Result<(StatusCode, axum::Json<CounterView>)> {
    if !(1..=999).contains(&req.number) {
        return Err(Error::invalid(
            "a counter's number is 1-999",
            "Số quầy là từ 1 đến 999.",
        ));
    }
    req.name = text(&req.name, "a counter's name", "Tên quầy", 80, true)?;
    check_counter_services(&req.services)?;
    let (office, user, at) = (admin.office, admin.user(), state.clock.now());
    let id = state.db.create_counter(office, req, user, at).await?;
    tracing::info!(counter = id.0, "added a counter");
    Ok((
        StatusCode::CREATED,
        axum::Json(state.db.counter(office, id).await.saved()?),
    ))
}

/// What a counter's services must be: at least one, each once, weights 1-100.
fn check_counter_services(services: &[CounterServiceRequest]) -> Result<()> {
    if services.is_empty() {
        return Err(Error::invalid(
            "a counter serves at least one service",
            "Quầy phải phục vụ ít nhất một lĩnh vực.",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for s in services {
        if !seen.insert(s.service_id) {
            return Err(Error::invalid(
                "a counter lists each service once",
                "Mỗi lĩnh vực chỉ chọn một lần cho một quầy.",
            ));
        }
        if !(1..=100).contains(&s.weight) {
            return Err(Error::invalid(
                "a service's weight is 1-100",
                "Trọng số của lĩnh vực là từ 1 đến 100.",
            ));
        }
    }
    Ok(())
}

async fn change(
    state: AppState,
    id: CounterId,
    change: CounterChange,
) -> Result<axum::Json<CounterView>> {
    state.db.change_counter(id, change).await?;
    let office = state.db.counter_office(id).await.saved()?;
    Ok(axum::Json(state.db.counter(office, id).await.saved()?))
}

#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/open",
    tag = "counter",
    description = "Opens the counter. Only the staff member signed in at it.",
    params(("id" = CounterId, Path, description = "The counter")),
    responses((status = 200, body = CounterView), (status = 409, body = ApiError)),
    security(("bearer" = []))
)]
async fn open(
    State(state): State<AppState>,
    Path(id): Path<CounterId>,
) -> Result<axum::Json<CounterView>> {
    change(state, id, CounterChange::Open).await
}

#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/pause",
    tag = "counter",
    description = "Pauses the counter with a reason shown on the monitor.",
    params(("id" = CounterId, Path, description = "The counter")),
    request_body = PauseRequest,
    responses((status = 200, body = CounterView), (status = 409, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn pause(
    State(state): State<AppState>,
    Path(id): Path<CounterId>,
    Json(req): Json<PauseRequest>,
) -> Result<axum::Json<CounterView>> {
    change(state, id, CounterChange::Pause(reason(&req.reason)?)).await
}

#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/close",
    tag = "counter",
    description = "Closes the counter for the day; refused while it holds a ticket.",
    params(("id" = CounterId, Path, description = "The counter")),
    responses((status = 200, body = CounterView), (status = 409, body = ApiError)),
    security(("bearer" = []))
)]
async fn close(
    State(state): State<AppState>,
    Path(id): Path<CounterId>,
) -> Result<axum::Json<CounterView>> {
    change(state, id, CounterChange::Close).await
}
