//! The province's offices (province admin only): the list with each
//! office's day, a new office, and the people of any office (its first
//! admin above all). Everything else of an office is its own admin's.

use super::extract::{Json, Path};
use super::fields::text;
use super::users::create_in;
use crate::caller::PROVINCE;
use crate::error::{AfterSave, Error, Result};
use crate::http::guard::{Caller, guard};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use layso_protocol::{
    ApiError, NewOfficeRequest, NewUserRequest, OfficeId, OfficeSummary, OfficeView, UserView,
};

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(offices, create_office, create_user))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/province/offices",
            guard(PROVINCE, get(offices).post(create_office)),
        )
        .route(
            "/api/v1/province/offices/{id}/users",
            guard(PROVINCE, post(create_user)),
        )
}

#[utoipa::path(
    get,
    path = "/api/v1/province/offices",
    tag = "province",
    description = "Every office of the server, by code, with its day so far (waiting now, issued today, counters open). Province admin.",
    responses((status = 200, body = Vec<OfficeSummary>)),
    security(("bearer" = []))
)]
async fn offices(State(state): State<AppState>) -> Result<axum::Json<Vec<OfficeSummary>>> {
    Ok(axum::Json(state.db.summaries(state.clock.now()).await?))
}

#[utoipa::path(
    post,
    path = "/api/v1/province/offices",
    tag = "province",
    description = "Creates an office (no services, counters or people yet: add its admin next). Province admin.",
    request_body = NewOfficeRequest,
    responses((status = 201, body = OfficeView), (status = 409, description = "The code is another office's (code already_exists)", body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn create_office(
    State(state): State<AppState>,
    Caller(province): Caller,
    Json(req): Json<NewOfficeRequest>,
) -> Result<(StatusCode, axum::Json<OfficeView>)> {
    let code = req.code.trim().to_owned();
    if !is_office_code(&code) {
        return Err(Error::invalid(
            "an office code is 2-32 of a-z 0-9 -",
            "Mã cơ quan là 2–32 ký tự a-z 0-9 - (chữ thường, không dấu).",
        ));
    }
    let time_zone = req.time_zone.trim().to_owned();
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        return Err(Error::invalid(
            format!("{time_zone:?} is not an IANA time zone (such as Asia/Ho_Chi_Minh)"),
            "Múi giờ không đúng (ví dụ Asia/Ho_Chi_Minh).",
        ));
    }
    let req = NewOfficeRequest {
        code,
        name: text(&req.name, "the office's name", "Tên cơ quan", 120, true)?,
        time_zone,
        address: text(&req.address, "the address", "Địa chỉ", 200, false)?,
    };
    let (by, at) = (province.user(), state.clock.now());
    let id = state.db.create_office(req, by, at).await?;
    tracing::info!(office = id.0, "created an office");
    Ok((
        StatusCode::CREATED,
        axum::Json(state.db.office(id).await.saved()?),
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/province/offices/{id}/users",
    tag = "province",
    description = "Creates a user of the office, of any role (its first admin above all). Province admin.",
    params(("id" = OfficeId, Path, description = "The office")),
    request_body = NewUserRequest,
    responses((status = 201, body = UserView), (status = 404, body = ApiError), (status = 409, description = "The user name is taken in that office (code already_exists)", body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn create_user(
    State(state): State<AppState>,
    Path(id): Path<OfficeId>,
    Json(req): Json<NewUserRequest>,
) -> Result<(StatusCode, axum::Json<UserView>)> {
    state.db.office(id).await?;
    create_in(&state, id, req).await
}

/// 2–32 of a-z, 0-9 and `-`, as office codes are in addresses.
fn is_office_code(code: &str) -> bool {
    (2..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}
