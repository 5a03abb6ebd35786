//! Calling tickets to a counter: call-next by the office's policy, and
//! calling one ticket out of turn.

use super::counters::counter_row;
use super::steps::load_at_counter;
use super::tickets::{self, Change};
use super::writer::{Durability, Writer};
use crate::calendar;
use crate::db::counters::CounterRow;
use crate::error::{Error, Result};
use crate::rules::policy::{self, Candidate, CounterService, PastCall, Rules};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use layso_protocol::{
    CounterId, OfficeId, Priority, Reason, ServiceId, TicketId, TicketState, TicketView,
};
use sqlx::SqliteConnection;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The most past calls call-next reads from the log. It reads only as many
/// as the policy looks at: `priority_run + normal_run` or the sum of the
/// counter's weights, whichever is more. Each costs a join and a JSON
/// element, and a counter's call runs cold (after minutes of idling, the
/// same read takes several times as long as back to back), so reading 64
/// every time was a quarter of call-next's read.
const HISTORY: i64 = 64;

/// The ticket a counter holds (called or serving), from a JSON triple.
#[derive(Debug, serde::Deserialize)]
struct Current(i64, String, String);

impl Current {
    /// Parses the `json_array(id, state, display_number)` a read returned.
    fn parse(json: Option<&str>, counter: i64) -> Result<Option<Self>> {
        json.map(serde_json::from_str::<Self>)
            .transpose()
            .map_err(|_| Error::Internal(format!("counter {counter}: bad current ticket")))
    }
}

/// The head of one of the counter's lines, from JSON: ticket, service,
/// priority flag, place in time, service name, recalls so far.
#[derive(Debug, serde::Deserialize)]
struct Head(i64, i64, i64, i64, String, i64);

/// What call-next reads about a counter in its one statement.
struct CounterNow {
    counter: CounterRow,
    services: Vec<CounterService>,
    history: Vec<PastCall>,
    current: Option<Current>,
    heads: Vec<Head>,
}

/// The counter, its office settings, its services, its recent calls, the
/// ticket it holds and the head of each of its lines on `date`, in one
/// statement. Returns the office's zone too, so the caller can check that
/// `date` really is the office's today.
async fn counter_now(
    conn: &mut SqliteConnection,
    id: CounterId,
    date: &str,
) -> Result<(CounterNow, Tz)> {
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
                         ORDER BY e.id DESC
                         -- As many as the policy looks at (see `HISTORY`).
                         LIMIT (SELECT MIN(?2, MAX(o2.priority_run + o2.normal_run,
                                                   (SELECT COALESCE(SUM(weight), 0)
                                                    FROM counter_services WHERE counter_id = ?1)))
                                FROM counters c2 JOIN offices o2 ON o2.id = c2.office_id
                                WHERE c2.id = ?1))) AS "history!: String",
                  (SELECT json_array(t.id, t.state, t.display_number) FROM tickets t
                   WHERE t.counter_id = c.id AND t.state IN ('called', 'serving')) AS "current: String",
                  (SELECT json_group_array(json_array(
                              t.id, t.service_id, t.is_priority, t.queue_at, s.name,
                              (SELECT COUNT(*) FROM events e
                               WHERE e.ticket_id = t.id AND e.kind = 'recalled')))
                   FROM counter_services cs
                   CROSS JOIN (SELECT 0 AS p UNION ALL SELECT 1) AS line
                   JOIN tickets t ON t.id = (
                       SELECT w.id FROM tickets w
                       WHERE w.service_id = cs.service_id AND w.business_date = ?3
                         AND w.is_priority = line.p AND w.state = 'waiting'
                       ORDER BY w.queue_at, w.id LIMIT 1)
                   JOIN services s ON s.id = t.service_id
                   WHERE cs.counter_id = c.id) AS "heads!: String"
           FROM counters c JOIN offices o ON o.id = c.office_id
           WHERE c.id = ?1"#,
        id.0,
        HISTORY,
        date
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
    let current = Current::parse(r.current.as_deref(), r.id)?;
    let heads = serde_json::from_str::<Vec<Head>>(&r.heads).map_err(|_| broken("line heads"))?;
    let zone = calendar::zone(&r.time_zone)?;
    let now = CounterNow {
        counter: counter_row!(r),
        services,
        history,
        current,
        heads,
    };
    Ok((now, zone))
}

/// Reads [`counter_now`] for the office's today, starting from a guess of
/// its zone (the writer remembers each counter's); a wrong guess costs one
/// more read. Returns the zone for next time.
async fn counter_today(
    conn: &mut SqliteConnection,
    id: CounterId,
    now: DateTime<Utc>,
    guess: Option<Tz>,
) -> Result<(CounterNow, Tz)> {
    let mut zone = guess.unwrap_or(chrono_tz::Asia::Ho_Chi_Minh);
    for _ in 0..2 {
        let date = calendar::local(now, zone).date.to_string();
        let (read, actual) = counter_now(conn, id, &date).await?;
        if calendar::local(now, actual).date.to_string() == date {
            return Ok((read, actual));
        }
        zone = actual;
    }
    Err(Error::Internal(format!(
        "counter {id}: its office's day keeps changing"
    )))
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
    let current = current.map(|Current(id, state, number)| (id, state, number));
    match crate::db::calls::clearing(counter, current, finish_current, now)? {
        Some((ticket, done)) => tickets::apply(conn, ticket, &done).await.map(|_| ()),
        None => Ok(()),
    }
}

