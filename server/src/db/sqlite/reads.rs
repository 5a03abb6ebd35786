//! Reads for the API: offices, services, tickets, counters and the queue
//! snapshot, straight from the read pool.

use crate::calendar;
use crate::db::reads::{CounterViewRow, OfficeRow, ServiceRow, TicketKey, TicketViewRow, count};
use crate::error::{Error, Result};
use crate::rules::WaitInputs;
use crate::rules::policy::{PastCall, Rules};
use chrono::{DateTime, Utc};
use layso_protocol::{
    CounterId, CounterView, IdempotencyKey, OfficeId, OfficeView, ServiceId, ServiceView, TicketId,
    TicketView,
};
use sqlx::{SqliteExecutor, SqlitePool};

/// The office a request means: the one named, or the only one there is.
pub async fn resolve_office(pool: &SqlitePool, named: Option<OfficeId>) -> Result<OfficeId> {
    if let Some(office) = named {
        let exists = sqlx::query_scalar!(
            r#"SELECT COUNT(*) AS "n!: i64" FROM offices WHERE id = ?"#,
            office.0
        )
        .fetch_one(pool)
        .await?;
        return if exists == 1 {
            Ok(office)
        } else {
            Err(Error::NotFound("office"))
        };
    }
    let ids = sqlx::query_scalar!(r#"SELECT id AS "id!: i64" FROM offices LIMIT 2"#)
        .fetch_all(pool)
        .await?;
    match ids.as_slice() {
        [only] => Ok(OfficeId(*only)),
        [] => Err(Error::NotFound("office")),
        _ => Err(Error::OfficeRequired),
    }
}

/// One office.
pub async fn office(pool: &SqlitePool, id: OfficeId) -> Result<OfficeView> {
    let row = sqlx::query!(
        r#"SELECT id AS "id!", code, name, time_zone, ticket_footer, notice, voice_phrase,
                  address, ticket_header
           FROM offices WHERE id = ?"#,
        id.0
    )
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound("office"))?;
    Ok(OfficeView {
        id: OfficeId(row.id),
        code: row.code,
        name: row.name,
        time_zone: row.time_zone,
        ticket_footer: row.ticket_footer,
        notice: row.notice,
        voice_phrase: row.voice_phrase,
        address: row.address,
        ticket_header: row.ticket_header,
    })
}

/// The office's active services, with whether each issues now and how many wait.
pub async fn services(
    pool: &SqlitePool,
    office: &OfficeView,
    now: DateTime<Utc>,
) -> Result<Vec<ServiceView>> {
    let local = calendar::local(now, calendar::zone(&office.time_zone)?);
    let today = local.date.to_string();
    let rows = sqlx::query!(
        r#"SELECT s.id AS "id!", s.code, s.name, s.prefix, s.first_number, s.last_number,
                  s.daily_cap, s.accepts_priority, s.hours,
                  (SELECT COALESCE(SUM(w.waiting), 0) FROM waiting_lines w
                   WHERE w.service_id = s.id AND w.business_date = ?2) AS "waiting!: i64"
           FROM services s WHERE s.office_id = ?1 AND s.active = 1
           ORDER BY s.position, s.id"#,
        office.id.0,
        today
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            ServiceRow {
                id: r.id,
                code: r.code,
                name: r.name,
                prefix: r.prefix,
                first_number: r.first_number,
                last_number: r.last_number,
                daily_cap: r.daily_cap,
                accepts_priority: r.accepts_priority == 1,
                hours: r.hours,
                waiting: r.waiting,
            }
            .into_view(office.id, &local)
        })
        .collect()
}

/// One ticket, and for a waiting one what its estimate needs.
pub async fn ticket(
    pool: &SqlitePool,
    key: TicketKey<'_>,
) -> Result<(TicketView, Option<WaitInputs>)> {
    let id = match key {
        TicketKey::Id(id) => id,
        // A tracking link's token is 32 hex digits; anything else is no
        // ticket's, without asking the database.
        TicketKey::Token(token)
            if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            return Err(Error::NotFound("ticket"));
        }
        TicketKey::Token(token) => sqlx::query_scalar!(
            r#"SELECT id AS "id!: i64" FROM tickets WHERE public_token = ?"#,
            token
        )
        .fetch_optional(pool)
        .await?
        .map(TicketId)
        .ok_or(Error::NotFound("ticket"))?,
    };
    tickets(pool, &[id])
        .await?
        .pop()
        .ok_or(Error::NotFound("ticket"))
}

