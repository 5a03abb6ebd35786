//! The office's services: `GET /api/v1/services`, what the kiosk offers
//! and every screen's legend of service names (kiosk, display, staff,
//! manager, admin); adding and changing one (admin).

use super::extract::{Json, Path};
use super::fields;
use crate::caller;
use crate::error::{AfterSave, Error, Result};
use crate::http::guard::{Caller, guard};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use layso_protocol::ApiError;
use layso_protocol::ServicesResponse;
use layso_protocol::{OfficeId, ServiceId, ServiceRequest, ServiceView};

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create_service, update_service))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/services", guard(caller::SERVICES, get(list)))
        .route(
            "/api/v1/admin/services",
            guard(caller::ADMIN, post(create_service)),
        )
        .route(
            "/api/v1/admin/services/{id}",
            guard(caller::ADMIN, put(update_service)),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/services",
    tag = "services",
    description = "The office and its active services, with waiting counts and whether each issues now. Kiosk, display, staff, manager, admin.",
    responses((status = 200, body = ServicesResponse)),
    security(("bearer" = []))
)]
async fn list(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<axum::Json<ServicesResponse>> {
    let office = state.db.office(who.office).await?;
    let services = state.db.services(&office, state.clock.now()).await?;
    Ok(axum::Json(ServicesResponse {
        office,
        services,
        public_url: state.public_url.as_deref().map(str::to_owned),
    }))
}

/// 201 with the new service as the kiosks will list it.
#[utoipa::path(
    post,
    path = "/api/v1/admin/services",
    tag = "admin",
    description = "Adds a service to the office; kiosks list it at once. Admin.",
    request_body = ServiceRequest,
    responses((status = 201, body = ServiceView), (status = 409, description = "The code is another service's (code already_exists)", body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn create_service(
    State(state): State<AppState>,
    Caller(admin): Caller,
    Json(mut req): Json<ServiceRequest>,
) -> Result<(StatusCode, axum::Json<ServiceView>)> {
    check_service(&mut req)?;
    let (office, user, at) = (admin.office, admin.user(), state.clock.now());
    let id = state.db.create_service(office, req, user, at).await?;
    let view = service_view(&state, office, id).await.saved()?;
    tracing::info!(service = id.0, code = %view.code, "created a service");
    Ok((StatusCode::CREATED, axum::Json(view)))
}

#[utoipa::path(
    put,
    path = "/api/v1/admin/services/{id}",
    tag = "admin",
    description = "Replaces a service's settings (today's tickets keep their numbers); kiosks see the change at once. Admin.",
    params(("id" = ServiceId, Path, description = "The service")),
    request_body = ServiceRequest,
    responses((status = 200, body = ServiceView), (status = 404, body = ApiError), (status = 409, description = "The code is another service's (code already_exists)", body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn update_service(
    State(state): State<AppState>,
    Caller(admin): Caller,
    Path(id): Path<ServiceId>,
    Json(mut req): Json<ServiceRequest>,
) -> Result<axum::Json<ServiceView>> {
    check_service(&mut req)?;
    let (office, user, at) = (admin.office, admin.user(), state.clock.now());
    state.db.update_service(office, id, req, user, at).await?;
    let view = service_view(&state, office, id).await.saved()?;
    Ok(axum::Json(view))
}

/// A service as the kiosks list it.
async fn service_view(state: &AppState, office: OfficeId, id: ServiceId) -> Result<ServiceView> {
    let office_view = state.db.office(office).await?;
    state
        .db
        .services(&office_view, state.clock.now())
        .await?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(Error::NotFound("service"))
}

/// What a service must be before it is saved (its code and name trimmed).
fn check_service(req: &mut ServiceRequest) -> Result<()> {
    let bad = |en: &str, vi: &str| Err(Error::invalid(en, vi));
    req.code = req.code.trim().to_owned();
    req.name = fields::text(&req.name, "a service name", "Tên lĩnh vực", 100, true)?;
    let code_ok = (1..=16).contains(&req.code.len())
        && req
            .code
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b));
    if !code_ok {
        return bad(
            "a service code is 1-16 of A-Z a-z 0-9 - _",
            "Mã lĩnh vực là 1–16 ký tự A-Z a-z 0-9 - _ (không dấu).",
        );
    }
    if req.daily_cap == Some(0) {
        return bad(
            "a daily cap is at least 1 (or none)",
            "Số tối đa mỗi ngày từ 1 trở lên, hoặc để trống.",
        );
    }
    if req.hours.0.is_empty() {
        return bad(
            "a service needs at least one issuing window",
            "Lĩnh vực cần ít nhất một khung giờ cấp số.",
        );
    }
    for window in &req.hours.0 {
        if window.days.is_empty() || window.days.iter().any(|d| !(1..=7).contains(d)) {
            return bad(
                "an issuing window's days are 1 (Monday) to 7 (Sunday), at least one",
                "Khung giờ cấp số cần ít nhất một ngày trong tuần.",
            );
        }
        if window.from >= window.to {
            return bad(
                "an issuing window ends after it starts",
                "Giờ kết thúc cấp số phải sau giờ bắt đầu.",
            );
        }
    }
    Ok(())
}
