//! Reads for the API and the pages, as rows: services with their lines,
//! counters with what they serve, tickets as clients see them.

use sqlx::PgPool;

/// A service with how many wait in it on a day.
#[derive(Debug, Clone)]
pub struct Service {
    /// Its id.
    pub id: i64,
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its numbers' prefix.
    pub prefix: String,
    /// Its first number.
    pub first_number: i64,
    /// Its last number.
    pub last_number: i64,
    /// At most this many a day, if capped.
    pub daily_cap: Option<i64>,
    /// Whether priority classes go first.
    pub accepts_priority: bool,
    /// Its issuing hours, as JSON.
    pub hours: String,
    /// How many wait in it on the day asked.
    pub waiting: i64,
}

/// An office's active services, in their kiosk order, with their lines on
/// `date`.
pub async fn services(pool: &PgPool, office: i64, date: &str) -> sqlx::Result<Vec<Service>> {
    sqlx::query_as!(
        Service,
        r#"SELECT s.id, s.code, s.name, s.prefix, s.first_number, s.last_number, s.daily_cap,
                  s.accepts_priority, s.hours,
                  (SELECT COALESCE(SUM(w.waiting), 0)::BIGINT FROM waiting_lines w
                   WHERE w.service_id = s.id AND w.business_date = $2) AS "waiting!"
           FROM services s WHERE s.office_id = $1 AND s.active
           ORDER BY s.position, s.id"#,
        office,
        date
    )
    .fetch_all(pool)
    .await
}

/// A counter with its current ticket.
#[derive(Debug, Clone)]
pub struct Counter {
    /// Its id.
    pub id: i64,
    /// Its number.
    pub number: i64,
    /// Its name.
    pub name: String,
    /// `open`, `paused` or `closed`.
    pub state: String,
    /// Why it is paused.
    pub pause_reason: Option<String>,
    /// Who is signed in at it.
    pub staff_user_id: Option<i64>,
    /// How it chooses its next line.
    pub selection: String,
    /// The ticket called or served there now.
    pub current: Option<i64>,
}

/// A service a counter serves: counter, service, position, weight.
pub type Link = (i64, i64, i64, i64);

/// An office's counters by number, and what each serves in its order.
pub async fn counters(pool: &PgPool, office: i64) -> sqlx::Result<(Vec<Counter>, Vec<Link>)> {
    let counters = sqlx::query_as!(
        Counter,
        r#"SELECT c.id, c.number, c.name, c.state, c.pause_reason, c.staff_user_id, c.selection,
                  (SELECT t.id FROM tickets t
                   WHERE t.counter_id = c.id AND t.state IN ('called', 'serving')
                   LIMIT 1) AS "current?"
           FROM counters c WHERE c.office_id = $1 ORDER BY c.number"#,
        office
    )
    .fetch_all(pool)
    .await?;
    let links = sqlx::query!(
        "SELECT cs.counter_id, cs.service_id, cs.position, cs.weight
         FROM counter_services cs JOIN counters c ON c.id = cs.counter_id
         WHERE c.office_id = $1 ORDER BY cs.counter_id, cs.position, cs.service_id",
        office
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|l| (l.counter_id, l.service_id, l.position, l.weight))
    .collect();
    Ok((counters, links))
}

/// A counter's office, if the counter exists.
pub async fn counter_office(pool: &PgPool, counter: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!("SELECT office_id FROM counters WHERE id = $1", counter)
        .fetch_optional(pool)
        .await
}

/// A ticket as clients see it.
#[derive(Debug, Clone)]
pub struct Ticket {
    /// Its id.
    pub id: i64,
    /// Its office.
    pub office_id: i64,
    /// Its service now.
    pub service_id: i64,
    /// That service's name.
    pub service_name: String,
    /// Its number as printed.
    pub display_number: String,
    /// Its day.
    pub business_date: String,
    /// Its state.
    pub state: String,
    /// Its priority class.
    pub priority: String,
    /// When it was issued (ms).
    pub issued_at: i64,
    /// The counter it was last called to.
    pub counter_id: Option<i64>,
    /// That counter's number.
    pub counter_number: Option<i64>,
    /// Its tracking token.
    pub public_token: String,
    /// How often it was called again.
    pub recalls: i64,
}

