//! The JSON bodies of the HTTP API under `/api/v1`, and its error shape.

use crate::{
    CounterId, IssuingHours, Numbering, OfficeId, Priority, ServiceId, TicketId, TicketState,
    UserId,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// An office as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeView {
    /// Its id.
    pub id: OfficeId,
    /// Short code, unique on the server.
    pub code: String,
    /// Full Vietnamese name, printed on tickets.
    pub name: String,
    /// IANA time zone of the office's day (numbers reset at its midnight).
    pub time_zone: String,
    /// Footer line printed on every ticket.
    pub ticket_footer: String,
    /// Its postal address.
    #[serde(default)]
    pub address: String,
    /// A line printed above each ticket's number (empty: none).
    #[serde(default)]
    pub ticket_header: String,
    /// The line that scrolls along the foot of the hall display (empty:
    /// none).
    #[serde(default)]
    pub notice: String,
    /// What the display says for a call: `{số}` becomes the ticket's
    /// number, `{quầy}` the counter's.
    #[serde(default = "default_phrase")]
    pub voice_phrase: String,
}

fn default_phrase() -> String {
    crate::speech::DEFAULT_PHRASE.to_owned()
}

/// A new office, as the province admin creates it (its services, counters
/// and people are its own admin's to add).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewOfficeRequest {
    /// Short code, unique on the server: 2–32 of a-z 0-9 and `-`.
    pub code: String,
    /// Full Vietnamese name, printed on tickets.
    pub name: String,
    /// IANA time zone of the office's day (default `Asia/Ho_Chi_Minh`).
    #[serde(default = "default_zone")]
    pub time_zone: String,
    /// Its postal address.
    #[serde(default)]
    pub address: String,
}

fn default_zone() -> String {
    "Asia/Ho_Chi_Minh".to_owned()
}

/// An office in the province's list, with how its day goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeSummary {
    /// The office.
    pub office: OfficeView,
    /// Tickets waiting now (its today).
    pub waiting: u32,
    /// Tickets issued on its today.
    pub issued_today: u32,
    /// Its counters.
    pub counters: u32,
    /// Of them, open now.
    pub counters_open: u32,
}

/// A service as the kiosk and the staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceView {
    /// Its id.
    pub id: ServiceId,
    /// The office it belongs to.
    pub office_id: OfficeId,
    /// Short code, unique in the office.
    pub code: String,
    /// Vietnamese name shown on the kiosk button and the ticket.
    pub name: String,
    /// How its tickets are numbered each day.
    pub numbering: Numbering,
    /// At most this many tickets a day, if set.
    pub daily_cap: Option<u32>,
    /// Whether priority tickets may be taken for it.
    pub accepts_priority: bool,
    /// When it issues tickets, in the office's local time.
    pub hours: IssuingHours,
    /// Whether it issues tickets right now.
    pub open_now: bool,
    /// Tickets waiting for it right now.
    pub waiting: u32,
}

/// `POST /api/v1/admin/services` (a new service of the admin's office) and
/// `PUT /api/v1/admin/services/{id}` (all of a service, replaced).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceRequest {
    /// Short code, unique in the office (letters, digits, `-`, `_`).
    pub code: String,
    /// Vietnamese name shown on the kiosk button and the ticket.
    pub name: String,
    /// How its tickets are numbered each day.
    pub numbering: Numbering,
    /// At most this many tickets a day, if set.
    #[serde(default)]
    pub daily_cap: Option<u32>,
    /// Whether priority tickets may be taken for it.
    #[serde(default)]
    pub accepts_priority: bool,
    /// When it issues tickets, in the office's local time.
    pub hours: IssuingHours,
}

/// `PUT /api/v1/admin/office`: the office's details, all of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfficeRequest {
    /// Full Vietnamese name (1-120 characters).
    pub name: String,
    /// Postal address (at most 200).
    #[serde(default)]
    pub address: String,
    /// Line above each ticket's number (at most 100).
    #[serde(default)]
    pub ticket_header: String,
    /// Line at each ticket's foot (at most 200).
    #[serde(default)]
    pub ticket_footer: String,
    /// The display's notice line (at most 300).
    #[serde(default)]
    pub notice: String,
    /// The display's call phrase, with `{số}` and `{quầy}` (at most 200).
    pub voice_phrase: String,
}

