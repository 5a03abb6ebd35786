//! The office's people (admin only): list them, add one, change their
//! name, role, counters and whether they may sign in, set a password. A
//! change that makes open sessions wrong ends them in the same
//! transaction, and is logged as a settings event.

use super::extract::{Json, Path};
use super::fields;
use super::fields::text;
use crate::auth::{self};
use crate::caller::ADMIN;
use crate::db::users::{self, NewUser};
use crate::error::{AfterSave, Error, Result};
use crate::http::guard::{Caller, guard};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use layso_protocol::ApiError;
use layso_protocol::{
    NewUserRequest, OfficeId, PasswordRequest, Role, UserId, UserRequest, UserView,
};

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(users, create_user, update_user, set_password))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/admin/users",
            guard(ADMIN, get(users)).merge(guard(ADMIN, post(create_user))),
        )
        .route("/api/v1/admin/users/{id}", guard(ADMIN, put(update_user)))
        .route(
            "/api/v1/admin/users/{id}/password",
            guard(ADMIN, put(set_password)),
        )
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
    Ok(axum::Json(state.db.users(admin.office).await?))
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
    office_role(req.role)?;
    create_in(&state, admin.office, req).await
}

/// Creates a user of `office`, checked (the office's admin's route and the
/// province admin's).
pub(super) async fn create_in(
    state: &AppState,
    office: OfficeId,
    req: NewUserRequest,
) -> Result<(StatusCode, axum::Json<UserView>)> {
    let username = req.username.trim().to_owned();
    if !users::is_username(&username) {
        return Err(Error::invalid(
            "a user name is 2-32 of a-z 0-9 . _ -",
            "Tên đăng nhập là 2–32 ký tự a-z 0-9 . _ - (chữ thường, không dấu).",
        ));
    }
    let full_name = fields::text(&req.full_name, "a full name", "Họ tên", 100, true)?;
    auth::check_password(&req.password)?;
    let hash = auth::hash_password(req.password).await?;
    let id = state
        .db
        .create_user(NewUser {
            office,
            username,
            full_name,
            role: req.role,
            password_hash: hash,
        })
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(state.db.user(id).await.saved()?),
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
async fn update_user(
    State(state): State<AppState>,
    Caller(admin): Caller,
    Path(id): Path<UserId>,
    Json(mut req): Json<UserRequest>,
) -> Result<axum::Json<UserView>> {
    req.full_name = text(&req.full_name, "a full name", "Họ tên", 100, true)?;
    office_role(req.role)?;
    if admin.user() == Some(id) && (req.disabled || req.role != Role::Admin) {
        return Err(Error::invalid(
            "an admin cannot disable or demote themselves: ask another admin",
            "Quản trị viên không tự khoá hay tự hạ quyền của mình: hãy nhờ quản trị viên khác.",
        ));
    }
    let (office, by, at) = (admin.office, admin.user(), state.clock.now());
    let ended = state.db.update_user(office, id, req, by, at).await?;
    // Their open pages and streams stop working now.
    state.accounts.forget(&ended);
    Ok(axum::Json(state.db.user(id).await.saved()?))
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
    let ended = state.db.set_password(office, id, hash, now).await?;
    state.accounts.forget(&ended);
    Ok(StatusCode::NO_CONTENT)
}

/// An office's admin manages the office's people; a province admin is
/// made by the province (`/api/v1/province/…`), never here.
fn office_role(role: Role) -> Result<()> {
    if role == Role::ProvinceAdmin {
        return Err(Error::forbidden(
            "an office admin cannot make a province admin",
            "Quản trị cơ quan không thể cấp quyền quản trị cấp tỉnh.",
        ));
    }
    Ok(())
}
