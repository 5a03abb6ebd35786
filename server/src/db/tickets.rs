//! Ticket writes: issuing, calling, and every other step of a ticket's
//! life. Each function runs inside one writer job (one savepoint), checks
//! before it changes anything, and appends exactly one event per ticket it
//! moves.

use super::counters::{self, CounterRow};
use super::events::{self, EventKind, NewEvent};
use crate::calendar;
use crate::error::{Error, Result};
use crate::policy::{self, Candidate, CounterService, PastCall, Rules};
use chrono::{DateTime, Utc};
use layso_protocol::{
    CounterId, IdempotencyKey, IssuingHours, Numbering, Priority, Reason, Selection, ServiceId,
    TicketId, TicketState,
};
use sqlx::SqliteConnection;

/// A request for a new ticket, checked.
#[derive(Debug, Clone)]
pub struct IssueCommand {
    /// The service tapped.
    pub service: ServiceId,
    /// The priority class chosen.
    pub priority: Priority,
    /// The kiosk's key for this tap.
    pub key: IdempotencyKey,
    /// A fresh public token, used if a ticket is created.
    pub token: String,
}

/// The ticket a request got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Issued {
    /// The ticket.
    pub ticket: TicketId,
    /// False when the key had already got this ticket (a retry).
    pub created: bool,
}

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
    fn name(&self) -> &'static str {
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

/// A ticket row as the transitions need it.
#[derive(Debug, Clone)]
pub struct TicketRow {
    /// Its id.
    pub id: i64,
    /// Its office.
    pub office_id: i64,
    /// Its current service.
    pub service_id: i64,
    /// Its office-local day.
    pub business_date: String,
    /// Printed number.
    pub display_number: String,
    /// State name.
    pub state: String,
    /// 1 for priority tickets.
    pub is_priority: i64,
    /// Last counter.
    pub counter_id: Option<i64>,
    /// Place in time.
    pub queue_at: i64,
}

impl TicketRow {
    /// The parsed state.
    pub fn state(&self) -> Result<TicketState> {
        self.state
            .parse()
            .map_err(|e| Error::Internal(format!("ticket {}: {e}", self.id)))
    }
}

/// Loads a ticket for a transition.
pub async fn load(conn: &mut SqliteConnection, id: TicketId) -> Result<TicketRow> {
    sqlx::query_as!(
        TicketRow,
        r#"SELECT id AS "id!", office_id, service_id, business_date, display_number, state,
                  is_priority, counter_id, queue_at
           FROM tickets WHERE id = ?"#,
        id.0
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound("ticket"))
}

/// Issues a ticket, or returns the one this key already got.
pub async fn issue(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    cmd: IssueCommand,
) -> Result<Issued> {
    let service = sqlx::query!(
        r#"SELECT s.office_id, s.name, s.prefix, s.first_number, s.last_number, s.daily_cap,
                  s.accepts_priority, s.hours, s.active, o.time_zone
           FROM services s JOIN offices o ON o.id = s.office_id
           WHERE s.id = ?"#,
        cmd.service.0
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound("service"))?;

    // A retry answers with the first ticket, even after hours or past the cap.
    let key = cmd.key.as_str();
    if let Some(earlier) = sqlx::query!(
        r#"SELECT id AS "id!", issued_service_id, priority FROM tickets
           WHERE office_id = ? AND idempotency_key = ?"#,
        service.office_id,
        key
    )
    .fetch_optional(&mut *conn)
    .await?
    {
        if earlier.issued_service_id != cmd.service.0 || earlier.priority != cmd.priority.as_str() {
            return Err(Error::IdempotencyKeyReused);
        }
        return Ok(Issued {
            ticket: TicketId(earlier.id),
            created: false,
        });
    }

    if service.active == 0 {
        return Err(Error::NotFound("service"));
    }
    if cmd.priority.is_priority() && service.accepts_priority == 0 {
        return Err(Error::PriorityNotAccepted {
            service: service.name,
        });
    }
    let hours: IssuingHours = serde_json::from_str(&service.hours)
        .map_err(|e| Error::Internal(format!("service {} hours: {e}", cmd.service)))?;
    let local = calendar::local(now, calendar::zone(&service.time_zone)?);
    if !hours.is_open(local.iso_weekday, local.minute) {
        return Err(Error::OutsideIssuingHours {
            service: service.name,
            hours: hours.describe_vi(),
        });
    }
    let numbering = Numbering::new(
        &service.prefix,
        u32::try_from(service.first_number).unwrap_or(0),
        u32::try_from(service.last_number).unwrap_or(0),
    )
    .map_err(|e| Error::Internal(format!("service {} numbering: {e}", cmd.service)))?;

    let date = local.date.to_string();
    let last_today = sqlx::query_scalar!(
        r#"SELECT MAX(number) AS "n: i64" FROM tickets
           WHERE office_id = ? AND issued_service_id = ? AND business_date = ?"#,
        service.office_id,
        cmd.service.0,
        date
    )
    .fetch_one(&mut *conn)
    .await?;
    let number = last_today.map_or(i64::from(numbering.first()), |n| n + 1);
    // Numbers are handed out without gaps, so the count so far is a difference.
    let issued_today = number - i64::from(numbering.first());
    if let Some(cap) = service.daily_cap
        && issued_today >= cap
    {
        return Err(Error::DailyCapReached {
            service: service.name,
            cap: u32::try_from(cap).unwrap_or(u32::MAX),
        });
    }
    if number > i64::from(numbering.last()) {
        return Err(Error::NumberRangeExhausted {
            service: service.name,
        });
    }
    let display = numbering.format(u32::try_from(number).expect("number <= last, which fits u32"));
    let at = now.timestamp_millis();
    let priority = cmd.priority.as_str();
    let is_priority = i64::from(cmd.priority.is_priority());
    let id = sqlx::query_scalar!(
        r#"INSERT INTO tickets
               (office_id, issued_service_id, service_id, business_date, number, display_number,
                priority, is_priority, state, issued_at, queue_at, public_token, idempotency_key)
           VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, 'waiting', ?8, ?8, ?9, ?10)
           RETURNING id AS "id!: i64""#,
        service.office_id,
        cmd.service.0,
        date,
        number,
        display,
        priority,
        is_priority,
        at,
        cmd.token,
        key
    )
    .fetch_one(&mut *conn)
    .await?;
    events::append(
        conn,
        &NewEvent {
            ticket: Some(TicketId(id)),
            service: Some(cmd.service),
            to_state: Some(TicketState::Waiting.as_str()),
            ..NewEvent::new(
                layso_protocol::OfficeId(service.office_id),
                now,
                EventKind::Issued,
            )
        },
    )
    .await?;
    Ok(Issued {
        ticket: TicketId(id),
        created: true,
    })
}

