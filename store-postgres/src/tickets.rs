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

/// A service as issuing needs it, with its office's time zone.
#[derive(Debug, Clone)]
pub struct IssueService {
    /// Its office.
    pub office_id: i64,
    /// Its name.
    pub name: String,
    /// Its numbers' prefix.
    pub prefix: String,
    /// Its first number.
    pub first_number: i64,
    /// Its last number.
    pub last_number: i64,
    /// At most this many a day, if capped.
    pub daily_cap: Option<i64>,
    /// Whether priority classes go first.
    pub accepts_priority: bool,
    /// Its issuing hours, as JSON.
    pub hours: String,
    /// Whether it issues at all.
    pub active: bool,
    /// Its office's IANA time zone.
    pub time_zone: String,
    /// Open counters serving it.
    pub open_counters: i64,
    /// All counters serving it.
    pub all_counters: i64,
}

/// A service's settings for issuing, if it exists.
pub async fn service(tx: &mut PgConnection, service: i64) -> sqlx::Result<Option<IssueService>> {
    sqlx::query_as!(
        IssueService,
        r#"SELECT s.office_id, s.name, s.prefix, s.first_number, s.last_number, s.daily_cap,
                  s.accepts_priority, s.hours, s.active, o.time_zone,
                  (SELECT COUNT(*) FILTER (WHERE c.state = 'open') FROM counter_services cs
                   JOIN counters c ON c.id = cs.counter_id WHERE cs.service_id = s.id)
                   AS "open_counters!",
                  (SELECT COUNT(*) FROM counter_services cs WHERE cs.service_id = s.id)
                   AS "all_counters!"
           FROM services s JOIN offices o ON o.id = s.office_id
           WHERE s.id = $1"#,
        service
    )
    .fetch_optional(&mut *tx)
    .await
}

/// How many priority and ordinary tickets wait in a service's line on
/// `date` (read under the service's lock, they are exact).
pub async fn waiting(tx: &mut PgConnection, service: i64, date: &str) -> sqlx::Result<(i64, i64)> {
    let r = sqlx::query!(
        r#"SELECT COALESCE(SUM(waiting) FILTER (WHERE is_priority), 0)::BIGINT AS "priority!",
                  COALESCE(SUM(waiting) FILTER (WHERE NOT is_priority), 0)::BIGINT AS "ordinary!"
           FROM waiting_lines WHERE service_id = $1 AND business_date = $2"#,
        service,
        date
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok((r.priority, r.ordinary))
}

/// A ticket as the steps need it.
#[derive(Debug, Clone)]
pub struct Ticket {
    /// Its id.
    pub id: i64,
    /// Its office.
    pub office_id: i64,
    /// Its service now.
    pub service_id: i64,
    /// Its day.
    pub business_date: String,
    /// Its number as printed.
    pub display_number: String,
    /// Its state.
    pub state: String,
    /// The counter it was last called to.
    pub counter_id: Option<i64>,
}

/// A ticket, locked for the rest of the transaction.
pub async fn ticket(tx: &mut PgConnection, id: i64) -> sqlx::Result<Option<Ticket>> {
    sqlx::query_as!(
        Ticket,
        "SELECT id, office_id, service_id, business_date, display_number, state, counter_id
         FROM tickets WHERE id = $1 FOR UPDATE",
        id
    )
    .fetch_optional(&mut *tx)
    .await
}

/// One change of a ticket, with what the log must say about it.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    /// When (ms).
    pub at: i64,
    /// What happened.
    pub kind: &'a str,
    /// The state after it.
    pub to: &'a str,
    /// The counter where it happened.
    pub counter: Option<i64>,
    /// Whether the ticket now belongs to that counter (a call).
    pub assign: bool,
    /// Who did it.
    pub user: Option<i64>,
    /// Why.
    pub reason: Option<&'a str>,
    /// A new service (transfer).
    pub service: Option<i64>,
    /// A new place in time (ms).
    pub queue_at: Option<i64>,
}

/// Applies a change to one ticket; the trigger logs it. False if there is
/// no such ticket.
pub async fn apply(tx: &mut PgConnection, ticket: i64, c: &Change<'_>) -> sqlx::Result<bool> {
    let done = sqlx::query!(
        "UPDATE tickets
         SET state = $2,
             counter_id = CASE WHEN $3 THEN $4 ELSE counter_id END,
             service_id = COALESCE($5, service_id),
             queue_at = COALESCE($6, queue_at),
             changed_at = $7, change_kind = $8, change_counter_id = $4,
             change_user_id = $9, change_reason = $10
         WHERE id = $1",
        ticket,
        c.to,
        c.assign,
        c.counter,
        c.service,
        c.queue_at,
        c.at,
        c.kind,
        c.user,
        c.reason
    )
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A service's office and whether it is active, if it exists.
pub async fn service_office(
    tx: &mut PgConnection,
    service: i64,
) -> sqlx::Result<Option<(i64, bool)>> {
    Ok(sqlx::query!(
        "SELECT office_id, active FROM services WHERE id = $1",
        service
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| (r.office_id, r.active)))
}

/// Expires an office's tickets still open from days before `today`; how
/// many.
pub async fn expire_before(
    tx: &mut PgConnection,
    office: i64,
    today: &str,
    at: i64,
) -> sqlx::Result<u64> {
    Ok(sqlx::query!(
        "UPDATE tickets
         SET state = 'expired', changed_at = $3, change_kind = 'expired',
             change_counter_id = NULL, change_user_id = NULL, change_reason = NULL
         WHERE office_id = $1 AND business_date < $2
           AND state IN ('waiting', 'called', 'serving', 'no_show')",
        office,
        today,
        at
    )
    .execute(&mut *tx)
    .await?
    .rows_affected())
}
