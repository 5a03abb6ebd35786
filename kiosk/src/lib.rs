//! The kiosk: touch screen to printed ticket (issue 4, in progress).
//!
//! Built so far: [`cp1258`], the Vietnamese code page of ESC/POS printers.
//! The ticket layout, printer profiles and transports, the server client
//! and the touch screen come next; see ARCHITECTURE.md.

pub mod cp1258;
