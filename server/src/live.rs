//! The live side of the event log: one task (the pump) reads every new log
//! row after each commit and publishes it, serialized once, to every open
//! stream through one bounded broadcast channel.
//!
//! Streams never read the broadcast alone: a stream subscribes first, then
//! replays what it missed from the log itself, then skips live events it
//! already sent. A stream that falls more than `event_buffer` messages
//! behind (configuration; 8192 by default)
//! loses its place in the channel, and is told to resync rather than miss
//! anything silently; nothing a slow stream does holds up the pump or the
//! other streams.

use crate::calendar;
use crate::caller::TokenHash;
use crate::error::Result;
use axum::extract::ws::Utf8Bytes;
use chrono_tz::Tz;
use layso_protocol::{
    Change, CounterId, Event, OfficeId, QueueSizes, ServerMessage, ServiceId, ServiceQueueView,
    TicketState,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{broadcast, watch};

/// How many log rows the pump reads at a time.
const PAGE: u32 = 512;

/// One message for the streams, serialized once for all of them.
#[derive(Debug)]
pub struct Published {
    /// What it is about, for filtering and resuming.
    pub topic: Topic,
    /// The JSON text frame (empty for the streams' own signals).
    pub text: Utf8Bytes,
}

/// What a published message is about.
#[derive(Debug)]
pub enum Topic {
    /// A log event: its office, sequence number, counter and service.
    Event {
        /// The office whose log it is in.
        office: OfficeId,
        /// Its place in the office's log.
        seq: u64,
        /// The counter involved.
        counter: Option<CounterId>,
        /// The ticket's service (none for counter changes).
        service: Option<ServiceId>,
    },
    /// New waiting counts (kept whole, so that a stream following one
    /// service can send just that one).
    Queue(QueueSizes),
    /// A token stopped working: its streams close.
    Revoked(TokenHash),
    /// The server is shutting down: every stream closes.
    Shutdown,
}

/// A stream's filters (see `EventsQuery`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter {
    /// Only this counter.
    pub counter: Option<CounterId>,
    /// Only this service.
    pub service: Option<ServiceId>,
}

impl Filter {
    /// Whether a log event at `counter` about `service` passes.
    pub fn passes(&self, counter: Option<CounterId>, service: Option<ServiceId>) -> bool {
        // Settings concern everybody.
        if counter.is_none() && service.is_none() {
            return true;
        }
        let counter_ok = self.counter.is_none_or(|c| counter == Some(c));
        let service_ok = match (self.service, service) {
            (Some(s), Some(t)) => s == t,
            // Counter changes concern every service.
            _ => true,
        };
        counter_ok && service_ok
    }

    /// The waiting counts this stream shows.
    pub fn sizes(&self, sizes: &QueueSizes) -> QueueSizes {
        QueueSizes {
            services: sizes
                .services
                .iter()
                .filter(|s| self.service.is_none_or(|f| f == s.service_id))
                .cloned()
                .collect(),
            ..sizes.clone()
        }
    }
}

/// The streams' meeting point: the broadcast channel (which also carries
/// the signals that close streams: a revoked token, shutdown) and the count
/// of open streams. One channel means one registration per stream, however
/// many reasons it has to wake up.
#[derive(Debug)]
pub struct Hub {
    sender: broadcast::Sender<Arc<Published>>,
    streams: AtomicUsize,
    /// How often streams send heartbeats.
    pub heartbeat: Duration,
    /// The most events a reconnecting client is sent from the log; further
    /// behind, it must fetch a fresh snapshot.
    pub max_replay: u64,
}

impl Hub {
    /// A hub whose streams beat every `heartbeat`, may fall `buffer`
    /// messages behind before they must resync, and replay at most
    /// `max_replay` events to a client that reconnects.
    pub fn new(heartbeat: Duration, buffer: usize, max_replay: u64) -> Self {
        Self {
            sender: broadcast::channel(buffer.max(1)).0,
            streams: AtomicUsize::new(0),
            heartbeat,
            max_replay,
        }
    }

    /// Joins the broadcast. Hold the [`Subscription`] for as long as the
    /// stream is open: it is what the subscriber count counts.
    pub fn subscribe(self: &Arc<Self>) -> Subscription {
        self.streams.fetch_add(1, Ordering::Relaxed);
        Subscription {
            receiver: self.sender.subscribe(),
            hub: self.clone(),
        }
    }

    /// Open streams.
    pub fn streams(&self) -> usize {
        self.streams.load(Ordering::Relaxed)
    }

    /// Tells every stream to close (server shutdown).
    pub fn close_all(&self) {
        self.signal(Topic::Shutdown);
    }

    /// Closes the streams of tokens that stopped working.
    pub fn revoke(&self, keys: &[TokenHash]) {
        for key in keys {
            self.signal(Topic::Revoked(*key));
        }
    }

    fn signal(&self, topic: Topic) {
        // No receiver is fine: nobody is watching.
        let _ = self.sender.send(Arc::new(Published {
            topic,
            text: Utf8Bytes::default(),
        }));
    }

