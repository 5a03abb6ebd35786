//! The single writer: one connection, one thread, group commit.
//!
//! Handlers hand the writer jobs (async closures over the connection) and
//! issue requests. The writer takes everything waiting in its channel, up
//! to [`MAX_BATCH`], and runs it in one transaction: all issue requests
//! together through [`issue::issue_many`] (a fixed handful of statements for
//! any number of tickets), then each job in its own savepoint. It commits
//! once; nobody is answered before the commit. A job that fails is rolled
//! back to its savepoint alone and answers with its error; the others still
//! commit.
//!
//! Every statement is a round trip to the SQLite thread sqlx keeps for the
//! connection, so the writer folds the savepoint bookkeeping into as few
//! statements as it can, and runs on a thread of its own that shares one
//! CPU with that SQLite thread: on a virtual machine a round trip between
//! two CPUs costs about 45 µs, on one CPU about 5 (see [`share_one_cpu`]).
//!
//! Each request says how durable its answer must be ([`Durability`]). The
//! writer's commits put a batch in the WAL without waiting for the disk
//! (`synchronous=NORMAL`); the batch then goes to the answering thread
//! ([`answer`]), which answers batches in commit order and, before it
//! answers a batch holding a ticket issue or any other
//! [`Durability::Synced`] write, fsyncs the WAL: one fsync for every batch
//! committed since the last. Meanwhile the writer runs the next batch, so
//! the disk's time and the writer's overlap (pipelined group commit). A
//! batch of counter work alone (calls, starts, finishes, counter states)
//! is answered without an fsync of its own: it survives the server being
//! killed, and reaches the platter with the next synced batch or the
//! checkpointer's next pass (every 50 ms), whichever comes first.

use super::issue::{self, IssueCommand, Zones};
use crate::clock::Clock;
use crate::db::tickets::Issued;
use crate::error::{Error, Result};
use sqlx::sqlite::{SqliteConnectOptions, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::{mpsc, oneshot, watch};

/// The most requests committed together.
pub const MAX_BATCH: usize = 512;

/// How many requests may wait for the writer before callers wait to enqueue.
const QUEUE: usize = 4096;

/// A boxed future borrowing the connection for `'c`.
pub type BoxFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// Sends a job's result to its caller; called only once the batch is
/// durable (or for a failed job, whose result does not depend on it).
/// Dropping it unsent tells the caller the write failed.
type Finish = Box<dyn FnOnce() + Send>;

type Job =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, (bool, Finish)> + Send>;

type IssueReply = oneshot::Sender<Result<Issued>>;

/// How durable a write must be before its caller is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// On disk (fsynced): it survives a power cut. Tickets, accounts,
    /// settings: anything a person cannot simply do again.
    Synced,
    /// Committed to the WAL: it survives the server being killed, and is
    /// fsynced within about 50 ms (see the module comment). A power
    /// cut in that moment can undo the last counter work (a call, a
    /// finish), which staff see and redo; never a ticket.
    Logged,
}

enum Message {
    Job(Job, Durability),
    Issue(IssueCommand, IssueReply),
    Stop(oneshot::Sender<()>),
}

/// A handle to the writer; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    sender: mpsc::Sender<Message>,
    /// The time source jobs started here read.
    clock: Arc<dyn Clock>,
}