/// A ticket with what its wait estimate needs.
#[derive(Debug, Clone)]
pub struct Placed {
    /// The ticket.
    pub ticket: Ticket,
    /// How many wait before it, if it waits.
    pub people_ahead: Option<i64>,
    /// Open counters serving its service.
    pub open_counters: i64,
    /// All counters serving its service.
    pub all_counters: i64,
}

/// The id of the ticket with tracking token `token`.
pub async fn ticket_by_token(pool: &PgPool, token: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!("SELECT id FROM tickets WHERE public_token = $1", token)
        .fetch_optional(pool)
        .await
}

/// Tickets by id, in the order asked (missing ones left out), each with
/// its place in line.
pub async fn tickets(conn: impl sqlx::PgExecutor<'_>, ids: &[i64]) -> sqlx::Result<Vec<Placed>> {
    let rows = sqlx::query!(
        r#"SELECT v.id AS "id!", v.office_id AS "office_id!", v.service_id AS "service_id!",
                  v.service_name AS "service_name!", v.display_number AS "display_number!",
                  v.business_date AS "business_date!", v.state AS "state!",
                  v.priority AS "priority!", v.issued_at AS "issued_at!", v.counter_id,
                  v.counter_number, v.public_token AS "public_token!", v.recalls AS "recalls!",
                  CASE WHEN v.state = 'waiting' THEN
                      (SELECT COUNT(*) FROM tickets t
                       WHERE t.service_id = v.service_id AND t.business_date = v.business_date
                         AND t.state = 'waiting'
                         AND (t.is_priority AND NOT v.is_priority
                              OR t.is_priority = v.is_priority
                                 AND (t.queue_at, t.id) < (v.queue_at, v.id)))
                  END AS "people_ahead",
                  (SELECT COUNT(*) FILTER (WHERE c.state = 'open') FROM counter_services cs
                   JOIN counters c ON c.id = cs.counter_id WHERE cs.service_id = v.service_id)
                   AS "open_counters!",
                  (SELECT COUNT(*) FROM counter_services cs WHERE cs.service_id = v.service_id)
                   AS "all_counters!"
           FROM unnest($1::BIGINT[]) WITH ORDINALITY AS j(id, n)
           JOIN ticket_views v ON v.id = j.id
           ORDER BY j.n"#,
        ids
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Placed {
            ticket: Ticket {
                id: r.id,
                office_id: r.office_id,
                service_id: r.service_id,
                service_name: r.service_name,
                display_number: r.display_number,
                business_date: r.business_date,
                state: r.state,
                priority: r.priority,
                issued_at: r.issued_at,
                counter_id: r.counter_id,
                counter_number: r.counter_number,
                public_token: r.public_token,
                recalls: r.recalls,
            },
            people_ahead: r.people_ahead,
            open_counters: r.open_counters,
            all_counters: r.all_counters,
        })
        .collect())
}

/// An office's tickets of `date` in `states`, by place in line (oldest
/// first) or, with `newest_first`, the other way; at most `limit`.
pub async fn tickets_in(
    pool: &PgPool,
    office: i64,
    date: &str,
    states: &[&str],
    newest_first: bool,
    limit: i64,
) -> sqlx::Result<Vec<Ticket>> {
    let states: Vec<String> = states.iter().map(|s| (*s).to_owned()).collect();
    sqlx::query_as!(
        Ticket,
        r#"SELECT id AS "id!", office_id AS "office_id!", service_id AS "service_id!",
                  service_name AS "service_name!", display_number AS "display_number!",
                  business_date AS "business_date!", state AS "state!",
                  priority AS "priority!", issued_at AS "issued_at!", counter_id,
                  counter_number, public_token AS "public_token!", recalls AS "recalls!"
           FROM ticket_views
           WHERE office_id = $1 AND business_date = $2 AND state = ANY($3)
           ORDER BY CASE WHEN $4 THEN -queue_at ELSE queue_at END,
                    CASE WHEN $4 THEN -id ELSE id END
           LIMIT $5"#,
        office,
        date,
        &states,
        newest_first,
        limit
    )
    .fetch_all(pool)
    .await
}

