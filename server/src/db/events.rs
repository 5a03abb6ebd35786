//! The append-only event log, read back: by the live stream (after a row
//! id, across offices), by a client resuming (after an office's `seq`),
//! and for the waiting lines' counts.

use super::{Db, Engine, sqlite};
use crate::error::Result;
use chrono::{DateTime, Utc};
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
        }
    }

    /// Wakes whoever follows the log when it may have new rows: holds the
    /// id of its last row as of the latest commit.
    pub fn committed(&self) -> tokio::sync::watch::Receiver<i64> {
        match &self.engine {
            Engine::Sqlite(db) => db.committed.clone(),
        }
    }

    /// Up to `limit` events of every office after row `id`, in log order.
    pub async fn after_id(&self, id: i64, limit: u32) -> Result<Vec<Logged>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::events::after_id(&db.read, id, limit).await,
        }
    }

    /// Up to `limit` events of one office after sequence number `seq`, in order.
    pub async fn after_seq(&self, office: OfficeId, seq: u64, limit: u32) -> Result<Vec<Logged>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::events::after_seq(&db.read, office, seq, limit).await,
        }
    }

    /// The newest row id of the whole log (0 when empty).
    pub async fn last_id(&self) -> Result<i64> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::events::last_id(&db.read).await,
        }
    }

    /// The newest sequence number of an office's log (0 when empty).
    pub async fn head(&self, office: OfficeId) -> Result<u64> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::events::head(&db.read, office).await,
        }
    }

    /// How many tickets wait in each active service of an office on `date`.
    pub async fn lines(&self, office: OfficeId, date: &str) -> Result<Vec<Line>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::events::lines(&db.read, office, date).await,
        }
    }
}
