//! The office's people: their accounts, roles, counters and passwords.

use super::sessions::{end_sessions_of, end_sessions_outside};
use crate::caller::TokenHash;
use crate::db::sessions::SessionEnd;
use crate::db::users::NewUser;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, OfficeId, UserId, UserView};
use sqlx::{SqliteConnection, SqlitePool};

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
            role: crate::db::role(&self.role)?,
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
           FROM users WHERE office_id = ? AND role <> 'province_admin'
           ORDER BY username"#,
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
        "SELECT role FROM users WHERE id = ? AND office_id = ? AND role <> 'province_admin'",
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

/// Creates a user; a name already taken in the office is refused.
pub async fn create_user(conn: &mut SqliteConnection, u: &NewUser) -> Result<UserId> {
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

/// Sets a user's password; returns false if the user is not the office's
/// (a province admin is the province's: an office admin cannot set theirs).
pub async fn set_password(
    conn: &mut SqliteConnection,
    office: OfficeId,
    user: UserId,
    password_hash: &str,
) -> Result<bool> {
    let done = sqlx::query!(
        "UPDATE users SET password_hash = ?
         WHERE id = ? AND office_id = ? AND role <> 'province_admin'",
        password_hash,
        user.0,
        office.0
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
