//! The append-only event log: one row per ticket transition or counter
//! change, numbered per office without gaps. Ticket rows are written by
//! the database's triggers (see `tickets.rs`); counter rows by [`append`].
//! The live stream and its replay read it back with [`after_id`] and
//! [`after_seq`].

use crate::db::events::{Line, LogRow as Row, Logged, SETTINGS, counter_kind};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{
    CounterId, CounterState, OfficeId, ServiceId, ServiceQueueView, TicketId, TicketStep, UserId,
};
use sqlx::{SqliteConnection, SqlitePool};

/// One counter event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The office whose sequence it takes.
    pub office: OfficeId,
    /// When.
    pub at: DateTime<Utc>,
    /// The counter.
    pub counter: CounterId,
    /// Who did it.
    pub user: Option<UserId>,
    /// State before.
    pub from: CounterState,
    /// State after.
    pub to: CounterState,
    /// Why, where a reason was given.
    pub reason: Option<&'a str>,
}

/// Appends the event with the office's next sequence number and returns it.
/// Runs inside the writer's transaction, so the number has no gaps.
pub async fn append(conn: &mut SqliteConnection, event: &NewEvent<'_>) -> Result<i64> {
    let office = event.office.0;
    let at = event.at.timestamp_millis();
    let kind = counter_kind(event.to);
    let counter = event.counter.0;
    let user = event.user.map(|u| u.0);
    let (from, to) = (event.from.as_str(), event.to.as_str());
    let seq = sqlx::query_scalar!(
        r#"INSERT INTO events (office_id, seq, at, kind, counter_id, user_id, from_state, to_state, reason)
           VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE office_id = ?1),
                   ?2, ?3, ?4, ?5, ?6, ?7, ?8)
           RETURNING seq AS "seq!: i64""#,
        office,
        at,
        kind,
        counter,
        user,
        from,
        to,
        event.reason,
    )
    .fetch_one(conn)
    .await?;
    Ok(seq)
}

/// Logs that an admin changed the office's settings (`what`: office,
/// service, counter, user, device), in the change's transaction, so that
/// every client reads them again.
pub async fn settings(
    conn: &mut SqliteConnection,
    office: OfficeId,
    what: &str,
    user: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<()> {
    let (at, user) = (at.timestamp_millis(), user.map(|u| u.0));
    sqlx::query!(
        r#"INSERT INTO events (office_id, seq, at, kind, user_id, reason)
           VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE office_id = ?1),
                   ?2, ?3, ?4, ?5)"#,
        office.0,
        at,
        SETTINGS,
        user,
        what
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Logs that a kiosk could not print a ticket it was issued: the ticket's
/// state stays, the log says why. A ticket of another office is not found.
pub async fn not_printed(
    conn: &mut SqliteConnection,
    office: OfficeId,
    ticket: TicketId,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    let (kind, at) = (TicketStep::NotPrinted.as_str(), at.timestamp_millis());
    let logged = sqlx::query!(
        r#"INSERT INTO events (office_id, seq, at, kind, ticket_id, service_id, from_state, to_state, reason)
           SELECT t.office_id,
                  (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE office_id = t.office_id),
                  ?3, ?4, t.id, t.service_id, t.state, t.state, ?5
           FROM tickets t WHERE t.id = ?1 AND t.office_id = ?2"#,
        ticket.0,
        office.0,
        at,
        kind,
        reason
    )
    .execute(conn)
    .await?;
    if logged.rows_affected() == 0 {
        return Err(Error::NotFound("ticket"));
    }
    Ok(())
}

/// Up to `limit` events of every office after row `id`, in log order.
pub async fn after_id(pool: &SqlitePool, id: i64, limit: u32) -> Result<Vec<Logged>> {
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT e.id AS "id!", e.office_id, e.seq, e.at, e.kind, e.ticket_id, e.counter_id,
                  e.user_id, e.service_id, e.from_state, e.to_state, e.reason,
                  t.display_number AS "display_number?", t.priority AS "priority?",
                  c.number AS "counter_number?"
           FROM events e
           LEFT JOIN tickets t ON t.id = e.ticket_id
           LEFT JOIN counters c ON c.id = e.counter_id
           WHERE e.id > ?1
           ORDER BY e.id
           LIMIT ?2"#,
        id,
        limit
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Row::into_logged).collect()
}

/// Up to `limit` events of one office after sequence number `seq`, in order.
pub async fn after_seq(
    pool: &SqlitePool,
    office: OfficeId,
    seq: u64,
    limit: u32,
) -> Result<Vec<Logged>> {
    let seq = i64::try_from(seq).unwrap_or(i64::MAX);
    let rows = sqlx::query_as!(
        Row,
        r#"SELECT e.id AS "id!", e.office_id, e.seq, e.at, e.kind, e.ticket_id, e.counter_id,
                  e.user_id, e.service_id, e.from_state, e.to_state, e.reason,
                  t.display_number AS "display_number?", t.priority AS "priority?",
                  c.number AS "counter_number?"
           FROM events e
           LEFT JOIN tickets t ON t.id = e.ticket_id
           LEFT JOIN counters c ON c.id = e.counter_id
           WHERE e.office_id = ?1 AND e.seq > ?2
           ORDER BY e.seq
           LIMIT ?3"#,
        office.0,
        seq,
        limit
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter().map(Row::into_logged).collect()
}

/// The newest row id of the whole log (0 when empty).
pub async fn last_id(pool: &SqlitePool) -> Result<i64> {
    Ok(
        sqlx::query_scalar!(r#"SELECT COALESCE(MAX(id), 0) AS "id!: i64" FROM events"#)
            .fetch_one(pool)
            .await?,
    )
}

/// The newest sequence number of an office's log (0 when empty).
pub async fn head(pool: &SqlitePool, office: OfficeId) -> Result<u64> {
    let seq = sqlx::query_scalar!(
        r#"SELECT COALESCE(MAX(seq), 0) AS "seq!: i64" FROM events WHERE office_id = ?"#,
        office.0
    )
    .fetch_one(pool)
    .await?;
    Ok(seq.try_into().unwrap_or(0))
}

/// How many tickets wait in each active service of an office on `date`.
pub async fn lines(pool: &SqlitePool, office: OfficeId, date: &str) -> Result<Vec<Line>> {
    let rows = sqlx::query!(
        r#"SELECT s.id AS "id!", s.code, COALESCE(SUM(w.waiting), 0) AS "waiting!: i64",
                  COALESCE(SUM(w.waiting * w.is_priority), 0) AS "priority!: i64"
           FROM services s
           LEFT JOIN waiting_lines w ON w.service_id = s.id AND w.business_date = ?2
           WHERE s.office_id = ?1 AND s.active = 1
           GROUP BY s.id
           ORDER BY s.position, s.id"#,
        office.0,
        date
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Line {
            code: r.code,
            view: ServiceQueueView {
                service_id: ServiceId(r.id),
                waiting: u32::try_from(r.waiting).unwrap_or(u32::MAX),
                priority_waiting: u32::try_from(r.priority).unwrap_or(u32::MAX),
            },
        })
        .collect())
}
