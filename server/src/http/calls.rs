//! Calling at a counter (only the staff member signed in at counter `{id}`):
//! call next or a given ticket, and each step of the ticket in front of
//! them (recall, start, finish, no-show, reactivate, transfer, cancel).

use super::extract::{Json, OptionalJson, Path};
use super::fields::reason;
use crate::caller;
use crate::db::calls::Action;
use crate::db::reads::TicketKey;
use crate::error::{AfterSave, Result};
use crate::http::guard::guard;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use layso_protocol::ApiError;
use layso_protocol::{
    CallNextRequest, CallTicketRequest, CounterId, ReasonRequest, TicketId, TicketView,
    TransferRequest,
};
use std::sync::atomic::Ordering;

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    call_next, call, recall, start, finish, no_show, reactivate, transfer, cancel
))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/counters/{id}/call-next",
            guard(caller::AT_COUNTER, post(call_next)),
        )
        .route(
            "/api/v1/counters/{id}/call",
            guard(caller::AT_COUNTER, post(call)),
        )
        .route(
            "/api/v1/counters/{id}/tickets/{ticket}/recall",
            guard(caller::AT_COUNTER, post(recall)),
        )
        .route(
            "/api/v1/counters/{id}/tickets/{ticket}/start",
            guard(caller::AT_COUNTER, post(start)),
        )
        .route(
            "/api/v1/counters/{id}/tickets/{ticket}/finish",
            guard(caller::AT_COUNTER, post(finish)),
        )
        .route(
            "/api/v1/counters/{id}/tickets/{ticket}/no-show",
            guard(caller::AT_COUNTER, post(no_show)),
        )
        .route(
            "/api/v1/counters/{id}/tickets/{ticket}/reactivate",
            guard(caller::AT_COUNTER, post(reactivate)),
        )
        .route(
            "/api/v1/counters/{id}/tickets/{ticket}/transfer",
            guard(caller::AT_COUNTER, post(transfer)),
        )
        .route(
            "/api/v1/counters/{id}/tickets/{ticket}/cancel",
            guard(caller::AT_COUNTER, post(cancel)),
        )
}

/// 200 with the called ticket, 204 when nobody waits. The body is optional.
#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/call-next",
    tag = "counter",
    description = "Calls the next ticket by the counter's policy (priority ratio, service order or weights, oldest first). The body is optional.",
    params(("id" = CounterId, Path, description = "The counter")),
    request_body(content = Option<CallNextRequest>),
    responses((status = 200, description = "The called ticket", body = TicketView), (status = 204, description = "Nobody waits"), (status = 409, description = "Counter not open or still busy", body = ApiError)),
    security(("bearer" = []))
)]
async fn call_next(
    State(state): State<AppState>,
    Path(id): Path<CounterId>,
    OptionalJson(req): OptionalJson<CallNextRequest>,
) -> Result<Response> {
    match state.db.call_next(id, req.finish_current).await? {
        Some(ticket) => {
            state.metrics.calls.fetch_add(1, Ordering::Relaxed);
            tracing::info!(counter = id.0, ticket = ticket.id.0, number = %ticket.number, "called");
            Ok(axum::Json(ticket).into_response())
        }
        None => Ok(StatusCode::NO_CONTENT.into_response()),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/call",
    tag = "counter",
    description = "Calls a given waiting ticket out of turn, with a reason for the log.",
    params(("id" = CounterId, Path, description = "The counter")),
    request_body = CallTicketRequest,
    responses((status = 200, body = TicketView), (status = 404, description = "No such ticket at this office", body = ApiError), (status = 409, description = "The step is not allowed now (invalid_transition, ticket_not_at_counter, ...)", body = ApiError)),
    security(("bearer" = []))
)]
async fn call(
    State(state): State<AppState>,
    Path(id): Path<CounterId>,
    Json(req): Json<CallTicketRequest>,
) -> Result<axum::Json<TicketView>> {
    let why = reason(&req.reason)?;
    let ticket = req.ticket_id;
    state.db.call_ticket(id, ticket, why).await?;
    state.metrics.calls.fetch_add(1, Ordering::Relaxed);
    Ok(axum::Json(
        state.ticket_view(TicketKey::Id(ticket)).await.saved()?,
    ))
}

/// Runs one ticket step and answers with the ticket as it is after it.
async fn step(
    state: AppState,
    counter: CounterId,
    ticket: TicketId,
    action: Action,
) -> Result<axum::Json<TicketView>> {
    state.db.act(counter, ticket, action).await?;
    Ok(axum::Json(
        state.ticket_view(TicketKey::Id(ticket)).await.saved()?,
    ))
}

type Ids = Path<(CounterId, TicketId)>;

#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/tickets/{ticket}/recall",
    tag = "counter",
    description = "Calls the counter's called ticket again (counted).",
    params(("id" = CounterId, Path, description = "The counter"), ("ticket" = TicketId, Path, description = "The ticket")),
    responses((status = 200, description = "The ticket after the step", body = TicketView), (status = 404, description = "No such ticket at this office", body = ApiError), (status = 409, description = "The step is not allowed now (invalid_transition, ticket_not_at_counter, ...)", body = ApiError)),
    security(("bearer" = []))
)]
async fn recall(State(s): State<AppState>, Path((c, t)): Ids) -> Result<axum::Json<TicketView>> {
    let metrics = s.metrics.clone();
    let view = step(s, c, t, Action::Recall).await?;
    metrics.recalls.fetch_add(1, Ordering::Relaxed);
    Ok(view)
}

