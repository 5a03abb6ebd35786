//! The demo office created on the first start of an empty database, so a
//! newcomer can issue and call tickets straight away: what it holds, the
//! same on every engine.

use crate::caller::TokenHash;
use crate::config::DemoHours;
use layso_protocol::{DeviceKind, HoursWindow, IssuingHours, Role, TimeOfDay};

/// The demo's people: user name, full name, role.
pub const USERS: [(&str, &str, Role); 4] = [
    ("admin", "Quản trị viên", Role::Admin),
    ("thu", "Lê Thị Thu", Role::Manager),
    ("lan", "Nguyễn Thị Lan", Role::Staff),
    ("minh", "Trần Văn Minh", Role::Staff),
];

/// The demo's devices: a kiosk and a hall display.
pub const DEVICES: [(DeviceKind, &str); 2] = [
    (DeviceKind::Kiosk, "Kiosk sảnh chính"),
    (DeviceKind::Display, "Màn hình sảnh chính"),
];

/// What the database keeps of the demo's secrets: a password hash per
/// user of [`USERS`] and a token hash per device of [`DEVICES`], in order.
#[derive(Debug, Clone)]
pub struct DemoKeys {
    /// Argon2 hashes, one per user.
    pub password_hashes: Vec<String>,
    /// Token hashes, one per device.
    pub device_keys: Vec<TokenHash>,
}

impl DemoKeys {
    /// Keys nobody holds: users who cannot sign in and devices whose tokens
    /// were never written down. For tests of what lies beneath accounts.
    pub fn locked() -> Self {
        Self {
            password_hashes: vec!["locked".to_owned(); USERS.len()],
            device_keys: (0..DEVICES.len())
                .map(|i| crate::auth::hash(&format!("locked device {i}")))
                .collect(),
        }
    }
}

/// What the demo office holds.
pub struct DemoService {
    pub code: &'static str,
    pub name: &'static str,
    pub prefix: &'static str,
    pub first: i64,
    pub last: i64,
    pub cap: Option<i64>,
    pub secs: i64,
}

pub const SERVICES: [DemoService; 4] = [
    DemoService {
        code: "HT",
        name: "Hộ tịch",
        prefix: "A",
        first: 1,
        last: 999,
        cap: None,
        secs: 420,
    },
    DemoService {
        code: "CT",
        name: "Chứng thực",
        prefix: "B",
        first: 1,
        last: 999,
        cap: None,
        secs: 180,
    },
    DemoService {
        code: "DD",
        name: "Đất đai",
        prefix: "C",
        first: 1,
        last: 999,
        cap: Some(150),
        secs: 900,
    },
    DemoService {
        code: "DKKD",
        name: "Đăng ký kinh doanh",
        prefix: "",
        first: 4001,
        last: 4999,
        cap: Some(200),
        secs: 600,
    },
];

/// A demo counter: number, name, selection, and its services as
/// (index into SERVICES, weight), in order.
pub type DemoCounter = (i64, &'static str, &'static str, &'static [(usize, i64)]);

pub const COUNTERS: [DemoCounter; 4] = [
    (1, "Quầy Hộ tịch – Chứng thực", "order", &[(0, 1), (1, 1)]),
    (2, "Quầy Chứng thực – Hộ tịch", "order", &[(1, 1), (0, 1)]),
    (
        3,
        "Quầy Đất đai – Kinh doanh",
        "weighted",
        &[(2, 2), (3, 1)],
    ),
    (
        4,
        "Quầy Đa năng",
        "oldest",
        &[(0, 1), (1, 1), (2, 1), (3, 1)],
    ),
];

/// The demo services' issuing hours.
pub fn hours(kind: DemoHours) -> IssuingHours {
    match kind {
        DemoHours::Always => IssuingHours::always(),
        DemoHours::Office => {
            let t = |h, m| TimeOfDay::new(h, m).expect("constant times are valid");
            let weekdays: Vec<u8> = (1..=5).collect();
            IssuingHours(vec![
                HoursWindow {
                    days: weekdays.clone(),
                    from: t(7, 30),
                    to: t(11, 15),
                },
                HoursWindow {
                    days: weekdays,
                    from: t(13, 15),
                    to: t(16, 30),
                },
            ])
        }
    }
}
