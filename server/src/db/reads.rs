//! Reads for the API and the pages: offices, services, tickets, counters
//! and what the console and the monitor show.

use super::{Db, Engine, sqlite};
use crate::calendar;
use crate::error::{Error, Result};
use crate::rules::WaitInputs;
use crate::rules::policy::{PastCall, Rules};
use chrono::{DateTime, Utc};
use layso_protocol::{
    CounterId, CounterServiceView, CounterState, CounterView, IdempotencyKey, IssuingHours,
    Numbering, OfficeId, OfficeView, Priority, Selection, ServiceId, ServiceView, TicketId,
    TicketView, UserId,
};

/// A ticket by id, or by its public tracking token.
pub enum TicketKey<'a> {
    /// By id.
    Id(TicketId),
    /// By public token.
    Token(&'a str),
}

/// An office's id, code and time zone.
#[derive(Debug, Clone)]
pub struct OfficeRow {
    /// Its id.
    pub id: OfficeId,
    /// Its short code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its IANA time zone.
    pub time_zone: String,
}

/// A row of the `ticket_views` view.
pub(crate) struct TicketViewRow {
    pub(crate) id: i64,
    pub(crate) office_id: i64,
    pub(crate) service_id: i64,
    pub(crate) service_name: String,
    pub(crate) display_number: String,
    pub(crate) business_date: String,
    pub(crate) state: String,
    pub(crate) priority: String,
    pub(crate) issued_at: i64,
    pub(crate) counter_id: Option<i64>,
    pub(crate) counter_number: Option<i64>,
    pub(crate) public_token: String,
    pub(crate) recalls: i64,
}

impl TicketViewRow {
    /// The ticket as clients see it (without its estimate).
    pub(crate) fn into_view(self) -> Result<TicketView> {
        let broken = |what: String| Error::Internal(format!("ticket {}: {what}", self.id));
        Ok(TicketView {
            id: TicketId(self.id),
            office_id: OfficeId(self.office_id),
            service_id: ServiceId(self.service_id),
            service_name: self.service_name.clone(),
            number: self.display_number.clone(),
            business_date: calendar::parse_date(&self.business_date)?,
            state: self.state.parse().map_err(|e| broken(format!("{e}")))?,
            priority: self
                .priority
                .parse::<Priority>()
                .map_err(|e| broken(format!("{e}")))?,
            issued_at: calendar::from_millis(self.issued_at),
            counter_id: self.counter_id.map(CounterId),
            counter_number: self.counter_number.and_then(|n| u32::try_from(n).ok()),
            recalls: count(self.recalls),
            public_token: self.public_token.clone(),
            people_ahead: None,
            estimated_wait_secs: None,
        })
    }
}

/// A service row with its line, as both engines read it for
/// [`ServiceView`].
pub(crate) struct ServiceRow {
    pub(crate) id: i64,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) prefix: String,
    pub(crate) first_number: i64,
    pub(crate) last_number: i64,
    pub(crate) daily_cap: Option<i64>,
    pub(crate) accepts_priority: bool,
    pub(crate) hours: String,
    pub(crate) waiting: i64,
}

impl ServiceRow {
    /// The service as clients see it in `office` at the office-local `local`.
    pub(crate) fn into_view(
        self,
        office: OfficeId,
        local: &calendar::LocalNow,
    ) -> Result<ServiceView> {
        let broken = |what: String| Error::Internal(format!("service {}: {what}", self.id));
        let numbering = Numbering::new(
            &self.prefix,
            u32::try_from(self.first_number).unwrap_or(0),
            u32::try_from(self.last_number).unwrap_or(0),
        )
        .map_err(|e| broken(e.to_string()))?;
        let hours: IssuingHours =
            serde_json::from_str(&self.hours).map_err(|e| broken(e.to_string()))?;
        Ok(ServiceView {
            id: ServiceId(self.id),
            office_id: office,
            code: self.code,
            name: self.name,
            numbering,
            daily_cap: self.daily_cap.and_then(|c| u32::try_from(c).ok()),
            accepts_priority: self.accepts_priority,
            open_now: hours.is_open(local.iso_weekday, local.minute),
            hours,
            waiting: count(self.waiting),
        })
    }
}

/// A counter row as both engines read it for [`CounterView`].
pub(crate) struct CounterViewRow {
    pub(crate) id: i64,
    pub(crate) number: i64,
    pub(crate) name: String,
    pub(crate) state: String,
    pub(crate) pause_reason: Option<String>,
    pub(crate) staff_user_id: Option<i64>,
    pub(crate) selection: String,
    pub(crate) current: Option<i64>,
}

impl CounterViewRow {
    /// The counter as clients see it, serving `links`' (counter, service,
    /// position, weight) of it.
    pub(crate) fn into_view(
        self,
        office: OfficeId,
        links: &[(i64, i64, i64, i64)],
    ) -> Result<CounterView> {
        let broken = |what: &str| Error::Internal(format!("counter {}: bad {what}", self.id));
        Ok(CounterView {
            id: CounterId(self.id),
            office_id: office,
            number: u32::try_from(self.number).unwrap_or(0),
            state: CounterState::parse(&self.state).ok_or_else(|| broken("state"))?,
            selection: Selection::parse(&self.selection).ok_or_else(|| broken("selection"))?,
            name: self.name,
            pause_reason: self.pause_reason,
            staff_user_id: self.staff_user_id.map(UserId),
            services: links
                .iter()
                .filter(|(counter, ..)| *counter == self.id)
                .map(|&(_, service, position, weight)| CounterServiceView {
                    service_id: ServiceId(service),
                    position: u32::try_from(position).unwrap_or(0),
                    weight: u32::try_from(weight).unwrap_or(1),
                })
                .collect(),
            current_ticket: self.current.map(TicketId),
        })
    }
}

