//! SQLite's SQL, one module per part of the domain, and the single
//! writer every change goes through.
//!
//! **Architecture Invariant:** every change to the file is a job on the
//! [`Writer`]; reads go through the read-only pool and never write. One
//! writer makes numbering and call-next race-free, and lets one fsync
//! commit many tickets (group commit).

pub mod calls;
pub mod counters;
pub mod devices;
pub mod events;
pub mod issue;
pub mod office;
pub mod printers;
pub mod ratings;
pub mod reads;
pub mod seed;
pub mod services;
pub mod sessions;
pub mod steps;
pub mod tickets;
pub mod users;
pub mod writer;

pub use writer::Writer;

use crate::clock::Clock;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, SqliteConnection};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The migrations in `migrations/`, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// A SQLite file: a pool for reads, the one writer, and a checkpointer.
#[derive(Clone)]
pub struct Sqlite {
    /// Read-only connections for queries (WAL lets them run beside the writer).
    pub read: SqlitePool,
    /// The only way to change anything.
    pub writer: Writer,
    /// What call-next remembers of each counter.
    counter_zones: calls::CounterZones,
    /// The id of the event log's last row, as of the writer's last commit:
    /// changes when the log may have new rows.
    pub committed: tokio::sync::watch::Receiver<i64>,
    /// Stops the checkpointer on close, and its task to wait for.
    checkpointer: Arc<std::sync::Mutex<Option<Checkpointer>>>,
}

/// The background checkpoint task and how to stop it.
type Checkpointer = (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
);

/// How often the WAL is copied back into the database file. Often, so
/// that under sustained writes little is left for the writer's own
/// checkpoint once the WAL passes its limit (see `writer::WAL_LIMIT`):
/// with 500 ms that one took 30 ms and stalled eight counters' calls
/// (wrk p99 22 ms); with 50 ms, 2.4 ms at the median. A pass with nothing
/// to copy only reads the WAL's header.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(50);

/// The database could not be opened or migrated.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// SQLite refused the file.
    #[error("opening {path}: {source}")]
    Open {
        /// The file.
        path: String,
        /// Why.
        source: sqlx::Error,
    },
    /// A migration failed.
    #[error("migrating the database: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

fn options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        // 1 KiB pages (for a new file; an existing one keeps its own): an
        // issue commit dirties a page in each of a dozen indexes, and with
        // 4 KiB pages it wrote 20 KiB a ticket to the WAL and fsynced it.
        // Measured on a copy of a busy day's file, a commit of 4 tickets
        // took 433 µs instead of 681.
        .page_size(1024)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL for migrations and the checkpointer. The writer commits
        // with NORMAL and fsyncs the WAL itself before it answers a ticket
        // (see `writer`), so a ticket that got a response survives a
        // power cut.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        // Savepoint journals in memory, not in a temporary file per batch.
        .pragma("temp_store", "memory")
        .busy_timeout(Duration::from_secs(5))
        .log_statements(tracing::log::LevelFilter::Trace)
}

impl Sqlite {
    /// Opens (creating if needed) and migrates the file, and starts the writer.
    pub async fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Self, OpenError> {
        let open_err = |source| OpenError::Open {
            path: path.display().to_string(),
            source,
        };
        // No commit checkpoints: copying the WAL back into the file (and
        // its fsync) would land on whichever commit crossed the threshold.
        // A connection of its own does it in the background (it migrates
        // the file first); the writer only finishes the copy between
        // batches once the WAL passes `writer::WAL_LIMIT`.
        let writes = options(path)
            .pragma("wal_autocheckpoint", "0")
            .pragma("journal_size_limit", writer::WAL_LIMIT.to_string());
        let mut checkpoints = SqliteConnection::connect_with(&writes)
            .await
            .map_err(open_err)?;
        MIGRATOR.run(&mut checkpoints).await?;
        let (commits, committed) = tokio::sync::watch::channel(0);
        let writer = Writer::start(writes, clock, commits)
            .await
            .map_err(open_err)?;
        let read = SqlitePoolOptions::new()
            .max_connections(4)
            .min_connections(1)
            // A ping before each use would double the cost of a read; a
            // local file does not go away like a network peer.
            .test_before_acquire(false)
            .connect_with(options(path).read_only(true))
            .await
            .map_err(open_err)?;
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(checkpoint(checkpoints, stopped));
        Ok(Self {
            read,
            writer,
            counter_zones: calls::CounterZones::default(),
            committed,
            checkpointer: Arc::new(std::sync::Mutex::new(Some((stop, task)))),
        })
    }

    /// Calls the next ticket at a counter (see [`calls::call_next`]) and
    /// returns it once committed, as the display will show it.
    pub async fn call_next(
        &self,
        counter: layso_protocol::CounterId,
        finish_current: bool,
    ) -> crate::error::Result<Option<layso_protocol::TicketView>> {
        self.counter_zones
            .call_next(&self.writer, counter, finish_current)
            .await
    }

    /// Waits for the writer to finish what it was given, checkpoints, and
    /// closes the file.
    pub async fn close(&self) {
        self.writer.stop().await;
        self.read.close().await;
        let stop = self
            .checkpointer
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some((stop, task)) = stop {
            let _ = stop.send(());
            // The final checkpoint leaves one tidy file behind.
            let _ = task.await;
        }
    }
}

/// Copies the WAL back into the database file every [`CHECKPOINT_EVERY`]
/// without blocking the writer (PASSIVE), and fully when told to stop.
async fn checkpoint(mut conn: SqliteConnection, mut stop: tokio::sync::oneshot::Receiver<()>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tick.tick() => {
                if let Err(error) = sqlx::raw_sql("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut conn).await {
                    tracing::warn!(%error, "checkpoint failed; will retry");
                }
            }
            _ = &mut stop => break,
        }
    }
    if let Err(error) = sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut conn)
        .await
    {
        tracing::warn!(%error, "final checkpoint failed; the WAL stays beside the file");
    }
    close_quietly(conn).await;
}

/// Closes a connection, logging rather than failing: used on shutdown.
pub(crate) async fn close_quietly(conn: SqliteConnection) {
    if let Err(error) = conn.close().await {
        tracing::warn!(%error, "closing the writer connection");
    }
}