/// The counter's ticket in `called` or `serving`, if any.
async fn active_at(conn: &mut SqliteConnection, counter: CounterId) -> Result<Option<TicketRow>> {
    Ok(sqlx::query_as!(
        TicketRow,
        r#"SELECT id AS "id!", office_id, service_id, business_date, display_number, state,
                  is_priority, counter_id, queue_at
           FROM tickets WHERE counter_id = ? AND state IN ('called', 'serving')"#,
        counter.0
    )
    .fetch_optional(conn)
    .await?)
}

/// Refuses a call at a counter that is not open or still holds a ticket;
/// with `finish_current`, first finishes the ticket it is serving.
async fn ready_to_call(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    counter: &CounterRow,
    finish_current: bool,
) -> Result<()> {
    counter.require_open()?;
    if let Some(current) = active_at(conn, counter.id()).await? {
        let state = current.state()?;
        if finish_current && state == TicketState::Serving {
            move_ticket(
                conn,
                now,
                counter,
                &current,
                TicketState::Done,
                EventKind::Done,
                None,
            )
            .await?;
        } else {
            return Err(Error::CounterBusy {
                number: counter.number(),
                ticket: current.display_number,
                state,
            });
        }
    }
    Ok(())
}

/// Calls the next ticket at a counter by the office's policy; `None` when
/// nobody waits for any of its services.
pub async fn call_next(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    counter_id: CounterId,
    finish_current: bool,
) -> Result<Option<TicketId>> {
    let counter = counters::load(conn, counter_id).await?;
    ready_to_call(conn, now, &counter, finish_current).await?;
    let today = calendar::business_date(now, &counter.time_zone)?;

    let services: Vec<CounterService> = sqlx::query!(
        r#"SELECT service_id, position, weight FROM counter_services
           WHERE counter_id = ? ORDER BY position, service_id"#,
        counter.id
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| CounterService {
        service: ServiceId(r.service_id),
        position: u32::try_from(r.position).unwrap_or(u32::MAX),
        weight: u32::try_from(r.weight).unwrap_or(1),
    })
    .collect();

    // The head of each (service, priority) line: one index seek each.
    let mut candidates = Vec::with_capacity(services.len() * 2);
    for service in &services {
        for is_priority in [1_i64, 0] {
            let head = sqlx::query!(
                r#"SELECT id AS "id!", queue_at FROM tickets
                   WHERE service_id = ? AND business_date = ? AND is_priority = ?
                     AND state = 'waiting'
                   ORDER BY queue_at, id LIMIT 1"#,
                service.service.0,
                today,
                is_priority
            )
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(head) = head {
                candidates.push(Candidate {
                    ticket: TicketId(head.id),
                    service: service.service,
                    priority: is_priority == 1,
                    queue_at: head.queue_at,
                });
            }
        }
    }
    if candidates.is_empty() {
        return Ok(None);
    }

    let rules = Rules {
        selection: counter.selection()?,
        priority_run: u32::try_from(counter.priority_run).unwrap_or(1),
        normal_run: u32::try_from(counter.normal_run).unwrap_or(0),
    };
    let limit = i64::from(rules.history_len(&services));
    let history: Vec<PastCall> = sqlx::query!(
        r#"SELECT t.service_id, t.is_priority FROM events e JOIN tickets t ON t.id = e.ticket_id
           WHERE e.counter_id = ? AND e.kind = 'called'
           ORDER BY e.id DESC LIMIT ?"#,
        counter.id,
        limit
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| PastCall {
        service: ServiceId(r.service_id),
        priority: r.is_priority == 1,
    })
    .collect();

    let Some(choice) = policy::choose(&rules, &services, &candidates, &history) else {
        return Ok(None);
    };
    let ticket = load(conn, choice.ticket).await?;
    move_ticket(
        conn,
        now,
        &counter,
        &ticket,
        TicketState::Called,
        EventKind::Called,
        None,
    )
    .await?;
    Ok(Some(choice.ticket))
}

