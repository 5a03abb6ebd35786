//! `GET /api/v1/queue`: the hall right now (display, staff, manager).

use crate::calendar;
use crate::caller;
use crate::error::Result;
use crate::http::guard::{Caller, guard};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use layso_protocol::{OfficeId, QueueSnapshot, ServiceQueueView};

/// This module's part of the OpenAPI document.
#[derive(utoipa::OpenApi)]
#[openapi(paths(snapshot))]
pub struct Api;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/queue", guard(caller::HALL, get(snapshot)))
}

#[utoipa::path(
    get,
    path = "/api/v1/queue",
    tag = "hall",
    description = "The hall now: waiting counts, counters, today's open tickets, and the event-log seq to resume the live stream after. Display, staff, manager, admin.",
    responses((status = 200, body = QueueSnapshot)),
    security(("bearer" = []))
)]
async fn snapshot(
    State(state): State<AppState>,
    Caller(who): Caller,
) -> Result<Json<QueueSnapshot>> {
    Ok(Json(snapshot_of(&state, who.office).await?))
}

/// The office's hall now (the snapshot route's body; the pages draw it too).
pub async fn snapshot_of(state: &AppState, office_id: OfficeId) -> Result<QueueSnapshot> {
    let db = &state.db;
    // Read first: everything after it is replayed to a client resuming here.
    let seq = db.head(office_id).await?;
    let office = db.office(office_id).await?;
    let now = state.clock.now();
    let date = calendar::local(now, calendar::zone(&office.time_zone)?).date;
    let tickets = db.open_tickets(office_id, &date.to_string()).await?;
    let services = db
        .services(&office, now)
        .await?
        .into_iter()
        .map(|s| ServiceQueueView {
            service_id: s.id,
            waiting: s.waiting,
            priority_waiting: u32::try_from(
                tickets
                    .iter()
                    .filter(|t| {
                        t.service_id == s.id
                            && t.state == layso_protocol::TicketState::Waiting
                            && t.priority.is_priority()
                    })
                    .count(),
            )
            .unwrap_or(u32::MAX),
        })
        .collect();
    Ok(QueueSnapshot {
        office_id,
        business_date: date,
        at: now,
        seq,
        services,
        counters: db.counters(office_id).await?,
        tickets,
    })
}
