//! Calling across processes: a counter takes the head of a line with
//! `FOR UPDATE SKIP LOCKED`, so two counters calling at once, on any
//! processes, never get the same ticket and never wait for each other:
//! the second takes the next ticket of the line. Which line a counter
//! calls from is the rules' choice (`rules::policy` in the server).

use sqlx::PgConnection;

/// The oldest waiting ticket of one line (a service's priority or
/// ordinary tickets of a day) that no other transaction holds, locked for
/// the rest of this one.
pub async fn head(
    tx: &mut PgConnection,
    service: i64,
    date: &str,
    priority: bool,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "SELECT id FROM tickets
         WHERE service_id = $1 AND business_date = $2 AND is_priority = $3 AND state = 'waiting'
         ORDER BY queue_at, id
         LIMIT 1
         FOR UPDATE SKIP LOCKED",
        service,
        date,
        priority
    )
    .fetch_optional(&mut *tx)
    .await
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
