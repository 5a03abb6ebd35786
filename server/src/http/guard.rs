//! Who may reach a route: [`authenticate`], a layer over every route,
//! turns the request's token into the [`Principal`] it stands for;
//! [`guard`] wraps each route with the [`Access`] it admits (401 without a
//! valid token, 403 for the wrong party); [`Caller`] hands a guarded
//! route's handler its principal.

use crate::auth::{hash, token_of};
use crate::caller::{Access, Party, Principal};
use crate::error::{Error, Result};
use crate::state::AppState;
use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use layso_protocol::CounterId;

/// Wraps a route so that only `access` reaches it.
pub fn guard(access: Access, route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.route_layer(axum::middleware::from_fn_with_state(access, check))
}

async fn check(State(access): State<Access>, request: Request, next: Next) -> Response {
    let Some(principal) = request.extensions().get::<Principal>().cloned() else {
        return Error::Unauthorized("sign in, or send a device token").into_response();
    };
    let allowed = match access {
        Access::AnyOf(parties) => parties.contains(&principal.party()),
        Access::StaffAtCounter => {
            let (mut parts, body) = request.into_parts();
            let counter = RawPathParams::from_request_parts(&mut parts, &())
                .await
                .ok()
                .and_then(|params| {
                    params
                        .iter()
                        .find(|(name, _)| *name == "id")
                        .and_then(|(_, v)| v.parse().ok())
                });
            let request = Request::from_parts(parts, body);
            let allowed = principal.party() == Party::Staff
                && counter.is_some()
                && principal.counter() == counter.map(CounterId);
            if !allowed {
                return Error::forbidden(
                    "only the staff member signed in at this counter may act at it",
                    "Chỉ nhân viên đang đăng nhập tại quầy này mới làm được việc này.",
                )
                .into_response();
            }
            return next.run(request).await;
        }
    };
    if allowed {
        next.run(request).await
    } else {
        Error::forbidden(
            format!("a {:?} may not do this", principal.party()),
            "Tài khoản của bạn không có quyền làm việc này.",
        )
        .into_response()
    }
}

/// The principal of a guarded route's request.
pub struct Caller(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Principal>()
            .cloned()
            .map(Caller)
            .ok_or(Error::Unauthorized("sign in, or send a device token"))
    }
}

/// Finds the principal of the request's token, if any, for the routes'
/// guards. An unknown, expired or revoked token counts as none.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(token) = token_of(request.headers()) {
        match state
            .accounts
            .principal(&state.db, state.clock.now(), &hash(token))
            .await
        {
            Ok(Some(principal)) => {
                if let Some(device) = principal.device() {
                    state.presence.saw(device, state.clock.now());
                }
                request.extensions_mut().insert(principal);
            }
            Ok(None) => {}
            Err(error) => return error.into_response(),
        }
    }
    next.run(request).await
}
