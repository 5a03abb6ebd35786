//! PostgreSQL below the seam: a pool shared by every request, each change
//! in a transaction of its own (several processes may share the database;
//! `layso-store-postgres` holds the SQL and says how each step stays safe
//! across them). The queue's rules are the same functions SQLite's side
//! calls (`rules/`).

mod accounts;
mod calls;
mod demo;
mod events;
mod issue;
mod reads;
mod setup;

use crate::clock::Clock;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::sync::Arc;
use std::time::Duration;

/// A PostgreSQL database.
#[derive(Clone)]
pub struct Postgres {
    /// Connections for reads and transactions.
    pub pool: PgPool,
    /// Where "now" comes from for changes.
    pub clock: Arc<dyn Clock>,
    /// Wakes the live pump after this process's commits.
    commits: Arc<tokio::sync::watch::Sender<i64>>,
}

/// The database could not be reached or migrated.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// PostgreSQL refused or did not answer.
    #[error("connecting to {url}: {source}")]
    Connect {
        /// The address, without its password.
        url: String,
        /// Why.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Whether `database` names a PostgreSQL server rather than a file.
pub fn is_url(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

/// `url` as logs and errors may show it: its password masked.
pub fn masked(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = &url[scheme + 3..at];
            let user = user.split(':').next().unwrap_or(user);
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

impl Postgres {
    /// Connects to `url` and applies `migrations/postgres`.
    pub async fn open(url: &str, clock: Arc<dyn Clock>) -> Result<Self, OpenError> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await
            .map_err(|source| OpenError::Connect {
                url: masked(url),
                source,
            })?;
        layso_store_postgres::MIGRATOR.run(&pool).await?;
        let (commits, _) = tokio::sync::watch::channel(0);
        Ok(Self {
            pool,
            clock,
            commits: Arc::new(commits),
        })
    }

    /// Wakes whoever follows the log: this process has committed a change.
    pub fn committed(&self) {
        self.commits.send_modify(|n| *n += 1);
    }

    /// A receiver of [`Postgres::committed`]'s wake-ups.
    pub fn commits(&self) -> tokio::sync::watch::Receiver<i64> {
        self.commits.subscribe()
    }

    /// Closes the pool.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::{is_url, masked};

    /// A URL's password never reaches a log line or an error; a path is
    /// not taken for a server.
    #[test]
    fn urls_are_told_apart_and_masked() {
        assert!(is_url("postgres://u:secret@db.tinh.vn:5432/layso"));
        assert!(is_url("postgresql://db/layso"));
        assert!(!is_url("layso.db"));
        assert!(!is_url("/var/lib/layso/postgres.db"));
        assert_eq!(
            masked("postgres://layso:s3cr@t@db:5432/layso?sslmode=require"),
            "postgres://layso:***@db:5432/layso?sslmode=require"
        );
        assert_eq!(masked("postgres://db/layso"), "postgres://db/layso");
    }
}
