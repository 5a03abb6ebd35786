//! Citizens' ratings from the tablet at each counter.

use super::{Db, Engine, sqlite};
use crate::error::Result;
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, DeviceId, RatingView, TicketId};

/// How long after its finish a ticket may still be rated.
pub const RATING_WINDOW_MS: i64 = 10 * 60 * 1000;

impl Db {
    /// The ticket a counter's tablet may rate now: the counter's latest
    /// finished ticket, if it finished within the rating window and has no
    /// rating yet.
    pub async fn ratable(
        &self,
        counter: CounterId,
        now: DateTime<Utc>,
    ) -> Result<Option<RatingView>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::ratings::ratable(&db.read, counter, now).await,
            Engine::Postgres(db) => db.ratable(counter, now).await,
        }
    }

    /// Stores a rating from a counter's tablet, if that ticket is the one it
    /// may rate.
    pub async fn rate(
        &self,
        device: DeviceId,
        counter: CounterId,
        ticket: TicketId,
        score: u8,
        now: DateTime<Utc>,
    ) -> Result<RatingView> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlite::ratings::rate(conn, device, counter, ticket, score, now).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.rate(device, counter, ticket, score, now).await,
        }
    }
}
