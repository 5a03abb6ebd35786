//! Offices: a new one as the province admin creates it, the province's
//! list with each office's day, and an office's details as its admin
//! changes them (logged as a settings change, so every screen reads the
//! office again).

use super::{Db, Engine, sqlite};
use crate::error::Result;
use chrono::{DateTime, Utc};
use layso_protocol::{NewOfficeRequest, OfficeId, OfficeRequest, OfficeSummary, UserId};

impl Db {
    /// Creates an office, checked; a code already taken is refused. Its log
    /// starts with a settings event, as every change of an office's setup does.
    pub async fn create_office(
        &self,
        new: NewOfficeRequest,
        by: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<OfficeId> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(
                            async move { sqlite::office::create_office(conn, &new, by, at).await },
                        )
                    })
                    .await
            }
            Engine::Postgres(db) => db.create_office(&new, by, at).await,
        }
    }

    /// Replaces the office's details.
    pub async fn update_office(
        &self,
        office: OfficeId,
        o: OfficeRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlite::office::update_office(conn, office, &o, admin, at).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.update_office(office, &o, admin, at).await,
        }
    }

    /// Every office of the server with its day so far, by code. Each figure is
    /// a seek or two, however long the office's history: waiting from
    /// `waiting_lines`, issued from each service's last number of the day
    /// (numbers are given without gaps).
    pub async fn summaries(&self, now: DateTime<Utc>) -> Result<Vec<OfficeSummary>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::office::summaries(&db.read, now).await,
            Engine::Postgres(db) => db.summaries(now).await,
        }
    }
}
