//! The demo office written to an empty PostgreSQL database (what it holds:
//! `db::demo`).

use super::Postgres;
use crate::config::DemoHours;
use crate::db::demo::{COUNTERS, DEVICES, DemoKeys, SERVICES, USERS, hours};
use crate::error::{Error, Result};
use chrono::{DateTime, Utc};
use layso_store_postgres::{offices, setup};

impl Postgres {
    /// Whether the database has no office yet.
    pub async fn is_empty(&self) -> Result<bool> {
        Ok(offices::ids(&self.pool, 1).await?.is_empty())
    }

    /// Creates the demo office if the database has no office at all;
    /// whether it did. Two processes starting at once on an empty
    /// database make one demo: the office's code is unique.
    pub async fn seed_demo(
        &self,
        now: DateTime<Utc>,
        time_zone: &str,
        kind: DemoHours,
        keys: &DemoKeys,
    ) -> Result<bool> {
        if keys.password_hashes.len() != USERS.len() || keys.device_keys.len() != DEVICES.len() {
            return Err(Error::Internal(
                "demo keys do not match its users and devices".into(),
            ));
        }
        if !self.is_empty().await? {
            return Ok(false);
        }
        let at = now.timestamp_millis();
        let mut tx = self.pool.begin().await?;
        let Some(office) = offices::insert(
            &mut tx,
            &offices::NewOffice {
                code: "demo",
                name: "Bộ phận Một cửa – UBND xã Tân Phú",
                time_zone,
                ticket_footer: "Cảm ơn quý khách. Xin vui lòng giữ vé đến khi hoàn tất thủ tục.",
                notice: "Giờ làm việc: sáng 7:30–11:30, chiều 13:30–17:00, thứ Hai đến thứ Sáu. Công dân vui lòng chuẩn bị đầy đủ giấy tờ trước khi đến quầy.",
                address: "",
                at,
            },
        )
        .await?
        else {
            return Ok(false);
        };
        let hours = serde_json::to_string(&hours(kind))
            .map_err(|e| Error::Internal(format!("demo hours: {e}")))?;
        let mut service_ids = Vec::new();
        for (position, s) in (0_i64..).zip(SERVICES.iter()) {
            let service = setup::NewService {
                office,
                code: s.code,
                name: s.name,
                prefix: s.prefix,
                first: s.first,
                last: s.last,
                daily_cap: s.cap,
                accepts_priority: true,
                hours: &hours,
                default_secs: s.secs,
                position,
            };
            let id = setup::insert_service(&mut tx, &service)
                .await?
                .ok_or_else(|| Error::Internal("demo service codes repeat".into()))?;
            service_ids.push(id);
        }
        for ((username, full_name, role), hash) in USERS.iter().zip(&keys.password_hashes) {
            setup::insert_user(&mut tx, office, username, full_name, role.as_str(), hash).await?;
        }
        for ((kind, name), key) in DEVICES.iter().zip(&keys.device_keys) {
            setup::insert_device(&mut tx, office, kind.as_str(), name, None, &key[..], at).await?;
        }
        // Open, so that staff can call as soon as they sign in to one.
        for (number, name, selection, services) in COUNTERS.iter() {
            let counter = setup::insert_counter(&mut tx, office, *number, name, "open", selection)
                .await?
                .ok_or_else(|| Error::Internal("demo counter numbers repeat".into()))?;
            for (position, (service, weight)) in (0_i64..).zip(services.iter()) {
                setup::serve(&mut tx, counter, service_ids[*service], position, *weight).await?;
            }
        }
        tx.commit().await?;
        self.committed();
        Ok(true)
    }
}
