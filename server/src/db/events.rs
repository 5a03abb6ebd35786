//! The append-only event log: one row per ticket transition or counter
//! change, numbered per office without gaps. Ticket rows are written by
//! the database's triggers (see `tickets.rs`); counter rows by [`append`].

use crate::error::Result;
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, OfficeId, UserId};
use sqlx::SqliteConnection;

/// What happened, as stored in `events.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A ticket was issued.
    Issued,
    /// A ticket was called to a counter (first call, by call-next or by number).
    Called,
    /// A called ticket was called again.
    Recalled,
    /// The citizen arrived at the counter.
    Serving,
    /// Service finished.
    Done,
    /// The citizen did not come.
    NoShow,
    /// A no-show ticket went back to the queue.
    Reactivated,
    /// The ticket moved to another service's queue.
    Transferred,
    /// Staff withdrew the ticket.
    Cancelled,
    /// The day closed with the ticket still open.
    Expired,
    /// A counter opened.
    CounterOpened,
    /// A counter paused.
    CounterPaused,
    /// A counter closed.
    CounterClosed,
}

impl EventKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Called => "called",
            Self::Recalled => "recalled",
            Self::Serving => "serving",
            Self::Done => "done",
            Self::NoShow => "no_show",
            Self::Reactivated => "reactivated",
            Self::Transferred => "transferred",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::CounterOpened => "counter_opened",
            Self::CounterPaused => "counter_paused",
            Self::CounterClosed => "counter_closed",
        }
    }
}

/// One counter event to append.
#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    /// The office whose sequence it takes.
    pub office: OfficeId,
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: EventKind,
    /// The counter.
    pub counter: CounterId,
    /// Who did it.
    pub user: Option<UserId>,
    /// State before.
    pub from_state: &'a str,
    /// State after.
    pub to_state: &'a str,
    /// Why, where a reason was given.
    pub reason: Option<&'a str>,
}

/// Appends the event with the office's next sequence number and returns it.
/// Runs inside the writer's transaction, so the number has no gaps.
pub async fn append(conn: &mut SqliteConnection, event: &NewEvent<'_>) -> Result<i64> {
    let office = event.office.0;
    let at = event.at.timestamp_millis();
    let kind = event.kind.as_str();
    let counter = event.counter.0;
    let user = event.user.map(|u| u.0);
    let seq = sqlx::query_scalar!(
        r#"INSERT INTO events (office_id, seq, at, kind, counter_id, user_id, from_state, to_state, reason)
           VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE office_id = ?1),
                   ?2, ?3, ?4, ?5, ?6, ?7, ?8)
           RETURNING seq AS "seq!: i64""#,
        office,
        at,
        kind,
        counter,
        user,
        event.from_state,
        event.to_state,
        event.reason,
    )
    .fetch_one(conn)
    .await?;
    Ok(seq)
}
