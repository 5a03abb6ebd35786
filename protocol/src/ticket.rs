//! Tickets: their life, their priority classes and how their numbers read.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a ticket is in its life.
///
/// `waiting → called → serving → done`, with `called → no_show`,
/// `no_show → waiting` (reactivate), transfer back to `waiting` in another
/// service, `cancelled`, and `expired` for what is left at day close.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// In the queue of its service.
    Waiting,
    /// Called to a counter; the citizen is on the way.
    Called,
    /// The citizen is at the counter.
    Serving,
    /// Served.
    Done,
    /// Called but did not come; can be reactivated the same day.
    NoShow,
    /// Withdrawn by staff (the citizen left).
    Cancelled,
    /// Still open when the office's day closed.
    Expired,
}

impl TicketState {
    /// Every state, for exhaustive tests and parsing.
    pub const ALL: [TicketState; 7] = [
        Self::Waiting,
        Self::Called,
        Self::Serving,
        Self::Done,
        Self::NoShow,
        Self::Cancelled,
        Self::Expired,
    ];

    /// The name used in the API and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Serving => "serving",
            Self::Done => "done",
            Self::NoShow => "no_show",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    /// The state in Vietnamese, as staff read it ("đang chờ").
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::Waiting => "đang chờ",
            Self::Called => "đã được gọi",
            Self::Serving => "đang được phục vụ",
            Self::Done => "đã xong",
            Self::NoShow => "vắng mặt",
            Self::Cancelled => "đã huỷ",
            Self::Expired => "đã hết hạn",
        }
    }

    /// Whether the ticket can still move (it has not reached an end state).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Waiting | Self::Called | Self::Serving | Self::NoShow
        )
    }
}

impl fmt::Display for TicketState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state name that is not one of [`TicketState::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown ticket state {0:?}")]
pub struct UnknownState(pub String);

impl FromStr for TicketState {
    type Err = UnknownState;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|state| state.as_str() == s)
            .ok_or_else(|| UnknownState(s.to_owned()))
    }
}

/// Why a ticket goes before others, by Vietnamese law and office practice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// An ordinary ticket.
    #[default]
    None,
    /// Người cao tuổi (over 60, Luật Người cao tuổi).
    Elderly,
    /// Người khuyết tật.
    Disability,
    /// Phụ nữ mang thai.
    Pregnant,
    /// Người có con nhỏ.
    SmallChildren,
    /// Người có công với cách mạng, cựu chiến binh.
    Merit,
    /// Đặt lịch hẹn: booked in advance.
    Appointment,
}

impl Priority {
    /// Every class, for exhaustive tests and parsing.
    pub const ALL: [Priority; 7] = [
        Self::None,
        Self::Elderly,
        Self::Disability,
        Self::Pregnant,
        Self::SmallChildren,
        Self::Merit,
        Self::Appointment,
    ];

    /// The name used in the API and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Elderly => "elderly",
            Self::Disability => "disability",
            Self::Pregnant => "pregnant",
            Self::SmallChildren => "small_children",
            Self::Merit => "merit",
            Self::Appointment => "appointment",
        }
    }

    /// The Vietnamese label a citizen sees on the kiosk and the ticket.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::None => "Thường",
            Self::Elderly => "Người cao tuổi",
            Self::Disability => "Người khuyết tật",
            Self::Pregnant => "Phụ nữ mang thai",
            Self::SmallChildren => "Người có con nhỏ",
            Self::Merit => "Người có công",
            Self::Appointment => "Lịch hẹn",
        }
    }

    /// Whether this ticket is served ahead of ordinary ones.
    pub fn is_priority(self) -> bool {
        self != Self::None
    }
}

/// A priority name that is not one of [`Priority::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown priority class {0:?}")]
pub struct UnknownPriority(pub String);

impl FromStr for Priority {
    type Err = UnknownPriority;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownPriority(s.to_owned()))
    }
}

/// How a service numbers its tickets: an optional letter prefix and a range
/// that restarts every day (A001…A999, or 1001…1999).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawNumbering", into = "RawNumbering")]
pub struct Numbering {
    prefix: String,
    first: u32,
    last: u32,
}

#[derive(Serialize, Deserialize)]
struct RawNumbering {
    prefix: String,
    first: u32,
    last: u32,
}

impl TryFrom<RawNumbering> for Numbering {
    type Error = NumberingError;

