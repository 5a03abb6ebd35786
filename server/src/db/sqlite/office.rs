//! Offices: a new one as the province admin creates it, the province's
//! list with each office's day, and an office's details as its admin
//! changes them (one transaction that also logs a settings event, so every
//! screen reads the office again).

use super::reads;
use crate::calendar;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{NewOfficeRequest, OfficeId, OfficeRequest, OfficeSummary, UserId};
use sqlx::{SqliteConnection, SqlitePool};

/// Creates an office, checked; a code already taken is refused. Its log
/// starts with a settings event, as every change of an office's setup does.
pub async fn create_office(
    conn: &mut SqliteConnection,
    new: &NewOfficeRequest,
    by: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<OfficeId> {
    let ms = at.timestamp_millis();
    let id = sqlx::query_scalar!(
        r#"INSERT INTO offices (code, name, time_zone, address, created_at)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (code) DO NOTHING
           RETURNING id AS "id!: i64""#,
        new.code,
        new.name,
        new.time_zone,
        new.address,
        ms
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::AlreadyExists {
        message: format!("the office code {:?} is taken", new.code),
        vi: format!("Mã cơ quan “{}” đã được dùng.", new.code),
    })?;
    let office = OfficeId(id);
    super::events::settings(conn, office, "office", by, at).await?;
    Ok(office)
}

/// Every office of the server with its day so far, by code. Each figure is
/// a seek or two, however long the office's history: waiting from
/// `waiting_lines`, issued from each service's last number of the day
/// (numbers are given without gaps).
pub async fn summaries(pool: &SqlitePool, now: DateTime<Utc>) -> Result<Vec<OfficeSummary>> {
    let mut offices = reads::offices(pool).await?;
    offices.sort_by(|a, b| a.code.cmp(&b.code));
    let mut summaries = Vec::with_capacity(offices.len());
    for o in offices {
        let today = calendar::local(now, calendar::zone(&o.time_zone)?)
            .date
            .to_string();
        let day = sqlx::query!(
            r#"SELECT
                 (SELECT COALESCE(SUM(waiting), 0) FROM waiting_lines
                  WHERE office_id = ?1 AND business_date = ?2) AS "waiting!: i64",
                 (SELECT COALESCE(SUM(
                     (SELECT MAX(t.number) FROM tickets t
                      WHERE t.office_id = ?1 AND t.issued_service_id = s.id
                        AND t.business_date = ?2) - s.first_number + 1), 0)
                  FROM services s WHERE s.office_id = ?1) AS "issued!: i64",
                 (SELECT COUNT(*) FROM counters WHERE office_id = ?1) AS "counters!: i64",
                 (SELECT COUNT(*) FROM counters WHERE office_id = ?1 AND state = 'open')
                   AS "open!: i64""#,
            o.id.0,
            today
        )
        .fetch_one(pool)
        .await?;
        let count = |n: i64| u32::try_from(n).unwrap_or(0);
        summaries.push(OfficeSummary {
            office: reads::office(pool, o.id).await?,
            waiting: count(day.waiting),
            issued_today: count(day.issued),
            counters: count(day.counters),
            counters_open: count(day.open),
        });
    }
    Ok(summaries)
}

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