impl Writer {
    /// Starts the writer on its own thread, over a connection it opens with
    /// `options` to a migrated file, and returns once the connection is
    /// open. After each commit, `committed` holds the id of the event log's
    /// last row, so that readers of the log (the live stream) know when and
    /// how far to look for new rows.
    ///
    /// The thread runs the writer's loop on a runtime of its own, which
    /// runs nothing else; sqlx starts the connection's SQLite thread from
    /// it, so that the two share one CPU (see [`share_one_cpu`]).
    pub async fn start(
        options: SqliteConnectOptions,
        clock: Arc<dyn Clock>,
        committed: watch::Sender<i64>,
    ) -> Result<Self, sqlx::Error> {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let (opened, open) = oneshot::channel();
        let jobs_clock = clock.clone();
        std::thread::Builder::new()
            .name("layso-writer".into())
            .spawn(move || {
                share_one_cpu();
                let runtime = match tokio::runtime::Builder::new_current_thread().build() {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = opened.send(Err(sqlx::Error::Io(error)));
                        return;
                    }
                };
                let mut wal = options.get_filename().as_os_str().to_owned();
                wal.push("-wal");
                // Commits only reach the WAL; `answer` fsyncs it.
                let options = options.synchronous(SqliteSynchronous::Normal);
                runtime.block_on(async move {
                    match SqliteConnection::connect_with(&options).await {
                        Ok(conn) => {
                            let _ = opened.send(Ok(()));
                            run(conn, receiver, jobs_clock, committed, wal.into()).await;
                        }
                        Err(error) => {
                            let _ = opened.send(Err(error));
                        }
                    }
                });
            })
            .map_err(sqlx::Error::Io)?;
        open.await.map_err(|_| sqlx::Error::WorkerCrashed)??;
        Ok(Self { sender, clock })
    }

    /// The time source the writer's jobs read.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    /// Runs `job` inside the writer's transaction and returns its result once
    /// it is committed and on disk. The job must not begin or end transactions.
    pub async fn write<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        self.write_as(Durability::Synced, job).await
    }

    /// Runs `job` like [`Writer::write`], answering once it is as durable
    /// as `durability` asks.
    pub async fn write_as<T, F>(&self, durability: Durability, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let result = job(conn).await;
                let ok = result.is_ok();
                (ok, answer_later(reply, result))
            })
        });
        self.send(Message::Job(job, durability)).await?;
        answer.await.map_err(|_| not_committed())?
    }

    /// Issues a ticket (batched with every other issue waiting) and returns
    /// it once it is committed and on disk.
    pub async fn issue(&self, cmd: IssueCommand) -> Result<Issued> {
        let (reply, answer) = oneshot::channel();
        self.send(Message::Issue(cmd, reply)).await?;
        answer.await.map_err(|_| not_committed())?
    }

    /// How many requests wait for the writer (not counting the batch it is
    /// running).
    pub fn queued(&self) -> usize {
        self.sender.max_capacity() - self.sender.capacity()
    }

    async fn send(&self, message: Message) -> Result<()> {
        self.sender
            .send(message)
            .await
            .map_err(|_| Error::Internal("the database writer has stopped".into()))
    }

    /// Finishes the requests already queued, then closes the connection.
    pub async fn stop(&self) {
        let (ack, done) = oneshot::channel();
        if self.sender.send(Message::Stop(ack)).await.is_ok() {
            let _ = done.await;
        }
    }
}

/// The [`Finish`] that sends `result` to the caller once the batch commits.
fn answer_later<T: Send + 'static>(reply: oneshot::Sender<T>, result: T) -> Finish {
    Box::new(move || {
        // The caller may have gone (client hung up); the write stands.
        let _ = reply.send(result);
    })
}

/// Keeps the calling thread, and the threads it starts from now on, on one
/// CPU (the last it may use), if it may use more than one.
///
/// The writer and SQLite's thread hand each statement back and forth, and a
/// call-next makes eight such hand-offs. On two CPUs each one wakes a CPU
/// that went idle: on a virtual machine whose idle CPUs halt (no polling),
/// that takes about 20 µs, against a few µs for a switch on the same CPU.
/// Measured here with `SELECT 1` through sqlx: 45 µs a round trip across
/// CPUs, 5 µs on one. A server with more cores loses nothing by it: the two
/// threads never run at the same time.
fn share_one_cpu() {
    #[cfg(target_os = "linux")]
    // SAFETY: `set` is a plain bit set of the size passed; the calls read or
    // write only it and the calling thread's own scheduling settings.
    unsafe {
        let size = std::mem::size_of::<libc::cpu_set_t>();
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        if libc::sched_getaffinity(0, size, &mut set) != 0 || libc::CPU_COUNT(&set) < 2 {
            return;
        }
        let Some(last) = (0..libc::CPU_SETSIZE as usize)
            .rev()
            .find(|&cpu| libc::CPU_ISSET(cpu, &set))
        else {
            return;
        };
        let mut one: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(last, &mut one);
        if libc::sched_setaffinity(0, size, &one) != 0 {
            tracing::debug!("the writer could not keep to one CPU");
        }
    }
}

