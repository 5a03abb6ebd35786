//! Office administration (admin only): add services, pair and revoke
//! devices, manage users and their passwords, close the day by hand (the server also closes
//! each office's day by itself after local midnight).

use super::extract::{Json, Path};
use super::fields;
use crate::auth::{self, Caller, DEVICE_PREFIX};
use crate::db::accounts::{self, NewDevice, NewUser, SessionEnd};
use crate::db::{reads, services, tickets};
use crate::error::{AfterSave, Error, Result};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use layso_protocol::ApiError;
use layso_protocol::{
    DeviceId, DeviceView, NewDeviceRequest, NewDeviceResponse, NewUserRequest, OfficeId,
    PasswordRequest, ServiceId, ServiceRequest, ServiceView, UserId, UserView,
};
use serde::Serialize;

/// How many tickets a day close expired.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ClosedDay {
    /// Tickets moved to `expired`.
    pub expired: u64,
}

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    close_day,
    devices,
    pair,
    revoke,
    users,
    create_user,
    set_password,
    create_service,
    update_service
))]
pub struct Api;

pub fn router() -> Router<AppState> {
    use auth::{ADMIN, guard};
    Router::new()
        .route("/api/v1/admin/close-day", guard(ADMIN, post(close_day)))
        .route(
            "/api/v1/admin/devices",
            guard(ADMIN, get(devices)).merge(guard(ADMIN, post(pair))),
        )
        .route(
            "/api/v1/admin/devices/{id}/revoke",
            guard(ADMIN, post(revoke)),
        )
        .route(
            "/api/v1/admin/users",
            guard(ADMIN, get(users)).merge(guard(ADMIN, post(create_user))),
        )
        .route("/api/v1/admin/services", guard(ADMIN, post(create_service)))
        .route(
            "/api/v1/admin/services/{id}",
            guard(ADMIN, put(update_service)),
        )
        .route(
            "/api/v1/admin/users/{id}/password",
            guard(ADMIN, put(set_password)),
        )
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/close-day",
    tag = "admin",
    description = "Expires what is left open of past days (the server also does it by itself). Admin.",
    responses((status = 200, body = ClosedDay)),
    security(("bearer" = []))
)]
async fn close_day(State(state): State<AppState>) -> Result<axum::Json<ClosedDay>> {
    let clock = state.clock.clone();
    let expired = state
        .db
        .writer
        .write(move |conn| Box::pin(async move { tickets::close_days(conn, clock.now()).await }))
        .await?;
    Ok(axum::Json(ClosedDay { expired }))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/devices",
    tag = "admin",
    description = "The office's paired devices, revoked ones included. Admin.",
    responses((status = 200, body = Vec<DeviceView>)),
    security(("bearer" = []))
)]
async fn devices(
    State(state): State<AppState>,
    Caller(admin): Caller,
) -> Result<axum::Json<Vec<DeviceView>>> {
    Ok(axum::Json(
        accounts::devices(&state.db.read, admin.office, None).await?,
    ))
}

/// 201 with the device and its token, which is never shown again.
#[utoipa::path(
    post,
    path = "/api/v1/admin/devices",
    tag = "admin",
    description = "Pairs a kiosk, display or rating tablet; the answer carries its token, shown this once. Admin.",
    request_body = NewDeviceRequest,
    responses((status = 201, body = NewDeviceResponse), (status = 404, description = "No such counter", body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn pair(
    State(state): State<AppState>,
    Caller(admin): Caller,
    Json(req): Json<NewDeviceRequest>,
) -> Result<(StatusCode, axum::Json<NewDeviceResponse>)> {
    let name = fields::text(&req.name, "a device's name", "Tên thiết bị", 80, true)?;
    let token = auth::new_token(DEVICE_PREFIX)?;
    let (office, kind, counter) = (admin.office, req.kind, req.counter_id);
    let (key, at) = (auth::hash(&token), state.clock.now());
    let id = state
        .db
        .writer
        .write(move |conn| {
            Box::pin(async move {
                let device = NewDevice {
                    office,
                    kind,
                    name: &name,
                    counter,
                    key,
                    at,
                };
                accounts::create_device(conn, &device).await
            })
        })
        .await?;
    let device = accounts::devices(&state.db.read, admin.office, Some(id))
        .await
        .and_then(|mut d| d.pop().ok_or(Error::NotFound("device")))
        .saved()?;
    tracing::info!(
        device = id.0,
        kind = device.kind.as_str(),
        "paired a device"
    );
    Ok((
        StatusCode::CREATED,
        axum::Json(NewDeviceResponse { device, token }),
    ))
}

/// The device stops working at once, its open event streams included.
#[utoipa::path(
    post,
    path = "/api/v1/admin/devices/{id}/revoke",
    tag = "admin",
    description = "Revokes a device: it is refused at once and its event streams close. Admin.",
    params(("id" = DeviceId, Path, description = "The device")),
    responses((status = 200, body = DeviceView), (status = 404, body = ApiError)),
    security(("bearer" = []))
)]
async fn revoke(
    State(state): State<AppState>,
    Caller(admin): Caller,
    Path(id): Path<DeviceId>,
) -> Result<axum::Json<DeviceView>> {
    let (office, now) = (admin.office, state.clock.now());
    let key = state
        .db
        .writer
        .write(move |conn| {
            Box::pin(async move { accounts::revoke_device(conn, office, id, now).await })
        })
        .await?;
    state.accounts.forget(&[key]);
    tracing::info!(device = id.0, "revoked a device");
    accounts::devices(&state.db.read, office, Some(id))
        .await
        .and_then(|mut d| d.pop().ok_or(Error::NotFound("device")))
        .map(axum::Json)
        .saved()
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/users",
    tag = "admin",
    description = "The office's users. Admin.",
    responses((status = 200, body = Vec<UserView>)),
    security(("bearer" = []))
)]
async fn users(
    State(state): State<AppState>,
    Caller(admin): Caller,
) -> Result<axum::Json<Vec<UserView>>> {
    Ok(axum::Json(
        accounts::users(&state.db.read, admin.office).await?,
    ))
}

