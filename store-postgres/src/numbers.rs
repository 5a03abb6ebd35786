//! A service's numbers of a day, taken by one transaction at a time
//! across every process: the service's row is locked first, and only then
//! is its last number read, so the read sees every number committed by
//! whoever held the lock before.
//!
//! Both are needed, in that order and in two statements: under READ
//! COMMITTED a statement that waited for a row lock re-reads the locked
//! row but not what else it reads, so a `MAX(number)` in the same
//! statement as the `FOR UPDATE` can miss the number committed by the
//! transaction it waited for.

use sqlx::PgConnection;

/// A service's numbering, locked for the rest of the transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbering {
    /// Its first number.
    pub first: i64,
    /// Its last number.
    pub last: i64,
    /// At most this many a day, if capped.
    pub daily_cap: Option<i64>,
    /// The last number given on the day asked, if any.
    pub taken: Option<i64>,
}

/// Locks service `service` of `office` until the transaction ends and
/// reads its numbering on `date`; `None` if the office has no such service.
pub async fn lock(
    tx: &mut PgConnection,
    office: i64,
    service: i64,
    date: &str,
) -> sqlx::Result<Option<Numbering>> {
    let Some(s) = sqlx::query!(
        "SELECT first_number, last_number, daily_cap FROM services
         WHERE id = $1 AND office_id = $2 FOR UPDATE",
        service,
        office
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(None);
    };
    let taken = sqlx::query_scalar!(
        "SELECT MAX(number) FROM tickets
         WHERE office_id = $1 AND issued_service_id = $2 AND business_date = $3",
        office,
        service,
        date
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(Some(Numbering {
        first: s.first_number,
        last: s.last_number,
        daily_cap: s.daily_cap,
        taken,
    }))
}
