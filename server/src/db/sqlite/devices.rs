//! Paired devices: kiosks, hall displays and rating tablets.

use crate::caller::TokenHash;
use crate::db::devices::{DeviceRow, NewDevice};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{DeviceId, DeviceView, OfficeId};
use sqlx::{SqliteConnection, SqlitePool};

/// Pairs a device; its counter, if it has one, must be the office's.
pub async fn create_device(conn: &mut SqliteConnection, d: &NewDevice) -> Result<DeviceId> {
    if let Some(counter) = d.counter {
        let office = sqlx::query_scalar!("SELECT office_id FROM counters WHERE id = ?", counter.0)
            .fetch_optional(&mut *conn)
            .await?;
        if office != Some(d.office.0) {
            return Err(Error::NotFound("counter"));
        }
    }
    let (kind, hash, at) = (d.kind.as_str(), &d.key[..], d.at.timestamp_millis());
    let counter = d.counter.map(|c| c.0);
    let id = sqlx::query_scalar!(
        r#"INSERT INTO devices (office_id, kind, name, counter_id, token_hash, created_at)
           VALUES (?, ?, ?, ?, ?, ?)
           RETURNING id AS "id!: i64""#,
        d.office.0,
        kind,
        d.name,
        counter,
        hash,
        at
    )
    .fetch_one(conn)
    .await?;
    Ok(DeviceId(id))
}

/// Revokes a device of the office; returns its token's hash. Revoking twice
/// is a no-op.
pub async fn revoke_device(
    conn: &mut SqliteConnection,
    office: OfficeId,
    id: DeviceId,
    at: DateTime<Utc>,
) -> Result<TokenHash> {
    let at = at.timestamp_millis();
    let hash = sqlx::query_scalar!(
        r#"UPDATE devices SET revoked_at = COALESCE(revoked_at, ?)
           WHERE id = ? AND office_id = ?
           RETURNING token_hash"#,
        at,
        id.0,
        office.0
    )
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound("device"))?;
    hash.as_slice()
        .try_into()
        .map_err(|_| Error::Internal(format!("device {id}: bad token hash")))
}

/// The devices of an office (`only`: one of them), oldest first.
pub async fn devices(
    pool: &SqlitePool,
    office: OfficeId,
    only: Option<DeviceId>,
) -> Result<Vec<DeviceView>> {
    let only = only.map(|d| d.0);
    sqlx::query_as!(
        DeviceRow,
        r#"SELECT id AS "id!", office_id, kind, name, counter_id, created_at, revoked_at,
                  printer_status, status_at
           FROM devices WHERE office_id = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY id"#,
        office.0,
        only
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(DeviceRow::into_view)
    .collect()
}
