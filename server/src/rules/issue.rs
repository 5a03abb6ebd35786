//! Issuing's rules: which requests of a batch get a new ticket, which are
//! retries of one already given, which are refused and why, each new
//! ticket's number, and its place in line. Pure: storage reads what they
//! need (the services, the keys already used, each service's last number
//! of the day), asks [`decide`], inserts the rows it returns, then asks
//! [`views_of_new`] for the answers.

use super::WaitInputs;
use crate::calendar::{self, LocalNow};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{
    IdempotencyKey, IssuingHours, Numbering, OfficeId, Priority, ServiceId, TicketId, TicketState,
    TicketView,
};
use std::collections::HashMap;

/// A request for a new ticket, checked.
#[derive(Debug, Clone)]
pub struct IssueCommand {
    /// The kiosk's office: a service of another office is not found.
    pub office: OfficeId,
    /// The service tapped.
    pub service: ServiceId,
    /// The priority class chosen.
    pub priority: Priority,
    /// The kiosk's key for this tap.
    pub key: IdempotencyKey,
    /// A fresh public token, used if a ticket is created.
    pub token: String,
}

/// A service as issuing needs it.
pub struct Service {
    pub office: i64,
    pub name: String,
    pub numbering: Numbering,
    pub cap: Option<i64>,
    pub accepts_priority: bool,
    pub hours: IssuingHours,
    pub active: bool,
    pub local: LocalNow,
    /// Priority and ordinary tickets waiting today before this batch.
    pub waiting: (u32, u32),
    /// Counters that could call its tickets (see [`WaitInputs::counters`]).
    pub counters: u32,
}

/// What one request came to before the inserts.
pub enum Decision {
    /// A new ticket, the `n`th row of the insert.
    New(usize),
    /// A retry, inside the same batch, of the request that made row `n`.
    Retry(usize),
    /// A ticket that already existed for this key.
    Existing(TicketId),
    /// Refused.
    Refused(Error),
}

pub type ExistingKeys = HashMap<(i64, String), (TicketId, ServiceId, Priority)>;
pub type LastNumbers = HashMap<ServiceId, Option<u32>>;

/// Decides a batch of issue requests in arrival order: the rows to insert,
/// and what each request came to. A key already used in its office gets
/// that ticket back if the request is the same (service and priority),
/// and is refused if not; a key repeated inside the batch is a retry of
/// its first request.
pub fn decide<'a>(
    services: &HashMap<ServiceId, Service>,
    existing: &ExistingKeys,
    next_number: &mut LastNumbers,
    cmds: &'a [IssueCommand],
) -> (Vec<NewTicket<'a>>, Vec<Decision>) {
    let mut rows = Vec::new();
    // (office, key) → the decision that first used it, for retries inside one batch.
    let mut keys: HashMap<(i64, &str), (ServiceId, Priority, usize)> = HashMap::new();
    let mut decisions = Vec::with_capacity(cmds.len());
    for (i, cmd) in cmds.iter().enumerate() {
        let Some(service) = services
            .get(&cmd.service)
            .filter(|s| s.office == cmd.office.0)
        else {
            decisions.push(Decision::Refused(Error::NotFound("service")));
            continue;
        };
        let key = (service.office, cmd.key.as_str());
        if let Some(&(id, svc, prio)) = existing.get(&(service.office, cmd.key.as_str().to_owned()))
        {
            decisions.push(if svc == cmd.service && prio == cmd.priority {
                Decision::Existing(id)
            } else {
                Decision::Refused(Error::IdempotencyKeyReused)
            });
            continue;
        }
        if let Some(&(svc, prio, first)) = keys.get(&key) {
            decisions.push(if svc == cmd.service && prio == cmd.priority {
                match &decisions[first] {
                    Decision::New(row) | Decision::Retry(row) => Decision::Retry(*row),
                    Decision::Existing(id) => Decision::Existing(*id),
                    Decision::Refused(_) => Decision::Refused(Error::IdempotencyKeyReused),
                }
            } else {
                Decision::Refused(Error::IdempotencyKeyReused)
            });
            continue;
        }
        keys.insert(key, (cmd.service, cmd.priority, i));
        match take_number(service, cmd, next_number.entry(cmd.service).or_default()) {
            Ok(number) => {
                rows.push(NewTicket {
                    office: service.office,
                    service: cmd.service.0,
                    date: service.local.date.to_string(),
                    number,
                    display: service.numbering.format(number),
                    priority: cmd.priority.as_str(),
                    is_priority: i64::from(cmd.priority.is_priority()),
                    token: &cmd.token,
                    key: cmd.key.as_str(),
                });
                decisions.push(Decision::New(rows.len() - 1));
            }
            Err(e) => decisions.push(Decision::Refused(e)),
        }
    }

    (rows, decisions)
}