#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/tickets/{ticket}/start",
    tag = "counter",
    description = "The citizen arrived: serving.",
    params(("id" = CounterId, Path, description = "The counter"), ("ticket" = TicketId, Path, description = "The ticket")),
    responses((status = 200, description = "The ticket after the step", body = TicketView), (status = 404, description = "No such ticket at this office", body = ApiError), (status = 409, description = "The step is not allowed now (invalid_transition, ticket_not_at_counter, ...)", body = ApiError)),
    security(("bearer" = []))
)]
async fn start(State(s): State<AppState>, Path((c, t)): Ids) -> Result<axum::Json<TicketView>> {
    step(s, c, t, Action::Start).await
}

#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/tickets/{ticket}/finish",
    tag = "counter",
    description = "Service finished.",
    params(("id" = CounterId, Path, description = "The counter"), ("ticket" = TicketId, Path, description = "The ticket")),
    responses((status = 200, description = "The ticket after the step", body = TicketView), (status = 404, description = "No such ticket at this office", body = ApiError), (status = 409, description = "The step is not allowed now (invalid_transition, ticket_not_at_counter, ...)", body = ApiError)),
    security(("bearer" = []))
)]
async fn finish(State(s): State<AppState>, Path((c, t)): Ids) -> Result<axum::Json<TicketView>> {
    step(s, c, t, Action::Finish).await
}

#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/tickets/{ticket}/no-show",
    tag = "counter",
    description = "The citizen did not come.",
    params(("id" = CounterId, Path, description = "The counter"), ("ticket" = TicketId, Path, description = "The ticket")),
    responses((status = 200, description = "The ticket after the step", body = TicketView), (status = 404, description = "No such ticket at this office", body = ApiError), (status = 409, description = "The step is not allowed now (invalid_transition, ticket_not_at_counter, ...)", body = ApiError)),
    security(("bearer" = []))
)]
async fn no_show(State(s): State<AppState>, Path((c, t)): Ids) -> Result<axum::Json<TicketView>> {
    step(s, c, t, Action::NoShow).await
}

#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/tickets/{ticket}/reactivate",
    tag = "counter",
    description = "A no-show ticket goes back to the queue.",
    params(("id" = CounterId, Path, description = "The counter"), ("ticket" = TicketId, Path, description = "The ticket")),
    responses((status = 200, description = "The ticket after the step", body = TicketView), (status = 404, description = "No such ticket at this office", body = ApiError), (status = 409, description = "The step is not allowed now (invalid_transition, ticket_not_at_counter, ...)", body = ApiError)),
    security(("bearer" = []))
)]
async fn reactivate(
    State(s): State<AppState>,
    Path((c, t)): Ids,
) -> Result<axum::Json<TicketView>> {
    step(s, c, t, Action::Reactivate).await
}

#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/tickets/{ticket}/transfer",
    tag = "counter",
    description = "Moves the ticket to another service's queue; it keeps its number and, unless told otherwise, its place in time.",
    params(("id" = CounterId, Path, description = "The counter"), ("ticket" = TicketId, Path, description = "The ticket")),
    request_body = TransferRequest,
    responses((status = 200, description = "The ticket after the step", body = TicketView), (status = 404, description = "No such ticket at this office", body = ApiError), (status = 409, description = "The step is not allowed now (invalid_transition, ticket_not_at_counter, ...)", body = ApiError)),
    security(("bearer" = []))
)]
async fn transfer(
    State(s): State<AppState>,
    Path((c, t)): Ids,
    Json(req): Json<TransferRequest>,
) -> Result<axum::Json<TicketView>> {
    let action = Action::Transfer {
        service: req.service_id,
        keep_place: req.keep_place,
    };
    step(s, c, t, action).await
}

#[utoipa::path(
    post,
    path = "/api/v1/counters/{id}/tickets/{ticket}/cancel",
    tag = "counter",
    description = "Withdraws the ticket, with an optional reason. The body is optional.",
    params(("id" = CounterId, Path, description = "The counter"), ("ticket" = TicketId, Path, description = "The ticket")),
    request_body(content = Option<ReasonRequest>),
    responses((status = 200, description = "The ticket after the step", body = TicketView), (status = 404, description = "No such ticket at this office", body = ApiError), (status = 409, description = "The step is not allowed now (invalid_transition, ticket_not_at_counter, ...)", body = ApiError)),
    security(("bearer" = []))
)]
async fn cancel(
    State(s): State<AppState>,
    Path((c, t)): Ids,
    OptionalJson(req): OptionalJson<ReasonRequest>,
) -> Result<axum::Json<TicketView>> {
    let why = req.reason.as_deref().map(reason).transpose()?;
    step(s, c, t, Action::Cancel(why)).await
}
