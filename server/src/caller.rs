//! Who is calling: the [`Principal`] a valid token stands for, the
//! [`Party`] it is, and the [`Access`] each route admits. Plain data that
//! imports nothing of the server, so that every layer (storage, live
//! streams, HTTP, pages) can speak of callers without importing the
//! others.

use chrono::{DateTime, Utc};
use layso_protocol::{CounterId, DeviceId, DeviceKind, OfficeId, Role, UserId};

/// The SHA-256 of a token: how the database and the cache know it.
pub type TokenHash = [u8; 32];

/// Who a valid token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The token's hash (its session or device).
    pub key: TokenHash,
    /// The office it acts in.
    pub office: OfficeId,
    /// A person or a device.
    pub who: Who,
    /// When it stops working by itself (sessions only).
    pub expires_at: Option<DateTime<Utc>>,
}

/// A person or a device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// A signed-in person.
    User {
        /// The account.
        id: UserId,
        /// What they may do.
        role: Role,
        /// The counter a staff member signed in to.
        counter: Option<CounterId>,
    },
    /// A paired device.
    Device {
        /// The device.
        id: DeviceId,
        /// What it may do.
        kind: DeviceKind,
        /// A rating tablet's counter.
        counter: Option<CounterId>,
    },
}

/// The parties a route may admit: each role and each kind of device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// Role province admin.
    ProvinceAdmin,
    /// Role admin.
    Admin,
    /// Role manager.
    Manager,
    /// Role staff (with or without a counter).
    Staff,
    /// A kiosk.
    Kiosk,
    /// A hall display.
    Display,
    /// A rating tablet.
    Rating,
}

impl Principal {
    /// The party it is.
    pub fn party(&self) -> Party {
        match self.who {
            Who::User { role, .. } => match role {
                Role::ProvinceAdmin => Party::ProvinceAdmin,
                Role::Admin => Party::Admin,
                Role::Manager => Party::Manager,
                Role::Staff => Party::Staff,
            },
            Who::Device { kind, .. } => match kind {
                DeviceKind::Kiosk => Party::Kiosk,
                DeviceKind::Display => Party::Display,
                DeviceKind::Rating => Party::Rating,
            },
        }
    }

    /// The counter it is tied to: a staff member's or a rating tablet's.
    pub fn counter(&self) -> Option<CounterId> {
        match self.who {
            Who::User { counter, .. } | Who::Device { counter, .. } => counter,
        }
    }

    /// The person, if it is one.
    pub fn user(&self) -> Option<UserId> {
        match self.who {
            Who::User { id, .. } => Some(id),
            Who::Device { .. } => None,
        }
    }

    /// The device, if it is one.
    pub fn device(&self) -> Option<DeviceId> {
        match self.who {
            Who::Device { id, .. } => Some(id),
            Who::User { .. } => None,
        }
    }
}

/// What a route needs.
#[derive(Debug, Clone, Copy)]
pub enum Access {
    /// Any of these parties.
    AnyOf(&'static [Party]),
    /// Staff signed in at the counter named `{id}` in the path.
    StaffAtCounter,
}

/// Kiosks: services and issuing.
pub const KIOSK: Access = Access::AnyOf(&[Party::Kiosk]);
/// What the hall shows: the queue, the counters and the live events.
pub const HALL: Access =
    Access::AnyOf(&[Party::Admin, Party::Manager, Party::Staff, Party::Display]);
/// The service list: the kiosk's menu and everybody's legend.
pub const SERVICES: Access = Access::AnyOf(&[
    Party::Admin,
    Party::Manager,
    Party::Staff,
    Party::Display,
    Party::Kiosk,
]);
/// Any signed-in person of an office's own.
pub const PEOPLE: Access = Access::AnyOf(&[Party::Admin, Party::Manager, Party::Staff]);
/// Any signed-in person, the province admin too (signing out).
pub const ANY_PERSON: Access = Access::AnyOf(&[
    Party::ProvinceAdmin,
    Party::Admin,
    Party::Manager,
    Party::Staff,
]);
/// Any valid token.
pub const ANYONE_SIGNED_IN: Access = Access::AnyOf(&[
    Party::ProvinceAdmin,
    Party::Admin,
    Party::Manager,
    Party::Staff,
    Party::Kiosk,
    Party::Display,
    Party::Rating,
]);
/// Office configuration.
pub const ADMIN: Access = Access::AnyOf(&[Party::Admin]);
/// The province's offices: creating them and their admins, and the list.
pub const PROVINCE: Access = Access::AnyOf(&[Party::ProvinceAdmin]);
/// Rating tablets.
pub const RATING: Access = Access::AnyOf(&[Party::Rating]);
/// The counter in the path, by the staff member signed in there.
pub const AT_COUNTER: Access = Access::StaffAtCounter;