/// `PUT /api/v1/admin/counters/{id}`: a counter's name and services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CounterRequest {
    /// Its name (1-80 characters).
    pub name: String,
    /// How it chooses among its services.
    pub selection: Selection,
    /// The services it serves, in order, at least one; each with its weight
    /// (1-100) for weighted selection.
    pub services: Vec<CounterServiceRequest>,
}

/// `POST /api/v1/admin/counters`: a new counter, closed until staff open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewCounterRequest {
    /// Its number in the office (1-999), as the hall hears it: "quầy số 5".
    pub number: u32,
    /// Its name (1-80 characters).
    pub name: String,
    /// How it chooses among its services.
    pub selection: Selection,
    /// The services it serves, in order, at least one.
    pub services: Vec<CounterServiceRequest>,
}

/// One service of a counter, as the admin sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CounterServiceRequest {
    /// The service.
    pub service_id: ServiceId,
    /// Its share of calls when the counter selects by weight.
    #[serde(default = "one")]
    pub weight: u32,
}

fn one() -> u32 {
    1
}

/// `GET /api/v1/services`: the office and what it offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServicesResponse {
    /// The office the list is for.
    pub office: OfficeView,
    /// Its active services, in display order.
    pub services: Vec<ServiceView>,
    /// Where citizens' phones open the server (`https://host[:port]`, no
    /// trailing `/`): a ticket's tracking link is this, then
    /// `/t/{public_token}`. Absent: the address the kiosk uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
}

/// `POST /api/v1/tickets`: a kiosk asks for a ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueRequest {
    /// The service the citizen tapped.
    pub service_id: ServiceId,
    /// The priority class the citizen chose, if any.
    #[serde(default)]
    pub priority: Priority,
    /// Chosen by the kiosk once per tap; a retry with the same key returns
    /// the same ticket instead of a second one. 8–64 characters of
    /// `A-Z a-z 0-9 - _`.
    pub idempotency_key: String,
}

/// A ticket as every client sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TicketView {
    /// Its id.
    pub id: TicketId,
    /// Its office.
    pub office_id: OfficeId,
    /// The service it waits for now (changes on transfer).
    pub service_id: ServiceId,
    /// That service's name.
    pub service_name: String,
    /// The number as printed, e.g. `A007` (kept across transfers).
    pub number: String,
    /// The office-local day it belongs to.
    pub business_date: NaiveDate,
    /// Where it is in its life.
    pub state: TicketState,
    /// Its priority class.
    pub priority: Priority,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// The counter it was last called to, if any.
    pub counter_id: Option<CounterId>,
    /// That counter's number, for "đến quầy số 3".
    pub counter_number: Option<u32>,
    /// How many times it was called again after the first call.
    pub recalls: u32,
    /// Unguessable token for the public tracking link.
    pub public_token: String,
    /// For a waiting ticket: how many tickets will be called before it.
    pub people_ahead: Option<u32>,
    /// For a waiting ticket: the estimated wait in seconds, if a counter is open.
    pub estimated_wait_secs: Option<u32>,
}

/// `POST /api/v1/counters/{id}/call-next` (the body is optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallNextRequest {
    /// Finish the ticket this counter is serving first, in the same step
    /// (one click for "done, next please").
    #[serde(default)]
    pub finish_current: bool,
}

/// `POST /api/v1/counters/{id}/call`: call one ticket out of turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CallTicketRequest {
    /// The ticket to call.
    pub ticket_id: TicketId,
    /// Why it goes out of turn (kept in the audit log).
    pub reason: String,
}

/// `POST /api/v1/counters/{id}/tickets/{ticket}/transfer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferRequest {
    /// The service the citizen is sent to.
    pub service_id: ServiceId,
    /// Keep the ticket's place in time (default); false puts it at the back.
    #[serde(default = "yes")]
    pub keep_place: bool,
}

