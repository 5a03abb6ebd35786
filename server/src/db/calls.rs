//! Calling tickets to a counter: call-next by the office's policy, and
//! calling one ticket out of turn.

use super::counters::CounterRow;
use super::events::EventKind;
use super::steps::load_at_counter;
use super::tickets::{self, Change};
use crate::calendar;
use crate::error::{Error, Result};
use crate::policy::{self, Candidate, CounterService, PastCall, Rules};
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, Reason, ServiceId, TicketId, TicketState};
use sqlx::SqliteConnection;

/// The most past calls call-next reads from the log (the policy needs
/// `priority_run + normal_run` or the sum of weights, whichever is more).
const HISTORY: i64 = 64;

/// The ticket a counter holds (called or serving), from a JSON triple.
#[derive(Debug, serde::Deserialize)]
struct Current(i64, String, String);

/// What call-next reads about a counter in its first statement.
struct CounterNow {
    counter: CounterRow,
    services: Vec<CounterService>,
    history: Vec<PastCall>,
    current: Option<Current>,
}

/// The counter, its office settings, its services, its recent calls and the
/// ticket it holds, in one statement.
async fn counter_now(conn: &mut SqliteConnection, id: CounterId) -> Result<CounterNow> {
    let r = sqlx::query!(
        r#"SELECT c.id AS "id!", c.office_id, c.number, c.state, c.staff_user_id, c.selection,
                  o.time_zone, o.priority_run, o.normal_run,
                  (SELECT json_group_array(json_array(service_id, position, weight))
                   FROM (SELECT service_id, position, weight FROM counter_services
                         WHERE counter_id = c.id ORDER BY position, service_id)) AS "services!: String",
                  (SELECT json_group_array(json_array(service_id, is_priority))
                   FROM (SELECT t.service_id, t.is_priority FROM events e
                         JOIN tickets t ON t.id = e.ticket_id
                         WHERE e.counter_id = c.id AND e.kind = 'called'
                         ORDER BY e.id DESC LIMIT ?2)) AS "history!: String",
                  (SELECT json_array(t.id, t.state, t.display_number) FROM tickets t
                   WHERE t.counter_id = c.id AND t.state IN ('called', 'serving')) AS "current: String"
           FROM counters c JOIN offices o ON o.id = c.office_id
           WHERE c.id = ?1"#,
        id.0,
        HISTORY
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound("counter"))?;
    let broken = |what: &str| Error::Internal(format!("counter {}: bad {what}", r.id));
    let services = serde_json::from_str::<Vec<(i64, u32, u32)>>(&r.services)
        .map_err(|_| broken("service list"))?
        .into_iter()
        .map(|(service, position, weight)| CounterService {
            service: ServiceId(service),
            position,
            weight,
        })
        .collect();
    let history = serde_json::from_str::<Vec<(i64, i64)>>(&r.history)
        .map_err(|_| broken("call history"))?
        .into_iter()
        .map(|(service, priority)| PastCall {
            service: ServiceId(service),
            priority: priority == 1,
        })
        .collect();
    let current = r
        .current
        .as_deref()
        .map(serde_json::from_str::<Current>)
        .transpose()
        .map_err(|_| broken("current ticket"))?;
    Ok(CounterNow {
        counter: CounterRow {
            id: r.id,
            office_id: r.office_id,
            number: r.number,
            state: r.state,
            staff_user_id: r.staff_user_id,
            selection: r.selection,
            time_zone: r.time_zone,
            priority_run: r.priority_run,
            normal_run: r.normal_run,
        },
        services,
        history,
        current,
    })
}

/// Refuses a call at a counter that still holds a ticket; with
/// `finish_current`, first finishes the ticket it is serving.
async fn clear_counter(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    counter: &CounterRow,
    current: Option<Current>,
    finish_current: bool,
) -> Result<()> {
    let Some(Current(id, state, number)) = current else {
        return Ok(());
    };
    let state: TicketState = state
        .parse()
        .map_err(|e| Error::Internal(format!("ticket {id}: {e}")))?;
    if finish_current && state == TicketState::Serving {
        let done = Change::at_counter(
            now,
            EventKind::Done,
            TicketState::Done,
            counter.id(),
            counter.staff(),
        );
        tickets::apply(conn, TicketId(id), &done).await
    } else {
        Err(Error::CounterBusy {
            number: counter.number(),
            ticket: number,
            state,
        })
    }
}

/// Calls the next ticket at a counter by the office's policy; `None` when
/// nobody waits for any of its services.
///
/// This is the hot path at the counter: one statement reads the counter,
/// one reads the head of each of its lines (an index seek each, however
/// long the lines are), one calls the chosen ticket.
pub async fn call_next(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    counter_id: CounterId,
    finish_current: bool,
) -> Result<Option<TicketId>> {
    let CounterNow {
        counter,
        services,
        history,
        current,
    } = counter_now(conn, counter_id).await?;
    counter.require_open()?;
    clear_counter(conn, now, &counter, current, finish_current).await?;

    let today = calendar::business_date(now, &counter.time_zone)?;
    let candidates: Vec<Candidate> = sqlx::query!(
        r#"SELECT t.id AS "id!", t.service_id, t.is_priority, t.queue_at
           FROM counter_services cs
           CROSS JOIN (SELECT 0 AS p UNION ALL SELECT 1) AS line
           JOIN tickets t ON t.id = (
               SELECT w.id FROM tickets w
               WHERE w.service_id = cs.service_id AND w.business_date = ?2
                 AND w.is_priority = line.p AND w.state = 'waiting'
               ORDER BY w.queue_at, w.id LIMIT 1)
           WHERE cs.counter_id = ?1"#,
        counter.id,
        today
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| Candidate {
        ticket: TicketId(r.id),
        service: ServiceId(r.service_id),
        priority: r.is_priority == 1,
        queue_at: r.queue_at,
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
    let call = Change {
        assign: true,
        ..Change::at_counter(
            now,
            EventKind::Called,
            TicketState::Called,
            counter.id(),
            counter.staff(),
        )
    };
    tickets::apply(conn, choice.ticket, &call).await?;
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
    let (counter, ticket) = load_at_counter(conn, counter_id, ticket_id).await?;
    let state = ticket.state()?;
    if !matches!(state, TicketState::Waiting | TicketState::NoShow) {
        return Err(Error::InvalidTransition {
            action: "call",
            state,
        });
    }
    ticket.require_today(now, &counter.time_zone)?;
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
    let CounterNow { current, .. } = counter_now(conn, counter_id).await?;
    counter.require_open()?;
    clear_counter(conn, now, &counter, current, false).await?;
    let call = Change {
        assign: true,
        reason: Some(reason.as_str()),
        ..Change::at_counter(
            now,
            EventKind::Called,
            TicketState::Called,
            counter.id(),
            counter.staff(),
        )
    };
    tickets::apply(conn, ticket.id(), &call).await
}

impl CounterRow {
    /// How it chooses among its services.
    pub fn selection(&self) -> Result<layso_protocol::Selection> {
        layso_protocol::Selection::parse(&self.selection)
            .ok_or_else(|| Error::Internal(format!("counter {}: bad selection", self.id)))
    }
}
