//! An office's services as its admin sets them up.

use super::{Db, Engine, sqlite};
use crate::error::Result;
use chrono::{DateTime, Utc};
use layso_protocol::{OfficeId, ServiceId, ServiceRequest, UserId};

impl Db {
    /// Adds a service at the end of the office's list; its code must be new in
    /// the office. Logged as a settings change in the same transaction.
    pub async fn create_service(
        &self,
        office: OfficeId,
        s: ServiceRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<ServiceId> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlite::services::create(conn, office, &s, admin, at).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.create_service(office, &s, admin, at).await,
        }
    }

    /// Replaces a service's settings; its code must stay unique in the office.
    /// Today's tickets keep their numbers. Logged as a settings change.
    pub async fn update_service(
        &self,
        office: OfficeId,
        service: ServiceId,
        s: ServiceRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlite::services::update(conn, office, service, &s, admin, at).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.update_service(office, service, &s, admin, at).await,
        }
    }
}
