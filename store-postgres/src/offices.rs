//! Offices as rows: the list, one office, and a new one.

use sqlx::{PgConnection, PgPool};

/// An office's row, as the API shows it.
#[derive(Debug, Clone)]
pub struct Office {
    /// Its id.
    pub id: i64,
    /// Its short code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its IANA time zone.
    pub time_zone: String,
    /// The ticket's last line.
    pub ticket_footer: String,
    /// What the kiosk and display show under the services.
    pub notice: String,
    /// What the display says for a call.
    pub voice_phrase: String,
    /// Its address.
    pub address: String,
    /// The ticket's first line.
    pub ticket_header: String,
}

/// One office.
pub async fn office(pool: &PgPool, id: i64) -> sqlx::Result<Option<Office>> {
    sqlx::query_as!(
        Office,
        "SELECT id, code, name, time_zone, ticket_footer, notice, voice_phrase, address,
                ticket_header
         FROM offices WHERE id = $1",
        id
    )
    .fetch_optional(pool)
    .await
}

/// Every office's id, code, name and time zone, by id.
pub async fn offices(pool: &PgPool) -> sqlx::Result<Vec<(i64, String, String, String)>> {
    Ok(
        sqlx::query!("SELECT id, code, name, time_zone FROM offices ORDER BY id")
            .fetch_all(pool)
            .await?
            .into_iter()
            .map(|r| (r.id, r.code, r.name, r.time_zone))
            .collect(),
    )
}

/// Up to `limit` offices' ids, by id.
pub async fn ids(pool: &PgPool, limit: i64) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar!("SELECT id FROM offices ORDER BY id LIMIT $1", limit)
        .fetch_all(pool)
        .await
}

/// A new office.
#[derive(Debug, Clone)]
pub struct NewOffice<'a> {
    /// Its short code (unique).
    pub code: &'a str,
    /// Its name.
    pub name: &'a str,
    /// Its IANA time zone.
    pub time_zone: &'a str,
    /// The ticket's last line.
    pub ticket_footer: &'a str,
    /// The kiosk's and display's notice.
    pub notice: &'a str,
    /// Its address.
    pub address: &'a str,
    /// When, in milliseconds.
    pub at: i64,
}

/// Inserts an office; its id, or `None` if the code is taken (nothing is
/// written then).
pub async fn insert(tx: &mut PgConnection, o: &NewOffice<'_>) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "INSERT INTO offices (code, name, time_zone, ticket_footer, notice, address, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (code) DO NOTHING
         RETURNING id",
        o.code,
        o.name,
        o.time_zone,
        o.ticket_footer,
        o.notice,
        o.address,
        o.at
    )
    .fetch_optional(&mut *tx)
    .await
}

/// An office's day so far on `date`: waiting, issued, counters, open
/// counters (each a seek or two, however long its history).
pub async fn day(pool: &PgPool, office: i64, date: &str) -> sqlx::Result<(i64, i64, i64, i64)> {
    let r = sqlx::query!(
        r#"SELECT
             (SELECT COALESCE(SUM(waiting), 0)::BIGINT FROM waiting_lines
              WHERE office_id = $1 AND business_date = $2) AS "waiting!",
             (SELECT COALESCE(SUM(
                 (SELECT MAX(t.number) FROM tickets t
                  WHERE t.office_id = $1 AND t.issued_service_id = s.id
                    AND t.business_date = $2) - s.first_number + 1), 0)::BIGINT
              FROM services s WHERE s.office_id = $1) AS "issued!",
             (SELECT COUNT(*) FROM counters WHERE office_id = $1) AS "counters!",
             (SELECT COUNT(*) FROM counters WHERE office_id = $1 AND state = 'open') AS "open!""#,
        office,
        date
    )
    .fetch_one(pool)
    .await?;
    Ok((r.waiting, r.issued, r.counters, r.open))
}

/// An office's texts as its admin sets them.
#[derive(Debug, Clone)]
pub struct Texts<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its address.
    pub address: &'a str,
    /// The ticket's first line.
    pub ticket_header: &'a str,
    /// The ticket's last line.
    pub ticket_footer: &'a str,
    /// The kiosk's and display's notice.
    pub notice: &'a str,
    /// What the display says for a call.
    pub voice_phrase: &'a str,
}

/// Replaces an office's texts.
pub async fn update(tx: &mut PgConnection, office: i64, t: &Texts<'_>) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE offices SET name = $1, address = $2, ticket_header = $3, ticket_footer = $4,
                            notice = $5, voice_phrase = $6
         WHERE id = $7",
        t.name,
        t.address,
        t.ticket_header,
        t.ticket_footer,
        t.notice,
        t.voice_phrase,
        office
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
