//! Accounts, sessions, devices and ratings: the SQL behind `auth.rs` and
//! the routes that sign people in and pair devices.

use crate::auth::{Principal, TokenHash, Who};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{
    CounterId, DeviceId, DeviceKind, DeviceView, OfficeId, PrinterState, RatingView, Role,
    TicketId, UserId, UserView,
};
use sqlx::{SqliteConnection, SqlitePool};

fn time(ms: i64) -> Result<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| Error::Internal(format!("bad time {ms}")))
}

fn role(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| Error::Internal(format!("unknown role {s:?}")))
}

fn kind(s: &str) -> Result<DeviceKind> {
    DeviceKind::parse(s).ok_or_else(|| Error::Internal(format!("unknown device kind {s:?}")))
}

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
        return Ok(Some(Principal {
            key: *key,
            office: OfficeId(s.office_id),
            who: Who::User {
                id: UserId(s.user_id),
                role: role(&s.role)?,
                counter: s.counter_id.map(CounterId),
            },
            expires_at: Some(time(s.expires_at)?),
        }));
    }
    let device = sqlx::query!(
        r#"SELECT id AS "id!", office_id, kind, counter_id FROM devices
           WHERE token_hash = ? AND revoked_at IS NULL"#,
        hash
    )
    .fetch_optional(pool)
    .await?;
    device
        .map(|d| {
            Ok(Principal {
                key: *key,
                office: OfficeId(d.office_id),
                who: Who::Device {
                    id: DeviceId(d.id),
                    kind: kind(&d.kind)?,
                    counter: d.counter_id.map(CounterId),
                },
                expires_at: None,
            })
        })
        .transpose()
}

/// Whether `name` has a user name's shape: 2-32 of `a-z 0-9 . _ -`.
pub fn is_username(name: &str) -> bool {
    (2..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

/// A user of an office by name, with their password hash (none if unset).
pub async fn user_by_name(
    pool: &SqlitePool,
    office: OfficeId,
    username: &str,
) -> Result<Option<(UserView, Option<String>)>> {
    let row = sqlx::query!(
        r#"SELECT id AS "id!", office_id, username, full_name, role, password_hash
           FROM users WHERE office_id = ? AND username = ? AND disabled_at IS NULL"#,
        office.0,
        username
    )
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        let user = UserRow {
            id: r.id,
            office_id: r.office_id,
            username: r.username,
            full_name: r.full_name,
            role: r.role,
            disabled: false,
        };
        Ok((user.view()?, r.password_hash))
    })
    .transpose()
}

/// A user row as read for [`UserView`].
struct UserRow {
    id: i64,
    office_id: i64,
    username: String,
    full_name: String,
    role: String,
    disabled: bool,
}

impl UserRow {
    fn view(self) -> Result<UserView> {
        Ok(UserView {
            id: UserId(self.id),
            office_id: OfficeId(self.office_id),
            username: self.username,
            full_name: self.full_name,
            role: role(&self.role)?,
            disabled: self.disabled,
            counters: Vec::new(),
        })
    }
}

/// A user by id.
pub async fn user(pool: &SqlitePool, id: UserId) -> Result<UserView> {
    let mut user = sqlx::query_as!(
        UserRow,
        r#"SELECT id AS "id!", office_id, username, full_name, role,
                  disabled_at IS NOT NULL AS "disabled!: bool"
           FROM users WHERE id = ?"#,
        id.0
    )
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound("user"))?
    .view()?;
    user.counters = counters_of(pool, id).await?;
    Ok(user)
}

