//! Ticket rows and the one statement that changes them.
//!
//! Every change of a ticket after its issue goes through [`apply`]: a single
//! `UPDATE` that also says what happened, which the `tickets_log_change`
//! trigger copies into the event log in the same statement. The steps
//! themselves (calling in `calls.rs`, the rest in `steps.rs`) only decide
//! whether a change is allowed.

use super::counters::CounterRow;
use crate::calendar;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::TicketStep;
use layso_protocol::{CounterId, OfficeId, ServiceId, TicketId, TicketState, UserId};
use sqlx::SqliteConnection;

/// A ticket as the steps need it.
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
    /// Last counter it was called to.
    pub counter_id: Option<i64>,
}

impl TicketRow {
    /// Its typed id.
    pub fn id(&self) -> TicketId {
        TicketId(self.id)
    }

    /// The parsed state.
    pub fn state(&self) -> Result<TicketState> {
        self.state
            .parse()
            .map_err(|e| Error::Internal(format!("ticket {}: {e}", self.id)))
    }

    /// Refuses to work on a ticket of an earlier day that the day close has
    /// not expired yet.
    pub fn require_today(&self, now: DateTime<Utc>, time_zone: &str) -> Result<()> {
        if calendar::business_date(now, time_zone)? == self.business_date {
            Ok(())
        } else {
            Err(Error::TicketFromAnotherDay(self.display_number.clone()))
        }
    }
}

/// One change of a ticket, with what the log must say about it.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// When.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: TicketStep,
    /// The state after it.
    pub to: TicketState,
    /// The counter where it happened (logged).
    pub counter: Option<CounterId>,
    /// Whether the ticket now belongs to that counter (a call).
    pub assign: bool,
    /// The staff member who did it.
    pub user: Option<UserId>,
    /// Why, where a reason was given.
    pub reason: Option<&'a str>,
    /// A new service (transfer).
    pub service: Option<ServiceId>,
    /// A new place in time.
    pub queue_at: Option<i64>,
}

impl<'a> Change<'a> {
    /// A call of the ticket to `counter` (it becomes the counter's ticket).
    pub fn call(at: DateTime<Utc>, counter: &CounterRow) -> Self {
        Self {
            assign: true,
            ..Self::at_counter(
                at,
                TicketStep::Called,
                TicketState::Called,
                counter.id(),
                counter.staff(),
            )
        }
    }

    /// A change at a counter to state `to`, logged as `kind`.
    pub fn at_counter(
        at: DateTime<Utc>,
        kind: TicketStep,
        to: TicketState,
        counter: CounterId,
        user: Option<UserId>,
    ) -> Self {
        Self {
            at,
            kind,
            to,
            counter: Some(counter),
            assign: false,
            user,
            reason: None,
            service: None,
            queue_at: None,
        }
    }
}

/// A ticket's own columns as a change leaves them.
#[derive(Debug, Clone)]
pub struct Changed {
    /// Its id.
    pub id: i64,
    /// Its office.
    pub office_id: i64,
    /// Its service now.
    pub service_id: i64,
    /// Printed number.
    pub display_number: String,
    /// Its day.
    pub business_date: String,
    /// State name.
    pub state: String,
    /// Priority name.
    pub priority: String,
    /// Issue time (ms).
    pub issued_at: i64,
    /// Counter it was last called to.
    pub counter_id: Option<i64>,
    /// Tracking token.
    pub public_token: String,
}

/// Applies a change to one ticket; the trigger logs it. Returns the
/// ticket's columns after it.
pub async fn apply(
    conn: &mut SqliteConnection,
    ticket: TicketId,
    change: &Change<'_>,
) -> Result<Changed> {
    let to = change.to.as_str();
    let counter = change.counter.map(|c| c.0);
    let service = change.service.map(|s| s.0);
    let at = change.at.timestamp_millis();
    let kind = change.kind.as_str();
    let user = change.user.map(|u| u.0);
    sqlx::query_as!(
        Changed,
        r#"UPDATE tickets
           SET state = ?2,
               counter_id = CASE WHEN ?3 THEN ?4 ELSE counter_id END,
               service_id = COALESCE(?5, service_id),
               queue_at = COALESCE(?6, queue_at),
               changed_at = ?7, change_kind = ?8, change_counter_id = ?4,
               change_user_id = ?9, change_reason = ?10
           WHERE id = ?1
           RETURNING id AS "id!", office_id, service_id, display_number, business_date, state,
                     priority, issued_at, counter_id, public_token"#,
        ticket.0,
        to,
        change.assign,
        counter,
        service,
        change.queue_at,
        at,
        kind,
        user,
        change.reason,
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound("ticket"))
}

/// Expires every ticket still open from days before its office's today,
/// in one statement per office: of `only` that office, else of every
/// office (the server's own closer). Returns how many it expired.
pub async fn close_days(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    only: Option<OfficeId>,
) -> Result<u64> {
    let only = only.map(|o| o.0);
    let offices = sqlx::query!(
        r#"SELECT id AS "id!", time_zone FROM offices WHERE ?1 IS NULL OR id = ?1"#,
        only
    )
    .fetch_all(&mut *conn)
    .await?;
    let at = now.timestamp_millis();
    let kind = TicketStep::Expired.as_str();
    let mut expired = 0;
    for office in offices {
        let today = calendar::business_date(now, &office.time_zone)?;
        expired += sqlx::query!(
            r#"UPDATE tickets
               SET state = 'expired', changed_at = ?3, change_kind = ?4,
                   change_counter_id = NULL, change_user_id = NULL, change_reason = NULL
               WHERE office_id = ?1 AND business_date < ?2
                 AND state IN ('waiting', 'called', 'serving', 'no_show')"#,
            office.id,
            today,
            at,
            kind
        )
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(expired)
}