    fn publish(&self, topic: Topic, message: &ServerMessage) {
        match serde_json::to_string(message) {
            Ok(text) => {
                let _ = self.sender.send(Arc::new(Published {
                    topic,
                    text: text.into(),
                }));
            }
            Err(error) => tracing::error!(%error, "cannot serialize a live message"),
        }
    }
}

/// A stream's place in the broadcast.
pub struct Subscription {
    /// Published messages, oldest first.
    pub receiver: broadcast::Receiver<Arc<Published>>,
    hub: Arc<Hub>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.streams.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The frame text of a message.
pub fn frame(message: &ServerMessage) -> Utf8Bytes {
    serde_json::to_string(message)
        .unwrap_or_else(|_| "{}".to_owned())
        .into()
}

/// Whether a log event is a ticket's, and which counter and service it
/// concerns.
pub fn topic_of(event: &Event) -> Topic {
    let (counter, service) = match &event.change {
        Change::Ticket(t) => (t.counter_id, Some(t.service_id)),
        Change::Counter(c) => (Some(c.counter_id), None),
        Change::Settings(_) => (None, None),
    };
    Topic::Event {
        office: event.office_id,
        seq: event.seq,
        counter,
        service,
    }
}

/// The waiting counts of an office's services today, as of `seq`.
pub async fn queue_sizes(
    db: &crate::db::Db,
    zones: &mut HashMap<OfficeId, Tz>,
    office: OfficeId,
    now: chrono::DateTime<chrono::Utc>,
    seq: u64,
) -> Result<QueueSizes> {
    let zone = match zones.get(&office) {
        Some(zone) => *zone,
        None => {
            let zone = calendar::zone(&db.office(office).await?.time_zone)?;
            zones.insert(office, zone);
            zone
        }
    };
    let date = calendar::local(now, zone).date.to_string();
    Ok(QueueSizes {
        office_id: office,
        as_of: seq,
        services: db
            .lines(office, &date)
            .await?
            .into_iter()
            .map(|line| line.view)
            .collect(),
    })
}

/// The waiting counts are read at most this often (a seek per line in
/// `waiting_lines`, but a frame to every client): under a burst of issues,
/// once per burst, not per commit.
const COUNT_EVERY: Duration = Duration::from_millis(25);

/// Publishes every row the log gains, until the writer stops. After the
/// rows of one look, publishes the new waiting counts of each office whose
/// lines moved, if they changed (at most every [`COUNT_EVERY`]).
///
/// With no stream open it reads nothing: it only moves its place to the
/// log's end as the writer saw it after its commit. A stream that
/// subscribes after that commit finds everything up to there in the log
/// itself and everything after it from the pump.
pub async fn pump(
    hub: Arc<Hub>,
    db: crate::db::Db,
    clock: Arc<dyn crate::clock::Clock>,
    mut committed: watch::Receiver<i64>,
) {
    let mut cursor = read_retrying(|| db.log_end()).await;
    let mut zones = HashMap::new();
    let mut shown: HashMap<OfficeId, Vec<ServiceQueueView>> = HashMap::new();
    // Offices whose lines moved, with the seq their counts will be as of.
    let mut moved: HashMap<OfficeId, u64> = HashMap::new();
    let mut next_count = tokio::time::Instant::now();
    loop {
        tokio::select! {
            changed = committed.changed() => {
                if changed.is_err() {
                    return;
                }
            }
            () = tokio::time::sleep_until(next_count), if !moved.is_empty() => {}
        }
        if hub.streams() == 0 {
            cursor = match db.skip_to_end(cursor.clone(), &mut committed).await {
                Ok(end) => end,
                Err(error) => {
                    tracing::warn!(%error, "live events: cannot read the log's end; retrying");
                    cursor
                }
            };
            moved.clear();
            continue;
        }
        loop {
            let (rows, next) = read_retrying(|| db.follow(&cursor, PAGE)).await;
            cursor = next;
            let full = rows.len() == PAGE as usize;
            for logged in rows {
                let event = logged.event;
                if let Change::Ticket(ticket) = &event.change
                    && (ticket.from == Some(TicketState::Waiting)
                        || ticket.to == TicketState::Waiting)
                {
                    moved.insert(event.office_id, event.seq);
                }
                let topic = topic_of(&event);
                hub.publish(topic, &ServerMessage::Event(event));
            }
            if !full {
                break;
            }
        }
        let now = tokio::time::Instant::now();
        if moved.is_empty() || now < next_count {
            continue;
        }
        next_count = now + COUNT_EVERY;
        for (office, seq) in moved.drain() {
            match queue_sizes(&db, &mut zones, office, clock.now(), seq).await {
                Ok(sizes) if shown.get(&office) != Some(&sizes.services) => {
                    shown.insert(office, sizes.services.clone());
                    let message = ServerMessage::Queue(sizes.clone());
                    hub.publish(Topic::Queue(sizes), &message);
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "live events: cannot count the queue"),
            }
        }
    }
}

/// Runs a read of the log until it succeeds (a busy or locked file is
/// momentary), logging each failure.
async fn read_retrying<T, F, Fut>(read: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    loop {
        match read().await {
            Ok(value) => return value,
            Err(error) => {
                tracing::warn!(%error, "live events: cannot read the log; retrying");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}
