//! Tickets: issue (kiosk), read (staff, manager, admin), track by public
//! token (anyone holding the printed QR code).

use super::extract::{Json, Path};
use crate::caller;
use crate::db::reads::TicketKey;
use crate::db::tickets::IssueCommand;
use crate::error::{Error, Result};
use crate::http::guard::{Caller, guard};
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use layso_protocol::ApiError;
use layso_protocol::{
    DeviceStatusRequest, IdempotencyKey, IssueRequest, NotPrintedRequest, Reason, TicketId,
    TicketView,
};
use std::sync::atomic::Ordering;

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(issue, read, track, not_printed, printer_status))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/tickets", guard(caller::KIOSK, post(issue)))
        .route("/api/v1/tickets/{id}", guard(caller::PEOPLE, get(read)))
        .route(
            "/api/v1/tickets/{id}/not-printed",
            guard(caller::KIOSK, post(not_printed)),
        )
        .route(
            "/api/v1/devices/status",
            guard(caller::KIOSK, post(printer_status)),
        )
        .route("/api/v1/track/{token}", get(track))
}

/// 201 with a new ticket; 200 with the same ticket when the key was seen;
/// 429 when the kiosk issues faster than its limit.
#[utoipa::path(
    post,
    path = "/api/v1/tickets",
    tag = "tickets",
    description = "Issues a ticket (kiosk only). Durable before the answer; a retry with the same idempotency key returns the same ticket with 200.",
    request_body = IssueRequest,
    responses((status = 201, description = "A new ticket", body = TicketView), (status = 200, description = "The ticket this key already got", body = TicketView), (status = 404, description = "No such active service at this office", body = ApiError), (status = 409, description = "Outside issuing hours, daily cap reached, range used up, priority not accepted, or the key was used for another request", body = ApiError), (status = 422, description = "Bad body", body = ApiError), (status = 429, description = "This kiosk issued too many tickets in a short time (Retry-After)", body = ApiError)),
    security(("bearer" = []))
)]
async fn issue(
    State(state): State<AppState>,
    Caller(kiosk): Caller,
    Json(req): Json<IssueRequest>,
) -> Result<(StatusCode, axum::Json<TicketView>)> {
    let key = IdempotencyKey::parse(&req.idempotency_key).map_err(|e| {
        Error::invalid(
            e.to_string(),
            "Mã yêu cầu (idempotency key) là 8–64 ký tự A-Z a-z 0-9 - _.",
        )
    })?;
    let device = kiosk
        .device()
        .ok_or_else(|| Error::forbidden("only a kiosk issues tickets", "Chỉ kiosk mới cấp số."))?;
    // A retry of a tap already answered is never limited: the kiosk must
    // be able to print the ticket it lost.
    let taken = match state.kiosks.take(device, state.clock.now()) {
        Ok(()) => true,
        Err(limited) if state.db.key_used(kiosk.office, &key).await? => {
            tracing::debug!(?limited, "a limited kiosk retries an issued ticket");
            false
        }
        Err(limited) => return Err(limited),
    };
    let cmd = IssueCommand {
        office: kiosk.office,
        service: req.service_id,
        priority: req.priority,
        key,
        token: public_token(state.clock.now())?,
    };
    let issued = match state.db.issue(cmd).await {
        Ok(issued) => issued,
        Err(error) => {
            // A refusal issued nothing.
            if taken {
                state.kiosks.give_back(device);
            }
            return Err(error);
        }
    };
    if issued.created {
        state.metrics.issued.fetch_add(1, Ordering::Relaxed);
    }
    if taken && !issued.created {
        // A retry of an earlier tap issued nothing new.
        state.kiosks.give_back(device);
    }
    tracing::info!(ticket = issued.ticket.id.0, number = %issued.ticket.number, created = issued.created, "issued");
    let mut view = issued.ticket;
    // The ticket is on disk: a citizen gets it without an estimate rather
    // than a refusal that would have them take another.
    if let Err(error) = state
        .estimator
        .annotate(&state.db, state.clock.now(), &mut view, issued.wait)
        .await
    {
        tracing::warn!(%error, ticket = view.id.0, "issued without an estimate");
    }
    let status = if issued.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(view)))
}