/// The counters `user` may work (empty: any).
pub async fn counters_of(pool: &SqlitePool, user: UserId) -> Result<Vec<CounterId>> {
    Ok(sqlx::query_scalar!(
        "SELECT counter_id FROM user_counters WHERE user_id = ? ORDER BY counter_id",
        user.0
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(CounterId)
    .collect())
}

/// Every user of an office, by name.
pub async fn users(pool: &SqlitePool, office: OfficeId) -> Result<Vec<UserView>> {
    let mut users = sqlx::query_as!(
        UserRow,
        r#"SELECT id AS "id!", office_id, username, full_name, role,
                  disabled_at IS NOT NULL AS "disabled!: bool"
           FROM users WHERE office_id = ? ORDER BY username"#,
        office.0
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(UserRow::view)
    .collect::<Result<Vec<_>>>()?;
    let pairs = sqlx::query!(
        r#"SELECT uc.user_id, uc.counter_id FROM user_counters uc
           JOIN users u ON u.id = uc.user_id WHERE u.office_id = ? ORDER BY uc.counter_id"#,
        office.0
    )
    .fetch_all(pool)
    .await?;
    for pair in pairs {
        if let Some(user) = users.iter_mut().find(|u| u.id.0 == pair.user_id) {
            user.counters.push(CounterId(pair.counter_id));
        }
    }
    Ok(users)
}

/// A new session to open.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The office.
    pub office: OfficeId,
    /// Who.
    pub user: UserId,
    /// Their counter, if they work one.
    pub counter: Option<CounterId>,
    /// The token's hash.
    pub key: TokenHash,
    /// When.
    pub at: DateTime<Utc>,
    /// Until when.
    pub expires_at: DateTime<Utc>,
}

/// Why a session ended before its time, as `sessions.end_reason` keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The person signed out.
    Logout,
    /// Someone else signed in at the same counter.
    TakenOver,
    /// An admin set a new password.
    Password,
    /// An admin disabled the account.
    Disabled,
    /// An admin changed the account's role.
    Role,
    /// An admin took the session's counter off the counters they may work.
    Counters,
}

impl SessionEnd {
    /// Its name in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Logout => "logout",
            Self::TakenOver => "taken_over",
            Self::Password => "password",
            Self::Disabled => "disabled",
            Self::Role => "role",
            Self::Counters => "counters",
        }
    }

    /// The reason named `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Logout,
            Self::TakenOver,
            Self::Password,
            Self::Disabled,
            Self::Role,
            Self::Counters,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }
}

/// How a session that no longer works ended, for the sign-in page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedSession {
    /// Why, if it was ended (none: it expired, or ended before reasons
    /// were kept).
    pub reason: Option<SessionEnd>,
    /// The number of the counter it was at.
    pub counter: Option<u32>,
    /// Whoever now sits at that counter (for a session taken over).
    pub successor: Option<String>,
}

