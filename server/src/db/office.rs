//! The office's details as the admin changes them: one transaction that
//! also logs a settings event, so every screen reads the office again.

use crate::error::Result;
use chrono::{DateTime, Utc};
use layso_protocol::{OfficeId, OfficeRequest, UserId};
use sqlx::SqliteConnection;

/// Replaces the office's details.
pub async fn update_office(
    conn: &mut SqliteConnection,
    office: OfficeId,
    o: &OfficeRequest,
    admin: Option<UserId>,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query!(
        r#"UPDATE offices SET name = ?, address = ?, ticket_header = ?, ticket_footer = ?,
                              notice = ?, voice_phrase = ?
           WHERE id = ?"#,
        o.name,
        o.address,
        o.ticket_header,
        o.ticket_footer,
        o.notice,
        o.voice_phrase,
        office.0
    )
    .execute(&mut *conn)
    .await?;
    super::events::settings(conn, office, "office", admin, at).await
}
