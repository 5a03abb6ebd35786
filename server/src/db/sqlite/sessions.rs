//! Sessions: who a token belongs to ([`principal`]), signing in and out,
//! and the sessions a change of account ends.

use crate::caller::{Principal, TokenHash};
use crate::db::sessions::{
    EndedSession, NewSession, SessionEnd, device_principal, session_principal,
};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, OfficeId, UserId};
use sqlx::{SqliteConnection, SqlitePool};

/// The open session or live device a token hash belongs to.
pub async fn principal(
    pool: &SqlitePool,
    key: &TokenHash,
    now: DateTime<Utc>,
) -> Result<Option<Principal>> {
    let (hash, at) = (&key[..], now.timestamp_millis());
    let session = sqlx::query!(
        r#"SELECT s.office_id, s.user_id, s.counter_id, s.expires_at, u.role
           FROM sessions s JOIN users u ON u.id = s.user_id
           WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.expires_at > ?"#,
        hash,
        at
    )
    .fetch_optional(pool)
    .await?;
    if let Some(s) = session {
        return session_principal(
            key,
            s.office_id,
            s.user_id,
            s.counter_id,
            s.expires_at,
            &s.role,
        )
        .map(Some);
    }
    let device = sqlx::query!(
        r#"SELECT id AS "id!", office_id, kind, counter_id FROM devices
           WHERE token_hash = ? AND revoked_at IS NULL"#,
        hash
    )
    .fetch_optional(pool)
    .await?;
    device
        .map(|d| device_principal(key, d.id, d.office_id, &d.kind, d.counter_id))
        .transpose()
}

/// How the session of `key` ended, if it ended or expired by `now`.
pub async fn ended_session(
    pool: &SqlitePool,
    key: &TokenHash,
    now: DateTime<Utc>,
) -> Result<Option<EndedSession>> {
    let (hash, now) = (&key[..], now.timestamp_millis());
    let row = sqlx::query!(
        r#"SELECT s.office_id, s.end_reason, c.number AS "counter?", u.full_name AS "successor?"
           FROM sessions s
           LEFT JOIN counters c ON c.id = s.counter_id
           LEFT JOIN users u ON u.id = c.staff_user_id AND u.id <> s.user_id
           WHERE s.token_hash = ? AND (s.ended_at IS NOT NULL OR s.expires_at <= ?)"#,
        hash,
        now
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| EndedSession {
        office: OfficeId(r.office_id),
        reason: r.end_reason.as_deref().and_then(SessionEnd::parse),
        counter: r.counter.and_then(|n| u32::try_from(n).ok()),
        successor: r.successor,
    }))
}

/// Opens a session. Signing in to a counter takes it over: whoever was
/// signed in there is signed out, and the counter's events name the new
/// staff member. Returns the tokens that stopped working.
pub async fn open_session(conn: &mut SqliteConnection, s: &NewSession) -> Result<Vec<TokenHash>> {
    let at = s.at.timestamp_millis();
    let mut ended = Vec::new();
    if let Some(counter) = s.counter {
        let office = sqlx::query_scalar!("SELECT office_id FROM counters WHERE id = ?", counter.0)
            .fetch_optional(&mut *conn)
            .await?;
        if office != Some(s.office.0) {
            return Err(Error::NotFound("counter"));
        }
        let reason = SessionEnd::TakenOver.as_str();
        let hashes = sqlx::query_scalar!(
            r#"UPDATE sessions SET ended_at = ?1, end_reason = ?3
               WHERE counter_id = ?2 AND ended_at IS NULL
               RETURNING token_hash"#,
            at,
            counter.0,
            reason
        )
        .fetch_all(&mut *conn)
        .await?;
        ended = token_hashes(&hashes);
        sqlx::query!(
            "UPDATE counters SET staff_user_id = ? WHERE id = ?",
            s.user.0,
            counter.0
        )
        .execute(&mut *conn)
        .await?;
    }
    let (hash, expires) = (&s.key[..], s.expires_at.timestamp_millis());
    let counter = s.counter.map(|c| c.0);
    sqlx::query!(
        r#"INSERT INTO sessions (office_id, token_hash, user_id, counter_id, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?)"#,
        s.office.0,
        hash,
        s.user.0,
        counter,
        at,
        expires
    )
    .execute(&mut *conn)
    .await?;
    Ok(ended)
}

