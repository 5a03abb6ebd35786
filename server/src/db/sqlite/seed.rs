//! The demo office created on the first start of an empty database, so a
//! newcomer can issue and call tickets straight away.

use crate::caller::TokenHash;
use crate::config::DemoHours;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{DeviceKind, HoursWindow, IssuingHours, Role, TimeOfDay};
use sqlx::{SqliteConnection, SqlitePool};

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

/// Whether the database has no office yet.
pub async fn is_empty(pool: &SqlitePool) -> Result<bool> {
    let offices = sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM offices"#)
        .fetch_one(pool)
        .await?;
    Ok(offices == 0)
}

/// What the demo office holds.
struct DemoService {
    code: &'static str,
    name: &'static str,
    prefix: &'static str,
    first: i64,
    last: i64,
    cap: Option<i64>,
    secs: i64,
}

const SERVICES: [DemoService; 4] = [
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
type DemoCounter = (i64, &'static str, &'static str, &'static [(usize, i64)]);

const COUNTERS: [DemoCounter; 4] = [
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

fn hours(kind: DemoHours) -> IssuingHours {
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

/// Creates the demo office if the database has no office at all. Returns
/// whether it did. Users and devices get the secrets hashed in `keys`.
pub async fn demo_if_empty(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    time_zone: &str,
    kind: DemoHours,
    keys: &DemoKeys,
) -> Result<bool> {
    if keys.password_hashes.len() != USERS.len() || keys.device_keys.len() != DEVICES.len() {
        return Err(Error::Internal(
            "demo keys do not match its users and devices".into(),
        ));
    }
    let offices = sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM offices"#)
        .fetch_one(&mut *conn)
        .await?;
    if offices > 0 {
        return Ok(false);
    }
    let at = now.timestamp_millis();
    let office = sqlx::query_scalar!(
        r#"INSERT INTO offices (code, name, time_zone, ticket_footer, notice, created_at)
           VALUES ('demo', 'Bộ phận Một cửa – UBND xã Tân Phú', ?, 'Cảm ơn quý khách. Xin vui lòng giữ vé đến khi hoàn tất thủ tục.',
                   'Giờ làm việc: sáng 7:30–11:30, chiều 13:30–17:00, thứ Hai đến thứ Sáu. Công dân vui lòng chuẩn bị đầy đủ giấy tờ trước khi đến quầy.', ?)
           RETURNING id AS "id!: i64""#,
        time_zone,
        at
    )
    .fetch_one(&mut *conn)
    .await?;
    let hours = serde_json::to_string(&hours(kind))
        .map_err(|e| Error::Internal(format!("demo hours: {e}")))?;
    let mut service_ids = Vec::new();
    for (position, s) in (0_i64..).zip(SERVICES.iter()) {
        let id = sqlx::query_scalar!(
            r#"INSERT INTO services (office_id, code, name, prefix, first_number, last_number,
                                     daily_cap, accepts_priority, hours, default_service_secs, position)
               VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
               RETURNING id AS "id!: i64""#,
            office,
            s.code,
            s.name,
            s.prefix,
            s.first,
            s.last,
            s.cap,
            hours,
            s.secs,
            position
        )
        .fetch_one(&mut *conn)
        .await?;
        service_ids.push(id);
    }
    for ((username, full_name, role), hash) in USERS.iter().zip(&keys.password_hashes) {
        let role = role.as_str();
        sqlx::query!(
            r#"INSERT INTO users (office_id, username, full_name, role, password_hash)
               VALUES (?, ?, ?, ?, ?)"#,
            office,
            username,
            full_name,
            role,
            hash
        )
        .execute(&mut *conn)
        .await?;
    }
    for ((kind, name), key) in DEVICES.iter().zip(&keys.device_keys) {
        let (kind, key) = (kind.as_str(), &key[..]);
        sqlx::query!(
            r#"INSERT INTO devices (office_id, kind, name, token_hash, created_at)
               VALUES (?, ?, ?, ?, ?)"#,
            office,
            kind,
            name,
            key,
            at
        )
        .execute(&mut *conn)
        .await?;
    }
    // Open, so that staff can call as soon as they sign in to one.
    for (number, name, selection, services) in COUNTERS.iter() {
        let counter = sqlx::query_scalar!(
            r#"INSERT INTO counters (office_id, number, name, state, selection)
               VALUES (?, ?, ?, 'open', ?)
               RETURNING id AS "id!: i64""#,
            office,
            number,
            name,
            selection
        )
        .fetch_one(&mut *conn)
        .await?;
        for (position, (service, weight)) in (0_i64..).zip(services.iter()) {
            let service = service_ids[*service];
            sqlx::query!(
                "INSERT INTO counter_services (counter_id, service_id, position, weight) VALUES (?, ?, ?, ?)",
                counter,
                service,
                position,
                weight
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(true)
}
