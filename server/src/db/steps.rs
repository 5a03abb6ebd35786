//! The steps staff take on one ticket from their counter: recall, start,
//! finish, no-show, reactivate, transfer, cancel. Each checks the ticket's
//! state and where it is, then makes one logged change.

use super::counters::{CounterRow, counter_row};
use super::tickets::{self, Change, TicketRow};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::TicketStep;
use layso_protocol::{CounterId, Reason, ServiceId, TicketId, TicketState};
use sqlx::SqliteConnection;

/// A step staff take on one ticket from a counter.
#[derive(Debug, Clone)]
pub enum Action {
    /// Call a called ticket again.
    Recall,
    /// The citizen arrived: start serving.
    Start,
    /// Service finished.
    Finish,
    /// The citizen did not come.
    NoShow,
    /// A no-show came back: back in the queue at its old place.
    Reactivate,
    /// Send the citizen to another service's queue.
    Transfer {
        /// The new service.
        service: ServiceId,
        /// Keep the place in time (else go to the back).
        keep_place: bool,
    },
    /// Withdraw the ticket.
    Cancel(Option<Reason>),
}

impl Action {
    /// The step's name in refusals.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Recall => "recall",
            Self::Start => "start serving",
            Self::Finish => "finish",
            Self::NoShow => "mark as no-show",
            Self::Reactivate => "reactivate",
            Self::Transfer { .. } => "transfer",
            Self::Cancel(_) => "cancel",
        }
    }
}

/// Loads a counter (with its office settings) and a ticket of the same
/// office, in one statement.
pub async fn load_at_counter(
    conn: &mut SqliteConnection,
    counter: CounterId,
    ticket: TicketId,
) -> Result<(CounterRow, TicketRow)> {
    let r = sqlx::query!(
        r#"SELECT c.id AS "id!", c.office_id, c.number, c.state, c.staff_user_id, c.selection,
                  o.time_zone, o.priority_run, o.normal_run,
                  t.id AS "ticket_id?: i64", t.office_id AS "ticket_office?: i64",
                  t.service_id AS "service_id?: i64", t.business_date AS "business_date?: String",
                  t.display_number AS "display_number?: String", t.state AS "ticket_state?: String",
                  t.counter_id AS "ticket_counter: i64"
           FROM counters c JOIN offices o ON o.id = c.office_id
           LEFT JOIN tickets t ON t.id = ?2
           WHERE c.id = ?1"#,
        counter.0,
        ticket.0
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound("counter"))?;
    let counter = counter_row!(r);
    // Another office's ticket is, from this counter, no ticket at all.
    let ticket = match (r.ticket_id, r.ticket_office) {
        (Some(id), Some(office)) if office == counter.office_id => TicketRow {
            id,
            office_id: office,
            service_id: r.service_id.unwrap_or_default(),
            business_date: r.business_date.unwrap_or_default(),
            display_number: r.display_number.unwrap_or_default(),
            state: r.ticket_state.unwrap_or_default(),
            counter_id: r.ticket_counter,
        },
        _ => return Err(Error::NotFound("ticket")),
    };
    Ok((counter, ticket))
}

/// Takes one step of a ticket's life from a counter.
pub async fn act(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    counter_id: CounterId,
    ticket_id: TicketId,
    action: Action,
) -> Result<()> {
    let (counter, ticket) = load_at_counter(conn, counter_id, ticket_id).await?;
    let state = ticket.state()?;
    let refuse = || Error::InvalidTransition {
        action: action.name(),
        state,
    };
    // Steps on a called or serving ticket belong to the counter that has it;
    // waiting and no-show tickets can be handled from any counter.
    let here = ticket.counter_id == Some(counter.id);
    let allowed = |ok: bool| {
        if !ok {
            Err(refuse())
        } else if here || !matches!(state, TicketState::Called | TicketState::Serving) {
            Ok(())
        } else {
            Err(Error::TicketNotAtCounter(ticket.display_number.clone()))
        }
    };
    use TicketState as S;
    let change = |kind, to| Change::at_counter(now, kind, to, counter.id(), counter.staff());
    let change = match &action {
        Action::Recall => {
            allowed(state == S::Called)?;
            counter.require_open()?;
            ticket.require_today(now, &counter.time_zone)?;
            change(TicketStep::Recalled, S::Called)
        }
        Action::Start => {
            allowed(state == S::Called)?;
            change(TicketStep::Serving, S::Serving)
        }
        Action::Finish => {
            allowed(state == S::Serving)?;
            change(TicketStep::Done, S::Done)
        }
        Action::NoShow => {
            allowed(state == S::Called)?;
            change(TicketStep::NoShow, S::NoShow)
        }
        Action::Reactivate => {
            allowed(state == S::NoShow)?;
            ticket.require_today(now, &counter.time_zone)?;
            change(TicketStep::Reactivated, S::Waiting)
        }
        Action::Cancel(reason) => {
            allowed(matches!(
                state,
                S::Waiting | S::Called | S::Serving | S::NoShow
            ))?;
            Change {
                reason: reason.as_ref().map(Reason::as_str),
                ..change(TicketStep::Cancelled, S::Cancelled)
            }
        }
        Action::Transfer {
            service,
            keep_place,
        } => {
            allowed(matches!(state, S::Waiting | S::Called | S::Serving))?;
            ticket.require_today(now, &counter.time_zone)?;
            if service.0 == ticket.service_id {
                return Err(Error::invalid(
                    format!(
                        "ticket {} already waits for service {service}",
                        ticket.display_number
                    ),
                    format!(
                        "Vé {} đã thuộc lĩnh vực này: hãy chọn lĩnh vực khác.",
                        ticket.display_number
                    ),
                ));
            }
            let target = sqlx::query!(
                "SELECT office_id, active FROM services WHERE id = ?",
                service.0
            )
            .fetch_optional(&mut *conn)
            .await?;
            match target {
                Some(t) if t.office_id == ticket.office_id && t.active == 1 => {}
                _ => return Err(Error::NotFound("service")),
            }
            Change {
                service: Some(*service),
                queue_at: (!keep_place).then(|| now.timestamp_millis()),
                ..change(TicketStep::Transferred, S::Waiting)
            }
        }
    };
    tickets::apply(conn, ticket.id(), &change).await.map(|_| ())
}
