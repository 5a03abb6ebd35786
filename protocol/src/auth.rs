//! Accounts and devices: roles, logging in, and the devices an admin pairs.
//!
//! Every request but `/healthz`, login, ticket tracking and the API's own
//! description carries a token: `Authorization: Bearer <token>` (or the
//! `layso_token` cookie set at login, for browsers). Staff get theirs by
//! logging in; a device gets its token once, when an admin creates it.

use crate::{CounterId, DeviceId, OfficeId, TicketId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Creates offices and their admins, and sees every office of the
    /// server (a province's central deployment).
    ProvinceAdmin,
    /// Configures the office: users, devices, day close.
    Admin,
    /// Monitors the hall and reads reports.
    Manager,
    /// Works the counter they signed in to.
    Staff,
}

impl Role {
    /// The name used in the API and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ProvinceAdmin => "province_admin",
            Self::Admin => "admin",
            Self::Manager => "manager",
            Self::Staff => "staff",
        }
    }

    /// Parses a name from [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::ProvinceAdmin, Self::Admin, Self::Manager, Self::Staff]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// What a device may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// Lists services and issues tickets.
    Kiosk,
    /// Reads the queue and its live events.
    Display,
    /// Rates the ticket just finished at its counter.
    Rating,
}

impl DeviceKind {
    /// The name used in the API and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kiosk => "kiosk",
            Self::Display => "display",
            Self::Rating => "rating",
        }
    }

    /// Parses a name from [`DeviceKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Kiosk, Self::Display, Self::Rating]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// `POST /api/v1/auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
    /// The counter a staff member sits at; signing in takes it over from
    /// whoever was signed in there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter_id: Option<CounterId>,
    /// The office, when the server holds several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_id: Option<OfficeId>,
}

/// A person's account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserView {
    /// Its id.
    pub id: UserId,
    /// Its office.
    pub office_id: OfficeId,
    /// The name they sign in with.
    pub username: String,
    /// Their full name, e.g. "Nguyễn Thị Lan".
    pub full_name: String,
    /// What they may do.
    pub role: Role,
    /// Whether the user may no longer sign in.
    #[serde(default)]
    pub disabled: bool,
    /// The counters a staff member may work; empty: any.
    #[serde(default)]
    pub counters: Vec<CounterId>,
}

/// The answer to a login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginResponse {
    /// Send it as `Authorization: Bearer <token>`.
    pub token: String,
    /// When the session ends by itself.
    pub expires_at: DateTime<Utc>,
    /// Who signed in.
    pub user: UserView,
    /// The counter they signed in to.
    pub counter_id: Option<CounterId>,
}

/// `GET /api/v1/auth/me`: who the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Me {
    /// A signed-in person.
    User {
        /// The account.
        user: UserView,
        /// The counter they signed in to.
        counter_id: Option<CounterId>,
        /// When the session ends.
        expires_at: DateTime<Utc>,
    },
    /// A paired device.
    Device {
        /// The device (its own `kind` says kiosk, display or rating).
        device: DeviceView,
    },
}

/// `POST /api/v1/admin/devices`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDeviceRequest {
    /// What it is.
    pub kind: DeviceKind,
    /// A name staff recognise, e.g. "Kiosk sảnh chính".
    pub name: String,
    /// A rating tablet's counter (required for one, refused for others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter_id: Option<CounterId>,
}

/// A paired device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceView {
    /// Its id.
    pub id: DeviceId,
    /// Its office.
    pub office_id: OfficeId,
    /// What it is.
    pub kind: DeviceKind,
    /// Its name.
    pub name: String,
    /// A rating tablet's counter.
    pub counter_id: Option<CounterId>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked; a revoked device is refused everything.
    pub revoked_at: Option<DateTime<Utc>>,
    /// What a kiosk last said of its printer.
    pub printer: Option<PrinterState>,
    /// When it said so.
    pub status_at: Option<DateTime<Utc>>,
}

/// A kiosk's printer, as the kiosk last found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PrinterState {
    /// Ready.
    Ready,
    /// Printing, but the paper roll is nearly used up.
    PaperNearEnd,
    /// Out of paper: the kiosk issues nothing.
    PaperOut,
    /// Cover open: the kiosk issues nothing.
    CoverOpen,
    /// Offline or in error: the kiosk issues nothing.
    Error,
    /// Not answering: the kiosk issues nothing.
    NoAnswer,
}

impl PrinterState {
    /// Every state.
    pub const ALL: [PrinterState; 6] = [
        Self::Ready,
        Self::PaperNearEnd,
        Self::PaperOut,
        Self::CoverOpen,
        Self::Error,
        Self::NoAnswer,
    ];

    /// The name used in the API and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::PaperNearEnd => "paper_near_end",
            Self::PaperOut => "paper_out",
            Self::CoverOpen => "cover_open",
            Self::Error => "error",
            Self::NoAnswer => "no_answer",
        }
    }

    /// Parses a name from [`PrinterState::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// `POST /api/v1/devices/status`: a kiosk reports its printer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceStatusRequest {
    /// The printer's state.
    pub printer: PrinterState,
}

/// `POST /api/v1/tickets/{id}/not-printed`: a kiosk could not print a
/// ticket it was issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NotPrintedRequest {
    /// Why, for the log, e.g. "paper_out".
    pub reason: String,
}

/// The answer to creating a device: its token, shown this once only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDeviceResponse {
    /// The device.
    pub device: DeviceView,
    /// Configure the device with it; the server keeps only its hash.
    pub token: String,
}

/// `POST /api/v1/admin/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUserRequest {
    /// The name they sign in with: 2–32 of `a-z 0-9 . _ -`.
    pub username: String,
    /// Their full name.
    pub full_name: String,
    /// What they may do.
    pub role: Role,
    /// At least 10 characters.
    pub password: String,
}

/// `PUT /api/v1/admin/users/{id}`: a user's name, role, and whether they
/// may sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserRequest {
    /// Full name (1-100 characters).
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// True: they may no longer sign in, and their sessions end now.
    pub disabled: bool,
    /// The counters a staff member may work; empty: any.
    #[serde(default)]
    pub counters: Vec<CounterId>,
}

/// `PUT /api/v1/admin/users/{id}/password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordRequest {
    /// At least 10 characters.
    pub password: String,
}

/// `POST /api/v1/ratings`: a citizen's rating of the service just given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingRequest {
    /// The ticket just finished at the tablet's counter.
    pub ticket_id: TicketId,
    /// 1 (very unhappy) to 5 (very happy).
    pub score: u8,
}

/// A rating as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingView {
    /// The ticket rated.
    pub ticket_id: TicketId,
    /// Its number, e.g. `A007`.
    pub display_number: String,
    /// The counter that served it.
    pub counter_id: CounterId,
    /// The score, or none for the ticket a tablet may still rate.
    pub score: Option<u8>,
}
