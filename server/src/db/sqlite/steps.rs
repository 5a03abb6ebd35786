//! The steps staff take on one ticket from their counter: recall, start,
//! finish, no-show, reactivate, transfer, cancel. Each loads the ticket and
//! the counter, asks `rules::life` whether the step may be taken, then makes
//! one logged change.

use super::counters::counter_row;
use super::tickets::{self, TicketRow};
use crate::db::counters::CounterRow;
use crate::error::{Error, Result};
pub use crate::rules::life::Action;
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, TicketId};
use sqlx::SqliteConnection;

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
    let (change, target) = crate::db::calls::step_change(&action, &counter, &ticket, now)?;
    if let Some(service) = target {
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
    }
    tickets::apply(conn, ticket.id(), &change).await.map(|_| ())
}
