//! When each device was last heard from (any request, or any frame on its
//! event stream), for the monitor's "online" column. Kept in memory: after
//! a restart every device is unknown until it speaks again, which it does
//! within seconds.

use chrono::{DateTime, Utc};
use layso_protocol::DeviceId;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// A device heard from within this long is online.
pub const ONLINE_WITHIN: Duration = Duration::from_secs(60);

/// The devices' last signs of life.
#[derive(Debug, Default)]
pub struct Presence {
    seen: Mutex<HashMap<DeviceId, DateTime<Utc>>>,
}

impl Presence {
    /// `device` spoke at `at`.
    pub fn saw(&self, device: DeviceId, at: DateTime<Utc>) {
        self.seen
            .lock()
            .expect("no panics under the presence lock")
            .insert(device, at);
    }

    /// When `device` last spoke, if since the server started.
    pub fn last_seen(&self, device: DeviceId) -> Option<DateTime<Utc>> {
        self.seen
            .lock()
            .expect("no panics under the presence lock")
            .get(&device)
            .copied()
    }

    /// Whether `device` spoke within [`ONLINE_WITHIN`] of `now`.
    pub fn online(&self, device: DeviceId, now: DateTime<Utc>) -> bool {
        self.last_seen(device)
            .is_some_and(|at| (now - at).to_std().is_ok_and(|age| age <= ONLINE_WITHIN))
    }
}