/// A ticket about to be inserted.
#[derive(Debug)]
pub struct NewTicket<'a> {
    pub office: i64,
    pub service: i64,
    pub date: String,
    pub number: u32,
    pub display: String,
    pub priority: &'static str,
    pub is_priority: i64,
    pub token: &'a str,
    pub key: &'a str,
}

/// The new tickets as kiosks will print them, with their place in line:
/// the line before the batch (priority tickets ahead of ordinary ones),
/// plus the batch's own tickets that go before each (all its priority ones
/// for an ordinary ticket, and earlier ones of the same class).
pub fn views_of_new(
    rows: &[NewTicket<'_>],
    ids: &[TicketId],
    services: &HashMap<ServiceId, Service>,
    now: DateTime<Utc>,
) -> Vec<(TicketView, Option<WaitInputs>)> {
    let mut priority_in_batch: HashMap<i64, u32> = HashMap::new();
    for row in rows.iter().filter(|r| r.is_priority == 1) {
        *priority_in_batch.entry(row.service).or_default() += 1;
    }
    let mut before: HashMap<(i64, i64), u32> = HashMap::new();
    rows.iter()
        .zip(ids)
        .filter_map(|(row, id)| {
            let service = services.get(&ServiceId(row.service))?;
            let (waiting_priority, waiting_ordinary) = service.waiting;
            let earlier = before.entry((row.service, row.is_priority)).or_default();
            let ahead = if row.is_priority == 1 {
                waiting_priority + *earlier
            } else {
                waiting_priority
                    + waiting_ordinary
                    + priority_in_batch.get(&row.service).copied().unwrap_or(0)
                    + *earlier
            };
            *earlier += 1;
            let view = TicketView {
                id: *id,
                office_id: OfficeId(row.office),
                service_id: ServiceId(row.service),
                service_name: service.name.clone(),
                number: row.display.clone(),
                business_date: service.local.date,
                state: TicketState::Waiting,
                priority: row.priority.parse().unwrap_or_default(),
                // As stored: milliseconds.
                issued_at: calendar::from_millis(now.timestamp_millis()),
                counter_id: None,
                counter_number: None,
                recalls: 0,
                public_token: row.token.to_owned(),
                people_ahead: None,
                estimated_wait_secs: None,
            };
            let wait = WaitInputs {
                service: ServiceId(row.service),
                people_ahead: ahead,
                counters: service.counters,
            };
            Some((view, Some(wait)))
        })
        .collect()
}

/// Checks one request against its service and takes the next number.
/// `last` is the service's last number today, updated on success.
fn take_number(service: &Service, cmd: &IssueCommand, last: &mut Option<u32>) -> Result<u32> {
    if !service.active {
        return Err(Error::NotFound("service"));
    }
    if cmd.priority.is_priority() && !service.accepts_priority {
        return Err(Error::PriorityNotAccepted {
            service: service.name.clone(),
        });
    }
    if !service
        .hours
        .is_open(service.local.iso_weekday, service.local.minute)
    {
        return Err(Error::OutsideIssuingHours {
            service: service.name.clone(),
            hours: service.hours.describe_vi(),
        });
    }
    let first = service.numbering.first();
    let number = last.map_or(first, |n| n + 1);
    // Numbers are handed out without gaps, so the count so far is a difference.
    if let Some(cap) = service.cap
        && i64::from(number - first) >= cap
    {
        return Err(Error::DailyCapReached {
            service: service.name.clone(),
            cap: u32::try_from(cap).unwrap_or(u32::MAX),
        });
    }
    if number > service.numbering.last() {
        return Err(Error::NumberRangeExhausted {
            service: service.name.clone(),
        });
    }
    *last = Some(number);
    Ok(number)
}
