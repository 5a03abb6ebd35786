//! Paired devices (admin only): kiosks, hall displays and rating
//! tablets; pairing gives a device its token once, revoking stops it
//! everywhere at once.

use super::extract::{Json, Path};
use super::fields;
use crate::auth::{self, DEVICE_PREFIX};
use crate::caller::ADMIN;
use crate::db::devices::NewDevice;
use crate::error::{AfterSave, Error, Result};
use crate::http::guard::{Caller, guard};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use layso_protocol::ApiError;
use layso_protocol::{DeviceId, DeviceView, NewDeviceRequest, NewDeviceResponse};

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(devices, pair, revoke))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/devices",
            guard(ADMIN, get(devices)).merge(guard(ADMIN, post(pair))),
        )
        .route(
            "/api/v1/admin/devices/{id}/revoke",
            guard(ADMIN, post(revoke)),
        )
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
    Ok(axum::Json(state.db.devices(admin.office, None).await?))
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
        .create_device(NewDevice {
            office,
            kind,
            name,
            counter,
            key,
            at,
        })
        .await?;
    let device = state
        .db
        .devices(admin.office, Some(id))
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
    let key = state.db.revoke_device(office, id, now).await?;
    state.accounts.forget(&[key]);
    tracing::info!(device = id.0, "revoked a device");
    state
        .db
        .devices(office, Some(id))
        .await
        .and_then(|mut d| d.pop().ok_or(Error::NotFound("device")))
        .map(axum::Json)
        .saved()
}
