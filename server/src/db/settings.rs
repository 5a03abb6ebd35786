//! The office's details and its counters as the admin changes them; each
//! change is one transaction that also logs a settings event, so every
//! screen reads the office again.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, CounterRequest, OfficeId, OfficeRequest, UserId};
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
    sqlx::query!(
        "DELETE FROM counter_services WHERE counter_id = ?",
        counter.0
    )
    .execute(&mut *conn)
    .await?;
    for (position, s) in (0_i64..).zip(&c.services) {
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
    super::events::settings(conn, office, "counter", admin, at).await
}
