//! Issuing tickets, a batch at a time.
//!
//! The writer hands over every issue request waiting in its channel at
//! once. However many there are, this costs two statements: one reads the
//! services with their last number of the day, the keys already used and
//! how many wait in each line (kept in `waiting_lines`: a seek, however
//! long the line); one inserts every new ticket, up to 256 (the
//! `tickets_log_issue` trigger logs each, `tickets_join_line` counts it in
//! its line). The answers, with each ticket's place in line, are worked
//! out from what those two statements saw. What a batch costs beyond that
//! is SQLite's own work on the pages it dirties and the commit's fsync
//! (see ARCHITECTURE.md).

use super::reads;
use crate::calendar;
use crate::db::tickets::Issued;
use crate::error::{Error, Result};
use crate::rules::WaitInputs;
pub use crate::rules::issue::IssueCommand;
use crate::rules::issue::{
    self, Decision, ExistingKeys, LastNumbers, NewTicket, Service, views_of_new,
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use layso_protocol::{Numbering, ServiceId, TicketId, TicketState, TicketStep, TicketView};
use serde_json::json;
use sqlx::SqliteConnection;
use std::collections::HashMap;

/// Issues a ticket, or returns the one this key already got.
pub async fn issue(
    conn: &mut SqliteConnection,
    zones: &mut Zones,
    now: DateTime<Utc>,
    cmd: IssueCommand,
) -> Result<Issued> {
    issue_many(conn, zones, now, std::slice::from_ref(&cmd))
        .await?
        .pop()
        .expect("one answer per request")
}

/// Decides and applies a batch of issue requests in arrival order. The
/// outer error means the batch could not be applied (nothing of it should
/// be committed); the inner ones are per-request refusals.
pub async fn issue_many(
    conn: &mut SqliteConnection,
    zones: &mut Zones,
    now: DateTime<Utc>,
    cmds: &[IssueCommand],
) -> Result<Vec<Result<Issued>>> {
    let (services, existing, mut next_number) = load(conn, zones, now, cmds).await?;

    let at = now.timestamp_millis();
    let (rows, decisions) = issue::decide(&services, &existing, &mut next_number, cmds);

    let ids = insert_tickets(conn, at, &rows).await?;

    // New tickets are answered from what the batch knows; only retries of
    // tickets from earlier batches are read back.
    let new = views_of_new(&rows, &ids, &services, now);
    let earlier: Vec<TicketId> = decisions
        .iter()
        .filter_map(|d| match d {
            Decision::Existing(id) => Some(*id),
            _ => None,
        })
        .collect();
    let mut old: HashMap<TicketId, (TicketView, Option<WaitInputs>)> = HashMap::new();
    if !earlier.is_empty() {
        for (view, wait) in reads::tickets(&mut *conn, &earlier).await? {
            old.insert(view.id, (view, wait));
        }
    }
    Ok(decisions
        .into_iter()
        .map(|d| {
            let (created, found) = match d {
                Decision::Refused(e) => return Err(e),
                Decision::New(row) => (true, new.get(row).cloned()),
                Decision::Retry(row) => (false, new.get(row).cloned()),
                Decision::Existing(id) => (false, old.get(&id).cloned()),
            };
            let (ticket, wait) = found.ok_or_else(|| {
                Error::Internal("an issued ticket vanished inside its transaction".into())
            })?;
            Ok(Issued {
                ticket,
                wait,
                created,
            })
        })
        .collect())
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Each service's office time zone, kept by the writer between batches:
/// the day a ticket belongs to must be known before its number can be read.
/// A stale entry corrects itself (see [`load`]).
#[derive(Debug, Default)]
pub struct Zones(HashMap<ServiceId, Tz>);

/// Reads, for every service of the batch, its settings, its last number of
/// the office's day and which of the batch's keys its office already used.
async fn load(
    conn: &mut SqliteConnection,
    zones: &mut Zones,
    now: DateTime<Utc>,
    cmds: &[IssueCommand],
) -> Result<(HashMap<ServiceId, Service>, ExistingKeys, LastNumbers)> {
    let mut wanted: Vec<ServiceId> = cmds.iter().map(|c| c.service).collect();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.iter().any(|s| !zones.0.contains_key(s)) {
        learn_zones(conn, zones, &wanted).await?;
    }
    // At most twice: a second pass only when an office changed its zone.
    for _ in 0..2 {
        let days: Vec<_> = wanted
            .iter()
            .filter_map(|service| {
                let zone = zones.0.get(service)?;
                let keys: Vec<&str> = cmds
                    .iter()
                    .filter(|c| c.service == *service)
                    .map(|c| c.key.as_str())
                    .collect();
                Some(json!([
                    service.0,
                    calendar::local(now, *zone).date.to_string(),
                    keys
                ]))
            })
            .collect();
        let days = json!(days).to_string();
        let rows = sqlx::query!(
            r#"SELECT s.id AS "id!", s.office_id, s.name, s.prefix, s.first_number, s.last_number,
                      s.daily_cap, s.accepts_priority, s.hours, s.active, o.time_zone,
                      (SELECT MAX(t.number) FROM tickets t
                       WHERE t.office_id = s.office_id AND t.issued_service_id = s.id
                         AND t.business_date = json_extract(j.value, '$[1]')) AS "last: i64",
                      (SELECT json_group_array(json_array(t.idempotency_key, t.id,
                                                          t.issued_service_id, t.priority))
                       -- CROSS JOIN keeps the keys outside: one index seek per key.
                       FROM json_each(j.value, '$[2]') k
                       CROSS JOIN tickets t ON t.office_id = s.office_id AND t.idempotency_key = k.value)
                       AS "existing!: String",
                      (SELECT COALESCE(SUM(w.waiting * w.is_priority), 0) FROM waiting_lines w
                       WHERE w.service_id = s.id AND w.business_date = json_extract(j.value, '$[1]'))
                       AS "waiting_priority!: i64",
                      (SELECT COALESCE(SUM(w.waiting * (1 - w.is_priority)), 0) FROM waiting_lines w
                       WHERE w.service_id = s.id AND w.business_date = json_extract(j.value, '$[1]'))
                       AS "waiting_ordinary!: i64",
                      (SELECT COALESCE(SUM(c.state = 'open'), 0) FROM counter_services cs
                       JOIN counters c ON c.id = cs.counter_id WHERE cs.service_id = s.id)
                       AS "open_counters!: i64",
                      (SELECT COUNT(*) FROM counter_services cs WHERE cs.service_id = s.id)
                       AS "all_counters!: i64"
               FROM json_each(?1) j
               JOIN services s ON s.id = json_extract(j.value, '$[0]')
               JOIN offices o ON o.id = s.office_id"#,
            days
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut services = HashMap::with_capacity(rows.len());
        let mut existing = ExistingKeys::new();
        let mut last = LastNumbers::new();
        let mut stale = false;
        for r in rows {
            let id = ServiceId(r.id);
            let broken = |what: String| Error::Internal(format!("service {id}: {what}"));
            let zone = calendar::zone(&r.time_zone)?;
            if zones.0.insert(id, zone) != Some(zone) {
                stale = true;
            }
            let numbering = Numbering::new(
                &r.prefix,
                u32::try_from(r.first_number).unwrap_or(0),
                u32::try_from(r.last_number).unwrap_or(0),
            )
            .map_err(|e| broken(e.to_string()))?;
            let hours = serde_json::from_str(&r.hours).map_err(|e| broken(e.to_string()))?;
            let used: Vec<(String, i64, i64, String)> =
                serde_json::from_str(&r.existing).map_err(|e| broken(e.to_string()))?;
            for (key, ticket, service, priority) in used {
                let priority = priority
                    .parse()
                    .map_err(|e| broken(format!("ticket {ticket}: {e}")))?;
                existing.insert(
                    (r.office_id, key),
                    (TicketId(ticket), ServiceId(service), priority),
                );
            }
            last.insert(id, r.last.and_then(|n| u32::try_from(n).ok()));
            services.insert(
                id,
                Service {
                    office: r.office_id,
                    name: r.name,
                    numbering,
                    cap: r.daily_cap,
                    accepts_priority: r.accepts_priority == 1,
                    hours,
                    active: r.active == 1,
                    local: calendar::local(now, zone),
                    waiting: (count(r.waiting_priority), count(r.waiting_ordinary)),
                    counters: count(if r.open_counters > 0 {
                        r.open_counters
                    } else {
                        r.all_counters
                    }),
                },
            );
        }
        if !stale {
            return Ok((services, existing, last));
        }
    }
    Err(Error::Internal(
        "office time zones keep changing under the writer".into(),
    ))
}

/// Learns the time zones of the services' offices (unknown services stay
/// unknown and are refused as not found).
async fn learn_zones(
    conn: &mut SqliteConnection,
    zones: &mut Zones,
    services: &[ServiceId],
) -> Result<()> {
    let ids = json!(services.iter().map(|s| s.0).collect::<Vec<_>>()).to_string();
    let rows = sqlx::query!(
        r#"SELECT s.id AS "id!", o.time_zone FROM services s JOIN offices o ON o.id = s.office_id
           WHERE s.id IN (SELECT value FROM json_each(?))"#,
        ids
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        zones
            .0
            .insert(ServiceId(r.id), calendar::zone(&r.time_zone)?);
    }
    Ok(())
}

/// Inserts the new tickets; their ids in row order.
async fn insert_tickets(
    conn: &mut SqliteConnection,
    at: i64,
    rows: &[NewTicket<'_>],
) -> Result<Vec<TicketId>> {
    let state = TicketState::Waiting.as_str();
    let kind = TicketStep::Issued.as_str();
    let mut inserted: Vec<(i64, String)> = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(INSERT_ROWS) {
        // Safe: only placeholders vary, never a value.
        let sql = sqlx::AssertSqlSafe(insert_sql(chunk.len()));
        let mut query = sqlx::query_as::<_, (i64, String)>(sql);
        for r in chunk {
            query = query
                .bind(r.office)
                .bind(r.service)
                .bind(r.service)
                .bind(&r.date)
                .bind(r.number)
                .bind(&r.display)
                .bind(r.priority)
                .bind(r.is_priority)
                .bind(state)
                .bind(at)
                .bind(at)
                .bind(r.token)
                .bind(r.key)
                .bind(at)
                .bind(kind);
        }
        inserted.extend(query.fetch_all(&mut *conn).await?);
    }
    // RETURNING order is not promised: match rows back by their unique token.
    let by_token: HashMap<String, i64> = inserted
        .into_iter()
        .map(|(id, token)| (token, id))
        .collect();
    rows.iter()
        .map(|r| {
            by_token
                .get(r.token)
                .map(|id| TicketId(*id))
                .ok_or_else(|| Error::Internal("an inserted ticket did not come back".into()))
        })
        .collect()
}

/// The most tickets one insert statement takes (15 parameters each, far
/// below SQLite's limit of 32,766).
const INSERT_ROWS: usize = 256;

/// The insert of `n` tickets, a row of parameters each, in the order
/// [`insert_tickets`] binds them. Parameters rather than a JSON array that
/// SQLite parses again for every field: 165 against 260 µs for four
/// tickets (Python's sqlite3 on a copy of a busy day's file). sqlx keeps
/// the statement prepared for each batch size it meets.
fn insert_sql(n: usize) -> String {
    const ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    let mut sql = String::from(
        "INSERT INTO tickets (office_id, issued_service_id, service_id, business_date, number, \
         display_number, priority, is_priority, state, issued_at, queue_at, public_token, \
         idempotency_key, changed_at, change_kind) VALUES ",
    );
    for i in 0..n {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(ROW);
    }
    sql.push_str(" RETURNING id, public_token");
    sql
}
