//! The append-only event log, read back: by the live stream (after a row
//! id, across offices), by a client resuming (after an office's `seq`),
//! and for the waiting lines' counts.

use super::{Db, Engine, sqlite};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{
    Change, CounterChange, CounterId, CounterState, Priority, ServiceId, SettingsChange,
    TicketChange, TicketState, TicketStep, UserId,
};
use layso_protocol::{Event, OfficeId, ServiceQueueView, TicketId};

/// An event as read back from the log, with the row id the live stream
/// follows.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The row id: increasing across all offices.
    pub id: i64,
    /// The event as clients see it.
    pub event: Event,
}

/// One service's waiting line on a day.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The service's code (for metrics' labels).
    pub code: String,
    /// Its counts, as clients see them.
    pub view: ServiceQueueView,
}

/// A log row joined with what clients need to show it.
pub(crate) struct LogRow {
    pub(crate) id: i64,
    pub(crate) office_id: i64,
    pub(crate) seq: i64,
    pub(crate) at: i64,
    pub(crate) kind: String,
    pub(crate) ticket_id: Option<i64>,
    pub(crate) counter_id: Option<i64>,
    pub(crate) user_id: Option<i64>,
    pub(crate) service_id: Option<i64>,
    pub(crate) from_state: Option<String>,
    pub(crate) to_state: Option<String>,
    pub(crate) reason: Option<String>,
    pub(crate) display_number: Option<String>,
    pub(crate) priority: Option<String>,
    pub(crate) counter_number: Option<i64>,
}

/// The name a counter's change to `to` is logged under.
pub fn counter_kind(to: CounterState) -> &'static str {
    match to {
        CounterState::Open => "counter_opened",
        CounterState::Paused => "counter_paused",
        CounterState::Closed => "counter_closed",
    }
}

/// The kind a settings change is logged under.
pub const SETTINGS: &str = "settings";

impl LogRow {
    /// The event as clients see it, with its row id.
    pub(crate) fn into_logged(self) -> Result<Logged> {
        let bad = |what: &str| Error::Internal(format!("event {}: bad {what}", self.id));
        let at = DateTime::from_timestamp_millis(self.at).ok_or_else(|| bad("time"))?;
        let number = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok());
        let change = if let Some(step) = TicketStep::parse(&self.kind) {
            let state = |s: Option<&str>| s.map(str::parse::<TicketState>).transpose();
            Change::Ticket(TicketChange {
                step,
                ticket_id: TicketId(self.ticket_id.ok_or_else(|| bad("ticket"))?),
                display_number: self.display_number.clone().unwrap_or_default(),
                service_id: ServiceId(self.service_id.ok_or_else(|| bad("service"))?),
                priority: match self.priority.as_deref() {
                    Some(p) => p.parse().map_err(|_| bad("priority"))?,
                    None => Priority::None,
                },
                from: state(self.from_state.as_deref()).map_err(|_| bad("state"))?,
                to: state(self.to_state.as_deref())
                    .map_err(|_| bad("state"))?
                    .ok_or_else(|| bad("state"))?,
                counter_id: self.counter_id.map(CounterId),
                counter_number: number(self.counter_number),
                user_id: self.user_id.map(UserId),
                reason: self.reason.clone(),
            })
        } else if self.kind == SETTINGS {
            Change::Settings(SettingsChange {
                what: self.reason.clone().unwrap_or_default(),
                user_id: self.user_id.map(UserId),
            })
        } else {
            let state =
                |s: Option<&str>| s.and_then(CounterState::parse).ok_or_else(|| bad("state"));
            Change::Counter(CounterChange {
                counter_id: CounterId(self.counter_id.ok_or_else(|| bad("counter"))?),
                counter_number: number(self.counter_number).ok_or_else(|| bad("counter"))?,
                from: state(self.from_state.as_deref())?,
                to: state(self.to_state.as_deref())?,
                user_id: self.user_id.map(UserId),
                reason: self.reason.clone(),
            })
        };
        Ok(Logged {
            id: self.id,
            event: Event {
                seq: u64::try_from(self.seq).map_err(|_| bad("seq"))?,
                at,
                office_id: OfficeId(self.office_id),
                change,
            },
        })
    }
}

