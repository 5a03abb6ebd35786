//! Calling and the steps at a counter on PostgreSQL, one transaction each:
//! the counter's row is locked first (two presses at one counter on two
//! processes take turns), the heads of its lines are taken with `FOR
//! UPDATE SKIP LOCKED` (two counters never get one ticket, and neither
//! waits for the other), and the choice among them is the same policy as
//! on SQLite (`rules::policy`), as is a step's meaning (`rules::life`).

use super::Postgres;
use crate::calendar;
use crate::db::calls::{Action, clearing, step_change};
use crate::db::counters::{CounterChange, CounterRow};
use crate::db::tickets::{Change, TicketRow};
use crate::error::{Error, Result};
use crate::rules::policy::{self, Candidate, CounterService, PastCall, Rules};
use chrono::{DateTime, Utc};
use layso_protocol::{
    CounterId, CounterState, Reason, ServiceId, TicketId, TicketState, TicketView,
};
use layso_store_postgres::events::{self, NewEvent};
use layso_store_postgres::{calls, tickets};
use sqlx::PgConnection;

/// The most past calls call-next reads (the most the policy looks at).
const HISTORY: i64 = 64;

impl Postgres {
    pub(in crate::db) async fn call_next(
        &self,
        counter_id: CounterId,
        finish_current: bool,
    ) -> Result<Option<TicketView>> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let (counter, _) = counter(&mut tx, counter_id).await?;
        counter.require_open()?;
        clear_counter(&mut tx, now, &counter, finish_current).await?;
        let date = calendar::business_date(now, &counter.time_zone)?;
        let services: Vec<CounterService> = calls::services(&mut tx, counter.id)
            .await?
            .into_iter()
            .map(|(service, position, weight)| CounterService {
                service: ServiceId(service),
                position: u32::try_from(position).unwrap_or(0),
                weight: u32::try_from(weight).unwrap_or(1),
            })
            .collect();
        let mut candidates = Vec::new();
        for service in &services {
            for priority in [true, false] {
                if let Some((ticket, queue_at)) =
                    calls::head(&mut tx, service.service.0, &date, priority).await?
                {
                    candidates.push(Candidate {
                        ticket: TicketId(ticket),
                        service: service.service,
                        priority,
                        queue_at,
                    });
                }
            }
        }
        let history: Vec<PastCall> = calls::history(&mut tx, counter.id, HISTORY)
            .await?
            .into_iter()
            .map(|(service, priority)| PastCall {
                service: ServiceId(service),
                priority,
            })
            .collect();
        let rules = Rules {
            selection: counter.selection()?,
            priority_run: u32::try_from(counter.priority_run).unwrap_or(1),
            normal_run: u32::try_from(counter.normal_run).unwrap_or(0),
        };
        let Some(choice) = policy::choose(&rules, &services, &candidates, &history) else {
            return Ok(None);
        };
        apply(&mut tx, choice.ticket, &Change::call(now, &counter)).await?;
        let (view, _) = super::reads::tickets(&mut *tx, &[choice.ticket.0])
            .await?
            .pop()
            .ok_or_else(|| Error::Internal("a called ticket vanished".into()))?;
        tx.commit().await?;
        self.committed();
        Ok(Some(view))
    }

    pub(in crate::db) async fn call_ticket(
        &self,
        counter_id: CounterId,
        ticket_id: TicketId,
        reason: Reason,
    ) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let (counter, ticket) = at_counter(&mut tx, counter_id, ticket_id).await?;
        let state = ticket.state()?;
        if !matches!(state, TicketState::Waiting | TicketState::NoShow) {
            return Err(Error::InvalidTransition {
                action: "call",
                state,
            });
        }
        ticket.require_today(now, &counter.time_zone)?;
        if !calls::serves(&mut tx, counter.id, ticket.service_id).await? {
            return Err(Error::ServiceNotServed(ticket.display_number));
        }
        counter.require_open()?;
        clear_counter(&mut tx, now, &counter, false).await?;
        let call = Change {
            reason: Some(reason.as_str()),
            ..Change::call(now, &counter)
        };
        apply(&mut tx, ticket.id(), &call).await?;
        tx.commit().await?;
        self.committed();
        Ok(())
    }

    pub(in crate::db) async fn act(
        &self,
        counter_id: CounterId,
        ticket_id: TicketId,
        action: Action,
    ) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let (counter, ticket) = at_counter(&mut tx, counter_id, ticket_id).await?;
        let (change, target) = step_change(&action, &counter, &ticket, now)?;
        if let Some(service) = target {
            match tickets::service_office(&mut tx, service.0).await? {
                Some((office, true)) if office == ticket.office_id => {}
                _ => return Err(Error::NotFound("service")),
            }
        }
        apply(&mut tx, ticket.id(), &change).await?;
        tx.commit().await?;
        self.committed();
        Ok(())
    }

    pub(in crate::db) async fn change_counter(
        &self,
        id: CounterId,
        change: CounterChange,
    ) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let (counter, pause_reason) = counter(&mut tx, id).await?;
        let from = counter.state()?;
        let (to, reason) = match &change {
            CounterChange::Open => (CounterState::Open, None),
            CounterChange::Pause(r) => (CounterState::Paused, Some(r.as_str())),
            CounterChange::Close => (CounterState::Closed, None),
        };
        if to == CounterState::Closed
            && let Some((_, state, number)) = calls::current(&mut tx, counter.id).await?
        {
            return Err(Error::CounterBusy {
                number: counter.number(),
                ticket: number,
                state: state.parse().map_err(|e| Error::Internal(format!("{e}")))?,
            });
        }
        if from == to && pause_reason.as_deref() == reason {
            return Ok(());
        }
        calls::set_state(&mut tx, counter.id, to.as_str(), reason).await?;
        events::append(
            &mut tx,
            &NewEvent {
                office: counter.office_id,
                at: now.timestamp_millis(),
                kind: crate::db::events::counter_kind(to),
                counter: Some(counter.id),
                user: counter.staff_user_id,
                from: Some(from.as_str()),
                to: Some(to.as_str()),
                reason,
            },
        )
        .await?;
        tx.commit().await?;
        self.committed();
        Ok(())
    }

    pub(in crate::db) async fn close_days(
        &self,
        only: Option<layso_protocol::OfficeId>,
    ) -> Result<u64> {
        let now = self.clock.now();
        let mut expired = 0;
        let mut tx = self.pool.begin().await?;
        for office in self.offices().await? {
            if only.is_some_and(|o| o != office.id) {
                continue;
            }
            let today = calendar::business_date(now, &office.time_zone)?;
            expired += tickets::expire_before(&mut tx, office.id.0, &today, now.timestamp_millis())
                .await?;
        }
        tx.commit().await?;
        if expired > 0 {
            self.committed();
        }
        Ok(expired)
    }
}

