//! Ticket rows and the one statement that changes them.
//!
//! Every change of a ticket after its issue goes through [`apply`]: a single
//! `UPDATE` that also says what happened, which the `tickets_log_change`
//! trigger copies into the event log in the same statement. The steps
//! themselves (calling in `calls.rs`, the rest in `steps.rs`) only decide
//! whether a change is allowed.

use crate::calendar;
pub use crate::db::tickets::{Change, TicketRow};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::TicketStep;
use layso_protocol::{OfficeId, TicketId};
use sqlx::SqliteConnection;

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
