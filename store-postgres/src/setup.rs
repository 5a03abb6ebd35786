//! An office's setup as rows: services, counters and what each serves,
//! users and devices, inserted (by the demo and by the admins' routes).

use sqlx::PgConnection;

/// A new service.
#[derive(Debug, Clone)]
pub struct NewService<'a> {
    /// Its office.
    pub office: i64,
    /// Its code (unique in the office).
    pub code: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its numbers' prefix.
    pub prefix: &'a str,
    /// Its first number.
    pub first: i64,
    /// Its last number.
    pub last: i64,
    /// At most this many a day, if capped.
    pub daily_cap: Option<i64>,
    /// Whether priority classes go first.
    pub accepts_priority: bool,
    /// Its issuing hours, as JSON.
    pub hours: &'a str,
    /// Its default service time in seconds.
    pub default_secs: i64,
    /// Its place on the kiosk.
    pub position: i64,
}

/// Inserts a service; its id, or `None` if the code is the office's
/// already (nothing is written then).
pub async fn insert_service(
    tx: &mut PgConnection,
    s: &NewService<'_>,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "INSERT INTO services (office_id, code, name, prefix, first_number, last_number,
             daily_cap, accepts_priority, hours, default_service_secs, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (office_id, code) DO NOTHING
         RETURNING id",
        s.office,
        s.code,
        s.name,
        s.prefix,
        s.first,
        s.last,
        s.daily_cap,
        s.accepts_priority,
        s.hours,
        s.default_secs,
        s.position
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Inserts a user; their id, or `None` if the name is the office's
/// already (nothing is written then).
pub async fn insert_user(
    tx: &mut PgConnection,
    office: i64,
    username: &str,
    full_name: &str,
    role: &str,
    password_hash: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "INSERT INTO users (office_id, username, full_name, role, password_hash)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (office_id, username) DO NOTHING
         RETURNING id",
        office,
        username,
        full_name,
        role,
        password_hash
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Inserts a device with its token's hash; its id.
pub async fn insert_device(
    tx: &mut PgConnection,
    office: i64,
    kind: &str,
    name: &str,
    counter: Option<i64>,
    token_hash: &[u8],
    at: i64,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        "INSERT INTO devices (office_id, kind, name, counter_id, token_hash, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         RETURNING id",
        office,
        kind,
        name,
        counter,
        token_hash,
        at
    )
    .fetch_one(&mut *tx)
    .await
}

/// Inserts a counter; its id, or `None` if its number is the office's
/// already (nothing is written then).
pub async fn insert_counter(
    tx: &mut PgConnection,
    office: i64,
    number: i64,
    name: &str,
    state: &str,
    selection: &str,
) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "INSERT INTO counters (office_id, number, name, state, selection)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (office_id, number) DO NOTHING
         RETURNING id",
        office,
        number,
        name,
        state,
        selection
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Says that `counter` serves `service`, at `position` with `weight`.
pub async fn serve(
    tx: &mut PgConnection,
    counter: i64,
    service: i64,
    position: i64,
    weight: i64,
) -> sqlx::Result<()> {
    sqlx::query!(
        "INSERT INTO counter_services (counter_id, service_id, position, weight)
         VALUES ($1, $2, $3, $4)",
        counter,
        service,
        position,
        weight
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Whether another service of the office than `except` has `code`.
pub async fn code_taken(
    tx: &mut PgConnection,
    office: i64,
    code: &str,
    except: Option<i64>,
) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM services
                          WHERE office_id = $1 AND code = $2 AND id <> COALESCE($3::BIGINT, -1))
           AS "taken!""#,
        office,
        code,
        except
    )
    .fetch_one(&mut *tx)
    .await
}

/// The place after the office's last service on the kiosk.
pub async fn next_position(tx: &mut PgConnection, office: i64) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT COALESCE(MAX(position), -1) + 1 AS "next!" FROM services WHERE office_id = $1"#,
        office
    )
    .fetch_one(&mut *tx)
    .await
}

/// Replaces a service's settings (its place and default time stay); false
/// if the office has no such service.
pub async fn update_service(
    tx: &mut PgConnection,
    id: i64,
    s: &NewService<'_>,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE services SET code = $1, name = $2, prefix = $3, first_number = $4,
                             last_number = $5, daily_cap = $6, accepts_priority = $7, hours = $8
         WHERE id = $9 AND office_id = $10",
        s.code,
        s.name,
        s.prefix,
        s.first,
        s.last,
        s.daily_cap,
        s.accepts_priority,
        s.hours,
        id,
        s.office
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a counter's name and selection; false if the office has no
/// such counter.
pub async fn update_counter(
    tx: &mut PgConnection,
    office: i64,
    counter: i64,
    name: &str,
    selection: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE counters SET name = $1, selection = $2 WHERE id = $3 AND office_id = $4",
        name,
        selection,
        counter,
        office
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets the services a counter serves.
pub async fn clear_services(tx: &mut PgConnection, counter: i64) -> sqlx::Result<()> {
    sqlx::query!(
        "DELETE FROM counter_services WHERE counter_id = $1",
        counter
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Says that `counter` serves `service` of the office at `position` with
/// `weight`; false if the service is not the office's (nothing written).
pub async fn serve_of_office(
    tx: &mut PgConnection,
    office: i64,
    counter: i64,
    service: i64,
    position: i64,
    weight: i64,
) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "INSERT INTO counter_services (counter_id, service_id, position, weight)
         SELECT $1, id, $2, $3 FROM services WHERE id = $4 AND office_id = $5",
        counter,
        position,
        weight,
        service,
        office
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
