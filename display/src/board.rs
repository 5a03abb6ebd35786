//! The board as a plain value: what the hall display shows, changed only
//! by [`Input`]s (a snapshot, a frame of the event stream, the link going
//! down), each of which may ask for [`Effect`]s (say a call; reconnect;
//! fetch a fresh snapshot). No window, no network, no clock of its own:
//! tested by feeding it sequences of events.

use chrono::{DateTime, Utc};
use layso_protocol::{
    Change, CounterId, CounterState, QueueSnapshot, ServerMessage, ServiceId, ServicesResponse,
    TicketId, TicketStep,
};
use std::collections::VecDeque;
use std::time::Duration;

/// How many calls the board lists besides the newest.
pub const RECENT: usize = 6;

/// How long the newest call flashes.
pub const FLASH: Duration = Duration::from_secs(6);

/// A ticket called to a counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The event's place in the office's log.
    pub seq: u64,
    /// The ticket.
    pub ticket_id: TicketId,
    /// Its number as printed (`1005`, `A007`).
    pub number: String,
    /// Where to go.
    pub counter_number: u32,
    /// When the server called it.
    pub at: DateTime<Utc>,
    /// Whether this is a call again.
    pub recall: bool,
}

/// A counter's line on the board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterLine {
    /// The counter.
    pub id: CounterId,
    /// Its number.
    pub number: u32,
    /// Its name.
    pub name: String,
    /// Open, paused or closed.
    pub state: CounterState,
    /// The ticket it has called or is serving.
    pub current: Option<(TicketId, String)>,
}

impl CounterLine {
    /// What the board shows beside "Quầy 3": the counter's own name
    /// without a "Quầy" (or "Quầy 3") it starts with, which would say it
    /// twice; none if nothing is left.
    pub fn short_name(&self) -> Option<&str> {
        let name = self.name.trim();
        let rest = ["Quầy", "quầy", "QUẦY"]
            .iter()
            .find_map(|word| name.strip_prefix(word))
            .filter(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
            .map_or(name, str::trim_start);
        let number = self.number.to_string();
        let rest = match rest.strip_prefix(number.as_str()) {
            Some(after) if after.is_empty() || !after.starts_with(char::is_numeric) => after
                .trim_start_matches([' ', '-', '–', '·', ':'])
                .trim_start(),
            _ => rest,
        };
        (!rest.is_empty()).then_some(rest)
    }
}

/// A service's line: how many wait for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceLine {
    /// The service.
    pub id: ServiceId,
    /// Its name.
    pub name: String,
    /// People waiting.
    pub waiting: u32,
}

/// What the board asks of the program around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Say this call (in order, after any announcement already queued).
    Announce(Call),
    /// Events were skipped: connect again after `after`, to be sent them.
    Reconnect {
        /// The last event the board applied.
        after: u64,
    },
    /// The server cannot catch the board up: fetch a snapshot first.
    Resnapshot,
    /// The office's settings changed (names, notice, phrase, counters):
    /// read the snapshot again, staying connected.
    Refresh,
}

/// Something that happened to the board.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A fresh picture of the office (its services and its queue).
    Snapshot {
        /// The office and its services' names.
        services: Box<ServicesResponse>,
        /// Counters, current tickets, waiting counts and the `seq` they are
        /// as of.
        queue: Box<QueueSnapshot>,
        /// Where the events that follow resume, if not from the snapshot's
        /// `seq`: after an absence, the missed events are replayed on top
        /// of the snapshot (the board ends where the log ends, and recent
        /// calls are still said).
        resume: Option<u64>,
    },
    /// A frame of the event stream.
    Message(ServerMessage),
    /// The server cannot be reached.
    Offline,
}

