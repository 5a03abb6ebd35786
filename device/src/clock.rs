//! The office's own time, for the clocks people read on the kiosk and the
//! board: the office's time zone (from the server), not the machine's,
//! which on a kiosk or TV box is often UTC.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

/// The zone assumed before the server has said the office's: Vietnam's.
pub const DEFAULT_ZONE: Tz = chrono_tz::Asia::Ho_Chi_Minh;

/// `now` on the office's clock, in the IANA zone `zone` (Vietnam's if the
/// name is unknown).
pub fn local(zone: &str, now: DateTime<Utc>) -> NaiveDateTime {
    let zone = zone.parse::<Tz>().unwrap_or(DEFAULT_ZONE);
    now.with_timezone(&zone).naive_local()
}

#[cfg(test)]
mod tests {
    use super::*;

    // 13:06 UTC is 20:06 in Hà Nội, whatever the machine's zone.
    #[test]
    fn the_office_zone_not_the_machines() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T13:06:00Z")
            .expect("a valid instant")
            .with_timezone(&Utc);
        assert_eq!(
            local("Asia/Ho_Chi_Minh", now).format("%H:%M").to_string(),
            "20:06"
        );
        assert_eq!(
            local("Asia/Tokyo", now).format("%H:%M").to_string(),
            "22:06"
        );
        assert_eq!(local("Not/AZone", now).format("%H:%M").to_string(), "20:06");
    }
}