fn yes() -> bool {
    true
}

/// A body with an optional free-text reason (cancel).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonRequest {
    /// Why, for the audit log.
    #[serde(default)]
    pub reason: Option<String>,
}

/// `POST /api/v1/counters/{id}/pause`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PauseRequest {
    /// Shown on the monitor, e.g. "Nghỉ giải lao".
    pub reason: String,
}

/// Whether a counter is calling tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CounterState {
    /// Calling tickets.
    Open,
    /// On a break; calls nothing until reopened.
    Paused,
    /// Not staffed.
    Closed,
}

impl CounterState {
    /// The name used in the API and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Paused => "paused",
            Self::Closed => "closed",
        }
    }

    /// Parses a name from [`CounterState::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Paused, Self::Closed]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// How a counter chooses among the services it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Selection {
    /// The oldest ticket of any of its services.
    Oldest,
    /// The first service in its order that has someone waiting.
    Order,
    /// Services share the calls in proportion to their weights.
    Weighted,
}

impl Selection {
    /// The name used in the API and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Oldest => "oldest",
            Self::Order => "order",
            Self::Weighted => "weighted",
        }
    }

    /// Parses a name from [`Selection::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Oldest, Self::Order, Self::Weighted]
            .into_iter()
            .find(|c| c.as_str() == s)
    }
}

/// One service as served at a counter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CounterServiceView {
    /// The service.
    pub service_id: ServiceId,
    /// Its place in the counter's order (0 first).
    pub position: u32,
    /// Its share of calls when the counter selects by weight.
    pub weight: u32,
}

/// A counter as the staff console and the monitor see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CounterView {
    /// Its id.
    pub id: CounterId,
    /// Its office.
    pub office_id: OfficeId,
    /// The number on the sign above it, read aloud in calls.
    pub number: u32,
    /// Its name.
    pub name: String,
    /// Whether it calls.
    pub state: CounterState,
    /// Why it is paused.
    pub pause_reason: Option<String>,
    /// The staff member at it.
    pub staff_user_id: Option<UserId>,
    /// How it chooses among its services.
    pub selection: Selection,
    /// The services it serves, in order.
    pub services: Vec<CounterServiceView>,
    /// The ticket it has called or is serving.
    pub current_ticket: Option<TicketId>,
}

/// Waiting counts for one service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceQueueView {
    /// The service.
    pub service_id: ServiceId,
    /// Tickets waiting, priority ones included.
    pub waiting: u32,
    /// Priority tickets waiting.
    pub priority_waiting: u32,
}

/// `GET /api/v1/queue`: the hall right now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueSnapshot {
    /// The office.
    pub office_id: OfficeId,
    /// The office-local day shown.
    pub business_date: NaiveDate,
    /// When the snapshot was taken.
    pub at: DateTime<Utc>,
    /// The office's newest event-log sequence number when the snapshot was
    /// taken: it reflects every event up to here (and perhaps some after),
    /// so a client connects to `/api/v1/events?after=<seq>` and misses
    /// nothing.
    pub seq: u64,
    /// Per-service waiting counts.
    pub services: Vec<ServiceQueueView>,
    /// Every counter and its state.
    pub counters: Vec<CounterView>,
    /// Today's waiting, called and serving tickets, oldest first.
    pub tickets: Vec<TicketView>,
}