/// How the session of `key` ended, if it ended or expired by `now`.
pub async fn ended_session(
    pool: &SqlitePool,
    key: &TokenHash,
    now: DateTime<Utc>,
) -> Result<Option<EndedSession>> {
    let (hash, now) = (&key[..], now.timestamp_millis());
    let row = sqlx::query!(
        r#"SELECT s.end_reason, c.number AS "counter?", u.full_name AS "successor?"
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
async fn end_sessions_outside(
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

/// Changes a user's name, role and counters, and disables or enables them.
/// Every open session the change makes wrong ends in the same transaction:
/// all of them when the account is disabled or its role changes, those at
/// a counter no longer allowed when its counters change. The hashes of the
/// ended sessions are returned so the cache forgets them and their streams
/// close. Logged as a settings change.
pub async fn update_user(
    conn: &mut SqliteConnection,
    office: OfficeId,
    user: UserId,
    change: &layso_protocol::UserRequest,
    admin: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<Vec<TokenHash>> {
    let before = sqlx::query_scalar!(
        "SELECT role FROM users WHERE id = ? AND office_id = ?",
        user.0,
        office.0
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound("user"))?;
    let (role, ms) = (change.role.as_str(), at.timestamp_millis());
    sqlx::query!(
        r#"UPDATE users SET full_name = ?1, role = ?2,
                  disabled_at = CASE WHEN ?3 THEN COALESCE(disabled_at, ?4) ELSE NULL END
           WHERE id = ?5 AND office_id = ?6"#,
        change.full_name,
        role,
        change.disabled,
        ms,
        user.0,
        office.0
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("DELETE FROM user_counters WHERE user_id = ?", user.0)
        .execute(&mut *conn)
        .await?;
    for counter in &change.counters {
        let added = sqlx::query!(
            r#"INSERT INTO user_counters (user_id, counter_id)
               SELECT ?1, id FROM counters WHERE id = ?2 AND office_id = ?3"#,
            user.0,
            counter.0,
            office.0
        )
        .execute(&mut *conn)
        .await?;
        if added.rows_affected() == 0 {
            return Err(Error::invalid(
                format!("counter {counter} is not one of the office's"),
                "Quầy đã chọn không thuộc cơ quan.",
            ));
        }
    }
    let ended = if change.disabled {
        end_sessions_of(conn, user, SessionEnd::Disabled, at).await?
    } else if before != role {
        end_sessions_of(conn, user, SessionEnd::Role, at).await?
    } else {
        end_sessions_outside(conn, user, &change.counters, at).await?
    };
    super::events::settings(conn, office, "user", admin, at).await?;
    Ok(ended)
}

/// A new user of an office.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// The office.
    pub office: OfficeId,
    /// Sign-in name.
    pub username: &'a str,
    /// Full name.
    pub full_name: &'a str,
    /// Role.
    pub role: Role,
    /// Argon2 hash of the password.
    pub password_hash: &'a str,
}

/// Creates a user; a name already taken in the office is refused.
pub async fn create_user(conn: &mut SqliteConnection, u: &NewUser<'_>) -> Result<UserId> {
    let role = u.role.as_str();
    let id = sqlx::query_scalar!(
        r#"INSERT INTO users (office_id, username, full_name, role, password_hash)
           VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (office_id, username) DO NOTHING
           RETURNING id AS "id!: i64""#,
        u.office.0,
        u.username,
        u.full_name,
        role,
        u.password_hash
    )
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| Error::AlreadyExists {
        message: format!("the user name {:?} is taken", u.username),
        vi: format!("Tên đăng nhập “{}” đã có người dùng.", u.username),
    })?;
    Ok(UserId(id))
}

/// Sets a user's password; returns false if the user is not the office's.
pub async fn set_password(
    conn: &mut SqliteConnection,
    office: OfficeId,
    user: UserId,
    password_hash: &str,
) -> Result<bool> {
    let done = sqlx::query!(
        "UPDATE users SET password_hash = ? WHERE id = ? AND office_id = ?",
        password_hash,
        user.0,
        office.0
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A device to pair.
#[derive(Debug, Clone)]
pub struct NewDevice<'a> {
    /// The office.
    pub office: OfficeId,
    /// What it is.
    pub kind: DeviceKind,
    /// Its name.
    pub name: &'a str,
    /// A rating tablet's counter.
    pub counter: Option<CounterId>,
    /// Its token's hash.
    pub key: TokenHash,
    /// When.
    pub at: DateTime<Utc>,
}

/// Pairs a device. A rating tablet needs a counter of the office; other
/// devices take none.
pub async fn create_device(conn: &mut SqliteConnection, d: &NewDevice<'_>) -> Result<DeviceId> {
    match (d.kind, d.counter) {
        (DeviceKind::Rating, Some(counter)) => {
            let office =
                sqlx::query_scalar!("SELECT office_id FROM counters WHERE id = ?", counter.0)
                    .fetch_optional(&mut *conn)
                    .await?;
            if office != Some(d.office.0) {
                return Err(Error::NotFound("counter"));
            }
        }
        (DeviceKind::Rating, None) => {
            return Err(Error::invalid(
                "a rating tablet needs the counter_id it stands at",
                "Máy đánh giá cần chọn quầy đặt máy.",
            ));
        }
        (_, Some(_)) => {
            return Err(Error::invalid(
                "only a rating tablet belongs to a counter",
                "Chỉ máy đánh giá mới gắn với một quầy.",
            ));
        }
        (_, None) => {}
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
    let rows = sqlx::query!(
        r#"SELECT id AS "id!", office_id, kind, name, counter_id, created_at, revoked_at,
                  printer_status, status_at
           FROM devices WHERE office_id = ?1 AND (?2 IS NULL OR id = ?2) ORDER BY id"#,
        office.0,
        only
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(DeviceView {
                id: DeviceId(r.id),
                office_id: OfficeId(r.office_id),
                kind: kind(&r.kind)?,
                name: r.name,
                counter_id: r.counter_id.map(CounterId),
                created_at: time(r.created_at)?,
                revoked_at: r.revoked_at.map(time).transpose()?,
                printer: r.printer_status.as_deref().and_then(PrinterState::parse),
                status_at: r.status_at.map(time).transpose()?,
            })
        })
        .collect()
}

/// Records what a kiosk says of its printer.
pub async fn set_printer_status(
    conn: &mut SqliteConnection,
    device: DeviceId,
    printer: PrinterState,
    at: DateTime<Utc>,
) -> Result<()> {
    let (state, at) = (printer.as_str(), at.timestamp_millis());
    sqlx::query!(
        "UPDATE devices SET printer_status = ?, status_at = ? WHERE id = ?",
        state,
        at,
        device.0
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// How long after its finish a ticket may still be rated.
pub const RATING_WINDOW_MS: i64 = 10 * 60 * 1000;

/// The ticket a counter's tablet may rate now: the counter's latest
/// finished ticket, if it finished within [`RATING_WINDOW_MS`] and has no
/// rating yet.
pub async fn ratable(
    conn: impl sqlx::SqliteExecutor<'_>,
    counter: CounterId,
    now: DateTime<Utc>,
) -> Result<Option<RatingView>> {
    let since = now.timestamp_millis() - RATING_WINDOW_MS;
    let row = sqlx::query!(
        r#"SELECT t.id AS "id!", t.display_number, t.changed_at,
                  EXISTS (SELECT 1 FROM ratings r WHERE r.ticket_id = t.id) AS "rated!: bool"
           FROM events e JOIN tickets t ON t.id = e.ticket_id
           WHERE e.counter_id = ?1 AND e.kind = 'called'
             AND t.state = 'done' AND t.counter_id = ?1
           ORDER BY e.id DESC
           LIMIT 1"#,
        counter.0
    )
    .fetch_optional(conn)
    .await?;
    Ok(row
        .filter(|r| r.changed_at >= since && !r.rated)
        .map(|r| RatingView {
            ticket_id: TicketId(r.id),
            display_number: r.display_number,
            counter_id: counter,
            score: None,
        }))
}

/// Stores a rating from a counter's tablet, if that ticket is the one it
/// may rate.
pub async fn rate(
    conn: &mut SqliteConnection,
    device: DeviceId,
    counter: CounterId,
    ticket: TicketId,
    score: u8,
    now: DateTime<Utc>,
) -> Result<RatingView> {
    let Some(mut ratable) = ratable(&mut *conn, counter, now).await? else {
        return Err(Error::NotRatable(
            "no ticket finished at this counter in the last 10 minutes waits for a rating".into(),
        ));
    };
    if ratable.ticket_id != ticket {
        return Err(Error::NotRatable(format!(
            "ticket {ticket} is not the one just finished at this counter"
        )));
    }
    let (at, score_db) = (now.timestamp_millis(), i64::from(score));
    sqlx::query!(
        r#"INSERT INTO ratings (ticket_id, office_id, counter_id, device_id, score, at)
           SELECT id, office_id, ?2, ?3, ?4, ?5 FROM tickets WHERE id = ?1"#,
        ticket.0,
        counter.0,
        device.0,
        score_db,
        at
    )
    .execute(conn)
    .await?;
    ratable.score = Some(score);
    Ok(ratable)
}
