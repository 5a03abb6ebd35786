//! Paired devices, their printers and the ratings of tablets, as rows.

use sqlx::{PgConnection, PgPool};

/// A device's row.
#[derive(Debug, Clone)]
pub struct Device {
    /// Its id.
    pub id: i64,
    /// Its office.
    pub office_id: i64,
    /// `kiosk`, `display` or `rating`.
    pub kind: String,
    /// Its name.
    pub name: String,
    /// A rating tablet's counter.
    pub counter_id: Option<i64>,
    /// When it was paired (ms).
    pub created_at: i64,
    /// When it was revoked (ms).
    pub revoked_at: Option<i64>,
    /// What its kiosk last said of its printer.
    pub printer_status: Option<String>,
    /// When (ms).
    pub status_at: Option<i64>,
}

/// An office's devices (`only`: one of them), oldest first.
pub async fn devices(pool: &PgPool, office: i64, only: Option<i64>) -> sqlx::Result<Vec<Device>> {
    sqlx::query_as!(
        Device,
        "SELECT id, office_id, kind, name, counter_id, created_at, revoked_at, printer_status,
                status_at
         FROM devices WHERE office_id = $1 AND ($2::BIGINT IS NULL OR id = $2) ORDER BY id",
        office,
        only
    )
    .fetch_all(pool)
    .await
}

/// Revokes a device of the office (keeping the first time); its token's
/// hash, if there is such a device.
pub async fn revoke(
    tx: &mut PgConnection,
    office: i64,
    id: i64,
    at: i64,
) -> sqlx::Result<Option<Vec<u8>>> {
    sqlx::query_scalar!(
        "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1)
         WHERE id = $2 AND office_id = $3
         RETURNING token_hash",
        at,
        id,
        office
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Records what a kiosk says of its printer.
pub async fn set_printer(
    tx: &mut PgConnection,
    device: i64,
    state: &str,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE devices SET printer_status = $1, status_at = $2 WHERE id = $3",
        state,
        at,
        device
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The counter's latest called ticket if it is done there: id, number,
/// when it last changed (ms), whether it is rated.
pub async fn last_finished(
    conn: impl sqlx::PgExecutor<'_>,
    counter: i64,
) -> sqlx::Result<Option<(i64, String, i64, bool)>> {
    Ok(sqlx::query!(
        r#"SELECT t.id, t.display_number, t.changed_at,
                  EXISTS (SELECT 1 FROM ratings r WHERE r.ticket_id = t.id) AS "rated!"
           FROM events e JOIN tickets t ON t.id = e.ticket_id
           WHERE e.counter_id = $1 AND e.kind = 'called'
             AND t.state = 'done' AND t.counter_id = $1
           ORDER BY e.id DESC
           LIMIT 1"#,
        counter
    )
    .fetch_optional(conn)
    .await?
    .map(|r| (r.id, r.display_number, r.changed_at, r.rated)))
}

/// Stores a rating of a ticket; false if it was rated already.
pub async fn rate(
    tx: &mut PgConnection,
    ticket: i64,
    counter: i64,
    device: i64,
    score: i64,
    at: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO ratings (ticket_id, office_id, counter_id, device_id, score, at)
         SELECT id, office_id, $2, $3, $4, $5 FROM tickets WHERE id = $1
         ON CONFLICT (ticket_id) DO NOTHING",
        ticket,
        counter,
        device,
        score,
        at
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
