//! Tickets: issuing them, and closing the day of those left over.

use super::{Db, Engine, sqlite};
use crate::calendar;
use crate::db::counters::CounterRow;
use crate::error::{Error, Result};
use crate::rules::WaitInputs;
pub use crate::rules::issue::IssueCommand;
use chrono::{DateTime, Utc};
use layso_protocol::{
    CounterId, OfficeId, ServiceId, TicketId, TicketState, TicketStep, TicketView, UserId,
};

/// The ticket a request got, as the kiosk will print it.
#[derive(Debug, Clone, PartialEq)]
pub struct Issued {
    /// The ticket, read back inside the transaction that wrote it.
    pub ticket: TicketView,
    /// What its wait estimate needs (it is waiting unless a retry found it
    /// already called).
    pub wait: Option<WaitInputs>,
    /// False when the key had already got this ticket (a retry).
    pub created: bool,
}

/// A ticket as the steps need it.
#[derive(Debug, Clone)]
pub struct TicketRow {
    /// Its id.
    pub id: i64,
    /// Its office.
    pub office_id: i64,
    /// Its current service.
    pub service_id: i64,
    /// Its office-local day.
    pub business_date: String,
    /// Printed number.
    pub display_number: String,
    /// State name.
    pub state: String,
    /// Last counter it was called to.
    pub counter_id: Option<i64>,
}

impl TicketRow {
    /// Its typed id.
    pub fn id(&self) -> TicketId {
        TicketId(self.id)
    }

    /// The parsed state.
    pub fn state(&self) -> Result<TicketState> {
        self.state
            .parse()
            .map_err(|e| Error::Internal(format!("ticket {}: {e}", self.id)))
    }

    /// Refuses to work on a ticket of an earlier day that the day close has
    /// not expired yet.
    pub fn require_today(&self, now: DateTime<Utc>, time_zone: &str) -> Result<()> {
        if calendar::business_date(now, time_zone)? == self.business_date {
            Ok(())
        } else {
            Err(Error::TicketFromAnotherDay(self.display_number.clone()))
        }
    }
}

/// One change of a ticket, with what the log must say about it.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// When.
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: TicketStep,
    /// The state after it.
    pub to: TicketState,
    /// The counter where it happened (logged).
    pub counter: Option<CounterId>,
    /// Whether the ticket now belongs to that counter (a call).
    pub assign: bool,
    /// The staff member who did it.
    pub user: Option<UserId>,
    /// Why, where a reason was given.
    pub reason: Option<&'a str>,
    /// A new service (transfer).
    pub service: Option<ServiceId>,
    /// A new place in time.
    pub queue_at: Option<i64>,
}

impl<'a> Change<'a> {
    /// A call of the ticket to `counter` (it becomes the counter's ticket).
    pub fn call(at: DateTime<Utc>, counter: &CounterRow) -> Self {
        Self {
            assign: true,
            ..Self::at_counter(
                at,
                TicketStep::Called,
                TicketState::Called,
                counter.id(),
                counter.staff(),
            )
        }
    }

    /// A change at a counter to state `to`, logged as `kind`.
    pub fn at_counter(
        at: DateTime<Utc>,
        kind: TicketStep,
        to: TicketState,
        counter: CounterId,
        user: Option<UserId>,
    ) -> Self {
        Self {
            at,
            kind,
            to,
            counter: Some(counter),
            assign: false,
            user,
            reason: None,
            service: None,
            queue_at: None,
        }
    }
}

impl Db {
    /// Issues a ticket, or returns the one the request's key already got;
    /// answers once it is on disk.
    pub async fn issue(&self, cmd: IssueCommand) -> Result<Issued> {
        match &self.engine {
            Engine::Sqlite(db) => db.writer.issue(cmd).await,
            Engine::Postgres(db) => db.issue(cmd).await,
        }
    }

    /// Expires what is left of every office's past days (or only of
    /// `only`'s), now, and returns how many tickets expired.
    pub async fn close_days(&self, only: Option<OfficeId>) -> Result<u64> {
        match &self.engine {
            Engine::Sqlite(db) => {
                let clock = db.writer.clock();
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlite::tickets::close_days(conn, clock.now(), only).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.close_days(only).await,
        }
    }
}