/// Where a follower of every office's log (the live pump) has read to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogCursor {
    /// SQLite: the last row id read (one writer commits rows in id order).
    Id(i64),
    /// PostgreSQL: each office's last `seq` read (an office's rows commit
    /// in `seq` order; ids of different offices' do not).
    Seqs(std::collections::HashMap<i64, i64>),
}

impl Db {
    /// Logs that a kiosk could not print a ticket it was issued: the
    /// ticket's state stays, the log says why. A ticket of another office
    /// is not found.
    pub async fn log_not_printed(
        &self,
        office: OfficeId,
        ticket: TicketId,
        reason: String,
        at: DateTime<Utc>,
    ) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlite::events::not_printed(conn, office, ticket, &reason, at).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.log_not_printed(office, ticket, &reason, at).await,
        }
    }

    /// Where the log ends now, for a follower to start there.
    pub async fn log_end(&self) -> Result<LogCursor> {
        match &self.engine {
            Engine::Sqlite(db) => Ok(LogCursor::Id(sqlite::events::last_id(&db.read).await?)),
            Engine::Postgres(db) => Ok(LogCursor::Seqs(db.heads().await?)),
        }
    }

    /// Moves `cursor` to the log's end as of the last commit this process
    /// heard of, reading nothing where it can (with no stream open, the
    /// pump only keeps its place).
    pub async fn skip_to_end(
        &self,
        cursor: LogCursor,
        committed: &mut tokio::sync::watch::Receiver<i64>,
    ) -> Result<LogCursor> {
        match (&self.engine, cursor) {
            (Engine::Sqlite(_), LogCursor::Id(last)) => {
                Ok(LogCursor::Id(last.max(*committed.borrow_and_update())))
            }
            _ => self.log_end().await,
        }
    }

    /// Up to `limit` events after `cursor`, of every office, in each
    /// office's order, and the cursor after them.
    pub async fn follow(&self, cursor: &LogCursor, limit: u32) -> Result<(Vec<Logged>, LogCursor)> {
        match (&self.engine, cursor) {
            (Engine::Sqlite(db), LogCursor::Id(last)) => {
                let rows = sqlite::events::after_id(&db.read, *last, limit).await?;
                let next = rows.last().map_or(*last, |r| r.id);
                Ok((rows, LogCursor::Id(next)))
            }
            (Engine::Postgres(db), LogCursor::Seqs(seqs)) => db.follow(seqs, limit).await,
            _ => Err(Error::Internal("a log cursor of the other engine".into())),
        }
    }

    /// Wakes whoever follows the log when it may have new rows: holds the
    /// id of its last row as of the latest commit.
    pub fn committed(&self) -> tokio::sync::watch::Receiver<i64> {
        match &self.engine {
            Engine::Sqlite(db) => db.committed.clone(),
            Engine::Postgres(db) => db.commits(),
        }
    }

    /// Up to `limit` events of one office after sequence number `seq`, in order.
    pub async fn after_seq(&self, office: OfficeId, seq: u64, limit: u32) -> Result<Vec<Logged>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::events::after_seq(&db.read, office, seq, limit).await,
            Engine::Postgres(db) => db.after_seq(office, seq, limit).await,
        }
    }

    /// The newest sequence number of an office's log (0 when empty).
    pub async fn head(&self, office: OfficeId) -> Result<u64> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::events::head(&db.read, office).await,
            Engine::Postgres(db) => db.head(office).await,
        }
    }

    /// How many tickets wait in each active service of an office on `date`.
    pub async fn lines(&self, office: OfficeId, date: &str) -> Result<Vec<Line>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::events::lines(&db.read, office, date).await,
            Engine::Postgres(db) => db.lines(office, date).await,
        }
    }
}
