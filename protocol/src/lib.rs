//! The language Layso's programs speak to each other.
//!
//! Ids, ticket numbers, ticket states and priority classes, and the JSON
//! bodies of the HTTP API, the live events and the Vietnamese words the
//! display speaks, shared by the server and its clients (kiosk,
//! display, web pages). No I/O lives here.

pub mod api;
pub mod auth;
pub mod events;
pub mod ids;
pub mod speech;
pub mod text;
pub mod ticket;

pub use api::*;
pub use auth::*;
pub use events::*;
pub use ids::*;
pub use ticket::*;
