//! Calling: the next ticket at a counter, a given one out of turn, and
//! the steps staff take on the ticket at their counter.

use super::{Db, Engine, sqlite};
use crate::error::Result;
pub use crate::rules::life::Action;
use layso_protocol::{CounterId, Reason, TicketId, TicketView};

impl Db {
    /// Calls the next ticket at a counter (finishing its current one first
    /// if asked) and returns it once committed, as the display will show
    /// it; none when nobody waits for it.
    pub async fn call_next(
        &self,
        counter: CounterId,
        finish_current: bool,
    ) -> Result<Option<TicketView>> {
        match &self.engine {
            Engine::Sqlite(db) => db.call_next(counter, finish_current).await,
            Engine::Postgres(db) => db.call_next(counter, finish_current).await,
        }
    }

    /// Calls a given waiting ticket at a counter out of turn, now, with a
    /// reason for the log.
    pub async fn call_ticket(
        &self,
        counter: CounterId,
        ticket: TicketId,
        why: Reason,
    ) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                let clock = db.writer.clock();
                db.writer
                    .write_as(super::writer::Durability::Logged, move |conn| {
                        Box::pin(async move {
                            sqlite::calls::call_ticket(conn, clock.now(), counter, ticket, why)
                                .await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.call_ticket(counter, ticket, why).await,
        }
    }

    /// Takes one step of a ticket's life from a counter, now.
    pub async fn act(&self, counter: CounterId, ticket: TicketId, action: Action) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                let clock = db.writer.clock();
                db.writer
                    .write_as(super::writer::Durability::Logged, move |conn| {
                        Box::pin(async move {
                            sqlite::steps::act(conn, clock.now(), counter, ticket, action).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.act(counter, ticket, action).await,
        }
    }
}