/// A counter with its office's settings, locked, and its pause reason.
async fn counter(tx: &mut PgConnection, id: CounterId) -> Result<(CounterRow, Option<String>)> {
    let c = calls::counter(tx, id.0)
        .await?
        .ok_or(Error::NotFound("counter"))?;
    Ok((
        CounterRow {
            id: c.id,
            office_id: c.office_id,
            number: c.number,
            state: c.state,
            staff_user_id: c.staff_user_id,
            selection: c.selection,
            time_zone: c.time_zone,
            priority_run: c.priority_run,
            normal_run: c.normal_run,
        },
        c.pause_reason,
    ))
}

/// A counter (locked) and a ticket of its office (locked).
async fn at_counter(
    tx: &mut PgConnection,
    counter_id: CounterId,
    ticket_id: TicketId,
) -> Result<(CounterRow, TicketRow)> {
    let (counter, _) = counter(tx, counter_id).await?;
    // Another office's ticket is, from this counter, no ticket at all.
    let t = tickets::ticket(tx, ticket_id.0)
        .await?
        .filter(|t| t.office_id == counter.office_id)
        .ok_or(Error::NotFound("ticket"))?;
    Ok((
        counter,
        TicketRow {
            id: t.id,
            office_id: t.office_id,
            service_id: t.service_id,
            business_date: t.business_date,
            display_number: t.display_number,
            state: t.state,
            counter_id: t.counter_id,
        },
    ))
}

/// Refuses a call at a counter that still holds a ticket; with
/// `finish_current`, first finishes the ticket it is serving.
async fn clear_counter(
    tx: &mut PgConnection,
    now: DateTime<Utc>,
    counter: &CounterRow,
    finish_current: bool,
) -> Result<()> {
    let current = calls::current(tx, counter.id).await?;
    match clearing(counter, current, finish_current, now)? {
        Some((ticket, done)) => apply(tx, ticket, &done).await,
        None => Ok(()),
    }
}

/// Applies a change to a ticket (the trigger logs it).
async fn apply(tx: &mut PgConnection, ticket: TicketId, c: &Change<'_>) -> Result<()> {
    let change = tickets::Change {
        at: c.at.timestamp_millis(),
        kind: c.kind.as_str(),
        to: c.to.as_str(),
        counter: c.counter.map(|c| c.0),
        assign: c.assign,
        user: c.user.map(|u| u.0),
        reason: c.reason,
        service: c.service.map(|s| s.0),
        queue_at: c.queue_at,
    };
    if tickets::apply(tx, ticket.0, &change).await? {
        Ok(())
    } else {
        Err(Error::NotFound("ticket"))
    }
}
