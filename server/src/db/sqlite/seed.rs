//! The demo office written to an empty file (what it holds: `db::demo`).

use crate::config::DemoHours;
use crate::db::demo::{COUNTERS, DEVICES, DemoKeys, SERVICES, USERS, hours};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use sqlx::{SqliteConnection, SqlitePool};

/// Whether the database has no office yet.
pub async fn is_empty(pool: &SqlitePool) -> Result<bool> {
    let offices = sqlx::query_scalar!(r#"SELECT COUNT(*) AS "n!: i64" FROM offices"#)
        .fetch_one(pool)
        .await?;
    Ok(offices == 0)
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