/// Several tickets by id (missing ones left out), each with what its wait
/// estimate needs, in one statement: the writer reads a whole batch of
/// freshly issued tickets this way inside its transaction.
pub async fn tickets<'e>(
    db: impl SqliteExecutor<'e>,
    ids: &[TicketId],
) -> Result<Vec<(TicketView, Option<WaitInputs>)>> {
    let ids = serde_json::Value::from(ids.iter().map(|t| t.0).collect::<Vec<_>>()).to_string();
    let rows = sqlx::query!(
        r#"SELECT v.id AS "id!", v.office_id AS "office_id!", v.service_id AS "service_id!",
                  v.service_name AS "service_name!", v.display_number AS "display_number!",
                  v.business_date AS "business_date!", v.state AS "state!",
                  v.priority AS "priority!", v.issued_at AS "issued_at!", v.counter_id,
                  v.counter_number, v.public_token AS "public_token!", v.recalls AS "recalls!: i64",
                  -- Three plain ranges of the waiting-line index, no OR, so
                  -- SQLite only walks index entries: priority tickets ahead of
                  -- an ordinary one, then earlier places, then equal places
                  -- (a batch shares its instant) with lower ids.
                  CASE WHEN v.state = 'waiting' THEN
                      (SELECT COUNT(*) FROM tickets t
                       WHERE t.service_id = v.service_id AND t.business_date = v.business_date
                         AND t.is_priority = 1 AND v.is_priority = 0 AND t.state = 'waiting')
                    + (SELECT COUNT(*) FROM tickets t
                       WHERE t.service_id = v.service_id AND t.business_date = v.business_date
                         AND t.is_priority = v.is_priority AND t.queue_at < v.queue_at
                         AND t.state = 'waiting')
                    + (SELECT COUNT(*) FROM tickets t
                       WHERE t.service_id = v.service_id AND t.business_date = v.business_date
                         AND t.is_priority = v.is_priority AND t.queue_at = v.queue_at
                         AND t.id < v.id AND t.state = 'waiting')
                  END AS "people_ahead: i64",
                  (SELECT COALESCE(SUM(c.state = 'open'), 0) FROM counter_services cs
                   JOIN counters c ON c.id = cs.counter_id WHERE cs.service_id = v.service_id)
                   AS "open_counters!: i64",
                  (SELECT COUNT(*) FROM counter_services cs WHERE cs.service_id = v.service_id)
                   AS "all_counters!: i64"
           FROM json_each(?) j JOIN ticket_views v ON v.id = j.value
           ORDER BY j.key"#,
        ids
    )
    .fetch_all(db)
    .await?;
    rows.into_iter()
        .map(|r| {
            let inputs = r.people_ahead.map(|ahead| WaitInputs {
                service: ServiceId(r.service_id),
                people_ahead: count(ahead),
                counters: count(if r.open_counters > 0 {
                    r.open_counters
                } else {
                    r.all_counters
                }),
            });
            let view = TicketViewRow {
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
            }
            .into_view()?;
            Ok((view, inputs))
        })
        .collect()
}

/// The service's recent service times in seconds (start to finish), newest
/// first, at most `limit` of them; and its configured default.
pub async fn recent_service_times(
    pool: &SqlitePool,
    service: ServiceId,
    limit: i64,
) -> Result<(Vec<i64>, i64)> {
    let times = sqlx::query_scalar!(
        r#"SELECT (d.at - (SELECT MAX(s.at) FROM events s
                           WHERE s.ticket_id = d.ticket_id AND s.kind = 'serving' AND s.id < d.id))
                  / 1000 AS "secs: i64"
           FROM events d
           WHERE d.service_id = ? AND d.kind = 'done'
           ORDER BY d.id DESC LIMIT ?"#,
        service.0,
        limit
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .flatten()
    .collect();
    let default = sqlx::query_scalar!(
        "SELECT default_service_secs FROM services WHERE id = ?",
        service.0
    )
    .fetch_optional(pool)
    .await?
    .unwrap_or(300);
    Ok((times, default))
}

