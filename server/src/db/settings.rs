//! The office's details and its counters as the admin changes them; each
//! change is one transaction that also logs a settings event, so every
//! screen reads the office again.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{
    CounterId, CounterRequest, CounterServiceRequest, NewCounterRequest, OfficeId, OfficeRequest,
    UserId,
};
use sqlx::SqliteConnection;

/// Replaces the office's details.
pub async fn update_office(
    conn: &mut SqliteConnection,
    office: OfficeId,
    o: &OfficeRequest,
    admin: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query!(
        r#"UPDATE offices SET name = ?, address = ?, ticket_header = ?, ticket_footer = ?,
                              notice = ?, voice_phrase = ?
           WHERE id = ?"#,
        o.name,
        o.address,
        o.ticket_header,
        o.ticket_footer,
        o.notice,
        o.voice_phrase,
        office.0
    )
    .execute(&mut *conn)
    .await?;
    super::events::settings(conn, office, "office", admin, at).await
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