fn not_committed() -> Error {
    Error::Internal("the write was not committed".into())
}

/// Everything taken from the channel for one transaction.
#[derive(Default)]
struct Batch {
    issues: Vec<(IssueCommand, IssueReply)>,
    jobs: Vec<Job>,
    /// Whether some job asked for [`Durability::Synced`].
    synced_job: bool,
}

impl Batch {
    fn len(&self) -> usize {
        self.issues.len() + self.jobs.len()
    }

    /// How durable the batch's commit must be: as its most demanding
    /// request (an issued ticket always is synced).
    fn durability(&self) -> Durability {
        if self.synced_job || !self.issues.is_empty() {
            Durability::Synced
        } else {
            Durability::Logged
        }
    }
}

async fn run(
    mut conn: SqliteConnection,
    mut receiver: mpsc::Receiver<Message>,
    clock: Arc<dyn Clock>,
    committed: watch::Sender<i64>,
    wal: std::path::PathBuf,
) {
    let (answers, answering) = std::sync::mpsc::channel();
    let committed = Arc::new(committed);
    // Batches sent to the answering thread and not answered yet.
    let queued = Arc::new(AtomicUsize::new(0));
    let answerer = {
        let (wal, committed, queued) = (wal.clone(), committed.clone(), queued.clone());
        std::thread::Builder::new()
            .name("layso-answer".into())
            .spawn(move || answer(answering, &wal, &committed, &queued))
    };
    let answerer = match answerer {
        Ok(thread) => thread,
        Err(error) => {
            // Without it nobody could be answered: every caller is told.
            tracing::error!(%error, "the writer could not start its answering thread");
            super::close_quietly(conn).await;
            return;
        }
    };
    let mut last_size = 0;
    let mut last_checkpoint = std::time::Instant::now();
    let mut zones = Zones::default();
    let mut stop = None;
    while let Some(first) = receiver.recv().await {
        if last_size > 1 {
            gather(&receiver, last_size);
        }
        let mut batch = Batch::default();
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Job(job, durability) => {
                    batch.synced_job |= durability == Durability::Synced;
                    batch.jobs.push(job);
                }
                Message::Issue(cmd, reply) => batch.issues.push((cmd, reply)),
                Message::Stop(ack) => {
                    stop = Some(ack);
                    break;
                }
            }
            if batch.len() < MAX_BATCH {
                next = receiver.try_recv().ok();
            }
        }
        last_size = batch.len();
        if batch.len() > 0 {
            let size = batch.len();
            let started = std::time::Instant::now();
            let synced = batch.durability() == Durability::Synced;
            match run_batch(&mut conn, &mut zones, batch, clock.as_ref()).await {
                Ok((log_end, finishes)) => {
                    let batch = Committed {
                        synced,
                        log_end,
                        finishes,
                    };
                    if !synced && queued.load(Ordering::Acquire) == 0 {
                        // Nothing before it waits for the disk: answered
                        // here, without waking another thread.
                        batch.answer(&committed);
                    } else {
                        queued.fetch_add(1, Ordering::AcqRel);
                        // The thread outlives this loop, so the send succeeds.
                        let _ = answers.send(batch);
                    }
                }
                Err(error) => {
                    tracing::error!(%error, size, "a write batch failed; its callers were told");
                }
            }
            tracing::debug!(
                size,
                micros = started.elapsed().as_micros() as u64,
                "batch committed"
            );
            checkpoint_if_long(&mut conn, &wal, &mut last_checkpoint).await;
        }
        if stop.is_some() {
            break;
        }
    }
    // Everything committed is answered before the connection closes.
    drop(answers);
    if answerer.join().is_err() {
        tracing::error!("the writer's answering thread panicked");
    }
    super::close_quietly(conn).await;
    if let Some(ack) = stop {
        let _ = ack.send(());
    }
}

