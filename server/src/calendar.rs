//! The office's local day: which date a ticket belongs to, the weekday and
//! minute that issuing hours are checked against.

use crate::error::{Error, Result};
use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

/// An instant as seen on the office's wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalNow {
    /// The office-local date: tickets are numbered per this day.
    pub date: NaiveDate,
    /// ISO weekday, 1 = Monday … 7 = Sunday.
    pub iso_weekday: u8,
    /// Minutes after local midnight.
    pub minute: u16,
}

/// Parses an office's IANA time zone name.
pub fn zone(name: &str) -> Result<Tz> {
    name.parse::<Tz>()
        .map_err(|_| Error::Internal(format!("office time zone {name:?} is not an IANA zone")))
}

/// `now` on the wall clock of an office in zone `tz`.
pub fn local(now: DateTime<Utc>, tz: Tz) -> LocalNow {
    let local = now.with_timezone(&tz);
    LocalNow {
        date: local.date_naive(),
        iso_weekday: u8::try_from(local.weekday().number_from_monday())
            .expect("weekday numbers are 1 to 7"),
        minute: u16::try_from(local.hour() * 60 + local.minute())
            .expect("minutes in a day fit in u16"),
    }
}

/// The office-local date of `now`, as stored in `tickets.business_date`.
pub fn business_date(now: DateTime<Utc>, time_zone: &str) -> Result<String> {
    Ok(local(now, zone(time_zone)?).date.to_string())
}

/// Parses a stored `business_date`.
pub fn parse_date(s: &str) -> Result<NaiveDate> {
    s.parse()
        .map_err(|_| Error::Internal(format!("stored business date {s:?} is not YYYY-MM-DD")))
}

/// Milliseconds since the epoch back to an instant.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}
