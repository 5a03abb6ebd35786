//! The single writer: one connection, one task, group commit.
//!
//! Handlers hand the writer a job (an async closure over the connection).
//! The writer takes every job waiting in its channel, up to [`MAX_BATCH`],
//! runs each in its own savepoint inside one transaction, commits once, and
//! only then answers them all. A job that fails is rolled back to its
//! savepoint alone and answers with its error; the others still commit.
//! Under load this turns one fsync per ticket into one fsync per batch.

use crate::error::{Error, Result};
use sqlx::SqliteConnection;
use std::future::Future;
use std::pin::Pin;
use tokio::sync::{mpsc, oneshot};

/// The most jobs committed together.
pub const MAX_BATCH: usize = 256;

/// How many jobs may wait for the writer before callers wait to enqueue.
const QUEUE: usize = 4096;

/// A boxed future borrowing the connection for `'c`.
pub type BoxFuture<'c, T> = Pin<Box<dyn Future<Output = T> + Send + 'c>>;

/// Sends a job's result to its caller; called only once the batch is
/// durable (or for a failed job, whose result does not depend on it).
/// Dropping it unsent tells the caller the write failed.
type Finish = Box<dyn FnOnce() + Send>;

type Job =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, (bool, Finish)> + Send>;

enum Message {
    Job(Job),
    Stop(oneshot::Sender<()>),
}

/// A handle to the writer task; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    sender: mpsc::Sender<Message>,
}

impl Writer {
    /// Starts the writer task on an open, migrated connection.
    pub fn start(conn: SqliteConnection) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(run(conn, receiver));
        Self { sender }
    }

    /// Runs `job` inside the writer's transaction and returns its result once
    /// it is committed to disk. The job must not begin or end transactions.
    pub async fn write<T, F>(&self, job: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |conn| {
            Box::pin(async move {
                let result = job(conn).await;
                let ok = result.is_ok();
                let finish: Finish = Box::new(move || {
                    // The caller may have gone (client hung up); the write stands.
                    let _ = reply.send(result);
                });
                (ok, finish)
            })
        });
        self.sender
            .send(Message::Job(job))
            .await
            .map_err(|_| Error::Internal("the database writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| Error::Internal("the write was not committed".into()))?
    }

    /// Finishes the jobs already queued, then closes the connection.
    pub async fn stop(&self) {
        let (ack, done) = oneshot::channel();
        if self.sender.send(Message::Stop(ack)).await.is_ok() {
            let _ = done.await;
        }
    }
}

async fn run(mut conn: SqliteConnection, mut receiver: mpsc::Receiver<Message>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = receiver.recv().await {
        let mut stop = None;
        match first {
            Message::Job(job) => batch.push(job),
            Message::Stop(ack) => stop = Some(ack),
        }
        while stop.is_none() && batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(Message::Job(job)) => batch.push(job),
                Ok(Message::Stop(ack)) => stop = Some(ack),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            let size = batch.len();
            if let Err(error) = run_batch(&mut conn, &mut batch).await {
                tracing::error!(%error, size, "a write batch failed; its callers were told");
            }
            batch.clear();
        }
        if let Some(ack) = stop {
            super::close_quietly(conn).await;
            let _ = ack.send(());
            return;
        }
    }
    super::close_quietly(conn).await;
}

async fn exec(conn: &mut SqliteConnection, sql: &'static str) -> Result<(), sqlx::Error> {
    sqlx::raw_sql(sql).execute(conn).await.map(|_| ())
}

/// Runs one batch in one transaction. On any failure of the transaction
/// itself, every job's `Finish` is dropped, so every caller gets an error.
async fn run_batch(conn: &mut SqliteConnection, batch: &mut Vec<Job>) -> Result<(), sqlx::Error> {
    exec(conn, "BEGIN IMMEDIATE").await?;
    let mut finishes = Vec::with_capacity(batch.len());
    for job in batch.drain(..) {
        let step = async {
            exec(conn, "SAVEPOINT job").await?;
            let (ok, finish) = job(conn).await;
            if ok {
                exec(conn, "RELEASE job").await?;
            } else {
                exec(conn, "ROLLBACK TO job").await?;
                exec(conn, "RELEASE job").await?;
            }
            Ok::<_, sqlx::Error>(finish)
        };
        match step.await {
            Ok(finish) => finishes.push(finish),
            Err(error) => {
                let _ = exec(conn, "ROLLBACK").await;
                return Err(error);
            }
        }
    }
    if let Err(error) = exec(conn, "COMMIT").await {
        let _ = exec(conn, "ROLLBACK").await;
        return Err(error);
    }
    for finish in finishes {
        finish();
    }
    Ok(())
}
