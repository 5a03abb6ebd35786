//! Paired devices: kiosks, hall displays and rating tablets, and what
//! kiosks report of their printers.

use super::{Db, Engine, sqlite};
use crate::caller::TokenHash;
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, DeviceId, DeviceKind, DeviceView, OfficeId, PrinterState};

/// A device to pair.
#[derive(Debug, Clone)]
pub struct NewDevice {
    /// The office.
    pub office: OfficeId,
    /// What it is.
    pub kind: DeviceKind,
    /// Its name.
    pub name: String,
    /// A rating tablet's counter.
    pub counter: Option<CounterId>,
    /// Its token's hash.
    pub key: TokenHash,
    /// When.
    pub at: DateTime<Utc>,
}

/// A device row as both engines read it for [`DeviceView`].
pub(crate) struct DeviceRow {
    pub(crate) id: i64,
    pub(crate) office_id: i64,
    pub(crate) kind: String,
    pub(crate) name: String,
    pub(crate) counter_id: Option<i64>,
    pub(crate) created_at: i64,
    pub(crate) revoked_at: Option<i64>,
    pub(crate) printer_status: Option<String>,
    pub(crate) status_at: Option<i64>,
}

impl DeviceRow {
    /// The device as the admin sees it.
    pub(crate) fn into_view(self) -> Result<DeviceView> {
        Ok(DeviceView {
            id: DeviceId(self.id),
            office_id: OfficeId(self.office_id),
            kind: super::kind(&self.kind)?,
            name: self.name,
            counter_id: self.counter_id.map(CounterId),
            created_at: super::time(self.created_at)?,
            revoked_at: self.revoked_at.map(super::time).transpose()?,
            printer: self.printer_status.as_deref().and_then(PrinterState::parse),
            status_at: self.status_at.map(super::time).transpose()?,
        })
    }
}

impl Db {
    /// Pairs a device. A rating tablet needs a counter of the office; other
    /// devices take none.
    pub async fn create_device(&self, d: NewDevice) -> Result<DeviceId> {
        match (d.kind, d.counter) {
            (DeviceKind::Rating, None) => {
                return Err(Error::invalid(
                    "a rating tablet needs the counter_id it stands at",
                    "Máy đánh giá cần chọn quầy đặt máy.",
                ));
            }
            (DeviceKind::Rating, Some(_)) | (_, None) => {}
            (_, Some(_)) => {
                return Err(Error::invalid(
                    "only a rating tablet belongs to a counter",
                    "Chỉ máy đánh giá mới gắn với một quầy.",
                ));
            }
        }
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move { sqlite::devices::create_device(conn, &d).await })
                    })
                    .await
            }
            Engine::Postgres(db) => db.create_device(&d).await,
        }
    }

    /// Revokes a device of the office; returns its token's hash. Revoking twice
    /// is a no-op.
    pub async fn revoke_device(
        &self,
        office: OfficeId,
        id: DeviceId,
        at: DateTime<Utc>,
    ) -> Result<TokenHash> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlite::devices::revoke_device(conn, office, id, at).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.revoke_device(office, id, at).await,
        }
    }

    /// The devices of an office (`only`: one of them), oldest first.
    pub async fn devices(
        &self,
        office: OfficeId,
        only: Option<DeviceId>,
    ) -> Result<Vec<DeviceView>> {
        match &self.engine {
            Engine::Sqlite(db) => sqlite::devices::devices(&db.read, office, only).await,
            Engine::Postgres(db) => db.devices(office, only).await,
        }
    }
    /// Records what a kiosk says of its printer.
    pub async fn set_printer_status(
        &self,
        device: DeviceId,
        printer: PrinterState,
        at: DateTime<Utc>,
    ) -> Result<()> {
        match &self.engine {
            Engine::Sqlite(db) => {
                db.writer
                    .write(move |conn| {
                        Box::pin(async move {
                            sqlite::printers::set_printer_status(conn, device, printer, at).await
                        })
                    })
                    .await
            }
            Engine::Postgres(db) => db.set_printer_status(device, printer, at).await,
        }
    }
}
