//! Calling: the next ticket at a counter, a given one out of turn, and
//! the steps staff take on the ticket at their counter.

use super::counters::CounterRow;
use super::tickets::{Change, TicketRow};
use super::{Db, Engine, sqlite};
use crate::error::{Error, Result};
use crate::rules::life;
pub use crate::rules::life::Action;
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, Reason, ServiceId, TicketId, TicketState, TicketStep, TicketView};

/// What `action` on `ticket` at `counter` changes, if `rules::life`
/// allows it now: the change to apply and, for a transfer, the service it
/// moves to (which the engine must find active in the ticket's office).
pub(crate) fn step_change<'a>(
    action: &'a Action,
    counter: &CounterRow,
    ticket: &TicketRow,
    now: DateTime<Utc>,
) -> Result<(Change<'a>, Option<ServiceId>)> {
    let step = life::step(
        action,
        ticket.state()?,
        ticket.counter_id == Some(counter.id),
        ServiceId(ticket.service_id),
        &ticket.display_number,
    )?;
    if step.needs_open_counter {
        counter.require_open()?;
    }
    if step.needs_today {
        ticket.require_today(now, &counter.time_zone)?;
    }
    let change = Change::at_counter(now, step.kind, step.to, counter.id(), counter.staff());
    Ok(match action {
        Action::Cancel(reason) => (
            Change {
                reason: reason.as_ref().map(Reason::as_str),
                ..change
            },
            None,
        ),
        Action::Transfer {
            service,
            keep_place,
        } => (
            Change {
                service: Some(*service),
                queue_at: (!keep_place).then(|| now.timestamp_millis()),
                ..change
            },
            Some(*service),
        ),
        _ => (change, None),
    })
}

/// Whether a counter holding `current` (id, state, number) may call: it
/// may if it holds nothing; with `finish_current`, a ticket it serves is
/// finished first (the change returned); anything else is refused.
pub(crate) fn clearing(
    counter: &CounterRow,
    current: Option<(i64, String, String)>,
    finish_current: bool,
    now: DateTime<Utc>,
) -> Result<Option<(TicketId, Change<'static>)>> {
    let Some((id, state, number)) = current else {
        return Ok(None);
    };
    let state: TicketState = state
        .parse()
        .map_err(|e| Error::Internal(format!("ticket {id}: {e}")))?;
    if finish_current && state == TicketState::Serving {
        let done = Change::at_counter(
            now,
            TicketStep::Done,
            TicketState::Done,
            counter.id(),
            counter.staff(),
        );
        Ok(Some((TicketId(id), done)))
    } else {
        Err(Error::CounterBusy {
            number: counter.number(),
            ticket: number,
            state,
        })
    }
}

impl Db {
    /// Calls the next ticket at a counter (finishing its current one first
    /// if asked) and returns it once committed, as the display will show
    /// it; none when nobody waits for it.
    pub async fn call_next(
        &self,
        counter: CounterId,
        finish_current: bool,
    ) -> Result<Option<TicketView>> {
        match &self.engine {
            Engine::Sqlite(db) => db.call_next(counter, finish_current).await,
            Engine::Postgres(db) => db.call_next(counter, finish_current).await,
        }
    }

    /// Calls a given waiting ticket at a counter out of turn, now, with a
    /// reason for the log.
    pub async fn call_ticket(
        &self,
        counter: CounterId,
        ticket: TicketId,
        why: Reason,
    ) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                let clock = db.writer.clock();
                db.writer
                    .write_as(super::writer::Durability::Logged, move |conn| {
                        Box::pin(async move {
                            sqlite::calls::call_ticket(conn, clock.now(), counter, ticket, why)
                                .await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.call_ticket(counter, ticket, why).await,
        }
    }

    /// Takes one step of a ticket's life from a counter, now.
    pub async fn act(&self, counter: CounterId, ticket: TicketId, action: Action) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                let clock = db.writer.clock();
                db.writer
                    .write_as(super::writer::Durability::Logged, move |conn| {
                        Box::pin(async move {
                            sqlite::steps::act(conn, clock.now(), counter, ticket, action).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.act(counter, ticket, action).await,
        }
    }
}
