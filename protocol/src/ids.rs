//! Typed ids, so that a counter id is never passed where a ticket id belongs.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// An office (one hall with its kiosks, counters and display).
    OfficeId
);
id_type!(
    /// A service an office offers (lĩnh vực), with its own ticket numbers.
    ServiceId
);
id_type!(
    /// A counter (quầy) where staff call and serve tickets.
    CounterId
);
id_type!(
    /// A ticket, unique across all offices and days.
    TicketId
);
id_type!(
    /// A staff, manager or admin account.
    UserId
);
id_type!(
    /// A paired device: kiosk, hall display or rating tablet.
    DeviceId
);
