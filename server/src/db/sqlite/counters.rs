//! Counter writes: opening, pausing and closing; the row that ticket steps
//! read to know where they happen; and the admin's adding and changing of
//! counters (one transaction each, with a settings event).

use super::events::{self, NewEvent};
use crate::db::counters::{CounterChange, CounterRow};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{
    CounterId, CounterRequest, CounterServiceRequest, CounterState, NewCounterRequest, OfficeId,
    UserId,
};
use sqlx::SqliteConnection;

/// Builds a [`CounterRow`] from any query record that selected its columns
/// under their own names (the combined reads of call-next and the steps).
macro_rules! counter_row {
    ($r:expr) => {
        $crate::db::counters::CounterRow {
            id: $r.id,
            office_id: $r.office_id,
            number: $r.number,
            state: $r.state,
            staff_user_id: $r.staff_user_id,
            selection: $r.selection,
            time_zone: $r.time_zone,
            priority_run: $r.priority_run,
            normal_run: $r.normal_run,
        }
    };
}
pub(crate) use counter_row;

/// Loads a counter with its office settings.
pub async fn load(conn: &mut SqliteConnection, id: CounterId) -> Result<CounterRow> {
    sqlx::query_as!(
        CounterRow,
        r#"SELECT c.id AS "id!", c.office_id, c.number, c.state, c.staff_user_id, c.selection,
                  o.time_zone, o.priority_run, o.normal_run
           FROM counters c JOIN offices o ON o.id = c.office_id
           WHERE c.id = ?"#,
        id.0
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound("counter"))
}

/// Opens, pauses or closes a counter. Setting the state it already has is
/// a no-op (a double click changes nothing and logs nothing).
pub async fn change(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    id: CounterId,
    change: CounterChange,
) -> Result<()> {
    let counter = load(conn, id).await?;
    let from = counter.state()?;
    let (to, reason) = match &change {
        CounterChange::Open => (CounterState::Open, None),
        CounterChange::Pause(r) => (CounterState::Paused, Some(r.as_str())),
        CounterChange::Close => (CounterState::Closed, None),
    };
    if to == CounterState::Closed {
        let busy = sqlx::query!(
            r#"SELECT display_number, state FROM tickets
               WHERE counter_id = ? AND state IN ('called', 'serving')"#,
            counter.id
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(busy) = busy {
            return Err(Error::CounterBusy {
                number: counter.number(),
                ticket: busy.display_number,
                state: busy
                    .state
                    .parse()
                    .map_err(|e| Error::Internal(format!("{e}")))?,
            });
        }
    }
    let current_reason =
        sqlx::query_scalar!("SELECT pause_reason FROM counters WHERE id = ?", counter.id)
            .fetch_one(&mut *conn)
            .await?;
    if from == to && current_reason.as_deref() == reason {
        return Ok(());
    }
    let to_name = to.as_str();
    sqlx::query!(
        "UPDATE counters SET state = ?, pause_reason = ? WHERE id = ?",
        to_name,
        reason,
        counter.id
    )
    .execute(&mut *conn)
    .await?;
    events::append(
        conn,
        &NewEvent {
            office: counter.office(),
            at: now,
            counter: counter.id(),
            user: counter.staff(),
            from,
            to,
            reason,
        },
    )
    .await?;
    Ok(())
}

/// Replaces a counter's name, selection and services (in order). Every
/// service must be the office's.
pub async fn update_counter(
    conn: &mut SqliteConnection,
    office: OfficeId,
    counter: CounterId,
    c: &CounterRequest,
    admin: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<()> {
    let selection = c.selection.as_str();
    let updated = sqlx::query!(
        "UPDATE counters SET name = ?, selection = ? WHERE id = ? AND office_id = ?",
        c.name,
        selection,
        counter.0,
        office.0
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(Error::NotFound("counter"));
    }
    set_services(conn, office, counter, &c.services).await?;
    super::events::settings(conn, office, "counter", admin, at).await
}

/// Adds a counter, closed; its number must be free in the office.
pub async fn create_counter(
    conn: &mut SqliteConnection,
    office: OfficeId,
    c: &NewCounterRequest,
    admin: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<CounterId> {
    let selection = c.selection.as_str();
    let id = sqlx::query_scalar!(
        r#"INSERT INTO counters (office_id, number, name, selection) VALUES (?, ?, ?, ?)
           ON CONFLICT (office_id, number) DO NOTHING
           RETURNING id AS "id!: i64""#,
        office.0,
        c.number,
        c.name,
        selection
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::AlreadyExists {
        message: format!("the office has a counter {} already", c.number),
        vi: format!("Cơ quan đã có Quầy {}.", c.number),
    })?;
    set_services(conn, office, CounterId(id), &c.services).await?;
    super::events::settings(conn, office, "counter", admin, at).await?;
    Ok(CounterId(id))
}

/// Replaces the services a counter serves, in order; each must be the
/// office's.
async fn set_services(
    conn: &mut SqliteConnection,
    office: OfficeId,
    counter: CounterId,
    services: &[CounterServiceRequest],
) -> Result<()> {
    sqlx::query!(
        "DELETE FROM counter_services WHERE counter_id = ?",
        counter.0
    )
    .execute(&mut *conn)
    .await?;
    for (position, s) in (0_i64..).zip(services) {
        let inserted = sqlx::query!(
            r#"INSERT INTO counter_services (counter_id, service_id, position, weight)
               SELECT ?1, id, ?2, ?3 FROM services WHERE id = ?4 AND office_id = ?5"#,
            counter.0,
            position,
            s.weight,
            s.service_id.0,
            office.0
        )
        .execute(&mut *conn)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(Error::invalid(
                format!("service {} is not one of the office's", s.service_id),
                "Lĩnh vực đã chọn không thuộc cơ quan.",
            ));
        }
    }
    Ok(())
}