/// The stable codes of API errors; clients branch on these, never on text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body or a parameter is malformed or out of range (400/422).
    InvalidRequest,
    /// The request's body is larger than the route takes (413).
    PayloadTooLarge,
    /// The route exists but not with this method (405; `Allow` lists those it takes).
    MethodNotAllowed,
    /// The route is a WebSocket and the request did not ask to upgrade (426).
    UpgradeRequired,
    /// No such office, service, counter or ticket (404).
    NotFound,
    /// The server holds several offices and the request did not say which.
    OfficeRequired,
    /// A service code or user name already belongs to another (409).
    AlreadyExists,
    /// The ticket's state does not allow this step (409).
    InvalidTransition,
    /// The counter is paused or closed (409).
    CounterNotOpen,
    /// The counter still has a called or serving ticket (409).
    CounterBusy,
    /// The ticket is not at this counter (409).
    TicketNotAtCounter,
    /// The counter does not serve the ticket's service (409).
    ServiceNotServed,
    /// The ticket belongs to another day (409).
    TicketFromAnotherDay,
    /// The service does not issue tickets at this time (409).
    OutsideIssuingHours,
    /// The service reached its daily cap (409).
    DailyCapReached,
    /// The service used every number of its range today (409).
    NumberRangeExhausted,
    /// The service does not take priority tickets (409).
    PriorityNotAccepted,
    /// The idempotency key was already used for a different request (409).
    IdempotencyKeyReused,
    /// No valid credentials: missing, unknown, expired or revoked (401).
    Unauthorized,
    /// Wrong user name or password (401).
    BadCredentials,
    /// The credentials are valid but their role may not do this (403).
    Forbidden,
    /// A request with the session cookie came from another site's page (403).
    CrossOrigin,
    /// Too many tickets from this kiosk in a short time (429).
    RateLimited,
    /// Too many failed sign-ins for this user name in a short time (429).
    TooManyAttempts,
    /// The tablet may not rate this ticket (409).
    NotRatable,
    /// Something failed on the server; nothing was changed (500).
    Internal,
    /// The change was saved, but reading its answer failed: reload rather
    /// than do it again (500).
    SavedUnanswered,
    /// A code this client does not know yet.
    #[serde(other)]
    Unknown,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// What went wrong, for programs.
    pub code: ErrorCode,
    /// What went wrong, in English, for people reading logs.
    pub message: String,
    /// What went wrong, in Vietnamese, for the staff's and admins' pages.
    #[serde(default)]
    pub message_vi: String,
    /// What to show a citizen, in Vietnamese, where a citizen may see it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citizen_message: Option<String>,
}

/// A kiosk's idempotency key: 8–64 characters of `A-Z a-z 0-9 - _`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

/// A string that is not a valid [`IdempotencyKey`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an idempotency key is 8-64 characters of A-Z a-z 0-9 - _")]
pub struct BadIdempotencyKey;

impl IdempotencyKey {
    /// Checks a key.
    pub fn parse(s: &str) -> Result<Self, BadIdempotencyKey> {
        let ok = (8..=64).contains(&s.len())
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(BadIdempotencyKey)
        }
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A free-text reason for the audit log: trimmed, 1–200 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

/// A reason that is empty or too long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a reason is 1-200 characters of text")]
pub struct BadReason;

impl Reason {
    /// Checks a reason.
    pub fn parse(s: &str) -> Result<Self, BadReason> {
        crate::text::clean(s, 200, true)
            .map(Self)
            .map_err(|_| BadReason)
    }

    /// The reason.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Keys outside the documented alphabet or length are refused.
    #[test]
    fn idempotency_keys() {
        assert!(IdempotencyKey::parse("kiosk-1_0001").is_ok());
        assert!(IdempotencyKey::parse("short").is_err());
        assert!(IdempotencyKey::parse("has space 123").is_err());
        assert!(IdempotencyKey::parse(&"x".repeat(65)).is_err());
    }

    // Reasons are trimmed; blank or control-laden ones are refused.
    #[test]
    fn reasons() {
        assert_eq!(Reason::parse("  Nghỉ trưa ").unwrap().as_str(), "Nghỉ trưa");
        assert!(Reason::parse("   ").is_err());
        assert!(Reason::parse("a\u{0}b").is_err());
        assert!(Reason::parse(&"ư".repeat(201)).is_err());
    }

    // A newer server's error code does not break an older client.
    #[test]
    fn unknown_error_codes_parse() {
        let e: ApiError = serde_json::from_str(r#"{"code":"brand_new","message":"x"}"#).unwrap();
        assert_eq!(e.code, ErrorCode::Unknown);
    }
}