/// The office's counters with their services and current tickets.
pub async fn counters(pool: &SqlitePool, office: OfficeId) -> Result<Vec<CounterView>> {
    let rows = sqlx::query!(
        r#"SELECT c.id AS "id!", c.number, c.name, c.state, c.pause_reason, c.staff_user_id,
                  c.selection,
                  (SELECT t.id FROM tickets t
                   WHERE t.counter_id = c.id AND t.state IN ('called', 'serving')) AS "current: i64"
           FROM counters c WHERE c.office_id = ? ORDER BY c.number"#,
        office.0
    )
    .fetch_all(pool)
    .await?;
    let links = sqlx::query!(
        r#"SELECT cs.counter_id, cs.service_id, cs.position, cs.weight
           FROM counter_services cs JOIN counters c ON c.id = cs.counter_id
           WHERE c.office_id = ? ORDER BY cs.counter_id, cs.position, cs.service_id"#,
        office.0
    )
    .fetch_all(pool)
    .await?;
    let links: Vec<_> = links
        .into_iter()
        .map(|l| (l.counter_id, l.service_id, l.position, l.weight))
        .collect();
    rows.into_iter()
        .map(|r| {
            CounterViewRow {
                id: r.id,
                number: r.number,
                name: r.name,
                state: r.state,
                pause_reason: r.pause_reason,
                staff_user_id: r.staff_user_id,
                selection: r.selection,
                current: r.current,
            }
            .into_view(office, &links)
        })
        .collect()
}

/// One counter of the office, as [`counters`] shows it.
pub async fn counter(pool: &SqlitePool, office: OfficeId, id: CounterId) -> Result<CounterView> {
    counters(pool, office)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(Error::NotFound("counter"))
}

