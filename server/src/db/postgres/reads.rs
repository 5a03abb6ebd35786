//! Reads on PostgreSQL, as the API shows them (the same views SQLite's
//! side builds).

use super::Postgres;
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
use layso_store_postgres::{offices, reads};

impl Postgres {
    pub(in crate::db) async fn resolve_office(&self, named: Option<OfficeId>) -> Result<OfficeId> {
        if let Some(office) = named {
            return match offices::office(&self.pool, office.0).await? {
                Some(_) => Ok(office),
                None => Err(Error::NotFound("office")),
            };
        }
        match offices::ids(&self.pool, 2).await?.as_slice() {
            [only] => Ok(OfficeId(*only)),
            [] => Err(Error::NotFound("office")),
            _ => Err(Error::OfficeRequired),
        }
    }

    pub(in crate::db) async fn office(&self, id: OfficeId) -> Result<OfficeView> {
        let o = offices::office(&self.pool, id.0)
            .await?
            .ok_or(Error::NotFound("office"))?;
        Ok(OfficeView {
            id: OfficeId(o.id),
            code: o.code,
            name: o.name,
            time_zone: o.time_zone,
            ticket_footer: o.ticket_footer,
            notice: o.notice,
            voice_phrase: o.voice_phrase,
            address: o.address,
            ticket_header: o.ticket_header,
        })
    }

    pub(in crate::db) async fn offices(&self) -> Result<Vec<OfficeRow>> {
        Ok(offices::offices(&self.pool)
            .await?
            .into_iter()
            .map(|(id, code, name, time_zone)| OfficeRow {
                id: OfficeId(id),
                code,
                name,
                time_zone,
            })
            .collect())
    }

    pub(in crate::db) async fn services(
        &self,
        office: &OfficeView,
        now: DateTime<Utc>,
    ) -> Result<Vec<ServiceView>> {
        let local = calendar::local(now, calendar::zone(&office.time_zone)?);
        let rows = reads::services(&self.pool, office.id.0, &local.date.to_string()).await?;
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
                    accepts_priority: r.accepts_priority,
                    hours: r.hours,
                    waiting: r.waiting,
                }
                .into_view(office.id, &local)
            })
            .collect()
    }

    pub(in crate::db) async fn counters(&self, office: OfficeId) -> Result<Vec<CounterView>> {
        let (rows, links) = reads::counters(&self.pool, office.0).await?;
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

    pub(in crate::db) async fn counter_office(&self, counter: CounterId) -> Result<OfficeId> {
        reads::counter_office(&self.pool, counter.0)
            .await?
            .map(OfficeId)
            .ok_or(Error::NotFound("counter"))
    }

    pub(in crate::db) async fn ticket(
        &self,
        key: TicketKey<'_>,
    ) -> Result<(TicketView, Option<WaitInputs>)> {
        let id = match key {
            TicketKey::Id(id) => id.0,
            TicketKey::Token(token)
                if token.len() != 32 || !token.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                return Err(Error::NotFound("ticket"));
            }
            TicketKey::Token(token) => reads::ticket_by_token(&self.pool, token)
                .await?
                .ok_or(Error::NotFound("ticket"))?,
        };
        tickets(&self.pool, &[id])
            .await?
            .pop()
            .ok_or(Error::NotFound("ticket"))
    }

    pub(in crate::db) async fn tickets_in(
        &self,
        office: OfficeId,
        date: &str,
        states: &[&str],
        newest_first: bool,
        limit: i64,
    ) -> Result<Vec<TicketView>> {
        reads::tickets_in(&self.pool, office.0, date, states, newest_first, limit)
            .await?
            .into_iter()
            .map(|t| view_row(t).into_view())
            .collect()
    }

    pub(in crate::db) async fn recent_service_times(
        &self,
        service: ServiceId,
        limit: i64,
    ) -> Result<(Vec<i64>, i64)> {
        let (times, default) = reads::recent_service_times(&self.pool, service.0, limit).await?;
        Ok((times, default.unwrap_or(300)))
    }

    pub(in crate::db) async fn key_used(
        &self,
        office: OfficeId,
        key: &IdempotencyKey,
    ) -> Result<bool> {
        Ok(reads::key_used(&self.pool, office.0, key.as_str()).await?)
    }

    pub(in crate::db) async fn counter_day(
        &self,
        counter: CounterId,
        since: DateTime<Utc>,
    ) -> Result<(u32, Option<i64>)> {
        let (served, mean_ms) =
            reads::counter_day(&self.pool, counter.0, since.timestamp_millis()).await?;
        Ok((
            count(served),
            mean_ms.map(|ms| (ms / 1000.0).round() as i64),
        ))
    }

    pub(in crate::db) async fn call_rules(
        &self,
        counter: &CounterView,
    ) -> Result<(Rules, Vec<PastCall>)> {
        let ((priority_run, normal_run), history) = reads::call_rules(&self.pool, counter.id.0)
            .await?
            .ok_or(Error::NotFound("counter"))?;
        let rules = Rules {
            selection: counter.selection,
            priority_run: u32::try_from(priority_run).unwrap_or(1),
            normal_run: u32::try_from(normal_run).unwrap_or(0),
        };
        let history = history
            .into_iter()
            .map(|(service, priority)| PastCall {
                service: ServiceId(service),
                priority,
            })
            .collect();
        Ok((rules, history))
    }

    pub(in crate::db) async fn changed_at(&self, ticket: TicketId) -> Result<DateTime<Utc>> {
        let at = reads::changed_at(&self.pool, ticket.0)
            .await?
            .ok_or(Error::NotFound("ticket"))?;
        DateTime::from_timestamp_millis(at).ok_or_else(|| Error::Internal(format!("bad time {at}")))
    }

    pub(in crate::db) async fn not_printed(
        &self,
        office: OfficeId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, String, DateTime<Utc>)>> {
        Ok(
            reads::not_printed(&self.pool, office.0, since.timestamp_millis())
                .await?
                .into_iter()
                .map(|(number, reason, at)| {
                    (
                        number,
                        reason.unwrap_or_default(),
                        calendar::from_millis(at),
                    )
                })
                .collect(),
        )
    }
}

/// Tickets by id with their places in line, in the order asked, through
/// `conn` (the pool, or a transaction that has just written them).
pub(super) async fn tickets(
    conn: impl sqlx::PgExecutor<'_>,
    ids: &[i64],
) -> Result<Vec<(TicketView, Option<WaitInputs>)>> {
    reads::tickets(conn, ids)
        .await?
        .into_iter()
        .map(|p| {
            let service = ServiceId(p.ticket.service_id);
            let inputs = p.people_ahead.map(|ahead| WaitInputs {
                service,
                people_ahead: count(ahead),
                counters: count(if p.open_counters > 0 {
                    p.open_counters
                } else {
                    p.all_counters
                }),
            });
            Ok((view_row(p.ticket).into_view()?, inputs))
        })
        .collect()
}

fn view_row(t: reads::Ticket) -> TicketViewRow {
    TicketViewRow {
        id: t.id,
        office_id: t.office_id,
        service_id: t.service_id,
        service_name: t.service_name,
        display_number: t.display_number,
        business_date: t.business_date,
        state: t.state,
        priority: t.priority,
        issued_at: t.issued_at,
        counter_id: t.counter_id,
        counter_number: t.counter_number,
        public_token: t.public_token,
        recalls: t.recalls,
    }
}