/// Calls one ticket out of turn (audited with a reason).
pub async fn call_ticket(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    counter_id: CounterId,
    ticket_id: TicketId,
    reason: Reason,
) -> Result<()> {
    let counter = counters::load(conn, counter_id).await?;
    let ticket = load(conn, ticket_id).await?;
    if ticket.office_id != counter.office_id {
        return Err(Error::NotFound("ticket"));
    }
    let state = ticket.state()?;
    if !matches!(state, TicketState::Waiting | TicketState::NoShow) {
        return Err(Error::InvalidTransition {
            action: "call",
            state,
        });
    }
    same_day(now, &counter, &ticket)?;
    let serves = sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM counter_services WHERE counter_id = ? AND service_id = ?"#,
        counter.id,
        ticket.service_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if serves == 0 {
        return Err(Error::ServiceNotServed(ticket.display_number));
    }
    ready_to_call(conn, now, &counter, false).await?;
    move_ticket(
        conn,
        now,
        &counter,
        &ticket,
        TicketState::Called,
        EventKind::Called,
        Some(reason.as_str()),
    )
    .await
}

/// Takes one step of a ticket's life from a counter.
pub async fn act(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    counter_id: CounterId,
    ticket_id: TicketId,
    action: Action,
) -> Result<()> {
    let counter = counters::load(conn, counter_id).await?;
    let ticket = load(conn, ticket_id).await?;
    if ticket.office_id != counter.office_id {
        return Err(Error::NotFound("ticket"));
    }
    let state = ticket.state()?;
    let refuse = || Error::InvalidTransition {
        action: action.name(),
        state,
    };
    // Steps on a called or serving ticket belong to the counter that has it;
    // waiting and no-show tickets can be handled from any counter.
    let here = ticket.counter_id == Some(counter.id);
    let at_this_counter = |ok: bool| {
        if !ok {
            Err(refuse())
        } else if here || !matches!(state, TicketState::Called | TicketState::Serving) {
            Ok(())
        } else {
            Err(Error::TicketNotAtCounter(ticket.display_number.clone()))
        }
    };
    use TicketState as S;
    match &action {
        Action::Recall => {
            at_this_counter(state == S::Called)?;
            counter.require_open()?;
            same_day(now, &counter, &ticket)?;
            move_ticket(
                conn,
                now,
                &counter,
                &ticket,
                S::Called,
                EventKind::Recalled,
                None,
            )
            .await
        }
        Action::Start => {
            at_this_counter(state == S::Called)?;
            move_ticket(
                conn,
                now,
                &counter,
                &ticket,
                S::Serving,
                EventKind::Serving,
                None,
            )
            .await
        }
        Action::Finish => {
            at_this_counter(state == S::Serving)?;
            move_ticket(conn, now, &counter, &ticket, S::Done, EventKind::Done, None).await
        }
        Action::NoShow => {
            at_this_counter(state == S::Called)?;
            move_ticket(
                conn,
                now,
                &counter,
                &ticket,
                S::NoShow,
                EventKind::NoShow,
                None,
            )
            .await
        }
        Action::Reactivate => {
            at_this_counter(state == S::NoShow)?;
            same_day(now, &counter, &ticket)?;
            move_ticket(
                conn,
                now,
                &counter,
                &ticket,
                S::Waiting,
                EventKind::Reactivated,
                None,
            )
            .await
        }
        Action::Cancel(reason) => {
            at_this_counter(matches!(
                state,
                S::Waiting | S::Called | S::Serving | S::NoShow
            ))?;
            let reason = reason.as_ref().map(Reason::as_str);
            move_ticket(
                conn,
                now,
                &counter,
                &ticket,
                S::Cancelled,
                EventKind::Cancelled,
                reason,
            )
            .await
        }
        Action::Transfer {
            service,
            keep_place,
        } => {
            at_this_counter(matches!(state, S::Waiting | S::Called | S::Serving))?;
            same_day(now, &counter, &ticket)?;
            if service.0 == ticket.service_id {
                return Err(Error::InvalidRequest(format!(
                    "ticket {} already waits for service {service}",
                    ticket.display_number
                )));
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
            let queue_at = if *keep_place {
                ticket.queue_at
            } else {
                now.timestamp_millis()
            };
            sqlx::query!(
                "UPDATE tickets SET state = 'waiting', service_id = ?, queue_at = ? WHERE id = ?",
                service.0,
                queue_at,
                ticket.id
            )
            .execute(&mut *conn)
            .await?;
            events::append(
                conn,
                &NewEvent {
                    ticket: Some(ticket_id),
                    counter: Some(counter.id()),
                    user: counter.staff(),
                    service: Some(*service),
                    from_state: Some(state.as_str()),
                    to_state: Some(S::Waiting.as_str()),
                    ..NewEvent::new(counter.office(), now, EventKind::Transferred)
                },
            )
            .await
            .map(|_| ())
        }
    }
}

/// Refuses to work on a ticket of an earlier day that the day close has not
/// expired yet.
fn same_day(now: DateTime<Utc>, counter: &CounterRow, ticket: &TicketRow) -> Result<()> {
    if calendar::business_date(now, &counter.time_zone)? == ticket.business_date {
        Ok(())
    } else {
        Err(Error::TicketFromAnotherDay(ticket.display_number.clone()))
    }
}

/// Sets a ticket's state (and, for calls, its counter) and logs the event.
async fn move_ticket(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    counter: &CounterRow,
    ticket: &TicketRow,
    to: TicketState,
    kind: EventKind,
    reason: Option<&str>,
) -> Result<()> {
    let to_name = to.as_str();
    let counter_id = if to == TicketState::Called {
        Some(counter.id)
    } else {
        ticket.counter_id
    };
    sqlx::query!(
        "UPDATE tickets SET state = ?, counter_id = ? WHERE id = ?",
        to_name,
        counter_id,
        ticket.id
    )
    .execute(&mut *conn)
    .await?;
    events::append(
        conn,
        &NewEvent {
            ticket: Some(TicketId(ticket.id)),
            counter: Some(counter.id()),
            user: counter.staff(),
            service: Some(ServiceId(ticket.service_id)),
            from_state: Some(ticket.state.as_str()),
            to_state: Some(to_name),
            reason,
            ..NewEvent::new(counter.office(), now, kind)
        },
    )
    .await?;
    Ok(())
}

/// Expires every ticket still open from days before each office's today.
/// Returns how many it expired.
pub async fn close_days(conn: &mut SqliteConnection, now: DateTime<Utc>) -> Result<u64> {
    let offices = sqlx::query!(r#"SELECT id AS "id!", time_zone FROM offices"#)
        .fetch_all(&mut *conn)
        .await?;
    let mut expired = 0;
    for office in offices {
        let today = calendar::business_date(now, &office.time_zone)?;
        let stale = sqlx::query!(
            r#"SELECT id AS "id!", service_id, counter_id, state FROM tickets
               WHERE office_id = ? AND business_date < ?
                 AND state IN ('waiting', 'called', 'serving', 'no_show')"#,
            office.id,
            today
        )
        .fetch_all(&mut *conn)
        .await?;
        for ticket in stale {
            sqlx::query!(
                "UPDATE tickets SET state = 'expired' WHERE id = ?",
                ticket.id
            )
            .execute(&mut *conn)
            .await?;
            events::append(
                conn,
                &NewEvent {
                    ticket: Some(TicketId(ticket.id)),
                    counter: ticket.counter_id.map(CounterId),
                    service: Some(ServiceId(ticket.service_id)),
                    from_state: Some(ticket.state.as_str()),
                    to_state: Some(TicketState::Expired.as_str()),
                    ..NewEvent::new(layso_protocol::OfficeId(office.id), now, EventKind::Expired)
                },
            )
            .await?;
            expired += 1;
        }
    }
    Ok(expired)
}

/// The counter's selection, parsed.
impl CounterRow {
    /// How it chooses among its services.
    pub fn selection(&self) -> Result<Selection> {
        Selection::parse(&self.selection)
            .ok_or_else(|| Error::Internal(format!("counter {}: bad selection", self.id)))
    }
}