/// Today's waiting, called and serving tickets of an office, oldest first.
pub async fn open_tickets(
    pool: &SqlitePool,
    office: OfficeId,
    business_date: &str,
) -> Result<Vec<TicketView>> {
    sqlx::query_as!(
        TicketViewRow,
        r#"SELECT id AS "id!", office_id AS "office_id!", service_id AS "service_id!",
                  service_name AS "service_name!", display_number AS "display_number!",
                  business_date AS "business_date!", state AS "state!",
                  priority AS "priority!", issued_at AS "issued_at!", counter_id,
                  counter_number, public_token AS "public_token!", recalls AS "recalls!: i64"
           FROM ticket_views
           WHERE office_id = ? AND business_date = ? AND state IN ('waiting', 'called', 'serving')
           ORDER BY queue_at, id"#,
        office.0,
        business_date
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(TicketViewRow::into_view)
    .collect()
}

/// Today's no-show tickets of an office, newest first (the console offers
/// them back to the line when their citizen returns).
pub async fn no_shows(
    pool: &SqlitePool,
    office: OfficeId,
    business_date: &str,
) -> Result<Vec<TicketView>> {
    sqlx::query_as!(
        TicketViewRow,
        r#"SELECT id AS "id!", office_id AS "office_id!", service_id AS "service_id!",
                  service_name AS "service_name!", display_number AS "display_number!",
                  business_date AS "business_date!", state AS "state!",
                  priority AS "priority!", issued_at AS "issued_at!", counter_id,
                  counter_number, public_token AS "public_token!", recalls AS "recalls!: i64"
           FROM ticket_views
           WHERE office_id = ? AND business_date = ? AND state = 'no_show'
           ORDER BY queue_at DESC, id DESC LIMIT 20"#,
        office.0,
        business_date
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(TicketViewRow::into_view)
    .collect()
}

/// Whether a counter exists, and its office.
pub async fn counter_office(pool: &SqlitePool, counter: CounterId) -> Result<OfficeId> {
    sqlx::query_scalar!("SELECT office_id FROM counters WHERE id = ?", counter.0)
        .fetch_optional(pool)
        .await?
        .map(OfficeId)
        .ok_or(Error::NotFound("counter"))
}

/// Every office.
pub async fn offices(pool: &SqlitePool) -> Result<Vec<OfficeRow>> {
    let rows =
        sqlx::query!(r#"SELECT id AS "id!", code, name, time_zone FROM offices ORDER BY id"#)
            .fetch_all(pool)
            .await?;
    Ok(rows
        .into_iter()
        .map(|r| OfficeRow {
            id: OfficeId(r.id),
            code: r.code,
            name: r.name,
            time_zone: r.time_zone,
        })
        .collect())
}

/// Whether an office already issued a ticket for an idempotency key.
pub async fn key_used(pool: &SqlitePool, office: OfficeId, key: &IdempotencyKey) -> Result<bool> {
    let key = key.as_str();
    let used = sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM tickets WHERE office_id = ? AND idempotency_key = ?)
           AS "used!: bool""#,
        office.0,
        key
    )
    .fetch_one(pool)
    .await?;
    Ok(used)
}

/// What a counter finished since `since` (the start of the office's day):
/// how many tickets, and their mean service time in seconds (start to
/// finish), if any.
pub async fn counter_day(
    pool: &SqlitePool,
    counter: CounterId,
    since: DateTime<Utc>,
) -> Result<(u32, Option<i64>)> {
    let since = since.timestamp_millis();
    let row = sqlx::query!(
        r#"SELECT COUNT(*) AS "served!: i64",
                  AVG(d.at - (SELECT MAX(s.at) FROM events s
                              WHERE s.ticket_id = d.ticket_id AND s.kind = 'serving'
                                AND s.id < d.id)) AS "mean_ms: f64"
           FROM events d
           WHERE d.counter_id = ? AND d.kind = 'done' AND d.at >= ?"#,
        counter.0,
        since
    )
    .fetch_one(pool)
    .await?;
    Ok((
        u32::try_from(row.served).unwrap_or(u32::MAX),
        row.mean_ms.map(|ms| (ms / 1000.0).round() as i64),
    ))
}

/// What the policy needs of a counter besides its services (which
/// [`CounterView`] has): the office's priority ratio and the counter's last
/// calls, newest first (at most 64, the most the policy looks at).
pub async fn call_rules(
    pool: &SqlitePool,
    counter: &CounterView,
) -> Result<(Rules, Vec<PastCall>)> {
    let row = sqlx::query!(
        r#"SELECT o.priority_run, o.normal_run,
                  (SELECT json_group_array(json_array(service_id, is_priority))
                   FROM (SELECT t.service_id, t.is_priority FROM events e
                         JOIN tickets t ON t.id = e.ticket_id
                         WHERE e.counter_id = c.id AND e.kind = 'called'
                         ORDER BY e.id DESC LIMIT 64)) AS "history!: String"
           FROM counters c JOIN offices o ON o.id = c.office_id
           WHERE c.id = ?"#,
        counter.id.0
    )
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound("counter"))?;
    let history = serde_json::from_str::<Vec<(i64, i64)>>(&row.history)
        .map_err(|_| Error::Internal(format!("counter {}: bad call history", counter.id)))?
        .into_iter()
        .map(|(service, priority)| PastCall {
            service: ServiceId(service),
            priority: priority == 1,
        })
        .collect();
    let rules = Rules {
        selection: counter.selection,
        priority_run: u32::try_from(row.priority_run).unwrap_or(1),
        normal_run: u32::try_from(row.normal_run).unwrap_or(0),
    };
    Ok((rules, history))
}

/// When the ticket took its last step.
pub async fn changed_at(pool: &SqlitePool, ticket: TicketId) -> Result<DateTime<Utc>> {
    let at = sqlx::query_scalar!("SELECT changed_at FROM tickets WHERE id = ?", ticket.0)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound("ticket"))?;
    DateTime::from_timestamp_millis(at).ok_or_else(|| Error::Internal(format!("bad time {at}")))
}

/// Today's tickets (since `since`) whose kiosk could not print them: number,
/// why, when; newest first.
pub async fn not_printed(
    pool: &SqlitePool,
    office: OfficeId,
    since: DateTime<Utc>,
) -> Result<Vec<(String, String, DateTime<Utc>)>> {
    let since = since.timestamp_millis();
    let rows = sqlx::query!(
        r#"SELECT t.display_number, e.reason, e.at
           FROM events e JOIN tickets t ON t.id = e.ticket_id
           WHERE e.office_id = ? AND e.kind = 'not_printed' AND e.at >= ?
           ORDER BY e.at DESC LIMIT 50"#,
        office.0,
        since
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.display_number,
                r.reason.unwrap_or_default(),
                calendar::from_millis(r.at),
            )
        })
        .collect())
}
