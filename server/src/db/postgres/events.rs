//! The event log on PostgreSQL: appending counter and settings events,
//! and reading it back per office.

use super::Postgres;
use crate::db::events::{Line, LogCursor, LogRow, Logged, SETTINGS};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{OfficeId, ServiceId, ServiceQueueView, TicketId, UserId};
use layso_store_postgres::events::{self, NewEvent, Row};
use sqlx::PgConnection;
use std::collections::HashMap;

impl Postgres {
    pub(in crate::db) async fn heads(&self) -> Result<HashMap<i64, i64>> {
        Ok(events::heads(&self.pool).await?.into_iter().collect())
    }

    pub(in crate::db) async fn head(&self, office: OfficeId) -> Result<u64> {
        Ok(u64::try_from(events::head(&self.pool, office.0).await?).unwrap_or(0))
    }

    pub(in crate::db) async fn after_seq(
        &self,
        office: OfficeId,
        seq: u64,
        limit: u32,
    ) -> Result<Vec<Logged>> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        events::after_seq(&self.pool, office.0, seq, i64::from(limit))
            .await?
            .into_iter()
            .map(|r| log_row(r).into_logged())
            .collect()
    }

    /// Every office's events after `seqs`: the offices whose heads moved
    /// (offices new to the log start from their first event).
    pub(in crate::db) async fn follow(
        &self,
        seqs: &HashMap<i64, i64>,
        limit: u32,
    ) -> Result<(Vec<Logged>, LogCursor)> {
        let moved: Vec<(i64, i64)> = events::heads(&self.pool)
            .await?
            .into_iter()
            .filter_map(|(office, head)| {
                let seen = seqs.get(&office).copied().unwrap_or(0);
                (head > seen).then_some((office, seen))
            })
            .collect();
        let mut next = seqs.clone();
        if moved.is_empty() {
            return Ok((Vec::new(), LogCursor::Seqs(next)));
        }
        let (offices, from): (Vec<i64>, Vec<i64>) = moved.into_iter().unzip();
        let rows = events::after_seqs(&self.pool, &offices, &from, i64::from(limit)).await?;
        let logged = rows
            .into_iter()
            .map(|r| {
                next.insert(r.office_id, r.seq);
                log_row(r).into_logged()
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((logged, LogCursor::Seqs(next)))
    }

    pub(in crate::db) async fn lines(&self, office: OfficeId, date: &str) -> Result<Vec<Line>> {
        Ok(events::lines(&self.pool, office.0, date)
            .await?
            .into_iter()
            .map(|(id, code, waiting, priority)| Line {
                code,
                view: ServiceQueueView {
                    service_id: ServiceId(id),
                    waiting: u32::try_from(waiting).unwrap_or(u32::MAX),
                    priority_waiting: u32::try_from(priority).unwrap_or(u32::MAX),
                },
            })
            .collect())
    }

    pub(in crate::db) async fn log_not_printed(
        &self,
        office: OfficeId,
        ticket: TicketId,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        if !events::not_printed(&mut tx, office.0, ticket.0, reason, at.timestamp_millis()).await? {
            return Err(Error::NotFound("ticket"));
        }
        tx.commit().await?;
        self.committed();
        Ok(())
    }
}

/// Logs a change of an office's setup (`what`: office, service, counter,
/// user, device), so every screen reads it again.
pub(super) async fn settings(
    tx: &mut PgConnection,
    office: OfficeId,
    what: &str,
    user: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<()> {
    events::append(
        tx,
        &NewEvent {
            office: office.0,
            at: at.timestamp_millis(),
            kind: SETTINGS,
            counter: None,
            user: user.map(|u| u.0),
            from: None,
            to: None,
            reason: Some(what),
        },
    )
    .await?;
    Ok(())
}

fn log_row(r: Row) -> LogRow {
    LogRow {
        id: r.id,
        office_id: r.office_id,
        seq: r.seq,
        at: r.at,
        kind: r.kind,
        ticket_id: r.ticket_id,
        counter_id: r.counter_id,
        user_id: r.user_id,
        service_id: r.service_id,
        from_state: r.from_state,
        to_state: r.to_state,
        reason: r.reason,
        display_number: r.display_number,
        priority: r.priority,
        counter_number: r.counter_number,
    }
}
