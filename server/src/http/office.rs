//! The office's details (admin only): name, address, ticket texts, the
//! display's notice and call phrase. Validated whole before anything is
//! written, and logged as a settings event so every screen reads the
//! office again.

use super::extract::Json;
use super::fields::text;
use crate::error::{AfterSave, Error, Result};
use crate::http::guard::Caller;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::routing::put;
use layso_protocol::{ApiError, OfficeRequest, OfficeView};

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(office))]
pub struct Api;

pub fn router() -> Router<AppState> {
    use crate::caller::ADMIN;
    use crate::http::guard::guard;
    Router::new().route("/api/v1/admin/office", guard(ADMIN, put(office)))
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
    state.db.update_office(office, req, user, at).await?;
    tracing::info!(office = office.0, "changed the office's details");
    Ok(axum::Json(state.db.office(office).await.saved()?))
}
