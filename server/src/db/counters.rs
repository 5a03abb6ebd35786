//! Counters: their state through the day, and their setup as the admin
//! changes it.

use super::{Db, Engine, sqlite};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{
    CounterId, CounterRequest, CounterState, NewCounterRequest, OfficeId, Reason, UserId,
};

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

/// A counter with the office settings that steps at it need.
#[derive(Debug, Clone)]
pub struct CounterRow {
    /// Its id.
    pub id: i64,
    /// Its office.
    pub office_id: i64,
    /// Its number.
    pub number: i64,
    /// State name.
    pub state: String,
    /// The staff member at it.
    pub staff_user_id: Option<i64>,
    /// Selection name.
    pub selection: String,
    /// The office's time zone.
    pub time_zone: String,
    /// The office's priority run.
    pub priority_run: i64,
    /// The office's ordinary run.
    pub normal_run: i64,
}

impl CounterRow {
    /// Its typed id.
    pub fn id(&self) -> CounterId {
        CounterId(self.id)
    }

    /// Its typed office.
    pub fn office(&self) -> OfficeId {
        OfficeId(self.office_id)
    }

    /// Its number on the sign.
    pub fn number(&self) -> u32 {
        u32::try_from(self.number).unwrap_or(0)
    }

    /// The staff member at it, for the event log.
    pub fn staff(&self) -> Option<UserId> {
        self.staff_user_id.map(UserId)
    }

    /// Its parsed state.
    pub fn state(&self) -> Result<CounterState> {
        CounterState::parse(&self.state)
            .ok_or_else(|| Error::Internal(format!("counter {}: bad state", self.id)))
    }

    /// Refuses calls at a paused or closed counter.
    pub fn require_open(&self) -> Result<()> {
        let state = self.state()?;
        if state == CounterState::Open {
            Ok(())
        } else {
            Err(Error::CounterNotOpen {
                number: self.number(),
                state: state.as_str(),
            })
        }
    }
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
            Engine::Postgres(db) => db.change_counter(id, change).await,
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
            Engine::Postgres(db) => db.update_counter(office, counter, &c, admin, at).await,
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
            Engine::Postgres(db) => db.create_counter(office, &c, admin, at).await,
        }
    }
}
