//! An office's people as rows.

use sqlx::{PgConnection, PgPool};

/// A user's row.
#[derive(Debug, Clone)]
pub struct User {
    /// Their id.
    pub id: i64,
    /// Their office.
    pub office_id: i64,
    /// Their sign-in name.
    pub username: String,
    /// Their full name.
    pub full_name: String,
    /// Their role.
    pub role: String,
    /// Whether they are disabled.
    pub disabled: bool,
}

/// An enabled user of an office by name, with their password hash.
pub async fn by_name(
    pool: &PgPool,
    office: i64,
    username: &str,
) -> sqlx::Result<Option<(User, Option<String>)>> {
    Ok(sqlx::query!(
        "SELECT id, office_id, username, full_name, role, password_hash
         FROM users WHERE office_id = $1 AND username = $2 AND disabled_at IS NULL",
        office,
        username
    )
    .fetch_optional(pool)
    .await?
    .map(|r| {
        let user = User {
            id: r.id,
            office_id: r.office_id,
            username: r.username,
            full_name: r.full_name,
            role: r.role,
            disabled: false,
        };
        (user, r.password_hash)
    }))
}

/// A user by id.
pub async fn user(pool: &PgPool, id: i64) -> sqlx::Result<Option<User>> {
    sqlx::query_as!(
        User,
        r#"SELECT id, office_id, username, full_name, role,
                  disabled_at IS NOT NULL AS "disabled!"
           FROM users WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

/// The counters a user may work, by id (none: any).
pub async fn counters_of(pool: &PgPool, user: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!(
        "SELECT counter_id FROM user_counters WHERE user_id = $1 ORDER BY counter_id",
        user
    )
    .fetch_all(pool)
    .await
}

/// An office's users (not the province's admins) by name, and every
/// (user, counter) pair of them by counter.
pub async fn users(pool: &PgPool, office: i64) -> sqlx::Result<(Vec<User>, Vec<(i64, i64)>)> {
    let users = sqlx::query_as!(
        User,
        r#"SELECT id, office_id, username, full_name, role,
                  disabled_at IS NOT NULL AS "disabled!"
           FROM users WHERE office_id = $1 AND role <> 'province_admin'
           ORDER BY username"#,
        office
    )
    .fetch_all(pool)
    .await?;
    let pairs = sqlx::query!(
        "SELECT uc.user_id, uc.counter_id FROM user_counters uc
         JOIN users u ON u.id = uc.user_id WHERE u.office_id = $1 ORDER BY uc.counter_id",
        office
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.user_id, r.counter_id))
    .collect();
    Ok((users, pairs))
}

/// A user of the office (not a province admin)'s role, locked for the
/// rest of the transaction.
pub async fn role_for_update(
    tx: &mut PgConnection,
    office: i64,
    user: i64,
) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar!(
        "SELECT role FROM users WHERE id = $1 AND office_id = $2 AND role <> 'province_admin'
         FOR UPDATE",
        user,
        office
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Sets a user's name and role, and disables them (keeping the first
/// time) or enables them.
pub async fn update(
    tx: &mut PgConnection,
    user: i64,
    full_name: &str,
    role: &str,
    disabled: bool,
    at: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE users SET full_name = $1, role = $2,
                disabled_at = CASE WHEN $3 THEN COALESCE(disabled_at, $4) ELSE NULL END
         WHERE id = $5",
        full_name,
        role,
        disabled,
        at,
        user
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Replaces the counters a user may work; false if one of them is not the
/// office's (then the caller rolls back).
pub async fn set_counters(
    tx: &mut PgConnection,
    office: i64,
    user: i64,
    counters: &[i64],
) -> sqlx::Result<bool> {
    sqlx::query!("DELETE FROM user_counters WHERE user_id = $1", user)
        .execute(&mut *tx)
        .await?;
    let added = sqlx::query!(
        "INSERT INTO user_counters (user_id, counter_id)
         SELECT $1, id FROM counters WHERE id = ANY($2) AND office_id = $3",
        user,
        counters,
        office
    )
    .execute(&mut *tx)
    .await?;
    let mut distinct = counters.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    Ok(added.rows_affected() == distinct.len() as u64)
}

/// Sets the password of a user of the office (not a province admin's);
/// false if there is no such user.
pub async fn set_password(
    tx: &mut PgConnection,
    office: i64,
    user: i64,
    hash: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE users SET password_hash = $1
         WHERE id = $2 AND office_id = $3 AND role <> 'province_admin'",
        hash,
        user,
        office
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
