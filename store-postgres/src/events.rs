//! The event log as rows: appended under the office's sequence lock
//! (`next_event_seq`, which also orders the office's commits), and read
//! back after an office's `seq`. Because an office's events commit in
//! `seq` order, a reader that has seen `seq` n of an office has seen every
//! earlier one: following each office's `seq` loses nothing, where
//! following the row id across offices could (ids of two offices'
//! transactions commit in either order).

use sqlx::{PgConnection, PgPool};

/// A log row joined with what clients need to show it.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its row id.
    pub id: i64,
    /// Its office.
    pub office_id: i64,
    /// Its place in the office's log.
    pub seq: i64,
    /// When (ms).
    pub at: i64,
    /// What happened.
    pub kind: String,
    /// The ticket, for a ticket's change.
    pub ticket_id: Option<i64>,
    /// The counter.
    pub counter_id: Option<i64>,
    /// Who.
    pub user_id: Option<i64>,
    /// The ticket's service.
    pub service_id: Option<i64>,
    /// The state before.
    pub from_state: Option<String>,
    /// The state after.
    pub to_state: Option<String>,
    /// Why, or what was set up.
    pub reason: Option<String>,
    /// The ticket's number.
    pub display_number: Option<String>,
    /// The ticket's priority class.
    pub priority: Option<String>,
    /// The counter's number.
    pub counter_number: Option<i64>,
}

/// One counter or settings event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// Its office.
    pub office: i64,
    /// When (ms).
    pub at: i64,
    /// What happened.
    pub kind: &'a str,
    /// The counter.
    pub counter: Option<i64>,
    /// Who.
    pub user: Option<i64>,
    /// The state before.
    pub from: Option<&'a str>,
    /// The state after.
    pub to: Option<&'a str>,
    /// Why, or what was set up.
    pub reason: Option<&'a str>,
}

/// Appends an event with the office's next `seq` (locking the office's
/// sequence until the transaction ends); its `seq`.
pub async fn append(tx: &mut PgConnection, e: &NewEvent<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"INSERT INTO events (office_id, seq, at, kind, counter_id, user_id, from_state,
                               to_state, reason)
           VALUES ($1, next_event_seq($1), $2, $3, $4, $5, $6, $7, $8)
           RETURNING seq"#,
        e.office,
        e.at,
        e.kind,
        e.counter,
        e.user,
        e.from,
        e.to,
        e.reason
    )
    .fetch_one(&mut *tx)
    .await
}

/// Logs that a kiosk could not print a ticket of its office; false if the
/// office has no such ticket.
pub async fn not_printed(
    tx: &mut PgConnection,
    office: i64,
    ticket: i64,
    reason: &str,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO events (office_id, seq, at, kind, ticket_id, service_id, from_state,
                             to_state, reason)
         SELECT t.office_id, next_event_seq(t.office_id), $3, 'not_printed', t.id,
                t.service_id, t.state, t.state, $4
         FROM tickets t WHERE t.id = $1 AND t.office_id = $2",
        ticket,
        office,
        at,
        reason
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Up to `limit` events of `office` after `seq`, in order.
pub async fn after_seq(pool: &PgPool, office: i64, seq: i64, limit: i64) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as!(
        Row,
        r#"SELECT e.id, e.office_id, e.seq, e.at, e.kind, e.ticket_id, e.counter_id, e.user_id,
                  e.service_id, e.from_state, e.to_state, e.reason,
                  t.display_number AS "display_number?", t.priority AS "priority?",
                  c.number AS "counter_number?"
           FROM events e
           LEFT JOIN tickets t ON t.id = e.ticket_id
           LEFT JOIN counters c ON c.id = e.counter_id
           WHERE e.office_id = $1 AND e.seq > $2
           ORDER BY e.seq
           LIMIT $3"#,
        office,
        seq,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Up to `limit` events of the offices named after each one's `seq`
/// (`offices[i]` after `seqs[i]`), by office and `seq`.
pub async fn after_seqs(
    pool: &PgPool,
    offices: &[i64],
    seqs: &[i64],
    limit: i64,
) -> sqlx::Result<Vec<Row>> {
    sqlx::query_as!(
        Row,
        r#"SELECT e.id, e.office_id, e.seq, e.at, e.kind, e.ticket_id, e.counter_id, e.user_id,
                  e.service_id, e.from_state, e.to_state, e.reason,
                  t.display_number AS "display_number?", t.priority AS "priority?",
                  c.number AS "counter_number?"
           FROM unnest($1::BIGINT[], $2::BIGINT[]) AS p(office_id, seq)
           JOIN events e ON e.office_id = p.office_id AND e.seq > p.seq
           LEFT JOIN tickets t ON t.id = e.ticket_id
           LEFT JOIN counters c ON c.id = e.counter_id
           ORDER BY e.office_id, e.seq
           LIMIT $3"#,
        offices,
        seqs,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Each office's last `seq` (offices with no event yet are left out).
pub async fn heads(pool: &PgPool) -> sqlx::Result<Vec<(i64, i64)>> {
    Ok(sqlx::query!("SELECT office_id, last_seq FROM event_seqs")
        .fetch_all(pool)
        .await?
        .into_iter()
        .map(|r| (r.office_id, r.last_seq))
        .collect())
}

/// An office's last `seq`, 0 before its first event.
pub async fn head(pool: &PgPool, office: i64) -> sqlx::Result<i64> {
    Ok(sqlx::query_scalar!(
        "SELECT last_seq FROM event_seqs WHERE office_id = $1",
        office
    )
    .fetch_optional(pool)
    .await?
    .unwrap_or(0))
}

/// How many tickets wait in each active service of an office on `date`:
/// (service, code, waiting, of them priority), in kiosk order.
pub async fn lines(
    pool: &PgPool,
    office: i64,
    date: &str,
) -> sqlx::Result<Vec<(i64, String, i64, i64)>> {
    Ok(sqlx::query!(
        r#"SELECT s.id, s.code,
                  COALESCE(SUM(w.waiting), 0)::BIGINT AS "waiting!",
                  COALESCE(SUM(w.waiting) FILTER (WHERE w.is_priority), 0)::BIGINT AS "priority!"
           FROM services s
           LEFT JOIN waiting_lines w ON w.service_id = s.id AND w.business_date = $2
           WHERE s.office_id = $1 AND s.active
           GROUP BY s.id
           ORDER BY s.position, s.id"#,
        office,
        date
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.code, r.waiting, r.priority))
    .collect())
}
