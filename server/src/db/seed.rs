//! The demo office created on the first start of an empty database, so a
//! newcomer can issue and call tickets straight away.

use crate::config::DemoHours;
use crate::error::Result;
use chrono::{DateTime, Utc};
use layso_protocol::{HoursWindow, IssuingHours, TimeOfDay};
use sqlx::SqliteConnection;

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
/// whether it did. Users get no password: accounts come with their own step.
pub async fn demo_if_empty(
    conn: &mut SqliteConnection,
    now: DateTime<Utc>,
    time_zone: &str,
    kind: DemoHours,
) -> Result<bool> {
    let offices = sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM offices"#)
        .fetch_one(&mut *conn)
        .await?;
    if offices > 0 {
        return Ok(false);
    }
    let at = now.timestamp_millis();
    let office = sqlx::query_scalar!(
        r#"INSERT INTO offices (code, name, time_zone, ticket_footer, created_at)
           VALUES ('demo', 'Bộ phận Một cửa – UBND xã Tân Phú', ?, 'Cảm ơn quý khách. Xin vui lòng giữ vé đến khi hoàn tất thủ tục.', ?)
           RETURNING id AS "id!: i64""#,
        time_zone,
        at
    )
    .fetch_one(&mut *conn)
    .await?;
    let hours = serde_json::to_string(&hours(kind))
        .map_err(|e| crate::error::Error::Internal(format!("demo hours: {e}")))?;
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
    let mut staff = Vec::new();
    for (username, full_name, role) in [
        ("admin", "Quản trị viên", "admin"),
        ("lan", "Nguyễn Thị Lan", "staff"),
        ("minh", "Trần Văn Minh", "staff"),
    ] {
        let id = sqlx::query_scalar!(
            r#"INSERT INTO users (office_id, username, full_name, role) VALUES (?, ?, ?, ?)
               RETURNING id AS "id!: i64""#,
            office,
            username,
            full_name,
            role
        )
        .fetch_one(&mut *conn)
        .await?;
        if role == "staff" {
            staff.push(id);
        }
    }
    for (i, (number, name, selection, services)) in COUNTERS.iter().enumerate() {
        let user = staff.get(i).copied();
        let counter = sqlx::query_scalar!(
            r#"INSERT INTO counters (office_id, number, name, state, staff_user_id, selection)
               VALUES (?, ?, ?, 'open', ?, ?)
               RETURNING id AS "id!: i64""#,
            office,
            number,
            name,
            user,
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
