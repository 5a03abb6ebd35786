//! Signing in and out: `POST /api/v1/auth/login` (anyone),
//! `POST /api/v1/auth/logout` (a signed-in person) and
//! `GET /api/v1/auth/me` (any valid token).

use super::extract::{ClientAddress, Json};
use crate::auth::{self, COOKIE, SESSION_PREFIX};
use crate::caller::{self, Who};
use crate::db::sessions::NewSession;
use crate::db::users;
use crate::error::{Error, Result};
use crate::http::guard::{Caller, guard};
use crate::state::AppState;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse};
use axum::routing::{get, post};
use layso_protocol::ApiError;
use layso_protocol::{LoginRequest, LoginResponse, Me, Role};
use std::sync::OnceLock;

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(login, logout, me))]
pub struct Api;

/// A sign-in's body: a user name, a password and two ids.
const LOGIN_BODY_LIMIT: usize = 4096;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/auth/login",
            post(login).layer(DefaultBodyLimit::max(LOGIN_BODY_LIMIT)),
        )
        .route(
            "/api/v1/auth/logout",
            guard(caller::ANY_PERSON, post(logout)),
        )
        .route("/api/v1/auth/me", guard(caller::ANYONE_SIGNED_IN, get(me)))
}

/// A hash to check wrong user names against, so that they take as long
/// as wrong passwords and do not reveal which names exist.
static DECOY: OnceLock<String> = OnceLock::new();

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    description = "Signs a person in (staff: to a counter, taking it over). Sets the layso_token cookie too.",
    request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, description = "Wrong user name or password", body = ApiError), (status = 404, body = ApiError), (status = 422, body = ApiError), (status = 429, description = "Too many failed sign-ins for this user name (Retry-After)", body = ApiError))
)]
async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    from: ClientAddress,
    Json(req): Json<LoginRequest>,
) -> Result<impl IntoResponse> {
    let office = state.db.resolve_office(req.office_id).await?;
    // User names are lower-case; a phone's keyboard capitalises the first letter.
    let username = req.username.trim().to_ascii_lowercase();
    // Nothing of a name that cannot be one is kept or logged: no account
    // has it, and the rule is public, so refusing at once tells nothing.
    if !users::is_username(&username) {
        tracing::info!(
            name_bytes = req.username.len(),
            "refused a sign-in: not a user name"
        );
        return Err(Error::BadCredentials);
    }
    let attempt = state
        .sign_ins
        .begin(from.0, office, &username, state.clock.now())?;
    // No password is longer (see `check_password`); hashing megabytes is
    // the guesser's gain, not ours.
    let password_ok = req.password.len() <= auth::MAX_PASSWORD_BYTES;
    let found = state.db.user_by_name(office, &username).await?;
    let decoy = match DECOY.get() {
        Some(hash) => hash.clone(),
        None => {
            let hash = auth::hash_password("decoy password".into()).await?;
            DECOY.get_or_init(|| hash).clone()
        }
    };
    let (user, hash) = match found {
        Some((user, Some(hash))) if password_ok => (Some(user), hash),
        _ => (None, decoy),
    };
    let password = if password_ok {
        req.password
    } else {
        String::new()
    };
    let matches = auth::verify_password(password, hash).await;
    let Some(user) = user.filter(|_| matches) else {
        tracing::info!(%username, from = %from.0, "refused a sign-in");
        return Err(Error::BadCredentials);
    };
    attempt.succeeded();
    if req.counter_id.is_some() && user.role != Role::Staff {
        return Err(Error::invalid(
            "only staff sign in to a counter",
            "Chỉ nhân viên quầy mới đăng nhập tại quầy: hãy để trống ô Quầy.",
        ));
    }
    if let Some(counter) = req.counter_id {
        let allowed = state.db.counters_of(user.id).await?;
        if !allowed.is_empty() && !allowed.contains(&counter) {
            return Err(Error::forbidden(
                format!("{} may not work counter {counter}", user.username),
                "Tài khoản của bạn không được làm việc tại quầy này: hãy chọn quầy khác.",
            ));
        }
    }
    let token = auth::new_token(SESSION_PREFIX)?;
    let now = state.clock.now();
    let length = state.accounts.session_length;
    let session = NewSession {
        office,
        user: user.id,
        counter: req.counter_id,
        key: auth::hash(&token),
        at: now,
        expires_at: now
            + chrono::Duration::from_std(length)
                .map_err(|e| Error::Internal(format!("session length: {e}")))?,
    };
    let expires_at = session.expires_at;
    let ended = state.db.open_session(session).await?;
    // Whoever held the counter before is signed out now.
    state.accounts.forget(&ended);
    tracing::info!(user = %user.username, counter = ?req.counter_id, "signed in");
    let cookie = cookie(&state, &headers, &token, length.as_secs());
    Ok((
        AppendHeaders([(header::SET_COOKIE, cookie)]),
        axum::Json(LoginResponse {
            token,
            expires_at,
            user,
            counter_id: req.counter_id,
        }),
    ))
}

/// The session cookie holding `token` for `max_age` seconds: `Secure` when
/// browsers reach the server over https (its `public_url` says so, or the
/// proxy in front of it does).
fn cookie(state: &AppState, headers: &HeaderMap, token: &str, max_age: u64) -> String {
    let https = state
        .public_url
        .as_deref()
        .is_some_and(|url| url.starts_with("https://"))
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"));
    let secure = if https { "; Secure" } else { "" };
    format!("{COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}")
}

/// 204; the token stops working at once, open streams included.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    description = "Ends the session at once, its event streams included. Staff, manager, admin.",
    responses((status = 204)),
    security(("bearer" = []))
)]
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Caller(who): Caller,
) -> Result<impl IntoResponse> {
    let (key, now) = (who.key, state.clock.now());
    state.db.end_session(key, now).await?;
    state.accounts.forget(&[who.key]);
    let cookie = cookie(&state, &headers, "", 0);
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(header::SET_COOKIE, cookie)]),
    ))
}

#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "auth",
    description = "Who the token belongs to. Any valid token.",
    responses((status = 200, body = Me)),
    security(("bearer" = []))
)]
async fn me(State(state): State<AppState>, Caller(who): Caller) -> Result<axum::Json<Me>> {
    let me = match who.who {
        Who::User { id, counter, .. } => Me::User {
            user: state.db.user(id).await?,
            counter_id: counter,
            expires_at: who
                .expires_at
                .ok_or_else(|| Error::Internal("a session without an end".into()))?,
        },
        Who::Device { id, .. } => Me::Device {
            device: state
                .db
                .devices(who.office, Some(id))
                .await?
                .pop()
                .ok_or(Error::NotFound("device"))?,
        },
    };
    Ok(axum::Json(me))
}
