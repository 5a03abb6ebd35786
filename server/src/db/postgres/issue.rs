//! Issuing on PostgreSQL, one request per transaction, safe across
//! processes: the service's row is locked (`numbers::lock`) before its
//! last number, its line and the request's key are read, so two processes
//! issuing for one service take turns, a retry waits for its first
//! attempt's commit and then finds its ticket, and the unique key makes a
//! second ticket for one key impossible even without the lock. What a
//! request comes to is decided by the same rules as on SQLite
//! (`rules::issue`).

use super::Postgres;
use crate::calendar;
use crate::db::tickets::{IssueCommand, Issued};
use crate::error::{Error, Result};
use crate::rules::issue::{self, Decision, ExistingKeys, LastNumbers, Service, views_of_new};
use layso_protocol::{Numbering, ServiceId, TicketId};
use layso_store_postgres::{numbers, tickets};
use std::collections::HashMap;

impl Postgres {
    pub(in crate::db) async fn issue(&self, cmd: IssueCommand) -> Result<Issued> {
        let now = self.clock.now();
        let mut tx = self.pool.begin().await?;
        let Some(s) = tickets::service(&mut tx, cmd.service.0).await? else {
            return Err(Error::NotFound("service"));
        };
        if s.office_id != cmd.office.0 {
            return Err(Error::NotFound("service"));
        }
        let local = calendar::local(now, calendar::zone(&s.time_zone)?);
        let date = local.date.to_string();
        let numbering = numbers::lock(&mut tx, s.office_id, cmd.service.0, &date)
            .await?
            .ok_or(Error::NotFound("service"))?;
        let (waiting_priority, waiting_ordinary) =
            tickets::waiting(&mut tx, cmd.service.0, &date).await?;
        let mut existing = ExistingKeys::new();
        if let Some(keyed) = tickets::by_key(&mut tx, s.office_id, cmd.key.as_str()).await? {
            let priority = keyed
                .priority
                .parse()
                .map_err(|e| Error::Internal(format!("ticket {}: {e}", keyed.id)))?;
            existing.insert(
                (s.office_id, cmd.key.as_str().to_owned()),
                (TicketId(keyed.id), ServiceId(keyed.service), priority),
            );
        }
        let broken = |what: String| Error::Internal(format!("service {}: {what}", cmd.service));
        let service = Service {
            office: s.office_id,
            name: s.name,
            numbering: Numbering::new(
                &s.prefix,
                u32::try_from(numbering.first).unwrap_or(0),
                u32::try_from(numbering.last).unwrap_or(0),
            )
            .map_err(|e| broken(e.to_string()))?,
            cap: numbering.daily_cap,
            accepts_priority: s.accepts_priority,
            hours: serde_json::from_str(&s.hours).map_err(|e| broken(e.to_string()))?,
            active: s.active,
            local,
            waiting: (count(waiting_priority), count(waiting_ordinary)),
            counters: count(if s.open_counters > 0 {
                s.open_counters
            } else {
                s.all_counters
            }),
        };
        let services = HashMap::from([(cmd.service, service)]);
        let mut last = LastNumbers::from([(
            cmd.service,
            numbering.taken.and_then(|n| u32::try_from(n).ok()),
        )]);
        let cmds = std::slice::from_ref(&cmd);
        let (rows, mut decisions) = issue::decide(&services, &existing, &mut last, cmds);
        let decision = decisions
            .pop()
            .ok_or_else(|| Error::Internal("no decision for a request".into()))?;
        let issued = match decision {
            Decision::Refused(error) => return Err(error),
            Decision::New(_) | Decision::Retry(_) => {
                let row = rows
                    .first()
                    .ok_or_else(|| Error::Internal("a new ticket without its row".into()))?;
                let new = tickets::NewTicket {
                    office: row.office,
                    service: row.service,
                    date: &row.date,
                    number: i64::from(row.number),
                    display: &row.display,
                    priority: row.priority,
                    is_priority: row.is_priority == 1,
                    token: row.token,
                    key: row.key,
                    at: now.timestamp_millis(),
                };
                // Another service's request with this key took it first
                // (the lock is per service): the key is that ticket's.
                let id = tickets::insert(&mut tx, &new)
                    .await?
                    .ok_or(Error::IdempotencyKeyReused)?;
                let (ticket, wait) = views_of_new(&rows, &[TicketId(id)], &services, now)
                    .pop()
                    .ok_or_else(|| Error::Internal("an issued ticket without its view".into()))?;
                Issued {
                    ticket,
                    wait,
                    created: true,
                }
            }
            Decision::Existing(id) => {
                let (ticket, wait) = super::reads::tickets(&mut *tx, &[id.0])
                    .await?
                    .pop()
                    .ok_or_else(|| Error::Internal("a keyed ticket vanished".into()))?;
                Issued {
                    ticket,
                    wait,
                    created: false,
                }
            }
        };
        tx.commit().await?;
        if issued.created {
            self.committed();
        }
        Ok(issued)
    }
}

fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
