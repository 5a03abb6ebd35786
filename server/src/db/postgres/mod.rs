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

use crate::caller::TokenHash;
use crate::clock::Clock;
use layso_store_postgres::sessions;
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
    /// The tokens any process ended lately, for this one's cache to forget.
    forgotten: tokio::sync::broadcast::Sender<Vec<TokenHash>>,
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

/// The channel on which processes tell each other that the log grew.
const CHANNEL: &str = "layso_log";

/// How often a process looks at the log without being told to: what
/// another process committed reaches this one's streams within this,
/// even if its notification was lost (a dropped listener connection, a
/// restart of PostgreSQL).
const POLL: Duration = Duration::from_secs(1);

/// Wakes this process's followers of the log when another process says it
/// committed (`LISTEN`), and every [`POLL`] whatever it hears, until the
/// database is closed; each time, passes on the tokens ended lately that
/// it has not passed on yet (`invalidations`).
async fn hear_others(
    pool: PgPool,
    commits: std::sync::Weak<tokio::sync::watch::Sender<i64>>,
    forgotten: tokio::sync::broadcast::Sender<Vec<TokenHash>>,
) {
    // Ids passed on, with when: rows are read back for a minute.
    let mut passed: std::collections::HashMap<i64, std::time::Instant> = Default::default();
    let wake = || match commits.upgrade() {
        Some(commits) => {
            commits.send_modify(|n| *n += 1);
            true
        }
        None => false,
    };
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut listener = None;
    loop {
        if listener.is_none() && !pool.is_closed() {
            match sqlx::postgres::PgListener::connect_with(&pool).await {
                Ok(mut l) => match l.listen(CHANNEL).await {
                    Ok(()) => listener = Some(l),
                    Err(error) => {
                        tracing::warn!(%error, "cannot listen for other processes' commits")
                    }
                },
                Err(error) => tracing::warn!(%error, "cannot listen for other processes' commits"),
            }
        }
        let heard = async {
            match listener.as_mut() {
                Some(l) => l.recv().await.map(|_| ()),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            heard = heard => {
                if let Err(error) = heard {
                    // The connection went away: the poll covers the gap,
                    // and the next pass listens again.
                    tracing::warn!(%error, "lost the listener of other processes' commits");
                    listener = None;
                }
            }
            _ = tick.tick() => {}
        }
        if pool.is_closed() || !wake() {
            return;
        }
        match sessions::invalidated_lately(&pool).await {
            Ok(rows) => {
                let now = std::time::Instant::now();
                passed.retain(|_, at| now.duration_since(*at) < 2 * INVALIDATIONS_KEPT);
                let new: Vec<TokenHash> = rows
                    .into_iter()
                    .filter(|(id, _)| passed.insert(*id, now).is_none())
                    .filter_map(|(_, hash)| hash.as_slice().try_into().ok())
                    .collect();
                if !new.is_empty() {
                    let _ = forgotten.send(new);
                }
            }
            Err(error) => tracing::warn!(%error, "cannot read the tokens other processes ended"),
        }
    }
}

/// How far back `invalidations` is read (`sessions::invalidated_lately`).
const INVALIDATIONS_KEPT: Duration = Duration::from_secs(60);

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
        let commits = Arc::new(commits);
        let (forgotten, _) = tokio::sync::broadcast::channel(64);
        tokio::spawn(hear_others(
            pool.clone(),
            Arc::downgrade(&commits),
            forgotten.clone(),
        ));
        Ok(Self {
            pool,
            clock,
            commits,
            forgotten,
        })
    }

    /// Wakes whoever follows the log, here and in every other process on
    /// the database: this process has committed a change.
    pub fn committed(&self) {
        self.commits.send_modify(|n| *n += 1);
        // Only a wake-up: a process that misses it reads the log at its
        // next poll (see `hear_others`).
        let pool = self.pool.clone();
        tokio::spawn(async move {
            if let Err(error) = sqlx::query("SELECT pg_notify($1, '')")
                .bind(CHANNEL)
                .execute(&pool)
                .await
            {
                tracing::debug!(%error, "could not tell other processes of a commit");
            }
        });
    }

    /// A receiver of [`Postgres::committed`]'s wake-ups.
    pub fn commits(&self) -> tokio::sync::watch::Receiver<i64> {
        self.commits.subscribe()
    }

    /// The tokens ended by any process on the database (this one's too),
    /// as they are heard of: at most a second after their commit.
    pub fn forgotten(&self) -> tokio::sync::broadcast::Receiver<Vec<TokenHash>> {
        self.forgotten.subscribe()
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
