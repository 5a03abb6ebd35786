//! Calling across processes: a counter takes the head of a line with
//! `FOR UPDATE SKIP LOCKED`, so two counters calling at once, on any
//! processes, never get the same ticket and never wait for each other:
//! the second takes the next ticket of the line. Which line a counter
//! calls from is the rules' choice (`rules::policy` in the server).

use sqlx::PgConnection;

/// The oldest waiting ticket of one line (a service's priority or
/// ordinary tickets of a day) that no other transaction holds, locked for
/// the rest of this one: its id and place in time.
pub async fn head(
    tx: &mut PgConnection,
    service: i64,
    date: &str,
    priority: bool,
) -> sqlx::Result<Option<(i64, i64)>> {
    Ok(sqlx::query!(
        "SELECT id, queue_at FROM tickets
         WHERE service_id = $1 AND business_date = $2 AND is_priority = $3 AND state = 'waiting'
         ORDER BY queue_at, id
         LIMIT 1
         FOR UPDATE SKIP LOCKED",
        service,
        date,
        priority
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| (r.id, r.queue_at)))
}

/// Calls a waiting ticket to `counter`, by `user`, at `at` (ms); false if
/// it no longer waits. The trigger logs the call.
pub async fn call(
    tx: &mut PgConnection,
    ticket: i64,
    counter: i64,
    user: Option<i64>,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE tickets SET state = 'called', counter_id = $2, changed_at = $4,
             change_kind = 'called', change_counter_id = $2, change_user_id = $3,
             change_reason = NULL
         WHERE id = $1 AND state = 'waiting'",
        ticket,
        counter,
        user,
        at
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A counter with its office's settings, as steps at it need it.
#[derive(Debug, Clone)]
pub struct Counter {
    /// Its id.
    pub id: i64,
    /// Its office.
    pub office_id: i64,
    /// Its number.
    pub number: i64,
    /// `open`, `paused` or `closed`.
    pub state: String,
    /// Who is signed in at it.
    pub staff_user_id: Option<i64>,
    /// How it chooses its next line.
    pub selection: String,
    /// Its office's IANA time zone.
    pub time_zone: String,
    /// The office's priority run.
    pub priority_run: i64,
    /// The office's ordinary run.
    pub normal_run: i64,
    /// Why it is paused.
    pub pause_reason: Option<String>,
}

/// A counter, locked for the rest of the transaction: two calls at one
/// counter, on any processes, take turns (the second sees the first's
/// ticket).
pub async fn counter(tx: &mut PgConnection, id: i64) -> sqlx::Result<Option<Counter>> {
    sqlx::query_as!(
        Counter,
        "SELECT c.id, c.office_id, c.number, c.state, c.staff_user_id, c.selection,
                o.time_zone, o.priority_run, o.normal_run, c.pause_reason
         FROM counters c JOIN offices o ON o.id = c.office_id
         WHERE c.id = $1
         FOR UPDATE OF c",
        id
    )
    .fetch_optional(&mut *tx)
    .await
}

/// The services a counter serves, in its order: (service, position, weight).
pub async fn services(tx: &mut PgConnection, counter: i64) -> sqlx::Result<Vec<(i64, i64, i64)>> {
    Ok(sqlx::query!(
        "SELECT service_id, position, weight FROM counter_services
         WHERE counter_id = $1 ORDER BY position, service_id",
        counter
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.service_id, r.position, r.weight))
    .collect())
}

/// A counter's last `limit` calls, newest first: (service, priority).
pub async fn history(
    tx: &mut PgConnection,
    counter: i64,
    limit: i64,
) -> sqlx::Result<Vec<(i64, bool)>> {
    Ok(sqlx::query!(
        "SELECT t.service_id, t.is_priority FROM events e JOIN tickets t ON t.id = e.ticket_id
         WHERE e.counter_id = $1 AND e.kind = 'called'
         ORDER BY e.id DESC LIMIT $2",
        counter,
        limit
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.service_id, r.is_priority))
    .collect())
}

/// The ticket a counter holds (called or serving): id, state, number.
pub async fn current(
    tx: &mut PgConnection,
    counter: i64,
) -> sqlx::Result<Option<(i64, String, String)>> {
    Ok(sqlx::query!(
        "SELECT id, state, display_number FROM tickets
         WHERE counter_id = $1 AND state IN ('called', 'serving') LIMIT 1",
        counter
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| (r.id, r.state, r.display_number)))
}

/// Whether a counter serves a service.
pub async fn serves(tx: &mut PgConnection, counter: i64, service: i64) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM counter_services
                          WHERE counter_id = $1 AND service_id = $2) AS "serves!""#,
        counter,
        service
    )
    .fetch_one(&mut *tx)
    .await
}

/// Sets a counter's state and pause reason.
pub async fn set_state(
    tx: &mut PgConnection,
    counter: i64,
    state: &str,
    reason: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE counters SET state = $1, pause_reason = $2 WHERE id = $3",
        state,
        reason,
        counter
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
