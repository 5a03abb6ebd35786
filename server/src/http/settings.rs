//! The office's settings (admin only): its details and its counters
//! (added, or their names and services changed).
//! Each change is validated whole before anything is written, and logged as
//! a settings event so every screen reads the office again.

use super::extract::{Json, Path};
use super::fields::text;
use crate::db::{reads, settings};
use crate::error::{AfterSave, Error, Result};
use crate::http::guard::Caller;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{post, put};
use layso_protocol::{
    ApiError, CounterId, CounterRequest, CounterServiceRequest, CounterView, NewCounterRequest,
    OfficeRequest, OfficeView,
};

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(office, counter, create_counter))]
pub struct Api;

pub fn router() -> Router<AppState> {
    use crate::caller::ADMIN;
    use crate::http::guard::guard;
    Router::new()
        .route("/api/v1/admin/office", guard(ADMIN, put(office)))
        .route("/api/v1/admin/counters", guard(ADMIN, post(create_counter)))
        .route("/api/v1/admin/counters/{id}", guard(ADMIN, put(counter)))
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
        name: text(&req.name, "the office's name", "Tên cơ quan", 120, true)?,
        address: text(&req.address, "the address", "Địa chỉ", 200, false)?,
        ticket_header: text(
            &req.ticket_header,
            "the ticket header",
            "Dòng đầu vé",
            100,
            false,
        )?,
        ticket_footer: text(
            &req.ticket_footer,
            "the ticket footer",
            "Dòng cuối vé",
            200,
            false,
        )?,
        notice: text(&req.notice, "the notice line", "Dòng thông báo", 300, false)?,
        voice_phrase: text(&req.voice_phrase, "the call phrase", "Câu gọi", 200, true)?,
    };
    if !req.voice_phrase.contains("{số}") || !req.voice_phrase.contains("{quầy}") {
        return Err(Error::invalid(
            "the call phrase must contain {số} (the ticket) and {quầy} (the counter)",
            "Câu gọi phải có {số} (số vé) và {quầy} (số quầy).",
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
    Ok(axum::Json(
        reads::office(&state.db.read, office).await.saved()?,
    ))
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
        reads::counter(&state.db.read, office, id).await.saved()?,
    ))
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
    let id = state
        .db
        .writer
        .write(move |conn| {
            Box::pin(async move { settings::create_counter(conn, office, &req, user, at).await })
        })
        .await?;
    tracing::info!(counter = id.0, "added a counter");
    Ok((
        StatusCode::CREATED,
        axum::Json(reads::counter(&state.db.read, office, id).await.saved()?),
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