/// The hall board.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Board {
    /// The office's name.
    pub office: String,
    /// The line that scrolls along the foot.
    pub notice: String,
    /// The office's call phrase.
    pub phrase: String,
    /// The office's time zone (IANA), for the clock.
    pub time_zone: String,
    /// Counters by number.
    pub counters: Vec<CounterLine>,
    /// Services in the office's order.
    pub services: Vec<ServiceLine>,
    /// The newest call.
    pub latest: Option<Call>,
    /// The calls before it, newest first.
    pub recent: VecDeque<Call>,
    /// The last event applied (the resume point).
    pub seq: u64,
    /// Whether the server is reachable now.
    pub online: bool,
    /// Whether a snapshot has been applied (before one, the board has
    /// nothing to show).
    pub ready: bool,
    /// Events up to here were already in the log when the current stream
    /// began: they are catching up, not happening now.
    live_after: u64,
    /// Events are being skipped until a new stream begins (a gap was seen).
    stale: bool,
    /// When the newest call arrived (it flashes from then).
    flash_from: Option<DateTime<Utc>>,
}

impl Board {
    /// The clock in the header at `now`, on the office's time: the time
    /// alone in portrait, with seconds and the date in landscape.
    pub fn clock(&self, now: chrono::DateTime<chrono::Utc>, portrait: bool) -> String {
        let format = if portrait {
            "%H:%M  %d/%m"
        } else {
            "%H:%M:%S  %d/%m/%Y"
        };
        layso_device::clock::local(&self.time_zone, now)
            .format(format)
            .to_string()
    }

    /// Applies `input` at `now` (the display's clock). Calls that are
    /// happening now are announced; calls caught up on after an absence
    /// are shown, and announced only if they are at most `speak_within`
    /// old.
    pub fn apply(
        &mut self,
        input: Input,
        now: DateTime<Utc>,
        speak_within: Duration,
    ) -> Vec<Effect> {
        match input {
            Input::Snapshot {
                services,
                queue,
                resume,
            } => {
                self.snapshot(&services, &queue, resume);
                Vec::new()
            }
            Input::Offline => {
                self.online = false;
                Vec::new()
            }
            Input::Message(message) => self.message(message, now, speak_within),
        }
    }

    /// Whether the newest call is still flashing at `now`.
    pub fn flashing(&self, now: DateTime<Utc>) -> bool {
        self.flash_from.is_some_and(|from| {
            now.signed_duration_since(from)
                .to_std()
                .is_ok_and(|age| age < FLASH)
        })
    }

    fn snapshot(
        &mut self,
        services: &ServicesResponse,
        queue: &QueueSnapshot,
        resume: Option<u64>,
    ) {
        self.office = services.office.name.clone();
        self.notice = services.office.notice.clone();
        self.phrase = services.office.voice_phrase.clone();
        self.time_zone = services.office.time_zone.clone();
        let number_of = |id: TicketId| {
            queue
                .tickets
                .iter()
                .find(|t| t.id == id)
                .map(|t| (id, t.number.clone()))
        };
        self.counters = queue
            .counters
            .iter()
            .map(|c| CounterLine {
                id: c.id,
                number: c.number,
                name: c.name.clone(),
                state: c.state,
                current: c.current_ticket.and_then(number_of),
            })
            .collect();
        self.counters.sort_by_key(|c| c.number);
        self.services = services
            .services
            .iter()
            .map(|s| ServiceLine {
                id: s.id,
                name: s.name.clone(),
                waiting: queue
                    .services
                    .iter()
                    .find(|q| q.service_id == s.id)
                    .map_or(s.waiting, |q| q.waiting),
            })
            .collect();
        match resume {
            // The stream goes on: never move past an event the board has
            // not applied (it may be waiting to replay a gap).
            Some(after) if self.ready => self.seq = self.seq.min(after),
            Some(after) => {
                self.seq = after;
                self.stale = false;
            }
            None => {
                self.seq = queue.seq;
                self.stale = false;
            }
        }
        self.live_after = self.live_after.max(queue.seq);
        self.online = true;
        self.ready = true;
    }