/// Calls the next ticket at a counter by the office's policy and returns
/// it as the display will show it; `None` when nobody waits for any of its
/// services. Also returns the office's zone, for the next guess.
///
/// This is the hot path at the counter: one statement reads everything
/// (the head of each line is one index seek, however long the line), one
/// calls the chosen ticket and returns it.
pub async fn call_next(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    counter_id: CounterId,
    finish_current: bool,
    zone_guess: Option<Tz>,
) -> Result<(Option<TicketView>, Tz)> {
    let (
        CounterNow {
            counter,
            services,
            history,
            current,
            heads,
        },
        zone,
    ) = counter_today(conn, counter_id, now, zone_guess).await?;
    counter.require_open()?;
    clear_counter(conn, now, &counter, current, finish_current).await?;

    let candidates: Vec<Candidate> = heads
        .iter()
        .map(|Head(ticket, service, priority, queue_at, ..)| Candidate {
            ticket: TicketId(*ticket),
            service: ServiceId(*service),
            priority: *priority == 1,
            queue_at: *queue_at,
        })
        .collect();
    let rules = Rules {
        selection: counter.selection()?,
        priority_run: u32::try_from(counter.priority_run).unwrap_or(1),
        normal_run: u32::try_from(counter.normal_run).unwrap_or(0),
    };
    let Some(choice) = policy::choose(&rules, &services, &candidates, &history) else {
        return Ok((None, zone));
    };
    let call = Change::call(now, &counter);
    let called = tickets::apply(conn, choice.ticket, &call).await?;
    let head = heads
        .iter()
        .find(|h| h.0 == choice.ticket.0)
        .expect("the choice is one of the heads");
    let view = TicketView {
        id: TicketId(called.id),
        office_id: OfficeId(called.office_id),
        service_id: ServiceId(called.service_id),
        service_name: head.4.clone(),
        number: called.display_number,
        business_date: calendar::parse_date(&called.business_date)?,
        state: TicketState::Called,
        priority: called
            .priority
            .parse::<Priority>()
            .map_err(|e| Error::Internal(format!("ticket {}: {e}", called.id)))?,
        issued_at: calendar::from_millis(called.issued_at),
        counter_id: called.counter_id.map(CounterId),
        counter_number: Some(counter.number()),
        recalls: u32::try_from(head.5).unwrap_or(0),
        public_token: called.public_token,
        people_ahead: None,
        estimated_wait_secs: None,
    };
    Ok((Some(view), zone))
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
    // Whether this counter serves the ticket's service, and what it holds.
    let here = sqlx::query!(
        r#"SELECT (SELECT COUNT(*) FROM counter_services
                   WHERE counter_id = ?1 AND service_id = ?2) AS "serves!: i64",
                  (SELECT json_array(t.id, t.state, t.display_number) FROM tickets t
                   WHERE t.counter_id = ?1 AND t.state IN ('called', 'serving')) AS "current: String""#,
        counter.id,
        ticket.service_id
    )
    .fetch_one(&mut *conn)
    .await?;
    if here.serves == 0 {
        return Err(Error::ServiceNotServed(ticket.display_number));
    }
    let current = Current::parse(here.current.as_deref(), counter.id)?;
    counter.require_open()?;
    clear_counter(conn, now, &counter, current, false).await?;
    let call = Change {
        reason: Some(reason.as_str()),
        ..Change::call(now, &counter)
    };
    tickets::apply(conn, ticket.id(), &call).await.map(|_| ())
}

impl CounterRow {
    /// How it chooses among its services.
    pub fn selection(&self) -> Result<layso_protocol::Selection> {
        layso_protocol::Selection::parse(&self.selection)
            .ok_or_else(|| Error::Internal(format!("counter {}: bad selection", self.id)))
    }
}

/// Each counter's office time zone, as call-next last saw it: call-next
/// reads the counter's "today" in one go, starting from this guess.
#[derive(Debug, Default, Clone)]
pub struct CounterZones(Arc<Mutex<HashMap<CounterId, Tz>>>);

impl CounterZones {
    /// Calls the next ticket at a counter (see [`call_next`]) through
    /// `writer`, and returns it once committed, as the display will show it.
    pub async fn call_next(
        &self,
        writer: &Writer,
        counter: CounterId,
        finish_current: bool,
    ) -> Result<Option<TicketView>> {
        let (clock, zones) = (writer.clock(), self.0.clone());
        writer
            .write_as(Durability::Logged, move |conn| {
                Box::pin(async move {
                    let guess = lock(&zones).get(&counter).copied();
                    let (called, zone) =
                        call_next(conn, clock.now(), counter, finish_current, guess).await?;
                    lock(&zones).insert(counter, zone);
                    Ok(called)
                })
            })
            .await
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A cache of time zones stays valid even if a holder panicked.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
