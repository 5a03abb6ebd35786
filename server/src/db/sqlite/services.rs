//! Services as the admin changes them.

use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{OfficeId, ServiceId, ServiceRequest, UserId};
use sqlx::SqliteConnection;

/// Refuses `code` if another service of the office (not `except`) has it.
async fn code_free(
    conn: &mut SqliteConnection,
    office: OfficeId,
    code: &str,
    except: Option<ServiceId>,
) -> Result<()> {
    let except = except.map_or(-1, |s| s.0);
    let taken = sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM services
           WHERE office_id = ? AND code = ? AND id != ?"#,
        office.0,
        code,
        except
    )
    .fetch_one(&mut *conn)
    .await?;
    if taken > 0 {
        return Err(Error::AlreadyExists {
            message: format!("the code {code:?} is already used by another service"),
            vi: format!("Mã “{code}” đã được lĩnh vực khác dùng."),
        });
    }
    Ok(())
}

/// The issuing hours as the `hours` column holds them.
fn hours_json(s: &ServiceRequest) -> Result<String> {
    serde_json::to_string(&s.hours).map_err(|e| Error::Internal(format!("service hours: {e}")))
}

/// Adds a service at the end of the office's list; its code must be new in
/// the office. Logged as a settings change in the same transaction.
pub async fn create(
    conn: &mut SqliteConnection,
    office: OfficeId,
    s: &ServiceRequest,
    admin: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<ServiceId> {
    code_free(conn, office, &s.code, None).await?;
    let hours = hours_json(s)?;
    let (prefix, first, last) = (
        s.numbering.prefix(),
        s.numbering.first(),
        s.numbering.last(),
    );
    let id = sqlx::query_scalar!(
        r#"INSERT INTO services (office_id, code, name, prefix, first_number, last_number,
                                 daily_cap, accepts_priority, hours, default_service_secs, position)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 300,
                   (SELECT COALESCE(MAX(position), -1) + 1 FROM services WHERE office_id = ?1))
           RETURNING id AS "id!: i64""#,
        office.0,
        s.code,
        s.name,
        prefix,
        first,
        last,
        s.daily_cap,
        s.accepts_priority,
        hours
    )
    .fetch_one(&mut *conn)
    .await?;
    super::events::settings(conn, office, "service", admin, at).await?;
    Ok(ServiceId(id))
}

/// Replaces a service's settings; its code must stay unique in the office.
/// Today's tickets keep their numbers. Logged as a settings change.
pub async fn update(
    conn: &mut SqliteConnection,
    office: OfficeId,
    service: ServiceId,
    s: &ServiceRequest,
    admin: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<()> {
    code_free(conn, office, &s.code, Some(service)).await?;
    let hours = hours_json(s)?;
    let (prefix, first, last) = (
        s.numbering.prefix(),
        s.numbering.first(),
        s.numbering.last(),
    );
    let updated = sqlx::query!(
        r#"UPDATE services SET code = ?, name = ?, prefix = ?, first_number = ?, last_number = ?,
                               daily_cap = ?, accepts_priority = ?, hours = ?
           WHERE id = ? AND office_id = ?"#,
        s.code,
        s.name,
        prefix,
        first,
        last,
        s.daily_cap,
        s.accepts_priority,
        hours,
        service.0,
        office.0
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(Error::NotFound("service"));
    }
    super::events::settings(conn, office, "service", admin, at).await
}