#[utoipa::path(
    get,
    path = "/api/v1/tickets/{id}",
    tag = "tickets",
    description = "A ticket of the office, with people ahead and estimated wait while it waits. Staff, manager, admin.",
    params(("id" = TicketId, Path, description = "The ticket")),
    responses((status = 200, body = TicketView), (status = 404, body = ApiError)),
    security(("bearer" = []))
)]
async fn read(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<TicketId>,
) -> Result<axum::Json<TicketView>> {
    let view = state.ticket_view(TicketKey::Id(id)).await?;
    if view.office_id != who.office {
        return Err(Error::NotFound("ticket"));
    }
    Ok(axum::Json(view))
}

#[utoipa::path(
    get,
    path = "/api/v1/track/{token}",
    tag = "tickets",
    description = "A ticket by the public token its QR code carries. Anyone.",
    params(("token" = String, Path, description = "The ticket's public token (32 hex digits)")),
    responses((status = 200, body = TicketView), (status = 404, body = ApiError))
)]
async fn track(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<axum::Json<TicketView>> {
    Ok(axum::Json(
        state.ticket_view(TicketKey::Token(&token)).await?,
    ))
}

/// 32 hex digits: the issue time in milliseconds (48 bits), then 80
/// random bits. The random part keeps the tracking link from being guessed
/// from the ticket number or from other tickets' links (as a UUIDv7's 74
/// bits do); the time in front makes each new token sort after the last,
/// so its unique index grows at one end, one page a batch, instead of a
/// random page per ticket (about a sixth of what an issue commit wrote).
/// The time is no secret: the tracking page shows when the ticket was issued.
fn public_token(now: chrono::DateTime<chrono::Utc>) -> Result<String> {
    let mut bytes = [0u8; 16];
    let millis = u64::try_from(now.timestamp_millis()).unwrap_or(0);
    bytes[..6].copy_from_slice(&millis.to_be_bytes()[2..]);
    getrandom::fill(&mut bytes[6..]).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

#[utoipa::path(
    post,
    path = "/api/v1/tickets/{id}/not-printed",
    tag = "tickets",
    description = "The kiosk could not print a ticket it was issued: logged (as a not_printed event the monitor sees); the ticket keeps its place. Kiosk.",
    params(("id" = TicketId, Path, description = "The ticket")),
    request_body = NotPrintedRequest,
    responses((status = 204), (status = 404, body = ApiError), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn not_printed(
    State(state): State<AppState>,
    Caller(kiosk): Caller,
    Path(id): Path<TicketId>,
    Json(req): Json<NotPrintedRequest>,
) -> Result<StatusCode> {
    let reason = Reason::parse(&req.reason).map_err(super::fields::reason_error)?;
    let (office, at) = (kiosk.office, state.clock.now());
    state
        .db
        .log_not_printed(office, id, reason.as_str().to_owned(), at)
        .await?;
    tracing::warn!(ticket = id.0, reason = %req.reason, "a kiosk could not print a ticket");
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    post,
    path = "/api/v1/devices/status",
    tag = "tickets",
    description = "A kiosk reports its printer (paper out, cover open…) for the monitor and the admin's device list. Kiosk.",
    request_body = DeviceStatusRequest,
    responses((status = 204), (status = 422, body = ApiError)),
    security(("bearer" = []))
)]
async fn printer_status(
    State(state): State<AppState>,
    Caller(kiosk): Caller,
    Json(req): Json<DeviceStatusRequest>,
) -> Result<StatusCode> {
    let device = kiosk.device().ok_or_else(|| {
        Error::forbidden(
            "only a kiosk reports a printer",
            "Chỉ kiosk mới báo trạng thái máy in.",
        )
    })?;
    let at = state.clock.now();
    state.db.set_printer_status(device, req.printer, at).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::public_token;
    use chrono::{Duration, TimeZone, Utc};

    // A token is 32 hex digits; a later one sorts after (its index grows at
    // one end); two in the same millisecond still differ in their random
    // part.
    #[test]
    fn tokens_sort_by_time_and_stay_unguessable() {
        let at = Utc.with_ymd_and_hms(2026, 12, 3, 8, 0, 0).unwrap();
        let first = public_token(at).unwrap();
        assert_eq!(first.len(), 32);
        assert!(
            first
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert!(first.starts_with(&format!("{:012x}", at.timestamp_millis())));
        let later = public_token(at + Duration::milliseconds(1)).unwrap();
        assert!(later > first, "{later} after {first}");
        let same: std::collections::HashSet<_> =
            (0..100).map(|_| public_token(at).unwrap()).collect();
        assert_eq!(same.len(), 100, "the random part differs");
    }
}