    fn message(
        &mut self,
        message: ServerMessage,
        now: DateTime<Utc>,
        speak_within: Duration,
    ) -> Vec<Effect> {
        match message {
            ServerMessage::Hello(hello) => {
                self.online = true;
                self.stale = false;
                self.live_after = hello.seq;
                Vec::new()
            }
            ServerMessage::Heartbeat { seq } => {
                self.online = true;
                if seq > self.seq && !self.stale {
                    return self.gap();
                }
                Vec::new()
            }
            ServerMessage::Resync { .. } => {
                self.stale = true;
                vec![Effect::Resnapshot]
            }
            ServerMessage::Queue(sizes) => {
                for size in sizes.services {
                    if let Some(line) = self.services.iter_mut().find(|s| s.id == size.service_id) {
                        line.waiting = size.waiting;
                    }
                }
                Vec::new()
            }
            ServerMessage::Event(event) => {
                if self.stale || event.seq <= self.seq {
                    return Vec::new();
                }
                if event.seq > self.seq + 1 {
                    return self.gap();
                }
                self.seq = event.seq;
                let live = event.seq > self.live_after;
                match event.change {
                    Change::Settings(_) => vec![Effect::Refresh],
                    Change::Counter(change) => {
                        match self.counters.iter_mut().find(|c| c.id == change.counter_id) {
                            Some(line) => line.state = change.to,
                            None => {
                                self.counters.push(CounterLine {
                                    id: change.counter_id,
                                    number: change.counter_number,
                                    name: format!("Quầy {}", change.counter_number),
                                    state: change.to,
                                    current: None,
                                });
                                self.counters.sort_by_key(|c| c.number);
                            }
                        }
                        Vec::new()
                    }
                    Change::Ticket(ticket) => match ticket.step {
                        TicketStep::Called | TicketStep::Recalled => {
                            let (Some(counter), Some(counter_number)) =
                                (ticket.counter_id, ticket.counter_number)
                            else {
                                return Vec::new();
                            };
                            self.release(ticket.ticket_id);
                            if let Some(line) = self.counters.iter_mut().find(|c| c.id == counter) {
                                line.current =
                                    Some((ticket.ticket_id, ticket.display_number.clone()));
                            }
                            let call = Call {
                                seq: event.seq,
                                ticket_id: ticket.ticket_id,
                                number: ticket.display_number,
                                counter_number,
                                at: event.at,
                                recall: ticket.step == TicketStep::Recalled,
                            };
                            self.show(call.clone(), now);
                            let recent = now
                                .signed_duration_since(event.at)
                                .to_std()
                                .map_or(true, |age| age <= speak_within);
                            if live || recent {
                                vec![Effect::Announce(call)]
                            } else {
                                Vec::new()
                            }
                        }
                        TicketStep::Done
                        | TicketStep::NoShow
                        | TicketStep::Cancelled
                        | TicketStep::Expired
                        | TicketStep::Transferred => {
                            self.release(ticket.ticket_id);
                            Vec::new()
                        }
                        TicketStep::Serving
                        | TicketStep::Issued
                        | TicketStep::Reactivated
                        | TicketStep::NotPrinted => Vec::new(),
                    },
                }
            }
        }
    }

    /// Takes the ticket off whichever counter shows it.
    fn release(&mut self, ticket: TicketId) {
        for line in &mut self.counters {
            if line.current.as_ref().is_some_and(|(id, _)| *id == ticket) {
                line.current = None;
            }
        }
    }

    /// Makes `call` the newest, moving the one before it to the list.
    fn show(&mut self, call: Call, now: DateTime<Utc>) {
        if let Some(previous) = self.latest.take() {
            self.recent.push_front(previous);
        }
        self.recent.retain(|c| c.ticket_id != call.ticket_id);
        self.recent.truncate(RECENT);
        self.latest = Some(call);
        self.flash_from = Some(now);
    }

    /// Events were missed: skip the rest of this stream and resume after
    /// the last one applied.
    fn gap(&mut self) -> Vec<Effect> {
        self.stale = true;
        vec![Effect::Reconnect { after: self.seq }]
    }
}
