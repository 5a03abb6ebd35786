//! Sessions and device tokens as rows: who a token hash belongs to,
//! signing in and out, and the sessions a change of account ends.

use sqlx::{PgConnection, PgPool};

/// An open session's row.
#[derive(Debug, Clone)]
pub struct Session {
    /// Its office.
    pub office_id: i64,
    /// Its user.
    pub user_id: i64,
    /// The counter they work, if any.
    pub counter_id: Option<i64>,
    /// When it expires (ms).
    pub expires_at: i64,
    /// The user's role.
    pub role: String,
}

/// A live device's row.
#[derive(Debug, Clone)]
pub struct Device {
    /// Its id.
    pub id: i64,
    /// Its office.
    pub office_id: i64,
    /// `kiosk`, `display` or `rating`.
    pub kind: String,
    /// A rating tablet's counter.
    pub counter_id: Option<i64>,
}

/// The open, unexpired session of a token hash at `now` (ms).
pub async fn session(pool: &PgPool, hash: &[u8], now: i64) -> sqlx::Result<Option<Session>> {
    sqlx::query_as!(
        Session,
        "SELECT s.office_id, s.user_id, s.counter_id, s.expires_at, u.role
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.ended_at IS NULL AND s.expires_at > $2",
        hash,
        now
    )
    .fetch_optional(pool)
    .await
}

/// The unrevoked device of a token hash.
pub async fn device(pool: &PgPool, hash: &[u8]) -> sqlx::Result<Option<Device>> {
    sqlx::query_as!(
        Device,
        "SELECT id, office_id, kind, counter_id FROM devices
         WHERE token_hash = $1 AND revoked_at IS NULL",
        hash
    )
    .fetch_optional(pool)
    .await
}

/// A session that ended or expired by `now` (ms): its office, why, its
/// counter's number and whoever sits there now (someone else).
pub async fn ended(
    pool: &PgPool,
    hash: &[u8],
    now: i64,
) -> sqlx::Result<Option<(i64, Option<String>, Option<i64>, Option<String>)>> {
    Ok(sqlx::query!(
        r#"SELECT s.office_id, s.end_reason, c.number AS "counter?", u.full_name AS "successor?"
           FROM sessions s
           LEFT JOIN counters c ON c.id = s.counter_id
           LEFT JOIN users u ON u.id = c.staff_user_id AND u.id <> s.user_id
           WHERE s.token_hash = $1 AND (s.ended_at IS NOT NULL OR s.expires_at <= $2)"#,
        hash,
        now
    )
    .fetch_optional(pool)
    .await?
    .map(|r| (r.office_id, r.end_reason, r.counter, r.successor)))
}

/// Ends the open sessions at `counter` for `reason` at `at`, and makes
/// `user` its staff member; the ended sessions' hashes. The counter's row
/// is locked first, so two sign-ins to one counter on two processes take
/// turns: the second ends the first.
pub async fn take_counter(
    tx: &mut PgConnection,
    counter: i64,
    user: i64,
    reason: &str,
    at: i64,
) -> sqlx::Result<Vec<Vec<u8>>> {
    sqlx::query!(
        "UPDATE counters SET staff_user_id = $2 WHERE id = $1",
        counter,
        user
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query_scalar!(
        "UPDATE sessions SET ended_at = $1, end_reason = $3
         WHERE counter_id = $2 AND ended_at IS NULL
         RETURNING token_hash",
        at,
        counter,
        reason
    )
    .fetch_all(&mut *tx)
    .await
}

/// A counter's office, if it exists.
pub async fn counter_office(tx: &mut PgConnection, counter: i64) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!("SELECT office_id FROM counters WHERE id = $1", counter)
        .fetch_optional(&mut *tx)
        .await
}

/// Opens a session.
pub async fn insert(
    tx: &mut PgConnection,
    office: i64,
    hash: &[u8],
    user: i64,
    counter: Option<i64>,
    at: i64,
    expires_at: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO sessions (office_id, token_hash, user_id, counter_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
        office,
        hash,
        user,
        counter,
        at,
        expires_at
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Ends the open session of a token hash for `reason`; its user and
/// counter, if it was open.
pub async fn end(
    tx: &mut PgConnection,
    hash: &[u8],
    reason: &str,
    at: i64,
) -> sqlx::Result<Option<(i64, Option<i64>)>> {
    Ok(sqlx::query!(
        "UPDATE sessions SET ended_at = $1, end_reason = $2
         WHERE token_hash = $3 AND ended_at IS NULL
         RETURNING user_id, counter_id",
        at,
        reason,
        hash
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| (r.user_id, r.counter_id)))
}

/// `counter` stops naming `user` as its staff member.
pub async fn leave_counter(tx: &mut PgConnection, counter: i64, user: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE counters SET staff_user_id = NULL WHERE id = $1 AND staff_user_id = $2",
        counter,
        user
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Ends every open session of a user for `reason`; their hashes. The
/// counters that named them stop.
pub async fn end_all_of(
    tx: &mut PgConnection,
    user: i64,
    reason: &str,
    at: i64,
) -> sqlx::Result<Vec<Vec<u8>>> {
    let hashes = sqlx::query_scalar!(
        "UPDATE sessions SET ended_at = $1, end_reason = $2
         WHERE user_id = $3 AND ended_at IS NULL
         RETURNING token_hash",
        at,
        reason,
        user
    )
    .fetch_all(&mut *tx)
    .await?;
    release_counters(tx, user).await?;
    Ok(hashes)
}

/// Ends a user's open sessions at counters not among their allowed ones
/// (only call when they have some); their hashes.
pub async fn end_outside(
    tx: &mut PgConnection,
    user: i64,
    reason: &str,
    at: i64,
) -> sqlx::Result<Vec<Vec<u8>>> {
    let hashes = sqlx::query_scalar!(
        "UPDATE sessions SET ended_at = $1, end_reason = $2
         WHERE user_id = $3 AND ended_at IS NULL AND counter_id IS NOT NULL
           AND counter_id NOT IN (SELECT counter_id FROM user_counters WHERE user_id = $3)
         RETURNING token_hash",
        at,
        reason,
        user
    )
    .fetch_all(&mut *tx)
    .await?;
    release_counters(tx, user).await?;
    Ok(hashes)
}

/// Counters that name `user` without an open session of theirs there stop
/// naming them.
async fn release_counters(tx: &mut PgConnection, user: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE counters SET staff_user_id = NULL
         WHERE staff_user_id = $1
           AND id NOT IN (SELECT counter_id FROM sessions
                          WHERE user_id = $1 AND ended_at IS NULL AND counter_id IS NOT NULL)",
        user
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Records that tokens stopped working, at the database's own clock (the
/// processes may disagree on theirs), for the other processes to forget.
pub async fn invalidate(tx: &mut PgConnection, hashes: &[Vec<u8>]) -> sqlx::Result<()> {
    if hashes.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "INSERT INTO invalidations (at, token_hash)
         SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT, h
         FROM unnest($1::BYTEA[]) AS h",
        hashes
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// The tokens that stopped working in the last minute by the database's
/// clock: id and hash.
pub async fn invalidated_lately(pool: &PgPool) -> sqlx::Result<Vec<(i64, Vec<u8>)>> {
    Ok(sqlx::query!(
        "SELECT id, token_hash FROM invalidations
         WHERE at >= (EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT - 60000
         ORDER BY id"
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.token_hash))
    .collect())
}
