//! A ticket's life: which step a ticket may take from a counter, and what
//! it becomes. Steps on a called or serving ticket belong to the counter
//! that has it; waiting and no-show tickets can be handled from any
//! counter of the office.

use crate::error::{Error, Result};
use layso_protocol::{Reason, ServiceId, TicketState, TicketStep};

/// A step staff take on one ticket from a counter.
#[derive(Debug, Clone)]
pub enum Action {
    /// Call a called ticket again.
    Recall,
    /// The citizen arrived: start serving.
    Start,
    /// Service finished.
    Finish,
    /// The citizen did not come.
    NoShow,
    /// A no-show came back: back in the queue at its old place.
    Reactivate,
    /// Send the citizen to another service's queue.
    Transfer {
        /// The new service.
        service: ServiceId,
        /// Keep the place in time (else go to the back).
        keep_place: bool,
    },
    /// Withdraw the ticket.
    Cancel(Option<Reason>),
}

impl Action {
    /// The step's name in refusals.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Recall => "recall",
            Self::Start => "start serving",
            Self::Finish => "finish",
            Self::NoShow => "mark as no-show",
            Self::Reactivate => "reactivate",
            Self::Transfer { .. } => "transfer",
            Self::Cancel(_) => "cancel",
        }
    }
}

/// A step that may be taken: what it is logged as, the state it leaves the
/// ticket in, and what storage must still check (the counter open, the
/// ticket of the office's today).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub kind: TicketStep,
    pub to: TicketState,
    pub needs_open_counter: bool,
    pub needs_today: bool,
}

/// Whether `action` may be taken on a ticket in `state` (at this counter
/// when `here`, waiting for `service`, numbered `number`), and what it
/// becomes; the refusal says why.
pub fn step(
    action: &Action,
    state: TicketState,
    here: bool,
    service: ServiceId,
    number: &str,
) -> Result<Step> {
    use TicketState as S;
    let (allowed, kind, to) = match action {
        Action::Recall => (state == S::Called, TicketStep::Recalled, S::Called),
        Action::Start => (state == S::Called, TicketStep::Serving, S::Serving),
        Action::Finish => (state == S::Serving, TicketStep::Done, S::Done),
        Action::NoShow => (state == S::Called, TicketStep::NoShow, S::NoShow),
        Action::Reactivate => (state == S::NoShow, TicketStep::Reactivated, S::Waiting),
        Action::Cancel(_) => (
            matches!(state, S::Waiting | S::Called | S::Serving | S::NoShow),
            TicketStep::Cancelled,
            S::Cancelled,
        ),
        Action::Transfer { .. } => (
            matches!(state, S::Waiting | S::Called | S::Serving),
            TicketStep::Transferred,
            S::Waiting,
        ),
    };
    if !allowed {
        return Err(Error::InvalidTransition {
            action: action.name(),
            state,
        });
    }
    if !here && matches!(state, S::Called | S::Serving) {
        return Err(Error::TicketNotAtCounter(number.to_owned()));
    }
    if let Action::Transfer { service: to, .. } = action
        && *to == service
    {
        return Err(Error::invalid(
            format!("ticket {number} already waits for service {to}"),
            format!("Vé {number} đã thuộc lĩnh vực này: hãy chọn lĩnh vực khác."),
        ));
    }
    Ok(Step {
        kind,
        to,
        needs_open_counter: matches!(action, Action::Recall),
        needs_today: matches!(
            action,
            Action::Recall | Action::Reactivate | Action::Transfer { .. }
        ),
    })
}