/// A count as the API shows it.
pub(crate) fn count(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Db {
    /// The office a request means: the one named, or the only one there is.
    pub async fn resolve_office(&self, named: Option<OfficeId>) -> Result<OfficeId> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::resolve_office(&db.read, named).await,
            Engine::Postgres(db) => db.resolve_office(named).await,
        }
    }

    /// One office.
    pub async fn office(&self, id: OfficeId) -> Result<OfficeView> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::office(&db.read, id).await,
            Engine::Postgres(db) => db.office(id).await,
        }
    }

    /// The office's active services, with whether each issues now and how many wait.
    pub async fn services(
        &self,
        office: &OfficeView,
        now: DateTime<Utc>,
    ) -> Result<Vec<ServiceView>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::services(&db.read, office, now).await,
            Engine::Postgres(db) => db.services(office, now).await,
        }
    }

    /// One ticket, and for a waiting one what its estimate needs.
    pub async fn ticket(&self, key: TicketKey<'_>) -> Result<(TicketView, Option<WaitInputs>)> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::ticket(&db.read, key).await,
            Engine::Postgres(db) => db.ticket(key).await,
        }
    }

    /// The service's recent service times in seconds (start to finish), newest
    /// first, at most `limit` of them; and its configured default.
    pub async fn recent_service_times(
        &self,
        service: ServiceId,
        limit: i64,
    ) -> Result<(Vec<i64>, i64)> {
        match &self.engine {
            Engine::Sqlite(db) => {
                sqlite::reads::recent_service_times(&db.read, service, limit).await
            }
            Engine::Postgres(db) => db.recent_service_times(service, limit).await,
        }
    }

    /// The office's counters with their services and current tickets.
    pub async fn counters(&self, office: OfficeId) -> Result<Vec<CounterView>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::counters(&db.read, office).await,
            Engine::Postgres(db) => db.counters(office).await,
        }
    }

    /// One counter of the office, as [`counters`] shows it.
    pub async fn counter(&self, office: OfficeId, id: CounterId) -> Result<CounterView> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::counter(&db.read, office, id).await,
            Engine::Postgres(db) => db
                .counters(office)
                .await?
                .into_iter()
                .find(|c| c.id == id)
                .ok_or(Error::NotFound("counter")),
        }
    }

    /// Today's waiting, called and serving tickets of an office, oldest first.
    pub async fn open_tickets(
        &self,
        office: OfficeId,
        business_date: &str,
    ) -> Result<Vec<TicketView>> {
        match &self.engine {
            Engine::Sqlite(db) => {
                sqlite::reads::open_tickets(&db.read, office, business_date).await
            }
            Engine::Postgres(db) => {
                db.tickets_in(
                    office,
                    business_date,
                    &["waiting", "called", "serving"],
                    false,
                    i64::MAX,
                )
                .await
            }
        }
    }

    /// Today's no-show tickets of an office, newest first (the console offers
    /// them back to the line when their citizen returns).
    pub async fn no_shows(&self, office: OfficeId, business_date: &str) -> Result<Vec<TicketView>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::no_shows(&db.read, office, business_date).await,
            Engine::Postgres(db) => {
                db.tickets_in(office, business_date, &["no_show"], true, 20)
                    .await
            }
        }
    }

    /// Whether a counter exists, and its office.
    pub async fn counter_office(&self, counter: CounterId) -> Result<OfficeId> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::counter_office(&db.read, counter).await,
            Engine::Postgres(db) => db.counter_office(counter).await,
        }
    }

    /// Every office.
    pub async fn offices(&self) -> Result<Vec<OfficeRow>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::offices(&db.read).await,
            Engine::Postgres(db) => db.offices().await,
        }
    }

    /// Whether an office already issued a ticket for an idempotency key.
    pub async fn key_used(&self, office: OfficeId, key: &IdempotencyKey) -> Result<bool> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::key_used(&db.read, office, key).await,
            Engine::Postgres(db) => db.key_used(office, key).await,
        }
    }

    /// What a counter finished since `since` (the start of the office's day):
    /// how many tickets, and their mean service time in seconds (start to
    /// finish), if any.
    pub async fn counter_day(
        &self,
        counter: CounterId,
        since: DateTime<Utc>,
    ) -> Result<(u32, Option<i64>)> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::counter_day(&db.read, counter, since).await,
            Engine::Postgres(db) => db.counter_day(counter, since).await,
        }
    }

    /// What the policy needs of a counter besides its services (which
    /// [`CounterView`] has): the office's priority ratio and the counter's last
    /// calls, newest first (at most 64, the most the policy looks at).
    pub async fn call_rules(&self, counter: &CounterView) -> Result<(Rules, Vec<PastCall>)> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::call_rules(&db.read, counter).await,
            Engine::Postgres(db) => db.call_rules(counter).await,
        }
    }

    /// When the ticket took its last step.
    pub async fn changed_at(&self, ticket: TicketId) -> Result<DateTime<Utc>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::changed_at(&db.read, ticket).await,
            Engine::Postgres(db) => db.changed_at(ticket).await,
        }
    }

    /// Today's tickets (since `since`) whose kiosk could not print them: number,
    /// why, when; newest first.
    pub async fn not_printed(
        &self,
        office: OfficeId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, String, DateTime<Utc>)>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::reads::not_printed(&db.read, office, since).await,
            Engine::Postgres(db) => db.not_printed(office, since).await,
        }
    }
}
