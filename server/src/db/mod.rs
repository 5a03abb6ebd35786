//! The database: opening and migrating it. Each engine's SQL lives apart
//! (`sqlite/` here, PostgreSQL's in `layso-store-postgres`).

pub mod calls;
pub mod counters;
pub mod demo;
pub mod devices;
pub mod events;
pub mod office;
pub mod postgres;
pub mod ratings;
pub mod reads;
pub mod services;
pub mod sessions;
pub mod sqlite;
pub mod tickets;
pub mod users;

use demo::DemoKeys;
pub use sqlite::Writer;
use sqlite::{seed, writer};

use crate::clock::Clock;
use std::path::Path;
use std::sync::Arc;

/// The migrations in `migrations/`, embedded in the binary.
pub use sqlite::MIGRATOR;

/// The database, on whichever engine the configuration names. Every
/// storage step is a method of it (one module per part of the domain), so
/// that the rest of the server never sees an engine's connection.
#[derive(Clone)]
pub struct Db {
    engine: Engine,
}

/// The engines.
#[derive(Clone)]
enum Engine {
    /// An embedded file.
    Sqlite(sqlite::Sqlite),
    /// A PostgreSQL server, possibly shared with other processes.
    Postgres(postgres::Postgres),
}

/// The database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The SQLite file.
    #[error(transparent)]
    Sqlite(#[from] sqlite::OpenError),
    /// The PostgreSQL server.
    #[error(transparent)]
    Postgres(#[from] postgres::OpenError),
}

impl Db {
    /// Opens and migrates the database `database` names: a PostgreSQL
    /// server for a `postgres://` URL, else a SQLite file (created if
    /// needed).
    pub async fn open(database: &Path, clock: Arc<dyn Clock>) -> Result<Self, OpenError> {
        let engine = match database.to_str().filter(|d| postgres::is_url(d)) {
            Some(url) => Engine::Postgres(postgres::Postgres::open(url, clock).await?),
            None => Engine::Sqlite(sqlite::Sqlite::open(database, clock).await?),
        };
        Ok(Self { engine })
    }

    /// The engine's name, for logs.
    pub fn engine(&self) -> &'static str {
        match &self.engine {
            Engine::Sqlite(_) => "sqlite",
            Engine::Postgres(_) => "postgres",
        }
    }

    /// The SQLite engine's handles, for tests and benches that look
    /// beneath the API; none on PostgreSQL.
    pub fn sqlite(&self) -> Option<&sqlite::Sqlite> {
        match &self.engine {
            Engine::Sqlite(db) => Some(db),
            Engine::Postgres(_) => None,
        }
    }

    /// Whether the database has no office yet.
    pub async fn is_empty(&self) -> crate::error::Result<bool> {
        match &self.engine {
            Engine::Sqlite(db) => seed::is_empty(&db.read).await,
            Engine::Postgres(db) => db.is_empty().await,
        }
    }

    /// Creates the demo office at `now` if the database has no office at
    /// all, and says whether it did. Users and devices get the secrets
    /// hashed in `keys`.
    pub async fn seed_demo(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        time_zone: String,
        hours: crate::config::DemoHours,
        keys: DemoKeys,
    ) -> crate::error::Result<bool> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            seed::demo_if_empty(conn, now, &time_zone, hours, &keys).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.seed_demo(now, &time_zone, hours, &keys).await,
        }
    }

    /// Whether the database answers a read.
    pub async fn ping(&self) -> crate::error::Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                sqlx::query("SELECT 1").execute(&db.read).await?;
            }
            Engine::Postgres(db) => {
                sqlx::query("SELECT 1").execute(&db.pool).await?;
            }
        }
        Ok(())
    }

    /// Finishes what was begun and closes the database.
    pub async fn close(&self) {
        match &self.engine {
            Engine::Sqlite(db) => db.close().await,
            Engine::Postgres(db) => db.close().await,
        }
    }
}

/// A time the database keeps as milliseconds since the epoch.
pub(crate) fn time(ms: i64) -> crate::error::Result<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| crate::error::Error::Internal(format!("bad time {ms}")))
}

/// A role as the database names it.
pub(crate) fn role(s: &str) -> crate::error::Result<layso_protocol::Role> {
    layso_protocol::Role::parse(s)
        .ok_or_else(|| crate::error::Error::Internal(format!("unknown role {s:?}")))
}

/// A device kind as the database names it.
pub(crate) fn kind(s: &str) -> crate::error::Result<layso_protocol::DeviceKind> {
    layso_protocol::DeviceKind::parse(s)
        .ok_or_else(|| crate::error::Error::Internal(format!("unknown device kind {s:?}")))
}