/// Ends a session (logout). Its counter no longer names its staff member.
pub async fn end_session(
    conn: &mut SqliteConnection,
    key: &TokenHash,
    at: DateTime<Utc>,
) -> Result<()> {
    let (hash, at, reason) = (&key[..], at.timestamp_millis(), SessionEnd::Logout.as_str());
    let ended = sqlx::query!(
        r#"UPDATE sessions SET ended_at = ?, end_reason = ?
           WHERE token_hash = ? AND ended_at IS NULL
           RETURNING user_id, counter_id"#,
        at,
        reason,
        hash
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(ended) = ended
        && let Some(counter) = ended.counter_id
    {
        sqlx::query!(
            "UPDATE counters SET staff_user_id = NULL WHERE id = ? AND staff_user_id = ?",
            counter,
            ended.user_id
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The token hashes of `rows` (each 32 bytes, as the database keeps them).
fn token_hashes(rows: &[Vec<u8>]) -> Vec<TokenHash> {
    rows.iter()
        .filter_map(|h| h.as_slice().try_into().ok())
        .collect()
}

/// Ends every open session of a user, for `reason`. Returns the tokens that
/// stopped working.
pub async fn end_sessions_of(
    conn: &mut SqliteConnection,
    user: UserId,
    reason: SessionEnd,
    at: DateTime<Utc>,
) -> Result<Vec<TokenHash>> {
    let (at, reason) = (at.timestamp_millis(), reason.as_str());
    let hashes = sqlx::query_scalar!(
        r#"UPDATE sessions SET ended_at = ?, end_reason = ?
           WHERE user_id = ? AND ended_at IS NULL
           RETURNING token_hash"#,
        at,
        reason,
        user.0
    )
    .fetch_all(&mut *conn)
    .await?;
    release_counters(conn, user).await?;
    Ok(token_hashes(&hashes))
}

/// Counters that name `user` as their staff member without an open session
/// of theirs there stop naming them.
async fn release_counters(conn: &mut SqliteConnection, user: UserId) -> Result<()> {
    sqlx::query!(
        r#"UPDATE counters SET staff_user_id = NULL
           WHERE staff_user_id = ?1
             AND id NOT IN (SELECT counter_id FROM sessions
                            WHERE user_id = ?1 AND ended_at IS NULL AND counter_id IS NOT NULL)"#,
        user.0
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Ends a user's open sessions at counters they may no longer work: any
/// counter not in `allowed`, unless `allowed` is empty (any counter).
pub(super) async fn end_sessions_outside(
    conn: &mut SqliteConnection,
    user: UserId,
    allowed: &[CounterId],
    at: DateTime<Utc>,
) -> Result<Vec<TokenHash>> {
    if allowed.is_empty() {
        return Ok(Vec::new());
    }
    let (at, reason) = (at.timestamp_millis(), SessionEnd::Counters.as_str());
    let hashes = sqlx::query_scalar!(
        r#"UPDATE sessions SET ended_at = ?1, end_reason = ?2
           WHERE user_id = ?3 AND ended_at IS NULL AND counter_id IS NOT NULL
             AND counter_id NOT IN (SELECT counter_id FROM user_counters WHERE user_id = ?3)
           RETURNING token_hash"#,
        at,
        reason,
        user.0
    )
    .fetch_all(&mut *conn)
    .await?;
    release_counters(conn, user).await?;
    Ok(token_hashes(&hashes))
}
