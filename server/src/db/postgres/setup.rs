//! An office's setup on PostgreSQL, each change one transaction with a
//! settings event: offices, services, counters, devices; and what kiosks
//! and tablets report (printers, ratings).

use super::Postgres;
use super::events::settings;
use crate::calendar;
use crate::caller::TokenHash;
use crate::db::devices::{DeviceRow, NewDevice};
use crate::db::ratings::RATING_WINDOW_MS;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{
    CounterId, CounterRequest, CounterServiceRequest, DeviceId, DeviceView, NewCounterRequest,
    NewOfficeRequest, OfficeId, OfficeRequest, OfficeSummary, PrinterState, RatingView, ServiceId,
    ServiceRequest, TicketId, UserId,
};
use layso_store_postgres::{devices, offices, sessions, setup};
use sqlx::PgConnection;

impl Postgres {
    pub(in crate::db) async fn create_office(
        &self,
        new: &NewOfficeRequest,
        by: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<OfficeId> {
        let mut tx = self.pool.begin().await?;
        let office = offices::NewOffice {
            code: &new.code,
            name: &new.name,
            time_zone: &new.time_zone,
            ticket_footer: "",
            notice: "",
            address: &new.address,
            at: at.timestamp_millis(),
        };
        let id = OfficeId(offices::insert(&mut tx, &office).await?.ok_or_else(|| {
            Error::AlreadyExists {
                message: format!("the office code {:?} is taken", new.code),
                vi: format!("Mã cơ quan “{}” đã được dùng.", new.code),
            }
        })?);
        settings(&mut tx, id, "office", by, at).await?;
        tx.commit().await?;
        self.committed();
        Ok(id)
    }

    pub(in crate::db) async fn update_office(
        &self,
        office: OfficeId,
        o: &OfficeRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let texts = offices::Texts {
            name: &o.name,
            address: &o.address,
            ticket_header: &o.ticket_header,
            ticket_footer: &o.ticket_footer,
            notice: &o.notice,
            voice_phrase: &o.voice_phrase,
        };
        offices::update(&mut tx, office.0, &texts).await?;
        settings(&mut tx, office, "office", admin, at).await?;
        tx.commit().await?;
        self.committed();
        Ok(())
    }

    pub(in crate::db) async fn summaries(&self, now: DateTime<Utc>) -> Result<Vec<OfficeSummary>> {
        let mut all = self.offices().await?;
        all.sort_by(|a, b| a.code.cmp(&b.code));
        let count = |n: i64| u32::try_from(n).unwrap_or(0);
        let mut summaries = Vec::with_capacity(all.len());
        for o in all {
            let today = calendar::local(now, calendar::zone(&o.time_zone)?).date;
            let (waiting, issued, counters, open) =
                offices::day(&self.pool, o.id.0, &today.to_string()).await?;
            summaries.push(OfficeSummary {
                office: self.office(o.id).await?,
                waiting: count(waiting),
                issued_today: count(issued),
                counters: count(counters),
                counters_open: count(open),
            });
        }
        Ok(summaries)
    }

    pub(in crate::db) async fn create_service(
        &self,
        office: OfficeId,
        s: &ServiceRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<ServiceId> {
        let mut tx = self.pool.begin().await?;
        code_free(&mut tx, office, &s.code, None).await?;
        let hours = hours_json(s)?;
        let position = setup::next_position(&mut tx, office.0).await?;
        let row = service_row(office, s, &hours, position);
        let id = setup::insert_service(&mut tx, &row)
            .await?
            .ok_or_else(|| code_taken(&s.code))?;
        settings(&mut tx, office, "service", admin, at).await?;
        tx.commit().await?;
        self.committed();
        Ok(ServiceId(id))
    }

    pub(in crate::db) async fn update_service(
        &self,
        office: OfficeId,
        service: ServiceId,
        s: &ServiceRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        code_free(&mut tx, office, &s.code, Some(service)).await?;
        let hours = hours_json(s)?;
        if !setup::update_service(&mut tx, service.0, &service_row(office, s, &hours, 0)).await? {
            return Err(Error::NotFound("service"));
        }
        settings(&mut tx, office, "service", admin, at).await?;
        tx.commit().await?;
        self.committed();
        Ok(())
    }

    pub(in crate::db) async fn create_counter(
        &self,
        office: OfficeId,
        c: &NewCounterRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<CounterId> {
        let mut tx = self.pool.begin().await?;
        let number = i64::from(c.number);
        let id = setup::insert_counter(
            &mut tx,
            office.0,
            number,
            &c.name,
            "closed",
            c.selection.as_str(),
        )
        .await?
        .ok_or_else(|| Error::AlreadyExists {
            message: format!("the office has a counter {} already", c.number),
            vi: format!("Cơ quan đã có Quầy {}.", c.number),
        })?;
        set_services(&mut tx, office, id, &c.services).await?;
        settings(&mut tx, office, "counter", admin, at).await?;
        tx.commit().await?;
        self.committed();
        Ok(CounterId(id))
    }

    pub(in crate::db) async fn update_counter(
        &self,
        office: OfficeId,
        counter: CounterId,
        c: &CounterRequest,
        admin: Option<UserId>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        if !setup::update_counter(&mut tx, office.0, counter.0, &c.name, c.selection.as_str())
            .await?
        {
            return Err(Error::NotFound("counter"));
        }
        set_services(&mut tx, office, counter.0, &c.services).await?;
        settings(&mut tx, office, "counter", admin, at).await?;
        tx.commit().await?;
        self.committed();
        Ok(())
    }

    pub(in crate::db) async fn create_device(&self, d: &NewDevice) -> Result<DeviceId> {
        let mut tx = self.pool.begin().await?;
        if let Some(counter) = d.counter
            && sessions::counter_office(&mut tx, counter.0).await? != Some(d.office.0)
        {
            return Err(Error::NotFound("counter"));
        }
        let id = setup::insert_device(
            &mut tx,
            d.office.0,
            d.kind.as_str(),
            &d.name,
            d.counter.map(|c| c.0),
            &d.key[..],
            d.at.timestamp_millis(),
        )
        .await?;
        tx.commit().await?;
        Ok(DeviceId(id))
    }

    pub(in crate::db) async fn revoke_device(
        &self,
        office: OfficeId,
        id: DeviceId,
        at: DateTime<Utc>,
    ) -> Result<TokenHash> {
        let mut tx = self.pool.begin().await?;
        let hash = devices::revoke(&mut tx, office.0, id.0, at.timestamp_millis())
            .await?
            .ok_or(Error::NotFound("device"))?;
        sessions::invalidate(&mut tx, std::slice::from_ref(&hash)).await?;
        tx.commit().await?;
        hash.as_slice()
            .try_into()
            .map_err(|_| Error::Internal(format!("device {id}: bad token hash")))
    }

    pub(in crate::db) async fn devices(
        &self,
        office: OfficeId,
        only: Option<DeviceId>,
    ) -> Result<Vec<DeviceView>> {
        devices::devices(&self.pool, office.0, only.map(|d| d.0))
            .await?
            .into_iter()
            .map(|r| {
                DeviceRow {
                    id: r.id,
                    office_id: r.office_id,
                    kind: r.kind,
                    name: r.name,
                    counter_id: r.counter_id,
                    created_at: r.created_at,
                    revoked_at: r.revoked_at,
                    printer_status: r.printer_status,
                    status_at: r.status_at,
                }
                .into_view()
            })
            .collect()
    }

    pub(in crate::db) async fn set_printer_status(
        &self,
        device: DeviceId,
        printer: PrinterState,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        devices::set_printer(&mut tx, device.0, printer.as_str(), at.timestamp_millis()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub(in crate::db) async fn ratable(
        &self,
        counter: CounterId,
        now: DateTime<Utc>,
    ) -> Result<Option<RatingView>> {
        ratable(&self.pool, counter, now).await
    }

    pub(in crate::db) async fn rate(
        &self,
        device: DeviceId,
        counter: CounterId,
        ticket: TicketId,
        score: u8,
        now: DateTime<Utc>,
    ) -> Result<RatingView> {
        let mut tx = self.pool.begin().await?;
        let Some(mut ratable) = ratable(&mut *tx, counter, now).await? else {
            return Err(Error::NotRatable(
                "no ticket finished at this counter in the last 10 minutes waits for a rating"
                    .into(),
            ));
        };
        if ratable.ticket_id != ticket {
            return Err(Error::NotRatable(format!(
                "ticket {ticket} is not the one just finished at this counter"
            )));
        }
        let at = now.timestamp_millis();
        if !devices::rate(&mut tx, ticket.0, counter.0, device.0, i64::from(score), at).await? {
            return Err(Error::NotRatable(format!(
                "ticket {ticket} is rated already"
            )));
        }
        tx.commit().await?;
        ratable.score = Some(score);
        Ok(ratable)
    }
}

/// The ticket a counter's tablet may rate at `now`.
async fn ratable(
    conn: impl sqlx::PgExecutor<'_>,
    counter: CounterId,
    now: DateTime<Utc>,
) -> Result<Option<RatingView>> {
    let since = now.timestamp_millis() - RATING_WINDOW_MS;
    Ok(devices::last_finished(conn, counter.0)
        .await?
        .filter(|&(_, _, changed_at, rated)| changed_at >= since && !rated)
        .map(|(id, display_number, ..)| RatingView {
            ticket_id: TicketId(id),
            display_number,
            counter_id: counter,
            score: None,
        }))
}

fn code_taken(code: &str) -> Error {
    Error::AlreadyExists {
        message: format!("the code {code:?} is already used by another service"),
        vi: format!("Mã “{code}” đã được lĩnh vực khác dùng."),
    }
}

async fn code_free(
    tx: &mut PgConnection,
    office: OfficeId,
    code: &str,
    except: Option<ServiceId>,
) -> Result<()> {
    if setup::code_taken(tx, office.0, code, except.map(|s| s.0)).await? {
        return Err(code_taken(code));
    }
    Ok(())
}

fn hours_json(s: &ServiceRequest) -> Result<String> {
    serde_json::to_string(&s.hours).map_err(|e| Error::Internal(format!("service hours: {e}")))
}

fn service_row<'a>(
    office: OfficeId,
    s: &'a ServiceRequest,
    hours: &'a str,
    position: i64,
) -> setup::NewService<'a> {
    setup::NewService {
        office: office.0,
        code: &s.code,
        name: &s.name,
        prefix: s.numbering.prefix(),
        first: i64::from(s.numbering.first()),
        last: i64::from(s.numbering.last()),
        daily_cap: s.daily_cap.map(i64::from),
        accepts_priority: s.accepts_priority,
        hours,
        default_secs: 300,
        position,
    }
}

/// Replaces the services a counter serves, in order; each must be the
/// office's.
async fn set_services(
    tx: &mut PgConnection,
    office: OfficeId,
    counter: i64,
    services: &[CounterServiceRequest],
) -> Result<()> {
    setup::clear_services(tx, counter).await?;
    for (position, s) in (0_i64..).zip(services) {
        let weight = i64::from(s.weight);
        if !setup::serve_of_office(tx, office.0, counter, s.service_id.0, position, weight).await? {
            return Err(Error::invalid(
                format!("service {} is not one of the office's", s.service_id),
                "Lĩnh vực đã chọn không thuộc cơ quan.",
            ));
        }
    }
    Ok(())
}