/// A committed batch on its way to its callers.
struct Committed {
    /// Whether its callers wait for the WAL to be fsynced.
    synced: bool,
    /// The id of the event log's last row once it committed.
    log_end: i64,
    finishes: Vec<Finish>,
}

impl Committed {
    /// Wakes the log's readers and answers the callers.
    fn answer(self, committed: &watch::Sender<i64>) {
        committed.send_replace(self.log_end);
        for finish in self.finishes {
            finish();
        }
    }
}

/// Answers committed batches in the order they committed, on a thread of
/// its own (the writer answers a batch itself when it needs no fsync and
/// none is queued here). Before the first batch that must be [`Durability::Synced`] it
/// fsyncs the WAL, which makes every batch committed until then durable,
/// so it answers them all after that one fsync. The log's readers are
/// woken at the same moment as the batch's callers: a display hears of a
/// ticket once it is as durable as the kiosk's answer.
///
/// If the fsync fails, the synced batches' callers are told their write
/// failed (their finishes are dropped). What they wrote may still be in
/// the file: a kiosk that retries with the same idempotency key gets its
/// ticket back.
fn answer(
    batches: std::sync::mpsc::Receiver<Committed>,
    wal: &std::path::Path,
    committed: &watch::Sender<i64>,
    queued: &AtomicUsize,
) {
    while let Ok(first) = batches.recv() {
        let mut synced: Option<bool> = None;
        for batch in std::iter::once(first).chain(batches.try_iter()) {
            if batch.synced && synced.is_none() {
                let started = std::time::Instant::now();
                let result = sync(wal);
                tracing::debug!(micros = started.elapsed().as_micros() as u64, "wal fsynced");
                if let Err(error) = &result {
                    tracing::error!(%error, "the WAL could not be fsynced; its writers were told");
                }
                synced = Some(result.is_ok());
            }
            if !batch.synced || synced == Some(true) {
                batch.answer(committed);
            } else {
                committed.send_replace(batch.log_end);
            }
            queued.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// Puts the WAL's written frames on disk. The file is opened anew each
/// time (a few µs beside the fsync), so that it is always the WAL SQLite
/// writes now, and `fdatasync` applies to the file, whichever descriptor
/// asks.
fn sync(wal: &std::path::Path) -> std::io::Result<()> {
    std::fs::File::open(wal)?.sync_data()
}

/// The WAL's size past which the writer copies it back itself. The
/// writer's connection also has it as `journal_size_limit`, so the file is
/// cut back to it when it starts over, and is longer only when the frames
/// written since reach past it.
pub const WAL_LIMIT: u64 = 16 << 20;

/// The least time between two of the writer's checkpoints (should readers
/// keep one from completing, the next batches do not each try again).
const WRITER_CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(200);

/// Copies the WAL back into the file (PASSIVE) when it has grown past
/// [`WAL_LIMIT`], after the batch's callers were answered. The background
/// checkpointer does this when writes pause, but under sustained load it
/// never catches up: frames keep coming while it copies, so SQLite never
/// starts the WAL over, and it grew by 57 MB a second (a wrk issue run),
/// each commit appending to a longer file, whose fsync costs more than
/// one over blocks already written (263 against 161 µs for 64 KiB here).
/// Done between batches by the only writer, the copy completes and the
/// next commit starts the WAL from its beginning. The background
/// checkpointer has copied all but the last few dozen milliseconds, so
/// this pass is short (wrk, 8 counters: 2.4 ms median, 9.6 ms at most).
async fn checkpoint_if_long(
    conn: &mut SqliteConnection,
    wal: &std::path::Path,
    last: &mut std::time::Instant,
) {
    if last.elapsed() >= WRITER_CHECKPOINT_EVERY
        && std::fs::metadata(wal).is_ok_and(|m| m.len() > WAL_LIMIT)
    {
        let started = std::time::Instant::now();
        *last = started;
        if let Err(error) = exec(conn, "PRAGMA wal_checkpoint(PASSIVE)").await {
            tracing::warn!(%error, "the writer's checkpoint failed");
        }
        tracing::debug!(
            micros = started.elapsed().as_micros() as u64,
            "writer checkpoint"
        );
    }
}

/// Under load, the callers answered by the last batch come back at about
/// the same moment. Taking the first of them alone makes batches of 1, 7,
/// 1, 7 and pays a commit for the lone one; so, after a batch of
/// `expected` > 1, the writer naps in short steps (leaving the CPU to
/// whoever has work) until about as many are waiting again, for at most
/// [`GATHER_FOR`].
fn gather(receiver: &mpsc::Receiver<Message>, expected: usize) {
    let deadline = std::time::Instant::now() + GATHER_FOR;
    while receiver.len() + 1 < expected && std::time::Instant::now() < deadline {
        std::thread::sleep(GATHER_STEP);
    }
}

/// The longest [`gather`] waits: less than a commit costs.
const GATHER_FOR: std::time::Duration = std::time::Duration::from_micros(300);

/// One nap of [`gather`]; the kernel adds its timer slack (about 50 µs).
const GATHER_STEP: std::time::Duration = std::time::Duration::from_micros(20);

async fn exec(conn: &mut SqliteConnection, sql: &'static str) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(sql).execute(conn).await.map(|_| ())
}

/// Runs one batch in one transaction and commits it; returns the event
/// log's last id and the callers' answers, to be sent once the batch is as
/// durable as they asked. On any failure of the transaction itself, every
/// reply is dropped, so every caller gets an error.
async fn run_batch(
    conn: &mut SqliteConnection,
    zones: &mut Zones,
    batch: Batch,
    clock: &dyn Clock,
) -> Result<(i64, Vec<Finish>), sqlx::Error> {
    let mut finishes: Vec<Finish> = Vec::with_capacity(batch.len());
    exec(conn, "BEGIN IMMEDIATE; SAVEPOINT step").await?;
    let mut steps = Steps::default();
    let outcome = unwind_safe(async {
        if !batch.issues.is_empty() {
            issue_all(conn, zones, batch.issues, clock, &mut steps, &mut finishes).await?;
        }
        for job in batch.jobs {
            steps.next(conn).await?;
            let (ok, finish) = job(conn).await;
            steps.end(ok);
            finishes.push(finish);
        }
        steps.commit(conn).await
    })
    .await
    // A panicking job (a bug) must not take the writer, and with it every
    // later request, down: its batch is rolled back like a failed one.
    .unwrap_or_else(|_| Err(sqlx::Error::Protocol("a write job panicked".into())));
    match outcome {
        Ok(log_end) => Ok((log_end, finishes)),
        Err(error) => {
            let _ = exec(conn, "ROLLBACK").await;
            Err(error)
        }
    }
}

/// The savepoint `step` around each step of a batch. Ending a step
/// (keeping or undoing it) is sent together with what comes next, the next
/// step's savepoint or the commit: one round trip instead of two.
#[derive(Default)]
struct Steps {
    /// How the last step ended, if its savepoint is not closed yet.
    ended: Option<bool>,
}

impl Steps {
    /// Closes the previous step, if any, and opens a fresh savepoint.
    async fn next(&mut self, conn: &mut SqliteConnection) -> Result<(), sqlx::Error> {
        match self.ended.take() {
            None => Ok(()),
            Some(true) => exec(conn, "RELEASE step; SAVEPOINT step").await,
            Some(false) => exec(conn, "ROLLBACK TO step; RELEASE step; SAVEPOINT step").await,
        }
    }

    /// Records how a step ended: kept (`true`) or to be undone.
    fn end(&mut self, kept: bool) {
        self.ended = Some(kept);
    }

    /// Closes the last step and commits the batch; returns the id of the
    /// event log's last row, read in the same round trip.
    async fn commit(self, conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
        let sql = if self.ended == Some(false) {
            "ROLLBACK TO step; RELEASE step; SELECT COALESCE(MAX(id), 0) FROM events; COMMIT"
        } else {
            "RELEASE step; SELECT COALESCE(MAX(id), 0) FROM events; COMMIT"
        };
        // All of it, to be sure the COMMIT after the row runs.
        let rows = sqlx::raw_sql(sql).fetch_all(&mut *conn).await?;
        let row = rows.first().ok_or(sqlx::Error::RowNotFound)?;
        sqlx::Row::try_get(row, 0)
    }
}

/// Runs a future, turning a panic while polling it into an `Err`.
async fn unwind_safe<F: Future>(future: F) -> std::thread::Result<F::Output> {
    let mut future = std::pin::pin!(future);
    std::future::poll_fn(move |cx| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(std::task::Poll::Ready(v)) => std::task::Poll::Ready(Ok(v)),
            Ok(std::task::Poll::Pending) => std::task::Poll::Pending,
            Err(panic) => std::task::Poll::Ready(Err(panic)),
        }
    })
    .await
}

/// Issues all requests of the batch together; if that fails as a whole
/// (it should not), falls back to one savepoint per request so that one bad
/// request cannot sink the others.
async fn issue_all(
    conn: &mut SqliteConnection,
    zones: &mut Zones,
    issues: Vec<(IssueCommand, IssueReply)>,
    clock: &dyn Clock,
    steps: &mut Steps,
    finishes: &mut Vec<Finish>,
) -> Result<(), sqlx::Error> {
    let now = clock.now();
    let (cmds, replies): (Vec<_>, Vec<_>) = issues.into_iter().unzip();
    steps.next(conn).await?;
    match issue::issue_many(conn, zones, now, &cmds).await {
        Ok(results) => {
            steps.end(true);
            for (result, reply) in results.into_iter().zip(replies) {
                finishes.push(answer_later(reply, result));
            }
        }
        Err(error) => {
            tracing::warn!(%error, size = cmds.len(), "batched issue failed; issuing one by one");
            // Undo the batch but keep its savepoint open for the first request.
            exec(conn, "ROLLBACK TO step").await?;
            for (cmd, reply) in cmds.into_iter().zip(replies) {
                steps.next(conn).await?;
                let result = issue::issue(conn, zones, now, cmd).await;
                steps.end(result.is_ok());
                finishes.push(answer_later(reply, result));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::clock::SystemClock;
    use crate::db::Db;
    use std::sync::Arc;

    // A job that panics fails alone, rolls back what it wrote, and the
    // writer goes on serving.
    #[tokio::test]
    async fn a_panicking_job_does_not_stop_the_writer() {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = Db::open(&dir.path().join("w.db"), Arc::new(SystemClock))
            .await
            .expect("open");
        let wrote = db
            .sqlite().expect("SQLite")
            .writer
            .write(|conn| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO offices (code, name, time_zone, created_at) VALUES ('x', 'x', 'UTC', 0)")
                        .execute(&mut *conn)
                        .await?;
                    if std::hint::black_box(true) {
                        panic!("a bug in a job");
                    }
                    Ok(())
                })
            })
            .await;
        assert!(wrote.is_err());
        let offices = db
            .sqlite()
            .expect("SQLite")
            .writer
            .write(|conn| {
                Box::pin(async move {
                    Ok(sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM offices")
                        .fetch_one(&mut *conn)
                        .await?)
                })
            })
            .await
            .expect("the writer still answers");
        assert_eq!(offices, 0, "the panicking job's insert was rolled back");
        db.close().await;
    }
}
