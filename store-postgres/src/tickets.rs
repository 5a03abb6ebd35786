//! Tickets as issuing writes them: a kiosk's key gets one ticket in its
//! office, whichever process a retry reaches. Issuing holds the service's
//! lock (`numbers::lock`) while it looks the key up and inserts, so a
//! retry waits for the first attempt's commit and then finds its ticket;
//! the unique key makes a second ticket impossible even without the lock.

use sqlx::PgConnection;

/// A ticket about to be issued.
#[derive(Debug, Clone)]
pub struct NewTicket<'a> {
    /// Its office.
    pub office: i64,
    /// Its service.
    pub service: i64,
    /// The office's day, `YYYY-MM-DD`.
    pub date: &'a str,
    /// Its number of the day.
    pub number: i64,
    /// Its number as printed (`A001`).
    pub display: &'a str,
    /// Its priority class (`none`, `elderly`, …).
    pub priority: &'a str,
    /// Whether that class goes first.
    pub is_priority: bool,
    /// Its tracking token.
    pub token: &'a str,
    /// The kiosk's key for the tap.
    pub key: &'a str,
    /// When, in milliseconds.
    pub at: i64,
}

/// The ticket an office's key already got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyed {
    /// The ticket.
    pub id: i64,
    /// The service it was asked for (a retry must ask the same).
    pub service: i64,
    /// The priority class it was asked for.
    pub priority: String,
}

/// The ticket `key` already got in `office`, if any.
pub async fn by_key(tx: &mut PgConnection, office: i64, key: &str) -> sqlx::Result<Option<Keyed>> {
    sqlx::query_as!(
        Keyed,
        r#"SELECT id, issued_service_id AS service, priority FROM tickets
           WHERE office_id = $1 AND idempotency_key = $2"#,
        office,
        key
    )
    .fetch_optional(&mut *tx)
    .await
}

/// Inserts a waiting ticket; its id, or `None` if its key is already the
/// office's (nothing is written then). The triggers log it and count it in
/// its line.
pub async fn insert(tx: &mut PgConnection, t: &NewTicket<'_>) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar!(
        "INSERT INTO tickets (office_id, issued_service_id, service_id, business_date, number,
             display_number, priority, is_priority, state, issued_at, queue_at, public_token,
             idempotency_key, changed_at, change_kind)
         VALUES ($1, $2, $2, $3, $4, $5, $6, $7, 'waiting', $8, $8, $9, $10, $8, 'issued')
         ON CONFLICT (office_id, idempotency_key) DO NOTHING
         RETURNING id",
        t.office,
        t.service,
        t.date,
        t.number,
        t.display,
        t.priority,
        t.is_priority,
        t.at,
        t.token,
        t.key
    )
    .fetch_optional(&mut *tx)
    .await
}
