//! The queue's rules, above the storage engines: which line a counter
//! calls next (`policy`), what issuing decides (`issue`: numbering,
//! idempotency, places in line) and which step a ticket may take
//! (`life`). Pure functions over rows storage has read; storage writes
//! what they decide. Nothing here imports `db`.

pub mod issue;
pub mod life;
pub mod policy;

use layso_protocol::ServiceId;

/// What the wait estimate of a waiting ticket needs from the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitInputs {
    /// Its service.
    pub service: ServiceId,
    /// Waiting tickets of the same service and day called before it: every
    /// priority ticket before an ordinary one, then earlier places in time.
    pub people_ahead: u32,
    /// Counters that could call it: the open ones serving its service or,
    /// when none is open yet (before the office opens), all that serve it.
    pub counters: u32,
}
