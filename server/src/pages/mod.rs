//! The web pages staff, managers and admins use in a browser: the counter
//! console, the live monitor and the admin. Rendered here (maud), in
//! Vietnamese; a little JavaScript (`static/layso.js`) sends actions to the
//! JSON API with the session cookie and redraws a page's live part from
//! its `/panel` route whenever the event stream says something changed.
//!
//! A page needs a signed-in person (the `layso_token` cookie the login sets);
//! without one it sends the browser to `/login`, and with the wrong role it
//! says so in a 403 page.

mod admin;
mod console;
mod login;
mod monitor;
mod province;
mod track;

use crate::caller::Principal;
use crate::state::AppState;
use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use layso_protocol::Role;
use maud::{DOCTYPE, Markup, html};

/// The pages' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::page))
        .route("/console", get(console::page))
        .route("/console/panel", get(console::panel))
        .route("/monitor", get(monitor::page))
        .route("/monitor/panel", get(monitor::panel))
        .route("/admin", get(admin::page))
        .route("/province", get(province::page))
        .route("/t/{token}", get(track::ticket))
        .route("/static/layso.css", get(css))
        .route("/static/layso.js", get(js))
}

/// A signed-in person viewing a page.
pub struct Viewer {
    /// Their session.
    pub principal: Principal,
    /// Their role.
    pub role: Role,
}

/// Why a page is not shown.
pub enum Refusal {
    /// Nobody is signed in: go and sign in.
    SignIn,
    /// Signed in with a role that may not see this page.
    Forbidden(&'static str),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Refusal::SignIn => Redirect::to("/login").into_response(),
            Refusal::Forbidden(what) => (
                StatusCode::FORBIDDEN,
                layout(
                    "Không có quyền",
                    None,
                    html! {
                        main.narrow {
                            h1 { "Không có quyền truy cập" }
                            p { "Tài khoản của bạn không được mở " (what) "." }
                            p { a href="/" { "Về trang của bạn" } }
                        }
                    },
                ),
            )
                .into_response(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = Refusal;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let principal = parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or(Refusal::SignIn)?;
        match principal.who {
            crate::caller::Who::User { role, .. } => Ok(Viewer { principal, role }),
            // Devices have no pages.
            crate::caller::Who::Device { .. } => Err(Refusal::SignIn),
        }
    }
}

impl Viewer {
    /// Refuses unless the viewer has one of `roles`.
    pub fn require(&self, roles: &[Role], what: &'static str) -> Result<(), Refusal> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Refusal::Forbidden(what))
        }
    }
}

/// Each person's own page.
async fn home(viewer: Result<Viewer, Refusal>) -> Redirect {
    match viewer {
        Ok(v) => Redirect::to(match v.role {
            Role::Staff => "/console",
            Role::Manager => "/monitor",
            Role::Admin => "/admin",
            Role::ProvinceAdmin => "/province",
        }),
        Err(_) => Redirect::to("/login"),
    }
}

/// A whole page: `title`, the navigation for a signed-in viewer of `nav`'s
/// role (none on the login page and the citizen's tracking page), and
/// `body`.
pub fn layout(title: &str, nav: Option<Role>, body: Markup) -> Markup {
    page(title, nav, None, body)
}

/// A whole page like [`layout`]'s that reloads itself every
/// `reload_secs`, if given (for pages without a live stream).
pub fn page(title: &str, nav: Option<Role>, reload_secs: Option<u32>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="vi" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(secs) = reload_secs {
                    meta http-equiv="refresh" content=(secs);
                }
                title { (title) " – Layso" }
                link rel="stylesheet" href="/static/layso.css";
                script src="/static/layso.js" defer {}
            }
            body {
                header.top {
                    @if let Some(role) = nav {
                        a.brand href="/" { "Layso" }
                        nav {
                            @if role == Role::Staff { a href="/console" { "Quầy" } }
                            @if matches!(role, Role::Manager | Role::Admin) { a href="/monitor" { "Giám sát" } }
                            @if role == Role::ProvinceAdmin { a href="/province" { "Các cơ quan" } }
                            @if role == Role::Admin { a href="/admin" { "Quản trị" } }
                            button.link type="button" data-logout { "Đăng xuất" }
                        }
                    } @else {
                        // Only staff have a home page: the citizen's tracking
                        // page and the login page name the program, no more.
                        span.brand { "Layso" }
                    }
                }
                div #offline hidden role="status" { "Mất kết nối máy chủ – đang kết nối lại…" }
                div #message role="alert" aria-live="assertive" {}
                (body)
            }
        }
    }
}

/// When the office's day `date` began, in UTC.
pub fn midnight(
    date: chrono::NaiveDate,
    time_zone: &str,
) -> crate::error::Result<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let zone = crate::calendar::zone(time_zone)?;
    date.and_hms_opt(0, 0, 0)
        .and_then(|t| zone.from_local_datetime(&t).earliest())
        .map(|t| t.with_timezone(&chrono::Utc))
        .ok_or_else(|| crate::error::Error::Internal(format!("no midnight on {date}")))
}

/// A duration in Vietnamese, e.g. "4 phút 05 giây".
pub fn duration_vi(secs: i64) -> String {
    let secs = secs.max(0);
    match (secs / 3600, secs / 60 % 60, secs % 60) {
        (0, 0, s) => format!("{s} giây"),
        (0, m, s) => format!("{m} phút {s:02} giây"),
        (h, m, _) => format!("{h} giờ {m:02} phút"),
    }
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/layso.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../static/layso.js"),
    )
}