#[utoipa::path(
    post,
    path = "/api/v1/admin/users",
    tag = "admin",
    description = "Creates a user with a password. Admin.",
    request_body = NewUserRequest,
    responses((status = 201, body = UserView), (status = 409, description = "The user name is taken (code already_exists)", body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn create_user(
    State(state): State<AppState>,
    Caller(admin): Caller,
    Json(req): Json<NewUserRequest>,
) -> Result<(StatusCode, axum::Json<UserView>)> {
    let username = req.username.trim().to_owned();
    if !accounts::is_username(&username) {
        return Err(Error::invalid(
            "a user name is 2-32 of a-z 0-9 . _ -",
            "Tên đăng nhập là 2–32 ký tự a-z 0-9 . _ - (chữ thường, không dấu).",
        ));
    }
    let full_name = fields::text(&req.full_name, "a full name", "Họ tên", 100, true)?;
    auth::check_password(&req.password)?;
    let hash = auth::hash_password(req.password).await?;
    let (office, role) = (admin.office, req.role);
    let id = state
        .db
        .writer
        .write(move |conn| {
            Box::pin(async move {
                let user = NewUser {
                    office,
                    username: &username,
                    full_name: &full_name,
                    role,
                    password_hash: &hash,
                };
                accounts::create_user(conn, &user).await
            })
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(accounts::user(&state.db.read, id).await.saved()?),
    ))
}

/// 204; the user's open sessions end.
#[utoipa::path(
    put,
    path = "/api/v1/admin/users/{id}/password",
    tag = "admin",
    description = "Sets a user's password; their open sessions end. Admin.",
    params(("id" = UserId, Path, description = "The user")),
    request_body = PasswordRequest,
    responses((status = 204), (status = 404, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn set_password(
    State(state): State<AppState>,
    Caller(admin): Caller,
    Path(id): Path<UserId>,
    Json(req): Json<PasswordRequest>,
) -> Result<StatusCode> {
    auth::check_password(&req.password)?;
    let hash = auth::hash_password(req.password).await?;
    let (office, now) = (admin.office, state.clock.now());
    let ended = state
        .db
        .writer
        .write(move |conn| {
            Box::pin(async move {
                if !accounts::set_password(conn, office, id, &hash).await? {
                    return Err(Error::NotFound("user"));
                }
                accounts::end_sessions_of(conn, id, SessionEnd::Password, now).await
            })
        })
        .await?;
    state.accounts.forget(&ended);
    Ok(StatusCode::NO_CONTENT)
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
    let id = state
        .db
        .writer
        .write(move |conn| {
            Box::pin(async move { services::create(conn, office, &req, user, at).await })
        })
        .await?;
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
    state
        .db
        .writer
        .write(move |conn| {
            Box::pin(async move { services::update(conn, office, id, &req, user, at).await })
        })
        .await?;
    let view = service_view(&state, office, id).await.saved()?;
    Ok(axum::Json(view))
}

/// A service as the kiosks list it.
async fn service_view(state: &AppState, office: OfficeId, id: ServiceId) -> Result<ServiceView> {
    let office_view = reads::office(&state.db.read, office).await?;
    reads::services(&state.db.read, &office_view, state.clock.now())
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