    fn try_from(raw: RawNumbering) -> Result<Self, Self::Error> {
        Numbering::new(&raw.prefix, raw.first, raw.last)
    }
}

impl From<Numbering> for RawNumbering {
    fn from(n: Numbering) -> Self {
        RawNumbering {
            prefix: n.prefix,
            first: n.first,
            last: n.last,
        }
    }
}

/// A numbering scheme that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberingError {
    /// Prefixes are read aloud letter by letter: keep them short and plain.
    #[error("a ticket prefix is at most 2 letters A-Z, got {0:?}")]
    BadPrefix(String),
    /// The range must hold at least one number and fit on a ticket.
    #[error("a number range must satisfy 1 <= first <= last <= 99999, got {first}..{last}")]
    BadRange {
        /// First number of the day.
        first: u32,
        /// Last number of the day.
        last: u32,
    },
}

impl Numbering {
    /// Checks and builds a numbering scheme.
    pub fn new(prefix: &str, first: u32, last: u32) -> Result<Self, NumberingError> {
        if prefix.len() > 2 || !prefix.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(NumberingError::BadPrefix(prefix.to_owned()));
        }
        if first == 0 || first > last || last > 99_999 {
            return Err(NumberingError::BadRange { first, last });
        }
        Ok(Self {
            prefix: prefix.to_owned(),
            first,
            last,
        })
    }

    /// The letters printed before the number (may be empty).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The first number of each day.
    pub fn first(&self) -> u32 {
        self.first
    }

    /// The last number of each day; the service issues no more after it.
    pub fn last(&self) -> u32 {
        self.last
    }

    /// How many tickets the range holds in one day.
    pub fn capacity(&self) -> u32 {
        self.last - self.first + 1
    }

    /// The number as printed and shown: prefix, then the number padded to
    /// the width of the range's last number (`A007` for 1…999).
    pub fn format(&self, number: u32) -> String {
        let width = self.last.to_string().len();
        format!("{}{:0width$}", self.prefix, number)
    }
}

/// A time of day in minutes after midnight, written `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct TimeOfDay(u16);

/// Text that is not a time of day `HH:MM` between 00:00 and 24:00.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a time of day HH:MM between 00:00 and 24:00, got {0:?}")]
pub struct BadTimeOfDay(pub String);

impl TimeOfDay {
    /// Builds a time from hours and minutes; 24:00 is the end of the day.
    pub fn new(hours: u16, minutes: u16) -> Option<Self> {
        let total = hours * 60 + minutes;
        (minutes < 60 && total <= 24 * 60).then_some(Self(total))
    }

    /// Minutes after midnight.
    pub fn minutes(self) -> u16 {
        self.0
    }
}

impl FromStr for TimeOfDay {
    type Err = BadTimeOfDay;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadTimeOfDay(s.to_owned());
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        if h.len() != 2 || m.len() != 2 {
            return Err(bad());
        }
        let h: u16 = h.parse().map_err(|_| bad())?;
        let m: u16 = m.parse().map_err(|_| bad())?;
        Self::new(h, m).ok_or_else(bad)
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = BadTimeOfDay;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<TimeOfDay> for String {
    fn from(t: TimeOfDay) -> Self {
        t.to_string()
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

/// One issuing window: on these weekdays, from `from` until (not including) `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoursWindow {
    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    pub days: Vec<u8>,
    /// When issuing starts.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "07:30"))]
    pub from: TimeOfDay,
    /// When issuing stops.
    #[cfg_attr(feature = "openapi", schema(value_type = String, example = "11:15"))]
    pub to: TimeOfDay,
}

/// When a service issues tickets: any of several windows. Empty means never.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct IssuingHours(pub Vec<HoursWindow>);

impl IssuingHours {
    /// Every day, all day.
    pub fn always() -> Self {
        Self(vec![HoursWindow {
            days: (1..=7).collect(),
            from: TimeOfDay(0),
            to: TimeOfDay(24 * 60),
        }])
    }

    /// Whether a ticket may be issued at this local ISO weekday and minute.
    pub fn is_open(&self, iso_weekday: u8, minute_of_day: u16) -> bool {
        self.0.iter().any(|w| {
            w.days.contains(&iso_weekday) && w.from.0 <= minute_of_day && minute_of_day < w.to.0
        })
    }

    /// The windows as a Vietnamese sentence part: "07:30–11:15, 13:15–16:30
    /// (Thứ Hai–Thứ Sáu)", for refusals shown to citizens.
    pub fn describe_vi(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|w| format!("{}–{} ({})", w.from, w.to, describe_days_vi(&w.days)))
            .collect();
        parts.join("; ")
    }
}

fn weekday_vi(day: u8) -> &'static str {
    match day {
        1 => "Thứ Hai",
        2 => "Thứ Ba",
        3 => "Thứ Tư",
        4 => "Thứ Năm",
        5 => "Thứ Sáu",
        6 => "Thứ Bảy",
        _ => "Chủ nhật",
    }
}

