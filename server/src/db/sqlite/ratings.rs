//! Citizens' ratings from the tablet at each counter.

use crate::db::ratings::RATING_WINDOW_MS;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, DeviceId, RatingView, TicketId};
use sqlx::SqliteConnection;

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
