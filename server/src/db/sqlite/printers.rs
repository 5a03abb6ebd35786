//! What kiosks report of their printers.

use crate::error::Result;
use chrono::{DateTime, Utc};
use layso_protocol::{DeviceId, PrinterState};
use sqlx::SqliteConnection;

/// Records what a kiosk says of its printer.
pub async fn set_printer_status(
    conn: &mut SqliteConnection,
    device: DeviceId,
    printer: PrinterState,
    at: DateTime<Utc>,
) -> Result<()> {
    let (state, at) = (printer.as_str(), at.timestamp_millis());
    sqlx::query!(
        "UPDATE devices SET printer_status = ?, status_at = ? WHERE id = ?",
        state,
        at,
        device.0
    )
    .execute(conn)
    .await?;
    Ok(())
}