fn describe_days_vi(days: &[u8]) -> String {
    let mut sorted = days.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    match sorted.as_slice() {
        [] => String::new(),
        [only] => weekday_vi(*only).to_owned(),
        [first, .., last] if usize::from(last - first) + 1 == sorted.len() => {
            if sorted.len() == 7 {
                "hằng ngày".to_owned()
            } else {
                format!("{}–{}", weekday_vi(*first), weekday_vi(*last))
            }
        }
        _ => sorted
            .iter()
            .map(|d| weekday_vi(*d))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The line under a waiting ticket's number, printed and on its tracking
/// page: how many wait before it.
pub fn people_ahead_line(n: u32) -> String {
    match n {
        0 => "Bạn là người tiếp theo".to_owned(),
        n => format!("Có {n} người đang chờ trước bạn"),
    }
}

/// A waiting ticket's estimated wait, in whole minutes (at least one),
/// printed and on its tracking page.
pub fn wait_line(secs: u32) -> String {
    let minutes = secs.div_ceil(60).max(1);
    format!("Thời gian chờ dự kiến: khoảng {minutes} phút")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Numbers are padded to the width of the range: A007, 1005.
    #[test]
    fn formats_numbers_with_prefix_and_padding() {
        let a = Numbering::new("A", 1, 999).unwrap();
        assert_eq!(a.format(7), "A007");
        let plain = Numbering::new("", 1001, 1999).unwrap();
        assert_eq!(plain.format(1005), "1005");
        assert_eq!(plain.capacity(), 999);
    }

    // Bad schemes are refused when built, not when a ticket is printed.
    #[test]
    fn refuses_bad_numbering() {
        assert!(Numbering::new("a", 1, 9).is_err());
        assert!(Numbering::new("ABC", 1, 9).is_err());
        assert!(Numbering::new("A", 0, 9).is_err());
        assert!(Numbering::new("A", 10, 9).is_err());
        assert!(Numbering::new("A", 1, 100_000).is_err());
    }

    // Windows include their start and exclude their end, on listed days only.
    #[test]
    fn issuing_hours_windows() {
        let hours: IssuingHours = serde_json::from_str(
            r#"[{"days":[1,2,3,4,5],"from":"07:30","to":"11:15"},
                {"days":[1,2,3,4,5],"from":"13:15","to":"16:30"}]"#,
        )
        .unwrap();
        assert!(hours.is_open(1, 7 * 60 + 30));
        assert!(!hours.is_open(1, 7 * 60 + 29));
        assert!(!hours.is_open(1, 11 * 60 + 15));
        assert!(hours.is_open(5, 16 * 60 + 29));
        assert!(!hours.is_open(6, 9 * 60));
        assert_eq!(
            hours.describe_vi(),
            "07:30–11:15 (Thứ Hai–Thứ Sáu); 13:15–16:30 (Thứ Hai–Thứ Sáu)"
        );
        assert!(IssuingHours::always().is_open(7, 24 * 60 - 1));
        assert!(
            serde_json::from_str::<IssuingHours>(r#"[{"days":[1],"from":"7:30","to":"11:15"}]"#)
                .is_err()
        );
        assert!(
            serde_json::from_str::<IssuingHours>(r#"[{"days":[1],"from":"24:01","to":"11:15"}]"#)
                .is_err()
        );
    }

    // The names in the API round-trip through parsing.
    #[test]
    fn state_and_priority_names_round_trip() {
        for s in TicketState::ALL {
            assert_eq!(s.as_str().parse::<TicketState>().unwrap(), s);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        for p in Priority::ALL {
            assert_eq!(p.as_str().parse::<Priority>().unwrap(), p);
        }
        assert!("finished".parse::<TicketState>().is_err());
    }
}