/// A service's last service times in seconds (start to finish), newest
/// first, at most `limit`; and its default, if the service exists.
pub async fn recent_service_times(
    pool: &PgPool,
    service: i64,
    limit: i64,
) -> sqlx::Result<(Vec<i64>, Option<i64>)> {
    let times = sqlx::query_scalar!(
        r#"SELECT (d.at - (SELECT MAX(s.at) FROM events s
                           WHERE s.ticket_id = d.ticket_id AND s.kind = 'serving' AND s.id < d.id))
                  / 1000 AS "secs"
           FROM events d
           WHERE d.service_id = $1 AND d.kind = 'done'
           ORDER BY d.id DESC LIMIT $2"#,
        service,
        limit
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .flatten()
    .collect();
    let default = sqlx::query_scalar!(
        "SELECT default_service_secs FROM services WHERE id = $1",
        service
    )
    .fetch_optional(pool)
    .await?;
    Ok((times, default))
}

/// Whether an office already issued a ticket for an idempotency key.
pub async fn key_used(pool: &PgPool, office: i64, key: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM tickets WHERE office_id = $1 AND idempotency_key = $2)
           AS "used!""#,
        office,
        key
    )
    .fetch_one(pool)
    .await
}

/// How many tickets a counter finished since `since` (ms), and their mean
/// service time in milliseconds.
pub async fn counter_day(
    pool: &PgPool,
    counter: i64,
    since: i64,
) -> sqlx::Result<(i64, Option<f64>)> {
    let row = sqlx::query!(
        r#"SELECT COUNT(*) AS "served!",
                  AVG(d.at - (SELECT MAX(s.at) FROM events s
                              WHERE s.ticket_id = d.ticket_id AND s.kind = 'serving'
                                AND s.id < d.id))::FLOAT8 AS "mean_ms"
           FROM events d
           WHERE d.counter_id = $1 AND d.kind = 'done' AND d.at >= $2"#,
        counter,
        since
    )
    .fetch_one(pool)
    .await?;
    Ok((row.served, row.mean_ms))
}

/// A counter's office's priority ratio (`priority_run`, `normal_run`), if
/// the counter exists, and its last calls, newest first, at most 64:
/// (service, priority).
pub async fn call_rules(
    pool: &PgPool,
    counter: i64,
) -> sqlx::Result<Option<((i64, i64), Vec<(i64, bool)>)>> {
    let Some(ratio) = sqlx::query!(
        "SELECT o.priority_run, o.normal_run FROM counters c JOIN offices o ON o.id = c.office_id
         WHERE c.id = $1",
        counter
    )
    .fetch_optional(pool)
    .await?
    else {
        return Ok(None);
    };
    let history = sqlx::query!(
        "SELECT t.service_id, t.is_priority FROM events e JOIN tickets t ON t.id = e.ticket_id
         WHERE e.counter_id = $1 AND e.kind = 'called'
         ORDER BY e.id DESC LIMIT 64",
        counter
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.service_id, r.is_priority))
    .collect();
    Ok(Some(((ratio.priority_run, ratio.normal_run), history)))
}

/// When a ticket took its last step (ms), if it exists.
pub async fn changed_at(pool: &PgPool, ticket: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!("SELECT changed_at FROM tickets WHERE id = $1", ticket)
        .fetch_optional(pool)
        .await
}

/// An office's tickets since `since` (ms) that its kiosk could not print:
/// number, why, when (ms); newest first, at most 50.
pub async fn not_printed(
    pool: &PgPool,
    office: i64,
    since: i64,
) -> sqlx::Result<Vec<(String, Option<String>, i64)>> {
    Ok(sqlx::query!(
        "SELECT t.display_number, e.reason, e.at
         FROM events e JOIN tickets t ON t.id = e.ticket_id
         WHERE e.office_id = $1 AND e.kind = 'not_printed' AND e.at >= $2
         ORDER BY e.at DESC LIMIT 50",
        office,
        since
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.display_number, r.reason, r.at))
    .collect())
}
