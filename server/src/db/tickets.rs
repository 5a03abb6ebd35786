//! Tickets: issuing them, and closing the day of those left over.

use super::{Db, Engine, sqlite};
use crate::error::Result;
use crate::rules::WaitInputs;
pub use crate::rules::issue::IssueCommand;
use layso_protocol::{OfficeId, TicketView};

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

impl Db {
    /// Issues a ticket, or returns the one the request's key already got;
    /// answers once it is on disk.
    pub async fn issue(&self, cmd: IssueCommand) -> Result<Issued> {
        match &self.engine {
            Engine::Sqlite(db) => db.writer.issue(cmd).await,
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
        }
    }
}
