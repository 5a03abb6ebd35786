//! Counters: their state through the day, and their setup as the admin
//! changes it.

use super::{Db, Engine, sqlite};
use crate::error::Result;
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, CounterRequest, NewCounterRequest, OfficeId, Reason, UserId};

/// A change of a counter's state.
#[derive(Debug, Clone)]
pub enum CounterChange {
    /// Start calling.
    Open,
    /// Take a break, with a reason shown on the monitor.
    Pause(Reason),
    /// Stop for the day.
    Close,
}

impl Db {
    /// Opens, pauses or closes a counter, now. Setting the state it already
    /// has is a no-op (a double click changes nothing and logs nothing).
    pub async fn change_counter(&self, id: CounterId, change: CounterChange) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                let clock = db.writer.clock();
                db.writer
                    .write_as(super::writer::Durability::Logged, move |conn| {
                        Box::pin(async move {
                            sqlite::counters::change(conn, clock.now(), id, change).await
                        })
                    })
                    .await
            }
        }
    }

    /// Replaces a counter's name, selection and services (in order). Every
    /// service must be the office's.
    pub async fn update_counter(
        &self,
        office: OfficeId,
        counter: CounterId,
        c: CounterRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlite::counters::update_counter(conn, office, counter, &c, admin, at)
                                .await
                        })
                    })
                    .await
            }
        }
    }

    /// Adds a counter, closed; its number must be free in the office.
    pub async fn create_counter(
        &self,
        office: OfficeId,
        c: NewCounterRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<CounterId> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlite::counters::create_counter(conn, office, &c, admin, at).await
                        })
                    })
                    .await
            }
        }
    }
}
