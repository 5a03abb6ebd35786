//! The live event stream at `/api/v1/events` (a WebSocket of JSON text
//! frames): what the server sends, what a client sends back, and the query
//! a client connects with.
//!
//! A client first fetches `GET /api/v1/queue` (whose `seq` says how new it
//! is), then connects with `?after=<seq>` and applies every [`Event`] it
//! receives. Each event carries its office's sequence number from the event
//! log; a client that reconnects with the last `seq` it saw (an event's or a
//! heartbeat's) receives everything it missed, in order, before the live
//! events. When that is not possible it receives [`ServerMessage::Resync`]
//! and should fetch a fresh snapshot and connect again.

use crate::{CounterId, CounterState, OfficeId, Priority, ServiceId, ServiceQueueView, TicketId};
use crate::{TicketState, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The query string of `GET /api/v1/events`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventsQuery {
    /// Resume after this sequence number (the last one the client saw).
    /// Without it the stream starts with what happens next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    /// Only what happens at this counter: its ticket events and its own
    /// changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<CounterId>,
    /// Only this service's tickets and queue size (counter changes still
    /// come through).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<ServiceId>,
}

/// One frame from the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// The first frame of every stream.
    Hello(Hello),
    /// Something happened (from the event log).
    Event(Event),
    /// Waiting counts changed (or: here they are, after a hello).
    Queue(QueueSizes),
    /// Sent every `heartbeat_ms` whatever happens. `seq` is how far this
    /// stream has got: a client may resume after it.
    Heartbeat {
        /// Every event up to here was sent or did not match the filters.
        seq: u64,
    },
    /// The server cannot bring this client up to date by events: fetch
    /// `GET /api/v1/queue` and connect again after its `seq`. The server
    /// closes the stream after this frame.
    Resync {
        /// Why.
        reason: ResyncReason,
        /// The newest sequence number of the office's log.
        seq: u64,
    },
}

/// The first frame of a stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Hello {
    /// The office the stream follows.
    pub office_id: OfficeId,
    /// The newest sequence number in the office's log when the stream began.
    pub seq: u64,
    /// The server sends a heartbeat this often, and closes a stream whose
    /// client has sent nothing (a frame or a ping) for three times as long.
    pub heartbeat_ms: u64,
}

/// Why a client must fetch a fresh snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResyncReason {
    /// It missed more events than the server replays.
    TooFarBehind,
    /// It read too slowly and the server dropped events meant for it.
    Lagged,
    /// It asked to resume after a sequence number the log does not have
    /// (another database, or a restored backup).
    UnknownSeq,
}

/// One entry of the office's event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Event {
    /// Its place in the office's log: 1, 2, 3… with no gaps.
    pub seq: u64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The office.
    pub office_id: OfficeId,
    /// What changed.
    pub change: Change,
}

/// What an event changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A ticket took a step.
    Ticket(TicketChange),
    /// A counter opened, paused or closed.
    Counter(CounterChange),
    /// An admin changed the office's settings (its details, a service, a
    /// counter, a user or a device): clients read their snapshot again.
    /// Streams filtered by counter or service receive it too.
    Settings(SettingsChange),
}

/// What an admin changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SettingsChange {
    /// What: `office`, `service`, `counter`, `user` or `device`.
    pub what: String,
    /// The admin.
    pub user_id: Option<UserId>,
}

/// The step a ticket took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketStep {
    /// Issued at a kiosk.
    Issued,
    /// Called to a counter (the display shows and speaks it).
    Called,
    /// Called again (the display speaks it again).
    Recalled,
    /// The citizen arrived at the counter.
    Serving,
    /// Served.
    Done,
    /// The citizen did not come.
    NoShow,
    /// Back in the queue after a no-show.
    Reactivated,
    /// Moved to another service's queue.
    Transferred,
    /// Withdrawn.
    Cancelled,
    /// Left open at day close.
    Expired,
    /// Issued, but its kiosk could not print it (the state is unchanged;
    /// the reason says why).
    NotPrinted,
}

impl TicketStep {
    /// Every step.
    pub const ALL: [TicketStep; 11] = [
        Self::Issued,
        Self::Called,
        Self::Recalled,
        Self::Serving,
        Self::Done,
        Self::NoShow,
        Self::Reactivated,
        Self::Transferred,
        Self::Cancelled,
        Self::Expired,
        Self::NotPrinted,
    ];

    /// The name used on the wire and in the event log.
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
            Self::NotPrinted => "not_printed",
        }
    }

    /// Parses a name from [`TicketStep::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A ticket's step, with what a display needs to show and say it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketChange {
    /// The step.
    pub step: TicketStep,
    /// The ticket.
    pub ticket_id: TicketId,
    /// Its number as printed, e.g. `A007`.
    pub display_number: String,
    /// The service it waits for or was served in (the new one on transfer).
    pub service_id: ServiceId,
    /// Its priority class.
    pub priority: Priority,
    /// State before (none for an issue).
    pub from: Option<TicketState>,
    /// State after.
    pub to: TicketState,
    /// The counter involved, if any.
    pub counter_id: Option<CounterId>,
    /// That counter's number, read aloud in calls.
    pub counter_number: Option<u32>,
    /// The staff member who did it.
    pub user_id: Option<UserId>,
    /// Why, where a reason was given.
    pub reason: Option<String>,
}

/// A counter's change of state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CounterChange {
    /// The counter.
    pub counter_id: CounterId,
    /// Its number.
    pub counter_number: u32,
    /// State before.
    pub from: CounterState,
    /// State after.
    pub to: CounterState,
    /// The staff member who did it.
    pub user_id: Option<UserId>,
    /// Why (a pause's reason).
    pub reason: Option<String>,
}

/// Waiting counts of an office's services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueSizes {
    /// The office.
    pub office_id: OfficeId,
    /// The counts take in every event up to this sequence number.
    pub as_of: u64,
    /// One entry per active service (only the filtered one, if any).
    pub services: Vec<ServiceQueueView>,
}

/// One frame from a client. Any frame (or a WebSocket ping) counts as a
/// sign of life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// "Still here."
    Heartbeat,
}

#[cfg(test)]
mod tests {
    use super::*;

    // The wire shape clients in other languages (the web pages) rely on.
    #[test]
    fn a_call_reads_as_flat_tagged_json() {
        let event = ServerMessage::Event(Event {
            seq: 7,
            at: DateTime::from_timestamp_millis(0).unwrap(),
            office_id: OfficeId(1),
            change: Change::Ticket(TicketChange {
                step: TicketStep::Called,
                ticket_id: TicketId(3),
                display_number: "A003".into(),
                service_id: ServiceId(1),
                priority: Priority::None,
                from: Some(TicketState::Waiting),
                to: TicketState::Called,
                counter_id: Some(CounterId(2)),
                counter_number: Some(2),
                user_id: Some(UserId(2)),
                reason: None,
            }),
        });
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["type"], "event");
        assert_eq!(json["seq"], 7);
        assert_eq!(json["change"]["kind"], "ticket");
        assert_eq!(json["change"]["step"], "called");
        assert_eq!(json["change"]["counter_number"], 2);
        let back: ServerMessage = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }

    // Step names round-trip, so the server can read them from its log.
    #[test]
    fn steps_parse_back() {
        for step in TicketStep::ALL {
            assert_eq!(TicketStep::parse(step.as_str()), Some(step));
        }
        assert_eq!(TicketStep::parse("counter_opened"), None);
    }
}
